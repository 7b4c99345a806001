//! `synth` for this homelab: the command line of `homelab_synth_cli` run on the workspace of
//! `src/lib.rs`.

// Debug builds take the library from its dylib, which makes the link after an edit short
// (see `build.rs`).
#[cfg(synth_dylib)]
use homelab_synth_dylib as _;

fn main() -> std::process::ExitCode {
    homelab_synth_cli::run(synth::workspace())
}
