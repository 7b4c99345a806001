//! The homelab: every category crate's apps in one [`Registry`], and the clusters they run
//! on, as one [`Workspace`]. The `synth` binary synthesizes it; tests use it to check the
//! whole homelab.

use homelab_synth::{Registry, Workspace};

pub use homelab_clusters::{Cluster, Settings, clusters, fleet, gitops};

/// Every app of the homelab, one line per category crate.
pub fn homelab() -> Registry<Settings> {
    let mut registry = Registry::<Settings>::for_settings();
    homelab_apps_ai::register(&mut registry.category("ai"));
    homelab_apps_automation::register(&mut registry.category("automation"));
    homelab_apps_databases::register(&mut registry.category("databases"));
    homelab_apps_hardware::register(&mut registry.category("hardware"));
    homelab_apps_management::register(&mut registry.category("management"));
    homelab_apps_monitoring::register(&mut registry.category("monitoring"));
    homelab_apps_networking::register(&mut registry.category("networking"));
    homelab_apps_observability::register(&mut registry.category("observability"));
    homelab_apps_registry::register(&mut registry.category("registry"));
    homelab_apps_secrets::register(&mut registry.category("secrets"));
    homelab_apps_security::register(&mut registry.category("security"));
    homelab_apps_storage::register(&mut registry.category("storage"));
    homelab_apps_support::register(&mut registry.category("support"));
    registry
}

/// The homelab as a workspace: every app, the fleet, how the clusters follow the manifests
/// branch, the CRDs its bindings were generated from (custom resources are checked against
/// them), and the fingerprint of the sources it was built from (`build.rs`).
pub fn workspace() -> Workspace<Settings> {
    Workspace::new(homelab(), fleet())
        .with_gitops(gitops())
        .with_crds(homelab_synth::imported_crds())
        .with_build(homelab_synth::build_info!())
}
