//! `synth` for this homelab: the command line of `homelab_synth_cli` run on the workspace of
//! `src/lib.rs`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    homelab_synth_cli::run(synth::workspace())
}
