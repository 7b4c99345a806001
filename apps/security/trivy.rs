//! Trivy Operator: scans the cluster continuously (image vulnerabilities, exposed secrets,
//! configuration and RBAC audits, CIS/NSA/PSS compliance) and stores the results as report
//! custom resources. Its node-collector jobs read host files of every node, control plane
//! included, so the namespace is `privileged`.
//!
//! Choices worth knowing:
//! - The report CRDs come from the chart's own `crds/` folder (the default CRD policy), so they
//!   always match the chart version; nothing is downloaded at synthesis.
//! - The homelab's settings sat partly under keys this chart does not read: the ServiceMonitor
//!   is `serviceMonitor.enabled` (not `trivy-operator.serviceMonitor.enabled`), the scan job
//!   timeout is `operator.scanJobTimeout` (not `trivyOperator.…`), recording passed checks too
//!   is `trivyOperator.reportRecordFailedChecksOnly: false` (not `compliance.failedChecksOnly`),
//!   and the operator's resources are top-level `resources`.
//! - Talos has a read-only root file system and no systemd, so the node-collector's default
//!   host paths under `/etc/systemd`, `/lib/systemd` and the kubeadm-style
//!   `/var/lib/kube-{scheduler,controller-manager}` are left out: the container runtime would
//!   try to create the missing ones and fail (or leave empty directories). What Talos has is
//!   mounted read-only: etcd and kubelet state, `/etc/kubernetes` and the CNI configuration.

use homelab_synth::prelude::*;

const NAMESPACE: &str = "trivy";

/// Host directories the node-collector reads on Talos: (volume name, path).
const NODE_PATHS: [(&str, &str); 4] = [
    ("var-lib-etcd", "/var/lib/etcd"),
    ("var-lib-kubelet", "/var/lib/kubelet"),
    ("etc-kubernetes", "/etc/kubernetes"),
    ("etc-cni-netd", "/etc/cni/net.d"),
];

pub fn trivy(app: &mut App) {
    let mut chart = app.chart("trivy", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );

    let volumes: Vec<Value> = NODE_PATHS
        .iter()
        .map(|(name, path)| json!({"name": name, "hostPath": {"path": path}}))
        .collect();
    let mounts: Vec<Value> = NODE_PATHS
        .iter()
        .map(|(name, path)| json!({"name": name, "mountPath": path, "readOnly": true}))
        .collect();
    chart.helm(
        "trivy-operator",
        HelmProps::new(
            ChartSource::repo(
                "https://aquasecurity.github.io/helm-charts",
                "trivy-operator",
            ),
            "0.32.1",
        )
        .release("trivy-operator")
        .values(json!({
            "operator": {
                "replicas": 1,
                "scanJobsConcurrentLimit": 3,
                "scanJobsRetryDelay": "30s",
                "scanJobTimeout": "5m",
            },
            "trivyOperator": {"reportRecordFailedChecksOnly": false},
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"cpu": "500m", "memory": "512Mi"},
            },
            "nodeCollector": {
                "tolerations": [{
                    "key": "node-role.kubernetes.io/control-plane",
                    "operator": "Exists",
                    "effect": "NoSchedule",
                }],
                "volumes": volumes,
                "volumeMounts": mounts,
            },
            "serviceMonitor": {"enabled": true},
            "rbac": {"create": true},
            "serviceAccount": {"create": true, "name": "trivy-operator"},
        })),
    );
}
