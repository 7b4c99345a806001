//! Headlamp: the Kubernetes web UI at `headlamp.<cluster domain>`. The chart (0.42.0) runs the UI;
//! this app adds the admin access it is used with (a ServiceAccount bound to `cluster-admin`
//! and its long-lived token Secret, which Kubernetes fills in, to log in with) and its route.
//!
//! Differences from the chart's defaults, and from the seed:
//! - no OIDC, so the chart's OIDC Secret is not created (`config.oidc.secret.create: false`):
//!   the seed shipped an empty `Secret oidc` that nothing read;
//! - the chart's own ClusterRoleBinding (its `headlamp` ServiceAccount as `cluster-admin`) is
//!   off: users log in with the `headlamp-admin` token, so the UI's pod needs no rights of its
//!   own, and the chart's binding has this app's binding's name (in the seed one of the two
//!   overwrote the other's file);
//! - `securityContext: null` drops the chart's partial container security context, so the
//!   chart applies its restricted one (no privilege escalation, all capabilities dropped,
//!   RuntimeDefault seccomp); the user and group it set move to the pod. The namespace is
//!   Restricted.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const NAMESPACE: &str = "headlamp";
const ADMIN: &str = "headlamp-admin";

pub fn headlamp(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("headlamp", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Restricted),
    );
    chart.helm(
        "headlamp",
        HelmProps::new(
            ChartSource::repo("https://kubernetes-sigs.github.io/headlamp", "headlamp"),
            "0.42.0",
        )
        .release("headlamp")
        .values(json!({
            "config": {"oidc": {"secret": {"create": false}}},
            "clusterRoleBinding": {"create": false},
            "securityContext": null,
            "podSecurityContext": {"runAsUser": 100, "runAsGroup": 101},
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"cpu": "500m", "memory": "512Mi"}
            },
            "ingress": {"enabled": false}
        }))
        // layered per cluster: one UI replica on staging, two in production
        .overlay(json!({"replicaCount": cluster.settings.replicas})),
    );
    chart.add(
        "admin",
        ServiceAccount {
            metadata: named(ADMIN),
            ..Default::default()
        },
    );
    chart.add(
        "admin-binding",
        ClusterRoleBinding {
            metadata: named(ADMIN),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: "cluster-admin".into(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: ADMIN.into(),
                namespace: Some(NAMESPACE.into()),
                ..Default::default()
            }]),
        },
    );
    // no data: the token controller writes the token into the Secret in the cluster
    chart.add(
        "admin-token",
        Secret {
            metadata: ObjectMeta {
                name: Some("headlamp-admin-token".into()),
                annotations: Some(string_map(&[("kubernetes.io/service-account.name", ADMIN)])),
                ..Default::default()
            },
            type_: Some("kubernetes.io/service-account-token".into()),
            ..Default::default()
        },
    );
    chart.add(
        "route",
        HttpRouteBuilder::new(
            "headlamp",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("headlamp"),
        )
        .to_service("headlamp", 80)
        .build(),
    );
}
