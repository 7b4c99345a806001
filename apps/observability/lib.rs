//! Observability: scraping and metrics plumbing.

mod argocd_monitor;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("argocd-monitor", argocd_monitor::argocd_monitor);
}
