fn main() -> std::process::ExitCode {
    {{clusters_crate}}::run(synth::workspace())
}
