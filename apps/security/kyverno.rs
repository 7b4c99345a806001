//! Kyverno: the policy engine (admission webhooks that validate, mutate and generate
//! resources, plus background scans, cleanup policies and policy reports). Four controllers,
//! the admission controller with three replicas for a highly available webhook, each scraped
//! through the chart's own ServiceMonitor (port `metrics-port`); a Grafana dashboard ConfigMap
//! for the Grafana sidecar. Every pod meets the `restricted` Pod Security level, so the
//! namespace enforces it.
//!
//! Choices worth knowing:
//! - The CRDs are templates of the chart's `crds` and `kyverno-api` subcharts, rendered once.
//! - Hooks: the Helm test pods are left out. The post-upgrade job that migrates stored
//!   resources to the current CRD versions (and its RBAC) becomes an Argo CD `PostSync` hook;
//!   it is idempotent, so running after every sync is harmless. The two pre-delete jobs become
//!   Argo CD `PreDelete` hooks: when the app is deleted they scale Kyverno to zero and remove
//!   the webhook configurations Kyverno registered itself, which are not part of the manifests
//!   and would otherwise keep rejecting API requests with no Kyverno left to answer them.
//! - The homelab's `podSecurityContext`, `serviceAccount`, `metricsService`, `nodeSelector`,
//!   `policyExceptions`, `imageVerification` and `global.image.pullPolicy` are not keys of this
//!   chart and were ignored. The pod security context is now set on each controller; each
//!   controller keeps its own ServiceAccount; metrics Services on port 8000 and the
//!   `kubernetes.io/os: linux` node selector are the chart's defaults; policy exceptions are
//!   `features.policyExceptions.enabled`. There is no image verification switch (Kyverno
//!   verifies images only for policies with `verifyImages` rules) and images are pulled
//!   `IfNotPresent` by default.

use homelab_synth::prelude::*;

const NAMESPACE: &str = "kyverno";

pub fn kyverno(app: &mut App) {
    let mut chart = app.chart("kyverno", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Restricted),
    );
    chart.helm(
        "kyverno",
        HelmProps::new(
            ChartSource::repo("https://kyverno.github.io/kyverno", "kyverno"),
            "3.8.1",
        )
        .release("kyverno")
        .hooks(HookPolicy {
            delete: HookAction::ArgoCd,
            ..HookPolicy::default()
        })
        .values(json!({
            "admissionController": {
                "replicas": 3,
                "container": {"resources": resources("1000m", "512Mi", "100m", "256Mi")},
                "podSecurityContext": pod_security_context(),
                "serviceMonitor": {"enabled": true},
            },
            "backgroundController": controller(2),
            "cleanupController": controller(2),
            "reportsController": controller(2),
            "features": {"policyExceptions": {"enabled": true}},
            "webhooksCleanup": {"enabled": true},
            "grafana": {"enabled": true},
        })),
    );
}

/// A controller other than the admission controller: `replicas`, the homelab's resources.
fn controller(replicas: u32) -> Value {
    json!({
        "replicas": replicas,
        "resources": resources("500m", "256Mi", "50m", "128Mi"),
        "podSecurityContext": pod_security_context(),
        "serviceMonitor": {"enabled": true},
    })
}

fn resources(cpu_limit: &str, memory_limit: &str, cpu: &str, memory: &str) -> Value {
    json!({
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
        "requests": {"cpu": cpu, "memory": memory},
    })
}

/// The nobody user, as the homelab set it.
fn pod_security_context() -> Value {
    json!({"runAsNonRoot": true, "runAsUser": 65534, "fsGroup": 65534})
}
