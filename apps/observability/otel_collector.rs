//! OpenTelemetry collectors, two releases of one chart in one app:
//!
//! - `otel-agent` (DaemonSet, every node): container logs from `/var/log/pods`, node, pod and
//!   container metrics from the kubelet, host metrics, enriched with Kubernetes attributes;
//! - `otel-gateway` (Deployment): cluster-level object metrics (`k8s_cluster`) and Kubernetes
//!   events (`k8sobjects`).
//!
//! Both write metrics to VictoriaMetrics (Prometheus remote write) and logs to VictoriaLogs
//! (OTLP/HTTP).
//!
//! The agent keeps its log read offsets in a `file_storage` extension on the host
//! (`/var/lib/otelcol`), so a restart neither re-reads nor skips logs. The seed declared the
//! extension and the hostPath by hand but never pointed the `filelog` receiver at it; the
//! chart's `presets.logsCollection.storeCheckpoints` sets up all three (extension, receiver
//! `storage`, hostPath volume) and runs the agent as root, which writing to the host
//! directory needs.
//!
//! The namespace is `privileged`: the agent is a node agent with hostPath volumes (pod logs,
//! the host filesystem, its checkpoints) and host ports.

use homelab_synth::prelude::*;

const NAMESPACE: &str = "opentelemetry";
const CHART_VERSION: &str = "0.156.2";
const IMAGE: &str = "otel/opentelemetry-collector-contrib";
/// VictoriaMetrics' Prometheus remote-write endpoint (the `victoria-metrics` app).
const METRICS_WRITE: &str =
    "http://vmsingle-vm-stack.victoria-metrics.svc.cluster.local:8428/api/v1/write";
/// VictoriaLogs' OTLP endpoint (the `victoria-logs` app); the exporter appends `/v1/logs`.
const LOGS_OTLP: &str = "http://victoria-logs-victoria-logs-single-server.victoria-logs.svc.cluster.local:9428/insert/opentelemetry";

pub fn otel_collector(app: &mut App) {
    let mut chart = app.chart("opentelemetry", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );

    let exporters = json!({
        "prometheusremotewrite": {
            "endpoint": METRICS_WRITE,
            // resource attributes (k8s.pod.name, ...) become metric labels
            "resource_to_telemetry_conversion": {"enabled": true},
        },
        "otlp_http/logs": {
            "endpoint": LOGS_OTLP,
            "tls": {"insecure": true},
        },
    });
    let memory_limiter = json!({
        "check_interval": "5s",
        "limit_percentage": 80,
        "spike_limit_percentage": 25,
    });
    let resources = json!({
        "limits": {"cpu": "500m", "memory": "512Mi"},
        "requests": {"cpu": "50m", "memory": "128Mi"},
    });
    let reloader = json!({"reloader.stakater.com/auto": "true"});

    chart.helm(
        "otel-agent",
        collector("otel-agent").values(json!({
            "mode": "daemonset",
            "image": {"repository": IMAGE},
            "podAnnotations": reloader,
            "presets": {
                "logsCollection": {
                    "enabled": true,
                    "includeCollectorLogs": false,
                    "storeCheckpoints": true,
                },
                "kubeletMetrics": {"enabled": true},
                "hostMetrics": {"enabled": true},
                "kubernetesAttributes": {"enabled": true, "extractAllPodLabels": true},
            },
            "config": {
                "receivers": {
                    // node names do not resolve in cluster DNS on Talos: reach the kubelet
                    // by the node's IP (the chart sets K8S_NODE_IP from status.hostIP)
                    "kubeletstats": {
                        "endpoint": "https://${env:K8S_NODE_IP}:10250",
                        "insecure_skip_verify": true,
                    },
                },
                "exporters": exporters,
                "processors": {
                    "batch": {"timeout": "10s"},
                    "memory_limiter": memory_limiter,
                },
                "service": {
                    "pipelines": {
                        "logs": pipeline("filelog", true, "otlp_http/logs"),
                        "metrics": {
                            "receivers": ["kubeletstats", "hostmetrics"],
                            "processors": ["memory_limiter", "k8sattributes", "batch"],
                            "exporters": ["prometheusremotewrite"],
                        },
                    },
                },
            },
            "resources": resources,
            // every node, the tainted control plane and GPU node included
            "tolerations": [{"operator": "Exists"}],
        })),
    );

    chart.helm(
        "otel-gateway",
        collector("otel-gateway").values(json!({
            "mode": "deployment",
            "replicaCount": 1,
            "image": {"repository": IMAGE},
            "podAnnotations": reloader,
            "presets": {
                "clusterMetrics": {"enabled": true},
                "kubernetesEvents": {"enabled": true},
                "kubernetesAttributes": {"enabled": true},
            },
            "config": {
                "exporters": exporters,
                "processors": {
                    "batch": {"timeout": "10s"},
                    "memory_limiter": memory_limiter,
                    // events have no pod IP or UID to look up: without passthrough the
                    // processor drops every one of them
                    "k8sattributes": {"passthrough": true},
                },
                "service": {
                    "pipelines": {
                        "metrics": pipeline("k8s_cluster", true, "prometheusremotewrite"),
                        "logs": pipeline("k8sobjects", false, "otlp_http/logs"),
                    },
                },
            },
            "resources": resources,
        })),
    );
}

/// A release of the collector chart. Its `config` is the collector's own configuration,
/// which the chart copies into `relay.yaml` whole: any receiver, processor or exporter the
/// collector knows is valid there, not only those of the chart's defaults.
fn collector(release: &str) -> HelmProps {
    HelmProps::new(
        ChartSource::repo(
            "https://open-telemetry.github.io/opentelemetry-helm-charts",
            "opentelemetry-collector",
        ),
        CHART_VERSION,
    )
    .release(release)
    .allow_value("config")
}

/// A pipeline from one receiver to one exporter through the memory limiter, optionally the
/// Kubernetes attributes processor, and the batcher.
fn pipeline(receiver: &str, k8s_attributes: bool, exporter: &str) -> Value {
    let processors: Vec<&str> = if k8s_attributes {
        vec!["memory_limiter", "k8sattributes", "batch"]
    } else {
        vec!["memory_limiter", "batch"]
    };
    json!({"receivers": [receiver], "processors": processors, "exporters": [exporter]})
}
