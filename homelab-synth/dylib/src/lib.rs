//! The library, the generated bindings and the command line as one Rust dylib.
//!
//! A debug `synth` links this shared object instead of copying every dependency into the
//! binary: after an app edit, the link takes the app crates and `main` only (see the root
//! `build.rs`). Release builds never link it, so a release `synth` stays one static file.
//!
//! Everything an app or `main` uses must come from here once this is linked (rustc then
//! takes each crate inside a dylib from the dylib), so the heavy crates are re-exported.

pub use homelab_imports;
pub use homelab_synth;
pub use homelab_synth_cli;
pub use k8s_openapi;
pub use serde_json;
