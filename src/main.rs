//! `synth` for this homelab: the command line of `homelab_synth_cli` run on the workspace of
//! `src/lib.rs`.

fn main() -> std::process::ExitCode {
    homelab_synth_cli::run(synth::workspace())
}
