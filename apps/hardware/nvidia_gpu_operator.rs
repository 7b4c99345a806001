//! NVIDIA GPU support for the GPU node. Despite the folder's name (kept from the homelab), this
//! deploys the NVIDIA **device plugin**, not the GPU operator: the host already has the driver
//! and container toolkit, so the cluster needs only
//! - the `nvidia` RuntimeClass that GPU pods (Ollama, ComfyUI) select;
//! - the device plugin chart 0.19.1, which advertises `nvidia.com/gpu` (each GPU time-sliced
//!   into 5), with GPU feature discovery and its Node Feature Discovery subchart;
//! - the DCGM exporter chart 4.8.2 for GPU metrics, scraped through its ServiceMonitor.
//!
//! The GPU node is tainted `dedicated=ai:NoSchedule`, so every agent tolerates it; the seed
//! forgot NFD's worker, which never ran there (and GFD's labels need it), so it tolerates the
//! taint here too. In the plugin's config, `deviceListStrategy` sits under `flags.plugin`,
//! where the plugin reads it. The namespace is privileged: these are node agents (host paths
//! to the kubelet's device plugin socket, a privileged GFD, DCGM with SYS_ADMIN).

use homelab_synth::prelude::*;
use k8s_openapi::api::node::v1::RuntimeClass;

const NAMESPACE: &str = "nvidia-gpu-operator";
const RUNTIME_CLASS: &str = "nvidia";

/// The device plugin's configuration: one GPU shared by up to 5 pods (CUDA time-slicing).
const PLUGIN_CONFIG: &str = "\
version: v1
flags:
  migStrategy: none
  deviceDiscoveryStrategy: nvml
  plugin:
    deviceListStrategy: envvar
sharing:
  timeSlicing:
    resources:
    - name: nvidia.com/gpu
      replicas: 5
";

pub fn nvidia_gpu_operator(app: &mut App) {
    let mut chart = app.chart("nvidia-gpu-operator", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    chart.add(
        "runtime-class",
        RuntimeClass {
            metadata: named(RUNTIME_CLASS),
            handler: RUNTIME_CLASS.into(),
            ..Default::default()
        },
    );
    chart.helm(
        "nvidia-device-plugin",
        HelmProps::new(
            ChartSource::repo(
                "https://nvidia.github.io/k8s-device-plugin",
                "nvidia-device-plugin",
            ),
            "0.19.1",
        )
        .release("nvidia-device-plugin")
        .values(json!({
            "runtimeClassName": RUNTIME_CLASS,
            "tolerations": [ai_toleration()],
            "config": {"map": {"default": PLUGIN_CONFIG}},
            "gfd": {"enabled": true},
            "nfd": {
                "enabled": true,
                "worker": {
                    "tolerations": [
                        {
                            "key": "node-role.kubernetes.io/master",
                            "operator": "Equal",
                            "value": "",
                            "effect": "NoSchedule"
                        },
                        {
                            "key": "nvidia.com/gpu",
                            "operator": "Equal",
                            "value": "present",
                            "effect": "NoSchedule"
                        },
                        ai_toleration()
                    ]
                }
            }
        })),
    );
    chart.helm(
        "dcgm-exporter",
        HelmProps::new(
            ChartSource::repo(
                "https://nvidia.github.io/dcgm-exporter/helm-charts",
                "dcgm-exporter",
            ),
            "4.8.2",
        )
        .release("dcgm-exporter")
        .values(json!({
            "runtimeClassName": RUNTIME_CLASS,
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{
                            "matchExpressions": [{
                                "key": "nvidia.com/gpu.present",
                                "operator": "In",
                                "values": ["true"]
                            }]
                        }]
                    }
                }
            },
            "tolerations": [ai_toleration()],
            "serviceMonitor": {"enabled": true}
        })),
    );
}

/// The GPU node's taint, tolerated by every agent that must run there.
fn ai_toleration() -> Value {
    json!({"key": "dedicated", "operator": "Equal", "value": "ai", "effect": "NoSchedule"})
}
