//! Homelab apps: monitoring.

mod grafana;
mod metrics_server;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("grafana", grafana::grafana);
    apps.add("metrics-server", metrics_server::metrics_server);
}
