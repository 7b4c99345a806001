//! Kubeflow: the platform itself (the seed's kustomization over remote bases of
//! `github.com/kubeflow/manifests` v1.11.0, in `kubeflow/kustomization/`, pinned in
//! `kustomize.lock` and rendered offline), the central dashboard's HTTPRoute to its Services,
//! and the notebook gateway controller, which gives every notebook, volume viewer and
//! tensorboard an HTTPRoute of its own.
//!
//! Where an upstream object breaks a rule of synthesis, a patch or an allowance below says
//! why. The controller is built with the workload kit (restricted Pod Security profile), its
//! RBAC with `Access`, and it rolls when its script changes (a content hash on the pod
//! template).

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;
use k8s_openapi::api::core::v1::ConfigMap;

const NAMESPACE: &str = "kubeflow";
const CONTROLLER: &str = "notebook-gateway-controller";
/// Built and pushed to main's Harbor; every cluster pulls it from there (Harbor runs only
/// where the storage role is).
const CONTROLLER_IMAGE: &str = "harbor.madhan.app/library/notebook-gateway-controller:v1";
/// The user Kubeflow's web apps see (no Istio auth in front of them).
const USER_HEADER: (&str, &str) = ("kubeflow-userid", "user@example.com");

pub fn kubeflow(app: &mut App, cluster: &Cluster) {
    platform(app);
    dashboard_route(app, cluster);
    notebook_gateway_controller(app, cluster);
}

fn dashboard_route(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("dashboard", ChartProps::namespace(NAMESPACE));
    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    let mut route =
        HttpRouteBuilder::new("kubeflow-dashboard", &gateway, &cluster.host("kubeflow"));
    // in the seed's order; web apps that expect to be served at the root get their prefix
    // stripped
    for (prefix, service, strip_prefix) in [
        ("/jupyter/", "jupyter-web-app-service", true),
        ("/volumes/", "volumes-web-app-service", true),
        ("/tensorboards/", "tensorboards-web-app-service", true),
        ("/katib/", "katib-ui", false),
        ("/pipeline/", "ml-pipeline-ui", true),
        ("/", "centraldashboard", false),
    ] {
        let mut filters = vec![user_header()];
        if strip_prefix {
            filters.push(replace_prefix("/"));
        }
        route = route.rule(RouteRule {
            matches: Some(vec![path_prefix(prefix)]),
            filters: Some(filters),
            backend_refs: Some(vec![backend(service, 80)]),
            ..Default::default()
        });
    }
    chart.add("route", route.build());
}

/// The seed's kustomization: 18 remote bases, the baseline Pod Security component, the
/// Profile rename, the NetworkPolicy and Istio deletions, three stub Istio CRDs.
fn platform(app: &mut App) {
    let mut chart = app.chart("platform", ChartProps::namespace(NAMESPACE));
    let manifests = chart.kustomize(
        "manifests",
        KustomizeProps::new("apps/ai/kubeflow/kustomization"),
    );
    for secret in [
        "katib-mysql-secrets",
        "mlpipeline-minio-artifact",
        "mysql-secret",
    ] {
        chart.allow_rendered(
            manifests,
            "Secret",
            secret,
            Allow::SecretData,
            "Kubeflow's upstream default credentials of its in-cluster MySQL and SeaweedFS, \
             reachable only inside the cluster; the seed shipped the same values",
        );
    }
}

fn user_header() -> RouteFilter {
    set_request_header(USER_HEADER.0, USER_HEADER.1)
}

fn notebook_gateway_controller(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart(CONTROLLER, ChartProps::namespace(NAMESPACE));

    let access = Access::new(CONTROLLER)
        .allow(
            &["kubeflow.org"],
            &["notebooks", "pvcviewers"],
            &["get", "list", "watch"],
        )
        .allow(
            &["tensorboard.kubeflow.org"],
            &["tensorboards"],
            &["get", "list", "watch"],
        )
        .allow(
            &["gateway.networking.k8s.io"],
            &["httproutes", "referencegrants"],
            &[
                "get", "list", "watch", "create", "update", "patch", "delete",
            ],
        )
        .cluster_wide();
    let script = ConfigMap {
        metadata: named("notebook-gateway-controller-script"),
        data: Some(string_map(&[("controller.py", CONTROLLER_SCRIPT)])),
        ..Default::default()
    };

    let mut pod = PodBuilder::new(CONTROLLER);
    // the seed's selector: Kubernetes refuses to change a Deployment's selector in place
    pod.replace_selector(&[("app", CONTROLLER)]);
    let mounted = pod.config_map("script", "notebook-gateway-controller-script");
    // a new script version rolls the controller (no reloader needed)
    pod.roll_on(&script);
    pod.service_account(access.name());
    // the image is a stock Python base (user root); the script needs no user of its own
    pod.run_as(65534, 65534);
    pod.container(
        ContainerBuilder::new("controller", CONTROLLER_IMAGE)
            .command(&["python", "/app/controller.py"])
            .env("KUBEFLOW_HOSTNAME", &cluster.host("kubeflow"))
            .requests(&[("cpu", "10m"), ("memory", "64Mi")])
            .limits(&[("cpu", "200m"), ("memory", "256Mi")])
            .mount(&mounted, "/app"),
    );
    access.build(NAMESPACE).add_to(&mut chart, "access");
    let script = chart.add("script", script);
    let deployment = chart.add(
        "deployment",
        DeploymentBuilder::new(pod).replicas(1).build(),
    );
    // the script must exist before the pod that mounts it starts
    chart.depend(deployment, script);
}

/// The controller: watches notebooks, volume viewers and tensorboards and keeps one HTTPRoute
/// per object on the cluster's gateway, so `https://kubeflow.<domain>/notebook/<ns>/<name>/`
/// reaches the pod without Istio. Each route is owned by its object (an owner reference),
/// so Kubernetes deletes it when the object goes.
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
HOSTNAME = os.environ["KUBEFLOW_HOSTNAME"]
# Kubeflow's web apps read the user from this header (no Istio auth in front of them)
USER_HEADER = {"name": "kubeflow-userid", "value": "user@example.com"}
# (group, version, plural, route name and path segment, kind, Service name prefix,
#  strip the path prefix): the volume viewer's file browser and TensorBoard serve at "/"
WATCHED = [
    ("kubeflow.org", "v1", "notebooks", "notebook", "notebook", "Notebook", "", False),
    ("kubeflow.org", "v1alpha1", "pvcviewers", "pvcviewer", "pvcviewers", "PVCViewer",
     "pvcviewer-", True),
    ("tensorboard.kubeflow.org", "v1alpha1", "tensorboards", "tensorboard", "tensorboard",
     "Tensorboard", "", True),
]
PORT = 80


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


def route_for(route, segment, service_prefix, strip_prefix, owner):
    meta = owner["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    prefix = "/%s/%s/%s/" % (segment, namespace, name)
    filters = [{"type": "RequestHeaderModifier",
                "requestHeaderModifier": {"set": [USER_HEADER]}}]
    if strip_prefix:
        filters.append({"type": "URLRewrite", "urlRewrite": {
            "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}})
    # owned by the notebook (volume viewer, tensorboard): Kubernetes' garbage collector
    # deletes the route with it, so no route outlives what it serves
    owner_reference = {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                       "name": name, "uid": meta["uid"]}
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "%s-%s" % (route, name), "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "notebook-gateway-controller"},
                     "ownerReferences": [owner_reference]},
        "spec": {
            "parentRefs": [GATEWAY],
            "hostnames": [HOSTNAME],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": prefix}}],
                "filters": filters,
                "backendRefs": [{"group": "", "kind": "Service",
                                 "name": service_prefix + name, "port": PORT, "weight": 1}],
            }],
        },
    }


def reconcile():
    for group, version, plural, route_name, segment, kind, service_prefix, strip in WATCHED:
        items = request("GET", "/apis/%s/%s/%s" % (group, version, plural)).get("items", [])
        for item in items:
            item.setdefault("apiVersion", "%s/%s" % (group, version))
            item.setdefault("kind", kind)
            route = route_for(route_name, segment, service_prefix, strip, item)
            namespace = item["metadata"]["namespace"]
            path = "/apis/gateway.networking.k8s.io/v1/namespaces/%s/httproutes" % namespace
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
