//! Headlamp: the Kubernetes web UI. This app holds the admin access it is used with (a
//! ServiceAccount bound to `cluster-admin` and its long-lived token Secret, which Kubernetes
//! fills in) and its route; the Headlamp chart itself joins when Helm rendering lands.

use homelab_synth::kit::{GatewayRef, HttpRouteBuilder, named, string_map};
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const NAMESPACE: &str = "headlamp";
const ADMIN: &str = "headlamp-admin";

pub fn headlamp(app: &mut App) {
    let mut chart = app.chart("headlamp", ChartProps::namespace(NAMESPACE));
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
            "headlamp.madhan.app",
        )
        .to_service("headlamp", 80)
        .build(),
    );
}
