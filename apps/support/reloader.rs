//! Reloader: restarts workloads when a ConfigMap or Secret they use changes (the
//! `reloader.stakater.com/auto` annotation used across the homelab). The upstream chart with
//! its defaults.

use homelab_synth::helm::{ChartSource, HelmProps};
use homelab_synth::{App, ChartProps};

pub fn reloader(app: &mut App) {
    let mut chart = app.chart("reloader", ChartProps::namespace("reloader"));
    chart.helm(
        "reloader",
        HelmProps::new(
            ChartSource::repo("https://stakater.github.io/stakater-charts", "reloader"),
            "2.2.12",
        ),
    );
}
