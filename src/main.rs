//! `synth` for this homelab: the command line (`homelab_command`, the library's command line
//! for this homelab's settings) run on the workspace of `src/lib.rs`.

// debug builds: the stable crates, and the allocator, come from one shared library (build.rs)
#[cfg(dev_link)]
use homelab_dev_link as _;

#[cfg(not(dev_link))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    homelab_command::run(synth::workspace())
}
