//! Kubeflow: the central dashboard's HTTPRoute (the Kubeflow components themselves come from
//! the upstream kustomize manifests) and the notebook gateway controller, which gives every
//! notebook, volume viewer and tensorboard an HTTPRoute of its own.

use homelab_synth::kit::{
    GatewayRef, HttpRouteBuilder, RouteFilter, RouteRule, backend, named, path_prefix, quantities,
    replace_prefix, set_request_header, string_map,
};
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, PodSpec, PodTemplateSpec, ResourceRequirements,
    ServiceAccount, Volume, VolumeMount,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

const NAMESPACE: &str = "kubeflow";
const CONTROLLER: &str = "notebook-gateway-controller";
const CONTROLLER_IMAGE: &str = "harbor.madhan.app/library/notebook-gateway-controller:v1";
/// The user Kubeflow's web apps see (no Istio auth in front of them).
const USER_HEADER: (&str, &str) = ("kubeflow-userid", "user@example.com");

pub fn kubeflow(app: &mut App) {
    dashboard_route(app);
    notebook_gateway_controller(app);
}

fn dashboard_route(app: &mut App) {
    let mut chart = app.chart("dashboard", ChartProps::namespace(NAMESPACE));
    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    let mut route = HttpRouteBuilder::new("kubeflow-dashboard", &gateway, "kubeflow.madhan.app");
    // web apps that expect to be served at the root: strip their prefix
    for (prefix, service) in [
        ("/jupyter/", "jupyter-web-app-service"),
        ("/volumes/", "volumes-web-app-service"),
        ("/tensorboards/", "tensorboards-web-app-service"),
        ("/pipeline/", "ml-pipeline-ui"),
    ] {
        route = route.rule(RouteRule {
            matches: Some(vec![path_prefix(prefix)]),
            filters: Some(vec![user_header(), replace_prefix("/")]),
            backend_refs: Some(vec![backend(service, 80)]),
            ..Default::default()
        });
    }
    for (prefix, service) in [("/katib/", "katib-ui"), ("/", "centraldashboard")] {
        route = route.rule(RouteRule {
            matches: Some(vec![path_prefix(prefix)]),
            filters: Some(vec![user_header()]),
            backend_refs: Some(vec![backend(service, 80)]),
            ..Default::default()
        });
    }
    chart.add("route", route.build());
}

fn user_header() -> RouteFilter {
    set_request_header(USER_HEADER.0, USER_HEADER.1)
}

fn notebook_gateway_controller(app: &mut App) {
    let mut chart = app.chart(CONTROLLER, ChartProps::namespace(NAMESPACE));
    let labels = string_map(&[("app.kubernetes.io/name", CONTROLLER)]);

    chart.add(
        "service-account",
        ServiceAccount {
            metadata: named(CONTROLLER),
            ..Default::default()
        },
    );
    chart.add(
        "cluster-role",
        ClusterRole {
            metadata: named(CONTROLLER),
            rules: Some(vec![
                rule(
                    "kubeflow.org",
                    &["notebooks", "pvcviewers"],
                    &["get", "list", "watch"],
                ),
                rule(
                    "tensorboard.kubeflow.org",
                    &["tensorboards"],
                    &["get", "list", "watch"],
                ),
                rule(
                    "gateway.networking.k8s.io",
                    &["httproutes", "referencegrants"],
                    &[
                        "get", "list", "watch", "create", "update", "patch", "delete",
                    ],
                ),
            ]),
            ..Default::default()
        },
    );
    chart.add(
        "cluster-role-binding",
        ClusterRoleBinding {
            metadata: named(CONTROLLER),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: CONTROLLER.into(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: CONTROLLER.into(),
                namespace: Some(NAMESPACE.into()),
                ..Default::default()
            }]),
        },
    );
    let script = chart.add(
        "script",
        ConfigMap {
            metadata: named("notebook-gateway-controller-script"),
            data: Some(string_map(&[("controller.py", CONTROLLER_SCRIPT)])),
            ..Default::default()
        },
    );
    let deployment = chart.add(
        "deployment",
        Deployment {
            metadata: ObjectMeta {
                name: Some(CONTROLLER.into()),
                annotations: Some(string_map(&[("reloader.stakater.com/auto", "true")])),
                ..Default::default()
            },
            spec: Some(DeploymentSpec {
                replicas: Some(1),
                selector: LabelSelector {
                    match_labels: Some(labels.clone()),
                    ..Default::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        service_account_name: Some(CONTROLLER.into()),
                        containers: vec![Container {
                            name: "controller".into(),
                            image: Some(CONTROLLER_IMAGE.into()),
                            command: Some(vec!["python".into(), "/app/controller.py".into()]),
                            resources: Some(ResourceRequirements {
                                requests: Some(quantities(&[("cpu", "50m"), ("memory", "64Mi")])),
                                limits: Some(quantities(&[("memory", "256Mi")])),
                                ..Default::default()
                            }),
                            volume_mounts: Some(vec![VolumeMount {
                                name: "script".into(),
                                mount_path: "/app".into(),
                                read_only: Some(true),
                                ..Default::default()
                            }]),
                            ..Default::default()
                        }],
                        volumes: Some(vec![Volume {
                            name: "script".into(),
                            config_map: Some(ConfigMapVolumeSource {
                                name: "notebook-gateway-controller-script".into(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }),
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    // the script must exist before the pod that mounts it starts
    chart.depend(deployment, script);
}

fn rule(group: &str, resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![group.to_owned()]),
        resources: Some(resources.iter().map(|r| (*r).to_owned()).collect()),
        verbs: verbs.iter().map(|v| (*v).to_owned()).collect(),
        ..Default::default()
    }
}

/// The controller: watches notebooks, volume viewers and tensorboards and keeps one HTTPRoute
/// per object on the homelab gateway, so `https://kubeflow.madhan.app/notebook/<ns>/<name>/`
/// reaches the pod without Istio.
const CONTROLLER_SCRIPT: &str = r#"import json
import os
import ssl
import time
import urllib.request

API = "https://kubernetes.default.svc"
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"
CA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
GATEWAY = {"group": "gateway.networking.k8s.io", "kind": "Gateway",
           "name": "homelab-gateway", "namespace": "kube-system"}
HOSTNAME = os.environ.get("KUBEFLOW_HOSTNAME", "kubeflow.madhan.app")
WATCHED = [
    ("kubeflow.org", "v1", "notebooks", "notebook", 80),
    ("kubeflow.org", "v1alpha1", "pvcviewers", "pvcviewer", 80),
    ("tensorboard.kubeflow.org", "v1alpha1", "tensorboards", "tensorboard", 80),
]


def request(method, path, body=None):
    with open(TOKEN_PATH) as token_file:
        token = token_file.read().strip()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/merge-patch+json"
                   if method == "PATCH" else "application/json")
    context = ssl.create_default_context(cafile=CA_PATH)
    with urllib.request.urlopen(req, context=context) as response:
        return json.loads(response.read() or b"{}")


def route_for(kind, namespace, name, port):
    prefix = "/%s/%s/%s/" % (kind, namespace, name)
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "%s-%s" % (kind, name), "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "notebook-gateway-controller"}},
        "spec": {
            "parentRefs": [GATEWAY],
            "hostnames": [HOSTNAME],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": prefix}}],
                "backendRefs": [{"group": "", "kind": "Service", "name": name,
                                 "port": port, "weight": 1}],
            }],
        },
    }


def reconcile():
    for group, version, plural, kind, port in WATCHED:
        items = request("GET", "/apis/%s/%s/%s" % (group, version, plural)).get("items", [])
        for item in items:
            meta = item["metadata"]
            route = route_for(kind, meta["namespace"], meta["name"], port)
            path = "/apis/gateway.networking.k8s.io/v1/namespaces/%s/httproutes" % meta["namespace"]
            try:
                request("PATCH", path + "/" + route["metadata"]["name"], route)
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
                request("POST", path, route)


while True:
    try:
        reconcile()
    except Exception as error:  # keep serving; the next pass retries
        print("reconcile failed:", error, flush=True)
    time.sleep(30)
"#;
