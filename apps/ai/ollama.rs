//! Ollama: local LLM inference on the GPU node (one GPU, through the `nvidia` runtime class),
//! with its models on a 100Gi volume and a route at `ollama.madhan.app`.
//!
//! The seed set `persistence`, a key this chart does not read, so its models lived in an
//! `emptyDir` and were lost on every restart; the chart's key is `persistentVolume`, which
//! gives the `ollama` PVC (default storage class, Longhorn). The GPU comes from the chart's
//! own `ollama.gpu` switch, which sets the `nvidia.com/gpu` limit (and adds the matching
//! toleration). The namespace is Baseline: the image runs Ollama as root with its state
//! under `/root/.ollama`, which Restricted would refuse.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAMESPACE: &str = "ollama";

pub fn ollama(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("ollama", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Baseline),
    );
    chart.helm(
        "ollama",
        HelmProps::new(
            ChartSource::repo("https://otwld.github.io/ollama-helm", "ollama"),
            "1.57.0",
        )
        .release("ollama")
        .values(json!({
            "image": {"tag": "0.24.0"},
            "ollama": {
                "gpu": {"enabled": true, "type": "nvidia", "number": 1}
            },
            "resources": {
                "requests": {"cpu": "1000m", "memory": "2Gi"},
                "limits": {"cpu": "4000m", "memory": "4Gi"}
            },
            "runtimeClassName": "nvidia",
            "nodeSelector": {"nvidia.com/gpu.present": "true"},
            "tolerations": [{
                "key": "dedicated",
                "operator": "Equal",
                "value": "ai",
                "effect": "NoSchedule"
            }],
            "extraEnv": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"}],
            "persistentVolume": {"enabled": true, "size": "100Gi"},
            "service": {"port": 11434}
        })),
    );
    chart.add(
        "route",
        HttpRouteBuilder::new(
            "ollama",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("ollama"),
        )
        .to_service("ollama", 11434)
        .build(),
    );
}
