//! The prometheus-operator CRDs the homelab's ServiceMonitors and PrometheusRules need,
//! installed on their own so every app that creates a monitor can roll out after them (the
//! VictoriaMetrics operator converts these kinds; longhorn, openbao, falco, kyverno, trivy,
//! the GPU exporter and argocd-monitor create them). The seed fetched them from
//! kube-prometheus-stack URLs at synth time; here they are the CRDs `imports/` was generated
//! from, so the typed ServiceMonitor and the installed schema cannot disagree.

use homelab_synth::prelude::*;

const CRDS: [&str; 2] = [
    "servicemonitors.monitoring.coreos.com",
    "prometheusrules.monitoring.coreos.com",
];

pub fn monitoring_crds(app: &mut App) {
    let mut chart = app.chart("monitoring-crds", ChartProps::default());
    for crd in CRDS {
        chart.add_untyped(crd, imported_crd(crd));
    }
}
