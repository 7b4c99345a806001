//! The `synth` command line for this homelab's [`Settings`]: `homelab_synth_cli::run`
//! instantiated here, once.
//!
//! The command line is generic over the fleet's settings type, and a generic function is
//! compiled in the first crate that names the type. Called from `src/main.rs` directly, the
//! whole command line (every subcommand, the writer, publish, diff) was compiled into the
//! binary again after every app edit: most of the rebuild in the README's loop. This crate
//! depends on no app, so an app edit leaves it as it is and the binary only links.

use std::process::ExitCode;

use homelab_clusters::Settings;
use homelab_synth::Workspace;

/// Runs the `synth` command line (arguments from the process) on `workspace`.
pub fn run(workspace: Workspace<Settings>) -> ExitCode {
    homelab_synth_cli::run(workspace)
}
