//! metrics-server: the resource metrics API (`kubectl top`, HPA). Kubelets serve
//! self-signed certificates and are reached by their internal IP; it may run on the control
//! plane.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

pub fn metrics_server(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("metrics-server", ChartProps::namespace("kube-system"));
    chart.helm(
        "metrics-server",
        HelmProps::new(
            ChartSource::repo(
                "https://kubernetes-sigs.github.io/metrics-server",
                "metrics-server",
            ),
            "3.13.0",
        )
        .values(json!({
            "args": [
                "--kubelet-insecure-tls",
                "--kubelet-preferred-address-types=InternalIP"
            ],
            "tolerations": [{
                "key": "node-role.kubernetes.io/control-plane",
                "operator": "Exists",
                "effect": "NoSchedule"
            }]
        }))
        // layered per cluster (see homelab_clusters::fleet): production runs two replicas
        // with a disruption budget, staging the chart's one
        .layered(&cluster.settings.helm, "metrics-server"),
    );
}
