//! Reloader: restarts workloads when a ConfigMap or Secret they use changes (the
//! `reloader.stakater.com/auto` annotation used across the homelab). The upstream chart with
//! its defaults, in a namespace of its own held to the restricted Pod Security profile: the
//! chart's pod already runs as nobody with RuntimeDefault seccomp, and its container gets the
//! rest of the profile (the chart ships it commented out).

use homelab_synth::prelude::*;

pub fn reloader(app: &mut App) {
    let mut chart = app.chart("reloader", ChartProps::namespace("reloader"));
    chart.add(
        "namespace",
        namespace("reloader", PodSecurityLevel::Restricted),
    );
    chart.helm(
        "reloader",
        HelmProps::new(
            ChartSource::repo("https://stakater.github.io/stakater-charts", "reloader"),
            "2.2.12",
        )
        .values(
            json!({"reloader": {"deployment": {"containerSecurityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": true
            }}}}),
        ),
    );
}
