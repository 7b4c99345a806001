//! The crates an app edit never changes, as one shared library: the command line, the
//! library, the generated bindings, the clusters and what apps use directly, with every
//! dependency under them. A debug build of `synth` links this library dynamically (see the
//! workspace's `build.rs`), so that after an edit of an app the linker writes a binary of the
//! app crates and `src/` (about 15 MB) instead of one of everything (about 80 MB): the link
//! was half of the rebuild in the README's edit loop. Release builds link statically and do
//! not use it.
//!
//! Every crate an app crate uses must come through here (or through a crate here), or the
//! debug link would hold two copies of it and fail. The process's allocator is declared here
//! for debug builds: a shared library and the binary must agree on one.

pub use homelab_clusters;
pub use homelab_command;
pub use homelab_imports;
pub use homelab_synth;
pub use k8s_openapi;
pub use serde_json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
