//! Observability: scraping and metrics plumbing.

mod argocd_monitor;
mod otel_collector;
mod victoria_logs;
mod victoria_metrics;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("argocd-monitor", argocd_monitor::argocd_monitor);
    apps.add("victoria-metrics", victoria_metrics::victoria_metrics);
    apps.add("victoria-logs", victoria_logs::victoria_logs);
    apps.add("opentelemetry", otel_collector::otel_collector);
}
