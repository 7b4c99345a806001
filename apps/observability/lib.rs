//! Observability: scraping and metrics plumbing.

mod argocd_monitor;
mod otel_collector;
mod victoria_logs;
mod victoria_metrics;

use homelab_clusters::{OBSERVABILITY, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("argocd-monitor", argocd_monitor::argocd_monitor)
        .depends_on(&["monitoring-crds"]);
    apps.add("victoria-metrics", victoria_metrics::victoria_metrics)
        .depends_on(&["longhorn", "monitoring-crds", "gateway"])
        .when(|cluster| cluster.has_role(OBSERVABILITY));
    apps.add("victoria-logs", victoria_logs::victoria_logs)
        .depends_on(&["longhorn", "gateway"])
        .when(|cluster| cluster.has_role(OBSERVABILITY));
    apps.add("opentelemetry", otel_collector::otel_collector)
        .depends_on(&["victoria-metrics", "victoria-logs"])
        .when(|cluster| cluster.has_role(OBSERVABILITY));
}
