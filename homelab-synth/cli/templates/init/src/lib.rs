//! {{name}}: every category crate's apps in one registry, the clusters they run on, and how
//! the clusters follow the manifests branch. `cargo run -p synth` synthesizes it.

use homelab_synth::{Registry, Workspace};

pub use {{clusters_crate}}::{Cluster, Settings, fleet, gitops};

/// Every app, one line per category crate.
pub fn apps() -> Registry<Settings> {
    let mut registry = Registry::<Settings>::for_settings();
    {{apps_crate}}::register(&mut registry.category("web"));
    registry
}

/// The workspace `synth` runs on; custom resources are checked against the CRDs the typed
/// bindings were generated from, and the binary knows the sources it was built from
/// (`build.rs`).
pub fn workspace() -> Workspace<Settings> {
    Workspace::new(apps(), fleet())
        .with_gitops(gitops())
        .with_crds(homelab_synth::imported_crds())
        .with_build(homelab_synth::build_info!())
}
