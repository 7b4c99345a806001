//! Homelab apps: monitoring.

mod grafana;
mod metrics_server;
mod monitoring_crds;

use homelab_clusters::{OBSERVABILITY, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("grafana", grafana::grafana)
        .depends_on(&[
            "csi-driver",
            "openbao",
            "longhorn",
            "victoria-metrics",
            "victoria-logs",
            "gateway",
        ])
        .when(|cluster| cluster.has_role(OBSERVABILITY));
    apps.add("metrics-server", metrics_server::metrics_server);
    apps.add("monitoring-crds", monitoring_crds::monitoring_crds);
}
