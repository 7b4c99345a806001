//! The workload kit end to end: workloads built with the kit are added to an App, synthesized,
//! and the resolved documents are asserted exactly. The existing validation rules (selectors,
//! Service selectors, named targetPorts, quantities) must all pass.

use homelab_synth::kit::workload::{
    AccessMode, Claim, ContainerBuilder, CronJobBuilder, DaemonSetBuilder, DeploymentBuilder,
    Expose, JobBuilder, PodBuilder, Probe, SECURITY_EXCEPTIONS_ANNOTATION, StatefulSetBuilder,
};
use homelab_synth::kit::{GatewayRef, HttpRouteBuilder, named};
use homelab_synth::{App, ChartProps, ManifestSet};
use k8s_openapi::api::core::v1::Namespace;
use serde_json::{Value, json};

use crate::support::{expect_ok, synth_one};

/// The body of the only document of `kind` named `name`.
fn body(set: &ManifestSet, kind: &str, name: &str) -> Value {
    let found: Vec<_> = set.apps[0]
        .documents
        .iter()
        .filter(|d| d.kind() == kind && d.name() == name)
        .collect();
    assert_eq!(found.len(), 1, "{kind} {name}");
    found[0].body()
}

fn restricted_container() -> Value {
    json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": true
    })
}

fn restricted_pod() -> Value {
    json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
}

/// A GPU notebook server in the kit's short form, with what such images need: root, a
/// writable root filesystem, a shared claim, the Recreate strategy and a route.
fn jupyter(app: &mut App) {
    let mut chart = app.chart("jupyter", ChartProps::namespace("jupyter"));
    chart.add(
        "namespace",
        Namespace {
            metadata: named("jupyter"),
            ..Default::default()
        },
    );
    let data = Claim::new("jupyter-data", "50Gi")
        .access(AccessMode::ReadWriteMany)
        .storage_class("longhorn");
    chart.add("data", data.build());

    let mut pod = PodBuilder::new("jupyter");
    let volume = pod.pvc("data", data.name());
    pod.container(
        ContainerBuilder::new("jupyter", "example/jupyter-gpu:1")
            .port("http", 8188)
            .env("CLI_ARGS", "--listen 0.0.0.0")
            .mount(&volume, "/root")
            .limits(&[("cpu", "4000m"), ("memory", "8Gi")])
            .gpu(1)
            .readiness(Probe::http("http", "/"))
            .run_as_root("the image runs Jupyter as root")
            .writable_root_filesystem("installs custom nodes into the image at start"),
    );
    let web = DeploymentBuilder::new(pod).recreate();
    let service = web.expose();
    chart.add("deployment", web.build());
    chart.add("service", service.build());
    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    chart.add(
        "route",
        HttpRouteBuilder::new("jupyter", &gateway, "jupyter.example.com")
            .to_service("jupyter", service.service_port("http").unwrap())
            .build(),
    );
}

#[test]
fn a_gpu_notebook_in_short_form_synthesizes_cleanly() {
    let mut app = App::new("jupyter");
    jupyter(&mut app);
    let set = expect_ok(synth_one(app));
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
    assert_eq!(
        body(&set, "Deployment", "jupyter"),
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "jupyter",
                "namespace": "jupyter",
                "labels": {"app.kubernetes.io/name": "jupyter"}
            },
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/name": "jupyter"}},
                "strategy": {"type": "Recreate"},
                "template": {
                    "metadata": {
                        "labels": {"app.kubernetes.io/name": "jupyter"},
                        "annotations": {
                            SECURITY_EXCEPTIONS_ANNOTATION:
                                "jupyter: runAsUser: 0: the image runs Jupyter as root\n\
                                 jupyter: readOnlyRootFilesystem: false: installs custom nodes \
                                 into the image at start"
                        }
                    },
                    "spec": {
                        "containers": [{
                            "name": "jupyter",
                            "image": "example/jupyter-gpu:1",
                            "env": [{"name": "CLI_ARGS", "value": "--listen 0.0.0.0"}],
                            "ports": [{"name": "http", "containerPort": 8188, "protocol": "TCP"}],
                            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                            "resources": {
                                "limits": {"cpu": "4000m", "memory": "8Gi", "nvidia.com/gpu": "1"}
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": false,
                                "capabilities": {"drop": ["ALL"]},
                                "readOnlyRootFilesystem": false,
                                "runAsGroup": 0,
                                "runAsNonRoot": false,
                                "runAsUser": 0
                            },
                            "volumeMounts": [{"name": "data", "mountPath": "/root"}]
                        }],
                        "nodeSelector": {"nvidia.com/gpu.present": "true"},
                        "runtimeClassName": "nvidia",
                        // a container runs as root, so the pod level does not claim otherwise
                        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                        "tolerations": [{
                            "key": "dedicated",
                            "operator": "Equal",
                            "value": "ai",
                            "effect": "NoSchedule"
                        }],
                        "volumes": [{
                            "name": "data",
                            "persistentVolumeClaim": {"claimName": "jupyter-data"}
                        }]
                    }
                }
            }
        })
    );
    assert_eq!(
        body(&set, "Service", "jupyter"),
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "jupyter",
                "namespace": "jupyter",
                "labels": {"app.kubernetes.io/name": "jupyter"}
            },
            "spec": {
                "selector": {"app.kubernetes.io/name": "jupyter"},
                "ports": [{"name": "http", "port": 8188, "targetPort": "http", "protocol": "TCP"}]
            }
        })
    );
    assert_eq!(
        body(&set, "PersistentVolumeClaim", "jupyter-data")["spec"],
        json!({
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "50Gi"}},
            "storageClassName": "longhorn",
            "volumeMode": "Filesystem"
        })
    );
    assert_eq!(
        body(&set, "HTTPRoute", "jupyter")["spec"]["rules"][0]["backendRefs"],
        json!([{"group": "", "kind": "Service", "name": "jupyter", "port": 8188, "weight": 1}])
    );
}

#[test]
fn every_workload_kind_is_restricted_by_default_and_passes_validation() {
    let mut app = App::new("kinds");
    let mut chart = app.chart("kinds", ChartProps::namespace("kinds"));
    let simple = |name: &str| {
        let mut pod = PodBuilder::new(name);
        pod.container(
            ContainerBuilder::new(name, "example/app:1")
                .port("http", 8080)
                .requests(&[("cpu", "50m"), ("memory", "64Mi")])
                .liveness(Probe::tcp("http"))
                .scratch("/tmp"),
        );
        pod
    };

    let web = DeploymentBuilder::new(simple("web")).replicas(2);
    chart.add("web", web.build());
    chart.add("web-service", web.expose().build());

    let data = Claim::new("data", "10Gi").storage_class("longhorn");
    let mut db_pod = PodBuilder::new("db");
    db_pod.container(
        ContainerBuilder::new("db", "postgres:18")
            .port("postgres", 5432)
            .env_from_secret("POSTGRES_PASSWORD", "db-credentials", "password")
            .mount(
                &StatefulSetBuilder::claim_volume(&data),
                "/var/lib/postgresql",
            )
            .scratch("/var/run/postgresql")
            .run_as(999, 999),
    );
    let db = StatefulSetBuilder::new(db_pod).claim(data);
    chart.add("db", db.build());
    // the Secret the database reads, synced from OpenBao (the reference check wants a provider)
    chart.add_untyped(
        "db-secrets",
        homelab_synth::kit::OpenBaoSecrets::new("db", "db")
            .object("password", "secret/data/db", "password")
            .sync("db-credentials", &[("password", "password")])
            .build(),
    );
    chart.add("db-service", db.expose().headless().build());

    let agent = DaemonSetBuilder::new(simple("agent"));
    chart.add("agent", agent.build());
    chart.add(
        "migrate",
        JobBuilder::new(simple("migrate")).backoff_limit(1).build(),
    );
    chart.add(
        "backup",
        CronJobBuilder::new("0 3 * * *", JobBuilder::new(simple("backup"))).build(),
    );

    let set = expect_ok(synth_one(app));
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);

    for (kind, name, spec) in [
        ("Deployment", "web", "/spec/template/spec"),
        ("StatefulSet", "db", "/spec/template/spec"),
        ("DaemonSet", "agent", "/spec/template/spec"),
        ("Job", "migrate", "/spec/template/spec"),
        ("CronJob", "backup", "/spec/jobTemplate/spec/template/spec"),
    ] {
        let object = body(&set, kind, name);
        let pod = object.pointer(spec).unwrap();
        assert_eq!(pod["securityContext"], restricted_pod(), "{kind}");
        let container = &pod["containers"][0]["securityContext"];
        let mut expected = restricted_container();
        if name == "db" {
            expected["runAsUser"] = json!(999);
            expected["runAsGroup"] = json!(999);
        }
        assert_eq!(container, &expected, "{kind}");
        let template = object.pointer(spec.trim_end_matches("/spec")).unwrap();
        assert_eq!(
            template["metadata"],
            json!({"labels": {"app.kubernetes.io/name": name}}),
            "{kind}: no exceptions, no annotation"
        );
    }

    assert_eq!(
        body(&set, "StatefulSet", "db")["spec"],
        json!({
            "selector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
            "serviceName": "db",
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "db"}},
                "spec": {
                    "containers": [{
                        "name": "db",
                        "image": "postgres:18",
                        "env": [{
                            "name": "POSTGRES_PASSWORD",
                            "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "password"}}
                        }],
                        "ports": [{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}],
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": true,
                            "runAsGroup": 999,
                            "runAsUser": 999
                        },
                        "volumeMounts": [
                            {"name": "data", "mountPath": "/var/lib/postgresql"},
                            {"name": "db-scratch-0", "mountPath": "/var/run/postgresql"}
                        ]
                    }],
                    "securityContext": restricted_pod(),
                    "volumes": [{"name": "db-scratch-0", "emptyDir": {}}]
                }
            },
            "volumeClaimTemplates": [{
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "10Gi"}},
                    "storageClassName": "longhorn",
                    "volumeMode": "Filesystem"
                }
            }]
        })
    );
    assert_eq!(
        body(&set, "Service", "db")["spec"],
        json!({
            "clusterIP": "None",
            "selector": {"app.kubernetes.io/name": "db"},
            "ports": [{"name": "postgres", "port": 5432, "targetPort": "postgres", "protocol": "TCP"}]
        })
    );
    assert_eq!(
        body(&set, "Service", "web")["spec"]["ports"],
        json!([{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}])
    );
    assert_eq!(
        body(&set, "Job", "migrate")["spec"]["template"]["spec"]["restartPolicy"],
        json!("OnFailure")
    );
}

#[test]
fn exceptions_are_recorded_on_the_pod_template() {
    let mut app = App::new("vpn");
    let mut chart = app.chart("vpn", ChartProps::namespace("vpn"));
    let mut pod = PodBuilder::new("netbird");
    let dev = pod.host_path("tun", "/dev/net/tun", "WireGuard needs the TUN device");
    pod.host_network("routes for the whole node")
        .init_container(
            ContainerBuilder::new("sysctl", "busybox:1.37")
                .command(&["sysctl", "-w", "net.ipv4.ip_forward=1"])
                .privileged("sets a node sysctl"),
        )
        .container(
            ContainerBuilder::new("netbird", "netbirdio/netbird:0.50.0")
                .mount(&dev, "/dev/net/tun")
                .run_as_root("the agent manages interfaces as root")
                .add_capabilities(&["NET_ADMIN", "SYS_RESOURCE"], "creates the wt0 interface"),
        );
    let agent = DaemonSetBuilder::new(pod);
    chart.add("agent", agent.build());
    let set = expect_ok(synth_one(app));
    let template = &body(&set, "DaemonSet", "netbird")["spec"]["template"];
    assert_eq!(
        template["metadata"]["annotations"],
        json!({
            SECURITY_EXCEPTIONS_ANNOTATION:
                "pod: hostPath: /dev/net/tun: WireGuard needs the TUN device\n\
                 pod: hostNetwork: true: routes for the whole node\n\
                 sysctl: privileged: true: sets a node sysctl\n\
                 netbird: runAsUser: 0: the agent manages interfaces as root\n\
                 netbird: capabilities.add: NET_ADMIN, SYS_RESOURCE: creates the wt0 interface"
        })
    );
    assert_eq!(template["spec"]["hostNetwork"], json!(true));
    assert_eq!(
        template["spec"]["dnsPolicy"],
        json!("ClusterFirstWithHostNet")
    );
    assert_eq!(
        template["spec"]["initContainers"][0]["securityContext"],
        json!({"allowPrivilegeEscalation": true, "privileged": true, "readOnlyRootFilesystem": true})
    );
    assert_eq!(
        template["spec"]["containers"][0]["securityContext"],
        json!({
            "allowPrivilegeEscalation": false,
            "capabilities": {"add": ["NET_ADMIN", "SYS_RESOURCE"], "drop": ["ALL"]},
            "readOnlyRootFilesystem": true,
            "runAsGroup": 0,
            "runAsNonRoot": false,
            "runAsUser": 0
        })
    );
}

#[test]
fn a_port_name_no_container_declares_is_reported_by_synthesis() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let mut pod = PodBuilder::new("web");
    pod.container(ContainerBuilder::new("web", "web:1").port("http", 8080));
    let web = DeploymentBuilder::new(pod);
    chart.add("web", web.build());
    chart.add("service", web.expose().port_as("metrics", 9090).build());
    let errors: Vec<String> = match synth_one(app) {
        Ok(_) => panic!("synthesis should fail"),
        Err(error) => error.errors.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(
            "spec.ports[1].targetPort `metrics` names no container port of the selected pods"
        ),
        "{}",
        errors[0]
    );
}

#[test]
fn extra_selector_labels_reach_selector_template_and_service() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let mut pod = PodBuilder::new("api");
    pod.selector_label("app.kubernetes.io/component", "server")
        .label("version", "1")
        .container(ContainerBuilder::new("api", "api:1").port("grpc", 9000));
    let api = DeploymentBuilder::new(pod);
    chart.add("api", api.build());
    chart.add("service", api.expose().build());
    let set = expect_ok(synth_one(app));
    let selector =
        json!({"app.kubernetes.io/component": "server", "app.kubernetes.io/name": "api"});
    let deployment = body(&set, "Deployment", "api");
    assert_eq!(deployment["spec"]["selector"]["matchLabels"], selector);
    assert_eq!(
        deployment["spec"]["template"]["metadata"]["labels"],
        json!({
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/name": "api",
            "version": "1"
        })
    );
    assert_eq!(body(&set, "Service", "api")["spec"]["selector"], selector);
}

#[test]
fn the_exceptions_annotation_renders_as_a_literal_block() {
    let mut app = App::new("jupyter");
    jupyter(&mut app);
    let set = expect_ok(synth_one(app));
    let rendered = homelab_synth::output::render(&set).unwrap();
    let (file, bytes) = rendered
        .iter()
        .find(|(file, _)| file.contains("Deployment"))
        .unwrap();
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(
        text.contains(
            "        homelab-synth.dev/security-exceptions: |-\n          \
             jupyter: runAsUser: 0: the image runs Jupyter as root\n          \
             jupyter: readOnlyRootFilesystem: false: installs custom nodes into the image at \
             start\n"
        ),
        "{file}:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------
// config rollouts, access, network policy, disruption budget, ingress
// ---------------------------------------------------------------------------------------

fn config(name: &str, content: &str) -> k8s_openapi::api::core::v1::ConfigMap {
    k8s_openapi::api::core::v1::ConfigMap {
        metadata: named(name),
        data: Some([("controller.py".to_owned(), content.to_owned())].into()),
        ..Default::default()
    }
}

/// The config hash of a controller Deployment that mounts and rolls on `script`.
fn config_hash(script: &k8s_openapi::api::core::v1::ConfigMap) -> Value {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let mut pod = PodBuilder::new("controller");
    let volume = pod.config_map("script", "script");
    pod.roll_on(script);
    pod.container(ContainerBuilder::new("controller", "python:3.12").mount(&volume, "/app"));
    chart.add("script", script.clone());
    chart.add("controller", DeploymentBuilder::new(pod).build());
    let set = expect_ok(synth_one(app));
    body(&set, "Deployment", "controller")["spec"]["template"]["metadata"]["annotations"]
        [homelab_synth::kit::CONFIG_HASH_ANNOTATION]
        .clone()
}

#[test]
fn a_config_change_changes_the_pod_template_and_nothing_else_does() {
    let first = config_hash(&config("script", "print(1)"));
    assert!(
        first.as_str().is_some_and(|hash| hash.len() == 64),
        "{first}"
    );
    assert_eq!(first, config_hash(&config("script", "print(1)")), "stable");
    assert_ne!(first, config_hash(&config("script", "print(2)")), "rolls");
}

#[test]
fn a_secret_in_the_synthesis_rolls_its_pods_too_and_apart_from_a_config_map_of_its_name() {
    use homelab_synth::kit::workload::RollSource;
    use k8s_openapi::api::core::v1::Secret;
    let secret = |value: &str| Secret {
        metadata: named("script"),
        string_data: Some(homelab_synth::kit::string_map(&[("token", value)])),
        ..Default::default()
    };
    let hash = |sources: &[&dyn Fn(&mut PodBuilder)]| {
        let mut pod = PodBuilder::new("controller");
        for add in sources {
            add(&mut pod);
        }
        pod.container(ContainerBuilder::new("controller", "python:3.12"));
        serde_json::to_value(DeploymentBuilder::new(pod).build()).expect("json")["spec"]["template"]
            ["metadata"]["annotations"][homelab_synth::kit::CONFIG_HASH_ANNOTATION]
            .clone()
    };
    let (one, two) = (secret("1"), secret("2"));
    let config = config("script", "print(1)");
    assert_eq!(one.key(), "Secret/script");
    assert_ne!(
        hash(&[&|pod| {
            pod.roll_on(&one);
        }]),
        hash(&[&|pod| {
            pod.roll_on(&two);
        }]),
        "rolls"
    );
    assert_ne!(
        hash(&[&|pod| {
            pod.roll_on(&config);
        }]),
        hash(&[
            &|pod| {
                pod.roll_on(&config);
            },
            &|pod| {
                pod.roll_on(&one);
            }
        ]),
        "a Secret named like the ConfigMap does not replace it"
    );
}

#[test]
fn access_grants_its_rules_to_its_own_service_account() {
    use homelab_synth::kit::Access;
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let reader = Access::new("reader").allow(&[""], &["configmaps"], &["get", "list"]);
    reader.build("demo").add_to(&mut chart, "reader");
    let watcher = Access::new("watcher")
        .allow(&["kubeflow.org"], &["notebooks"], &["watch"])
        .cluster_wide();
    watcher.build("demo").add_to(&mut chart, "watcher");
    Access::new("puller")
        .without_token()
        .build("demo")
        .add_to(&mut chart, "puller");
    let set = expect_ok(synth_one(app));
    let kinds: Vec<String> = set.apps[0]
        .documents
        .iter()
        .map(|d| format!("{}/{}", d.kind(), d.name()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        kinds,
        [
            "ClusterRole/watcher",
            "ClusterRoleBinding/watcher",
            "Role/reader",
            "RoleBinding/reader",
            "ServiceAccount/puller",
            "ServiceAccount/reader",
            "ServiceAccount/watcher",
        ]
    );
    assert_eq!(
        body(&set, "RoleBinding", "reader"),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "reader", "namespace": "demo"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "demo"}],
        })
    );
    assert_eq!(
        body(&set, "ClusterRoleBinding", "watcher")["subjects"][0]["namespace"],
        "demo"
    );
    assert_eq!(
        body(&set, "ServiceAccount", "puller")["automountServiceAccountToken"],
        false
    );
}

#[test]
fn network_policy_budget_and_ingress_cover_the_workload_they_were_made_from() {
    use homelab_synth::kit::{IngressBuilder, NetworkPolicyBuilder, Peer, disruption_budget};
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let mut pod = PodBuilder::new("web");
    pod.container(ContainerBuilder::new("web", "nginx:1.27").port("http", 8080));
    let labels: Vec<(String, String)> = pod
        .selector_labels()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let web = DeploymentBuilder::new(pod).replicas(3);
    chart.add("budget", disruption_budget(&web, 1));
    chart.add(
        "policy",
        NetworkPolicyBuilder::for_labels("web", labels.into_iter().collect())
            .allow_from(Peer::Namespace("kube-system"), &[8080])
            .allow_from(Peer::Cidr("192.168.1.0/24"), &[])
            .build(),
    );
    chart.add(
        "ingress",
        IngressBuilder::new("web", "web.madhan.app")
            .class("traefik")
            .to_service("/", "web", 8080)
            .tls("web-tls")
            .build(),
    );
    chart.add("service", web.expose().build());
    chart.add("web", web.build());
    let set = expect_ok(synth_one(app));
    let pod_labels =
        body(&set, "Deployment", "web")["spec"]["template"]["metadata"]["labels"].clone();
    let budget = body(&set, "PodDisruptionBudget", "web");
    assert_eq!(budget["spec"]["maxUnavailable"], 1);
    assert_eq!(budget["spec"]["selector"]["matchLabels"], pod_labels);
    assert_eq!(
        body(&set, "NetworkPolicy", "web")["spec"],
        json!({
            "podSelector": {"matchLabels": pod_labels},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"namespaceSelector": {"matchLabels":
                    {"kubernetes.io/metadata.name": "kube-system"}}}],
                 "ports": [{"port": 8080, "protocol": "TCP"}]},
                {"from": [{"ipBlock": {"cidr": "192.168.1.0/24"}}]},
            ],
        })
    );
    assert_eq!(
        body(&set, "Ingress", "web")["spec"],
        json!({
            "ingressClassName": "traefik",
            "rules": [{"host": "web.madhan.app", "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 8080}}},
            }]}}],
            "tls": [{"hosts": ["web.madhan.app"], "secretName": "web-tls"}],
        })
    );
}

#[test]
fn operator_synced_secrets_match_their_crds_and_satisfy_the_pods_that_need_them() {
    use homelab_synth::kit::{ExternalSecretBuilder, InfisicalSecretBuilder};
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let oauth = ExternalSecretBuilder::new("oauth", "openbao")
        .cluster_store()
        .key("client-secret", "grafana", "OAUTH_CLIENT_SECRET");
    chart.add("oauth", oauth.build());
    chart.add(
        "db",
        InfisicalSecretBuilder::new("db", "homelab", "prod", "/db")
            .universal_auth("infisical-identity", "infisical")
            .build("demo"),
    );
    let mut pod = PodBuilder::new("web");
    let db = pod.secret("db", "db");
    pod.container(
        ContainerBuilder::new("web", "example/app:1")
            .env_from_secret("CLIENT_SECRET", oauth.secret_name(), "client-secret")
            .mount(&db, "/db"),
    );
    chart.add("web", DeploymentBuilder::new(pod).build());
    // synthesis checks both against the imported CRDs' schemas and the pod's references
    let set = expect_ok(synth_one(app));
    assert_eq!(
        body(&set, "ExternalSecret", "oauth")["spec"],
        json!({
            "data": [{"remoteRef": {"key": "grafana", "property": "OAUTH_CLIENT_SECRET"},
                      "secretKey": "client-secret"}],
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "openbao"},
            "target": {"name": "oauth"},
        })
    );
    assert_eq!(
        body(&set, "InfisicalSecret", "db")["spec"]["managedKubeSecretReferences"],
        json!([{"creationPolicy": "Orphan", "secretName": "db", "secretNamespace": "demo"}])
    );
}
