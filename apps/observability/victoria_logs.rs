//! VictoriaLogs: the cluster's log store (single node, 100Gi, 30 days), queried by Grafana,
//! fed by the chart's Vector subchart (a DaemonSet on every node that tails container logs
//! and ships them to the server's Elasticsearch-compatible endpoint) and by the OpenTelemetry
//! collectors.
//!
//! Chart 0.12.5 reads its settings under `server.*` (`server.retentionPeriod`,
//! `server.podAnnotations`); the seed's top-level `retention` and `podAnnotations` were
//! ignored and its `fluent-bit` subchart does not exist in this chart, whose log shipper is
//! `vector`. The Service stays headless (the chart's default): Vector's sink addresses the
//! StatefulSet's pods by their per-pod DNS names, which only a headless Service provides.
//!
//! Note: the `opentelemetry` app's agent (its `logsCollection` preset) also ships every
//! container's log lines here, over OTLP; with both shippers on, each line is stored twice.
//! Turning one off is a one-line change (`vector.enabled` here, or the agent's preset).
//!
//! The namespace is `privileged`: Vector is a node agent that reads the host's `/var/log`,
//! `/var/lib`, `/proc` and `/sys` through hostPath volumes.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAMESPACE: &str = "victoria-logs";

pub fn victoria_logs(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("victoria-logs", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    chart.helm(
        "victoria-logs",
        HelmProps::new(
            ChartSource::repo(
                "https://victoriametrics.github.io/helm-charts",
                "victoria-logs-single",
            ),
            "0.12.5",
        )
        .release("victoria-logs")
        .values(json!({
            "server": {
                "retentionPeriod": "30d",
                "podAnnotations": {"reloader.stakater.com/auto": "true"},
                "image": {"pullPolicy": "Always"},
                "persistentVolume": {"enabled": true, "size": "100Gi"},
                "resources": {
                    "limits": {"cpu": "1000m", "memory": "1Gi"},
                    "requests": {"cpu": "200m", "memory": "256Mi"},
                },
            },
            "vector": {
                "enabled": true,
                // logs of every node, the tainted control plane and GPU node included
                "tolerations": [{"operator": "Exists"}],
            },
        })),
    );
    chart.add(
        "route",
        HttpRouteBuilder::new(
            "victoria-logs",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("victorialogs"),
        )
        .to_service("victoria-logs-victoria-logs-single-server", 9428)
        .build(),
    );
}
