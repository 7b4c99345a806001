//! `synth` for this homelab: the command line (`homelab_command`, the library's command line
//! for this homelab's settings) run on the workspace of `src/lib.rs`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    homelab_command::run(synth::workspace())
}
