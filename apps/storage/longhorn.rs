//! Longhorn: the homelab's replicated block storage and its default StorageClass (`longhorn`,
//! three replicas). The manager, CSI plugin and engine run privileged on every node, so the
//! namespace is `privileged`. Data lives under `/var/lib/longhorn/` (Talos' persistent path);
//! every node gets a default disk; 300% over-provisioning leaves room for the AI model
//! volumes. Longhorn's metrics are scraped through the chart's ServiceMonitor.
//!
//! Resources: the chart reads `longhornManager.resources` but has no such value for the
//! driver deployer or the UI (the seed's `longhornDriver.resources` and
//! `longhornUI.resources` were silently ignored), so those two are patched into the rendered
//! Deployments.
//!
//! Hooks: the pre-upgrade checker Job is switched off (Longhorn's advice for GitOps: nothing
//! runs it before an Argo CD sync); the post-upgrade Job becomes an Argo CD PostSync hook and
//! the pre-delete uninstall Job is left out (the default hook policy), so neither is applied
//! as a plain object. The UI is reached through `longhorn.madhan.app`.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAMESPACE: &str = "longhorn-system";

pub fn longhorn(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("longhorn", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    let longhorn = chart.helm(
        "longhorn",
        HelmProps::new(
            ChartSource::repo("https://charts.longhorn.io", "longhorn"),
            "1.11.2",
        )
        .release("longhorn")
        .values(json!({
            "defaultSettings": {
                "defaultReplicaCount": 3,
                "defaultDataPath": "/var/lib/longhorn/",
                // a default disk on every node, not only on labelled ones
                "createDefaultDiskLabeledNodes": false,
                // up to 360Gi scheduled per 120Gi disk: room for 50-100Gi model volumes
                "storageOverProvisioningPercentage": 300,
            },
            "persistence": {"defaultClass": true, "defaultClassReplicaCount": 3},
            "metrics": {"serviceMonitor": {"enabled": true}},
            "preUpgradeChecker": {"jobEnabled": false},
            "longhornManager": {
                "resources": resources("1000m", "1Gi", "200m", "256Mi"),
                "tolerations": control_plane(),
            },
            "longhornDriver": {"tolerations": control_plane()},
            "longhornUI": {"tolerations": control_plane()},
        })),
    );
    for (deployment, container) in [
        ("longhorn-driver-deployer", "longhorn-driver-deployer"),
        ("longhorn-ui", "longhorn-ui"),
    ] {
        let first = "/spec/template/spec/containers/0";
        chart.patch_rendered(
            longhorn,
            "Deployment",
            deployment,
            JsonPatch::test(&format!("{first}/name"), json!(container)).then(JsonPatch::add(
                &format!("{first}/resources"),
                resources("500m", "512Mi", "100m", "128Mi"),
            )),
        );
    }
    // longhorn-manager labels its own pods with these selectors once its admission webhook
    // and recovery backend serve, so no pod template carries them
    for service in ["longhorn-admission-webhook", "longhorn-recovery-backend"] {
        chart.allow_rendered(
            longhorn,
            "Service",
            service,
            Allow::ExternalSelector,
            "longhorn-manager adds the selected label to its pods at run time",
        );
    }
    chart.add(
        "route",
        HttpRouteBuilder::new(
            "longhorn",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("longhorn"),
        )
        .to_service("longhorn-frontend", 80)
        .build(),
    );
}

fn resources(cpu_limit: &str, memory_limit: &str, cpu: &str, memory: &str) -> Value {
    json!({
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
        "requests": {"cpu": cpu, "memory": memory},
    })
}

/// Longhorn components may also run on the control-plane nodes.
fn control_plane() -> Value {
    json!([{
        "key": "node-role.kubernetes.io/control-plane",
        "operator": "Exists",
        "effect": "NoSchedule",
    }])
}
