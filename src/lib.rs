//! The homelab: every category crate's apps in one [`Registry`]. The `synth` binary
//! synthesizes it; tests use it to check the whole homelab.

use homelab_synth::Registry;

/// Every app of the homelab, one line per category crate.
pub fn homelab() -> Registry {
    let mut registry = Registry::new();
    homelab_apps_ai::register(&mut registry.category("ai"));
    homelab_apps_databases::register(&mut registry.category("databases"));
    homelab_apps_management::register(&mut registry.category("management"));
    homelab_apps_monitoring::register(&mut registry.category("monitoring"));
    homelab_apps_networking::register(&mut registry.category("networking"));
    homelab_apps_observability::register(&mut registry.category("observability"));
    homelab_apps_support::register(&mut registry.category("support"));
    registry
}
