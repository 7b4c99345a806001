fn main() -> std::process::ExitCode {
    homelab_synth_cli::run(synth::workspace())
}
