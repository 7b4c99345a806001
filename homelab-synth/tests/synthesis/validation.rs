//! Integration tests of the validation rules: every rule is triggered through `synthesize`
//! and its finding is asserted with its exact text (`Finding::to_string`), and the valid
//! counterpart is shown to pass.

use std::collections::BTreeMap;

use homelab_synth::kit::{named, quantities, string_map};
use homelab_synth::{
    Allow, App, Chart, ChartProps, JsonPatch, MemoryFiles, SchemaVerdicts, Untyped,
};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerPort, EmptyDirVolumeSource, Namespace, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec, ResourceRequirements, Secret, Service,
    ServicePort, ServiceSpec, Volume, VolumeResourceRequirements,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, Role};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::json;

use crate::support::{
    expect_errors, expect_ok, synth_apps, synth_apps_with_files, synth_one, synth_one_remembering,
    texts,
};

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

/// App `demo` with one chart `demo` in namespace `demo`, filled by `build`.
fn demo(build: impl FnOnce(&mut Chart<'_>)) -> App {
    let mut app = App::new("demo");
    build(&mut app.chart("demo", ChartProps::namespace("demo")));
    app
}

/// The output file of a document as findings name it: `<app>/<file>`, relative to the output
/// folder (see `Finding::files`).
fn output_file(app: &str, file: &str) -> String {
    format!("{app}/{file}")
}

/// The text of an error about object `id` of chart `demo` of app `demo`, written to `file`.
fn demo_error(id: &str, file: &str, message: &str) -> String {
    format!(
        "error: app `demo`: `demo/demo/{id}` ({}): {message}",
        output_file("demo", file)
    )
}

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: named(name),
        ..ConfigMap::default()
    }
}

fn labelled_config_map(name: &str, labels: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(string_map(labels)),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

fn container(name: &str, image: &str) -> Container {
    Container {
        name: name.to_owned(),
        image: Some(image.to_owned()),
        ..Container::default()
    }
}

fn container_with_port(name: &str, image: &str, port_name: &str, port: i32) -> Container {
    Container {
        ports: Some(vec![ContainerPort {
            name: Some(port_name.to_owned()),
            container_port: port,
            ..ContainerPort::default()
        }]),
        ..container(name, image)
    }
}

fn match_labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(string_map(pairs)),
        ..LabelSelector::default()
    }
}

fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.to_owned(),
        operator: operator.to_owned(),
        values: (!values.is_empty()).then(|| values.iter().map(|v| (*v).to_owned()).collect()),
    }
}

fn match_expressions(expressions: Vec<LabelSelectorRequirement>) -> LabelSelector {
    LabelSelector {
        match_expressions: Some(expressions),
        ..LabelSelector::default()
    }
}

fn pod_template(labels: &[(&str, &str)], spec: PodSpec) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(string_map(labels)),
            ..ObjectMeta::default()
        }),
        spec: Some(spec),
    }
}

fn pod_spec(containers: Vec<Container>) -> PodSpec {
    PodSpec {
        containers,
        ..PodSpec::default()
    }
}

/// A Deployment `name` with `selector` and a pod template labelled `labels` running
/// `containers`.
fn deployment(
    name: &str,
    selector: LabelSelector,
    labels: &[(&str, &str)],
    containers: Vec<Container>,
) -> Deployment {
    deployment_with_spec(name, selector, labels, pod_spec(containers))
}

fn deployment_with_spec(
    name: &str,
    selector: LabelSelector,
    labels: &[(&str, &str)],
    spec: PodSpec,
) -> Deployment {
    Deployment {
        metadata: named(name),
        spec: Some(DeploymentSpec {
            selector,
            template: pod_template(labels, spec),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// A Deployment whose selector matches its template: `app: <name>`.
fn web_deployment(name: &str, containers: Vec<Container>) -> Deployment {
    deployment(
        name,
        match_labels(&[("app", name)]),
        &[("app", name)],
        containers,
    )
}

/// A Service `name` selecting `selector` with one port per target.
fn service(name: &str, selector: &[(&str, &str)], targets: Vec<IntOrString>) -> Service {
    Service {
        metadata: named(name),
        spec: Some(ServiceSpec {
            selector: Some(string_map(selector)),
            ports: Some(
                targets
                    .into_iter()
                    .enumerate()
                    .map(|(index, target)| ServicePort {
                        name: Some(format!("port{index}")),
                        port: 80 + i32::try_from(index).unwrap(),
                        target_port: Some(target),
                        ..ServicePort::default()
                    })
                    .collect(),
            ),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn claim(name: &str, storage: &str) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: named(name),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(quantities(&[("storage", storage)])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

const QUANTITY_HINT: &str = "is not a valid quantity (expected a number with an optional suffix such as m, k, M, G, Ki, \
     Mi, Gi or e3)";

// ---------------------------------------------------------------------------------------
// app and object names
// ---------------------------------------------------------------------------------------

#[test]
fn an_app_name_that_is_not_a_dns_label_is_an_error() {
    let mut app = App::new("Demo_App");
    app.chart("demo", ChartProps::namespace("demo"))
        .add("settings", config_map("settings"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `Demo_App`: `Demo_App`: app name `Demo_App` must be a DNS-1123 label \
             (lowercase letters, digits and `-`, at most 63 characters): it names the output \
             directory and the Argo CD Application"
        ]
    );
}

#[test]
fn an_app_name_longer_than_63_characters_is_an_error() {
    let name = "a".repeat(64);
    let mut app = App::new(name.as_str());
    app.chart("demo", ChartProps::namespace("demo"))
        .add("settings", config_map("settings"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [format!(
            "error: app `{name}`: `{name}`: app name `{name}` must be a DNS-1123 label \
             (lowercase letters, digits and `-`, at most 63 characters): it names the output \
             directory and the Argo CD Application"
        )]
    );
}

#[test]
fn object_names_must_be_dns_subdomains_for_most_kinds() {
    let app = demo(|chart| {
        chart.add("bad", config_map("Bad_Name"));
        chart.add("dotted", config_map("a.b-c.d"));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "bad",
            "ConfigMap.Bad_Name.yaml",
            r#"invalid name for ConfigMap: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        )]
    );
}

#[test]
fn service_names_must_be_dns_1035_labels() {
    let app = demo(|chart| {
        // fine for a ConfigMap, not for a Service
        chart.add("config", config_map("1web"));
        chart.add(
            "service",
            Service {
                metadata: named("1web"),
                ..Service::default()
            },
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "service",
            "Service.1web.yaml",
            r#"invalid name for Service: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#
        )]
    );
}

#[test]
fn namespace_names_must_be_dns_labels() {
    let app = demo(|chart| {
        chart.add(
            "namespace",
            Namespace {
                metadata: named("a.b"),
                ..Namespace::default()
            },
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "namespace",
            "Namespace.a.b.yaml",
            r#"invalid name for Namespace: "a.b": must not contain dots"#
        )]
    );
}

#[test]
fn rbac_names_may_contain_colons_but_not_slashes() {
    let app = demo(|chart| {
        chart.add(
            "delegator",
            ClusterRole {
                metadata: named("system:auth-delegator"),
                ..ClusterRole::default()
            },
        );
        chart.add(
            "role",
            Role {
                metadata: named("leader:election"),
                ..Role::default()
            },
        );
        chart.add(
            "slashed",
            ClusterRole {
                metadata: named("a/b"),
                ..ClusterRole::default()
            },
        );
        // a colon is fine for RBAC kinds only
        chart.add("config", config_map("a:b"));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "config",
                "ConfigMap.a_b.yaml",
                r#"invalid name for ConfigMap: "a:b": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
            ),
            demo_error(
                "slashed",
                "ClusterRole.a_b.yaml",
                r#"invalid name for ClusterRole: "a/b": may not contain '/'"#
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// labels and annotations
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_label_keys_are_errors() {
    let app = demo(|chart| {
        chart.add("dash", labelled_config_map("dash", &[("-bad", "x")]));
        chart.add("prefix", labelled_config_map("prefix", &[("/name", "x")]));
        chart.add(
            "ok",
            labelled_config_map("ok", &[("app.kubernetes.io/name", "x"), ("My_Key.1", "x")]),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "dash",
                "ConfigMap.dash.yaml",
                r#"invalid label key: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
            ),
            demo_error(
                "prefix",
                "ConfigMap.prefix.yaml",
                r#"invalid label key: "/name": prefix part must be non-empty"#
            ),
        ]
    );
}

#[test]
fn invalid_label_values_are_errors() {
    let long = "a".repeat(64);
    let app = demo(|chart| {
        chart.add(
            "spaced",
            labelled_config_map("spaced", &[("app", "bad value")]),
        );
        chart.add("long", labelled_config_map("long", &[("app", &long)]));
        chart.add(
            "ok",
            labelled_config_map("ok", &[("a", ""), ("b", "My_Value.1"), ("c", &long[..63])]),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "long",
                "ConfigMap.long.yaml",
                &format!(
                    r#"invalid value of label `app`: "{long}": must be no more than 63 characters"#
                )
            ),
            demo_error(
                "spaced",
                "ConfigMap.spaced.yaml",
                r#"invalid value of label `app`: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
            ),
        ]
    );
}

#[test]
fn an_invalid_chart_label_is_reported_on_every_object_of_the_chart() {
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "demo",
        ChartProps {
            namespace: Some("demo".into()),
            labels: string_map(&[("team", "not ok")]),
            ..ChartProps::default()
        },
    );
    chart.add("a", config_map("a"));
    chart.add("b", config_map("b"));
    let message = r#"invalid value of label `team`: "not ok": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#;
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error("a", "ConfigMap.a.yaml", message),
            demo_error("b", "ConfigMap.b.yaml", message),
        ]
    );
}

#[test]
fn label_values_must_be_strings() {
    let app = demo(|chart| {
        chart.add_untyped(
            "settings",
            Untyped::new(
                "v1",
                "ConfigMap",
                json!({"metadata": {"name": "settings", "labels": {"replicas": 3, "enabled": true}}}),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "settings",
                "ConfigMap.settings.yaml",
                "label `enabled` must be a string, found true"
            ),
            demo_error(
                "settings",
                "ConfigMap.settings.yaml",
                "label `replicas` must be a string, found 3"
            ),
        ]
    );
}

#[test]
fn invalid_annotation_keys_and_non_string_values_are_errors() {
    let app = demo(|chart| {
        chart.add_untyped(
            "settings",
            Untyped::new(
                "v1",
                "ConfigMap",
                json!({"metadata": {"name": "settings", "annotations": {
                    "bad key": "x",
                    "count": 1,
                    // annotation key prefixes may use upper case, label keys may not
                    "Example.COM/Note": "fine",
                }}}),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "settings",
                "ConfigMap.settings.yaml",
                "annotation `count` must be a string, found 1"
            ),
            demo_error(
                "settings",
                "ConfigMap.settings.yaml",
                r#"invalid annotation key: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
            ),
        ]
    );
}

#[test]
fn annotations_larger_than_256_kib_are_an_error() {
    const LIMIT: usize = 256 * 1024;
    let annotated = |name: &str, total: usize| ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            // key `big` (3 bytes) plus the value
            annotations: Some(string_map(&[("big", &"x".repeat(total - 3))])),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    let app = demo(|chart| {
        chart.add("at-limit", annotated("at-limit", LIMIT));
        chart.add("over-limit", annotated("over-limit", LIMIT + 1));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "over-limit",
            "ConfigMap.over-limit.yaml",
            "annotations take 262145 bytes, more than the 262144 the API server accepts"
        )]
    );
}

// ---------------------------------------------------------------------------------------
// namespaces
// ---------------------------------------------------------------------------------------

#[test]
fn a_namespace_set_on_a_cluster_scoped_object_is_an_error() {
    let app = demo(|chart| {
        chart.add(
            "namespace",
            Namespace {
                metadata: ObjectMeta {
                    name: Some("demo".into()),
                    namespace: Some("demo".into()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "namespace",
            "Namespace.demo.yaml",
            "Namespace `demo` is cluster-scoped and must not have a namespace (found `demo`)"
        )]
    );
}

#[test]
fn a_namespace_patched_onto_a_cluster_scoped_object_is_an_error() {
    let app = demo(|chart| {
        let role = chart.add(
            "reader",
            ClusterRole {
                metadata: named("reader"),
                ..ClusterRole::default()
            },
        );
        chart.patch(role, JsonPatch::add("/metadata/namespace", json!("demo")));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "reader",
            "ClusterRole.reader.yaml",
            "ClusterRole `reader` is cluster-scoped and must not have a namespace (found `demo`)"
        )]
    );
}

#[test]
fn a_namespaced_object_without_a_namespace_is_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::default());
    chart.add("settings", config_map("settings"));
    chart.add(
        "placed",
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("placed".into()),
                namespace: Some("demo".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        },
    );
    chart.add(
        "reader",
        ClusterRole {
            metadata: named("reader"),
            ..ClusterRole::default()
        },
    );
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "settings",
            "ConfigMap.settings.yaml",
            "ConfigMap `settings` is namespaced but has no namespace: set one on the object or \
             in its chart's props"
        )]
    );
}

#[test]
fn a_namespace_that_is_not_a_dns_label_is_an_error() {
    let mut app = App::new("demo");
    app.chart("demo", ChartProps::namespace("Team_A"))
        .add("settings", config_map("settings"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "settings",
            "ConfigMap.settings.yaml",
            "namespace `Team_A` is not a valid DNS-1123 label"
        )]
    );
}

// ---------------------------------------------------------------------------------------
// duplicates
// ---------------------------------------------------------------------------------------

#[test]
fn the_same_object_twice_in_an_app_is_an_error() {
    let app = demo(|chart| {
        chart.add("first", config_map("settings"));
        chart.add("second", config_map("settings"));
        // same name, other kind or namespace: different objects
        chart.add(
            "account",
            k8s_openapi::api::core::v1::ServiceAccount {
                metadata: named("settings"),
                ..Default::default()
            },
        );
        chart.add(
            "elsewhere",
            ConfigMap {
                metadata: ObjectMeta {
                    name: Some("settings".into()),
                    namespace: Some("other".into()),
                    ..ObjectMeta::default()
                },
                ..ConfigMap::default()
            },
        );
    });
    // both copies share one file name; sha256("/ConfigMap/demo/settings") starts `eb72394b`
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "second",
            "ConfigMap.settings.eb72394b.yaml",
            "ConfigMap `demo/settings` is defined twice: also by `demo/demo/first` in app `demo`"
        )]
    );
}

#[test]
fn every_later_copy_of_an_object_names_the_first() {
    let app_with = |name: &str| {
        let mut app = App::new(name);
        let mut chart = app.chart(name, ChartProps::namespace("shared"));
        chart.add("settings", config_map("settings"));
        app
    };
    let errors = expect_errors(synth_apps(vec![
        app_with("gamma"),
        app_with("alpha"),
        app_with("beta"),
    ]));
    let expected: Vec<String> = ["beta", "gamma"]
        .iter()
        .map(|app| {
            format!(
                "error: app `{app}`: `{app}/{app}/settings` ({}): ConfigMap `shared/settings` \
                 is defined twice: also by `alpha/alpha/settings` in app `alpha`",
                output_file(app, "ConfigMap.settings.yaml")
            )
        })
        .collect();
    let namespace_errors: Vec<&String> = errors
        .iter()
        .filter(|error| !error.contains("defined twice"))
        .collect();
    let twice: Vec<&String> = errors
        .iter()
        .filter(|error| error.contains("defined twice"))
        .collect();
    assert_eq!(
        twice,
        expected.iter().collect::<Vec<_>>(),
        "{namespace_errors:?}"
    );
}

#[test]
fn the_same_object_in_two_apps_is_an_error() {
    let shared = |name: &str| {
        let mut app = App::new(name);
        let mut chart = app.chart(name, ChartProps::namespace("shared"));
        chart.add(
            "namespace",
            Namespace {
                metadata: named("shared"),
                ..Namespace::default()
            },
        );
        chart.add("settings", config_map("settings"));
        chart.add("own", config_map(name));
        app
    };
    // given out of order: apps are validated in name order
    assert_eq!(
        expect_errors(synth_apps(vec![shared("beta"), shared("alpha")])),
        [
            format!(
                "error: app `beta`: `beta/beta/namespace` ({}): Namespace `shared` is defined \
                 twice: also by `alpha/alpha/namespace` in app `alpha`",
                output_file("beta", "Namespace.shared.yaml")
            ),
            format!(
                "error: app `beta`: `beta/beta/settings` ({}): ConfigMap `shared/settings` is \
                 defined twice: also by `alpha/alpha/settings` in app `alpha`",
                output_file("beta", "ConfigMap.settings.yaml")
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// workload selectors
// ---------------------------------------------------------------------------------------

#[test]
fn a_workload_selector_that_does_not_match_its_template_is_an_error() {
    let app = demo(|chart| {
        chart.add(
            "web",
            deployment(
                "web",
                match_labels(&[("app", "web")]),
                &[("app", "api")],
                vec![container("web", "nginx:1.27")],
            ),
        );
        chart.add(
            "ok",
            deployment(
                "ok",
                match_labels(&[("app", "ok")]),
                &[("app", "ok"), ("extra", "label")],
                vec![container("ok", "nginx:1.27")],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            r#"spec.selector {"matchLabels":{"app":"web"}} does not match the pod template labels {"app":"api"}"#
        )]
    );
}

#[test]
fn match_expressions_that_hold_select_the_template() {
    let labels = [("app", "web"), ("tier", "frontend")];
    let app = demo(|chart| {
        chart.add(
            "web",
            deployment(
                "web",
                LabelSelector {
                    match_labels: Some(string_map(&[("app", "web")])),
                    match_expressions: Some(vec![
                        expression("tier", "In", &["frontend", "edge"]),
                        expression("tier", "NotIn", &["backend"]),
                        expression("missing", "NotIn", &["x"]),
                        expression("app", "Exists", &[]),
                        expression("canary", "DoesNotExist", &[]),
                    ]),
                },
                &labels,
                vec![container("web", "nginx:1.27")],
            ),
        );
    });
    let set = expect_ok(synth_one(app));
    assert_eq!(set.apps[0].documents.len(), 1);
}

#[test]
fn match_expressions_that_fail_are_errors() {
    let labels = [("app", "web"), ("tier", "frontend")];
    let app = demo(|chart| {
        for (id, requirement) in [
            ("in", expression("tier", "In", &["backend"])),
            ("in-missing", expression("zone", "In", &["a"])),
            ("not-in", expression("tier", "NotIn", &["frontend"])),
            ("exists", expression("zone", "Exists", &[])),
            ("does-not-exist", expression("tier", "DoesNotExist", &[])),
        ] {
            chart.add(
                id,
                deployment(
                    id,
                    match_expressions(vec![requirement]),
                    &labels,
                    vec![container("web", "nginx:1.27")],
                ),
            );
        }
    });
    let labels_json = r#"{"app":"web","tier":"frontend"}"#;
    let expected = |id: &str, selector: &str| {
        demo_error(
            id,
            &format!("Deployment.{id}.yaml"),
            &format!(
                "spec.selector {selector} does not match the pod template labels {labels_json}"
            ),
        )
    };
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            expected(
                "does-not-exist",
                r#"{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}"#
            ),
            expected(
                "exists",
                r#"{"matchExpressions":[{"key":"zone","operator":"Exists"}]}"#
            ),
            expected(
                "in",
                r#"{"matchExpressions":[{"key":"tier","operator":"In","values":["backend"]}]}"#
            ),
            expected(
                "in-missing",
                r#"{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}"#
            ),
            expected(
                "not-in",
                r#"{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["frontend"]}]}"#
            ),
        ]
    );
}

#[test]
fn an_unknown_match_expression_operator_is_an_error() {
    let app = demo(|chart| {
        chart.add(
            "web",
            deployment(
                "web",
                match_expressions(vec![expression("app", "Maybe", &["web"])]),
                &[("app", "web")],
                vec![container("web", "nginx:1.27")],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "spec.selector: unknown matchExpressions operator Maybe"
        )]
    );
}

#[test]
fn a_selector_that_does_not_decode_is_one_finding() {
    let app = demo(|chart| {
        chart.add_untyped(
            "web",
            Untyped::new(
                "apps/v1",
                "Deployment",
                json!({
                    "metadata": {"name": "web"},
                    "spec": {
                        "selector": {"matchLabels": ["app", "web"]},
                        "template": {
                            "metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                        },
                    },
                }),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "Deployment `demo/web`: the object does not decode at \
             `/spec/selector/matchLabels`: invalid type: sequence, expected a map"
        )]
    );
}

#[test]
fn a_deployment_without_a_selector_is_an_error() {
    let app = demo(|chart| {
        chart.add_untyped(
            "untyped",
            Untyped::new(
                "apps/v1",
                "Deployment",
                json!({
                    "metadata": {"name": "untyped"},
                    "spec": {"template": {
                        "metadata": {"labels": {"app": "untyped"}},
                        "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]},
                    }},
                }),
            ),
        );
        // a typed Deployment always has a selector; left at its default it is empty
        chart.add(
            "typed",
            deployment(
                "typed",
                LabelSelector::default(),
                &[("app", "typed")],
                vec![container("a", "nginx:1.27")],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "typed",
                "Deployment.typed.yaml",
                "spec.selector: an empty selector selects every pod; list the pod template labels"
            ),
            demo_error(
                "untyped",
                "Deployment.untyped.yaml",
                "Deployment `demo/untyped` has no spec.selector: it must select its pod template \
                 labels"
            ),
        ]
    );
}

#[test]
fn a_selector_with_empty_match_labels_is_an_empty_selector() {
    // `matchLabels: {}` (and `matchExpressions: []`) select every pod, exactly like `{}`;
    // the API server rejects them as an empty selector.
    let app = demo(|chart| {
        chart.add(
            "web",
            deployment(
                "web",
                LabelSelector {
                    match_labels: Some(BTreeMap::new()),
                    match_expressions: Some(vec![]),
                },
                &[("app", "web")],
                vec![container("a", "nginx:1.27")],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "spec.selector: an empty selector selects every pod; list the pod template labels"
        )]
    );
}

#[test]
fn statefulset_selectors_are_checked_too() {
    let app = demo(|chart| {
        chart.add(
            "db",
            StatefulSet {
                metadata: named("db"),
                spec: Some(StatefulSetSpec {
                    selector: match_labels(&[("app", "db")]),
                    template: pod_template(
                        &[("app", "database")],
                        pod_spec(vec![container("db", "postgres:17")]),
                    ),
                    ..StatefulSetSpec::default()
                }),
                ..StatefulSet::default()
            },
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "db",
            "StatefulSet.db.yaml",
            r#"spec.selector {"matchLabels":{"app":"db"}} does not match the pod template labels {"app":"database"}"#
        )]
    );
}

// ---------------------------------------------------------------------------------------
// Service selectors and target ports
// ---------------------------------------------------------------------------------------

#[test]
fn a_service_whose_selector_matches_no_pod_template_is_an_error() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment("web", vec![container("web", "nginx:1.27")]),
        );
        chart.add("ok", service("ok", &[("app", "web")], vec![]));
        chart.add("typo", service("typo", &[("app", "wbe")], vec![]));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "typo",
            "Service.typo.yaml",
            r#"Service `demo/typo` selects {"app":"wbe"} but no pod template of the app in its namespace has these labels (if it selects pods deployed elsewhere, allow it with `allow(object, Allow::ExternalSelector, "reason")`)"#
        )]
    );
}

#[test]
fn a_service_only_selects_pod_templates_in_its_own_namespace() {
    let mut app = App::new("demo");
    app.chart("pods", ChartProps::namespace("pods")).add(
        "web",
        web_deployment("web", vec![container("web", "nginx:1.27")]),
    );
    app.chart("demo", ChartProps::namespace("demo"))
        .add("web", service("web", &[("app", "web")], vec![]));
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Service.web.yaml",
            r#"Service `demo/web` selects {"app":"web"} but no pod template of the app in its namespace has these labels (if it selects pods deployed elsewhere, allow it with `allow(object, Allow::ExternalSelector, "reason")`)"#
        )]
    );
}

#[test]
fn a_service_allowed_to_select_external_pods_is_not_checked() {
    let app = demo(|chart| {
        let external = chart.add(
            "external",
            service("external", &[("app", "elsewhere")], vec![]),
        );
        chart.allow(
            external,
            Allow::ExternalSelector,
            "selects the pods of the upstream chart",
        );
    });
    let set = expect_ok(synth_one(app));
    assert_eq!(
        set.apps[0].documents[0].allowance(Allow::ExternalSelector),
        Some("selects the pods of the upstream chart")
    );
    assert_eq!(set.apps[0].documents[0].allowance(Allow::SecretData), None);
}

#[test]
fn a_named_target_port_must_be_declared_by_a_selected_container() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment(
                "web",
                vec![container_with_port("web", "nginx:1.27", "http", 8080)],
            ),
        );
        chart.add(
            "web-svc",
            service(
                "web-svc",
                &[("app", "web")],
                vec![
                    IntOrString::String("http".into()),
                    IntOrString::String("metrics".into()),
                    IntOrString::Int(8080),
                ],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web-svc",
            "Service.web-svc.yaml",
            "spec.ports[1].targetPort `metrics` names no container port of the selected pods (a \
             string targetPort is a port name, not a number)"
        )]
    );
}

#[test]
fn a_correct_named_target_port_passes() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment(
                "web",
                vec![container_with_port("web", "nginx:1.27", "http", 8080)],
            ),
        );
        chart.add(
            "web-svc",
            service(
                "web-svc",
                &[("app", "web")],
                vec![IntOrString::String("http".into()), IntOrString::Int(9090)],
            ),
        );
    });
    let set = expect_ok(synth_one(app));
    assert_eq!(
        set.apps[0].documents[1].body()["spec"]["ports"][0]["targetPort"],
        json!("http")
    );
    assert_eq!(
        set.apps[0].documents[1].body()["spec"]["ports"][1]["targetPort"],
        json!(9090)
    );
}

#[test]
fn a_numeric_string_target_port_is_a_port_name() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment(
                "web",
                vec![container_with_port("web", "nginx:1.27", "http", 8080)],
            ),
        );
        chart.add(
            "web-svc",
            service(
                "web-svc",
                &[("app", "web")],
                vec![IntOrString::String("8080".into())],
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web-svc",
            "Service.web-svc.yaml",
            "spec.ports[0].targetPort `8080` names no container port of the selected pods (a \
             string targetPort is a port name, not a number)"
        )]
    );
}

// ---------------------------------------------------------------------------------------
// quantities
// ---------------------------------------------------------------------------------------

#[test]
fn unparsable_container_resources_are_errors_naming_path_and_value() {
    let app = demo(|chart| {
        let mut init = container("init", "busybox:1.36");
        init.resources = Some(ResourceRequirements {
            requests: Some(quantities(&[("cpu", "100 m")])),
            ..ResourceRequirements::default()
        });
        let mut main = container("web", "nginx:1.27");
        main.resources = Some(ResourceRequirements {
            requests: Some(quantities(&[("cpu", "500m"), ("memory", "256Mi")])),
            limits: Some(quantities(&[("memory", "5 Gi"), ("cpu", "1.5")])),
            ..ResourceRequirements::default()
        });
        let spec = PodSpec {
            init_containers: Some(vec![init]),
            ..pod_spec(vec![main])
        };
        chart.add(
            "web",
            deployment_with_spec(
                "web",
                match_labels(&[("app", "web")]),
                &[("app", "web")],
                spec,
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "web",
                "Deployment.web.yaml",
                &format!(
                    "spec.template.spec.containers[0].resources.limits.memory: `5 Gi` {QUANTITY_HINT}"
                )
            ),
            demo_error(
                "web",
                "Deployment.web.yaml",
                &format!(
                    "spec.template.spec.initContainers[0].resources.requests.cpu: `100 m` {QUANTITY_HINT}"
                )
            ),
        ]
    );
}

#[test]
fn unparsable_claim_sizes_are_errors_naming_path_and_value() {
    let app = demo(|chart| {
        chart.add("data", claim("data", "5GB"));
        chart.add("ok", claim("ok", "8Gi"));
        chart.add(
            "db",
            StatefulSet {
                metadata: named("db"),
                spec: Some(StatefulSetSpec {
                    selector: match_labels(&[("app", "db")]),
                    template: pod_template(
                        &[("app", "db")],
                        pod_spec(vec![container("db", "postgres:17")]),
                    ),
                    volume_claim_templates: Some(vec![claim("fine", "1e3"), claim("data", "ten")]),
                    ..StatefulSetSpec::default()
                }),
                ..StatefulSet::default()
            },
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "data",
                "PersistentVolumeClaim.data.yaml",
                &format!("spec.resources.requests.storage: `5GB` {QUANTITY_HINT}")
            ),
            demo_error(
                "db",
                "StatefulSet.db.yaml",
                &format!(
                    "spec.volumeClaimTemplates[1].spec.resources.requests.storage: `ten` {QUANTITY_HINT}"
                )
            ),
        ]
    );
}

#[test]
fn an_unparsable_empty_dir_size_limit_is_an_error_naming_path_and_value() {
    let volume = |name: &str, limit: &str| Volume {
        name: name.to_owned(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity(limit.to_owned())),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    };
    let app = demo(|chart| {
        let spec = PodSpec {
            volumes: Some(vec![volume("cache", "1Gi"), volume("scratch", "1 Gi")]),
            ..pod_spec(vec![container("web", "nginx:1.27")])
        };
        chart.add(
            "web",
            deployment_with_spec(
                "web",
                match_labels(&[("app", "web")]),
                &[("app", "web")],
                spec,
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            &format!("spec.template.spec.volumes[1].emptyDir.sizeLimit: `1 Gi` {QUANTITY_HINT}")
        )]
    );
}

#[test]
fn valid_quantities_pass() {
    let app = demo(|chart| {
        let mut main = container("web", "nginx:1.27");
        main.resources = Some(ResourceRequirements {
            requests: Some(quantities(&[("cpu", "500m"), ("memory", "256Mi")])),
            limits: Some(quantities(&[("cpu", "1.5"), ("memory", "1e9")])),
            ..ResourceRequirements::default()
        });
        let spec = PodSpec {
            volumes: Some(vec![Volume {
                name: "cache".into(),
                empty_dir: Some(EmptyDirVolumeSource {
                    size_limit: Some(Quantity("512Mi".into())),
                    ..EmptyDirVolumeSource::default()
                }),
                ..Volume::default()
            }]),
            ..pod_spec(vec![main])
        };
        chart.add(
            "web",
            deployment_with_spec(
                "web",
                match_labels(&[("app", "web")]),
                &[("app", "web")],
                spec,
            ),
        );
        chart.add("data", claim("data", "50Gi"));
    });
    let set = expect_ok(synth_one(app));
    assert_eq!(set.apps[0].documents.len(), 2);
}

#[test]
fn unparsable_quota_and_limit_range_values_are_errors_naming_path_and_value() {
    let app = demo(|chart| {
        chart.add_untyped(
            "quota",
            Untyped::new(
                "v1",
                "ResourceQuota",
                json!({"metadata": {"name": "quota"},
                       "spec": {"hard": {"cpu": "10 cores", "memory": "64Gi", "pods": 20}}}),
            ),
        );
        chart.add_untyped(
            "limits",
            Untyped::new(
                "v1",
                "LimitRange",
                json!({"metadata": {"name": "limits"}, "spec": {"limits": [
                    {"type": "Container", "max": {"cpu": "4"}, "defaultRequest": {"cpu": "100m"}},
                    {"type": "Container", "default": {"memory": "1 Gi"},
                     "maxLimitRequestRatio": {"cpu": 2}},
                ]}}),
            ),
        );
        // a size written as a number is a quantity
        chart.add_untyped(
            "numeric",
            Untyped::new(
                "v1",
                "PersistentVolumeClaim",
                json!({"metadata": {"name": "numeric"}, "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": 1_073_741_824}}}}),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "limits",
                "LimitRange.limits.yaml",
                &format!("spec.limits[1].default.memory: `1 Gi` {QUANTITY_HINT}")
            ),
            demo_error(
                "quota",
                "ResourceQuota.quota.yaml",
                &format!("spec.hard.cpu: `10 cores` {QUANTITY_HINT}")
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// secrets
// ---------------------------------------------------------------------------------------

const SECRET_VALUE: &str = "hunter2-s3cret";
/// base64 of `SECRET_VALUE`, as a typed Secret's `data` serializes it.
const SECRET_VALUE_BASE64: &str = "aHVudGVyMi1zM2NyZXQ=";
const TOKEN_VALUE: &str = "tok-VALUE-xyz";

fn secret_with_data(name: &str) -> Secret {
    Secret {
        metadata: named(name),
        data: Some(BTreeMap::from([(
            "password".to_owned(),
            ByteString(SECRET_VALUE.as_bytes().to_vec()),
        )])),
        string_data: Some(string_map(&[("token", TOKEN_VALUE)])),
        ..Secret::default()
    }
}

#[test]
fn a_secret_with_data_is_an_error_naming_the_keys_but_never_the_values() {
    let app = demo(|chart| {
        chart.add("creds", secret_with_data("creds"));
        chart.add(
            "only-string-data",
            Secret {
                metadata: named("only-string-data"),
                string_data: Some(string_map(&[("api-key", TOKEN_VALUE)])),
                ..Secret::default()
            },
        );
    });
    let result = synth_one(app);
    let debug = format!("{result:?}");
    let errors = expect_errors(result);
    assert_eq!(
        errors,
        [
            demo_error(
                "creds",
                "Secret.creds.yaml",
                r#"Secret `demo/creds` carries plaintext secret data (data.password, stringData.token): reference a secret store instead (ExternalSecret, SecretProviderClass), or allow it explicitly with `allow(object, Allow::SecretData, "reason")`"#
            ),
            demo_error(
                "only-string-data",
                "Secret.only-string-data.yaml",
                r#"Secret `demo/only-string-data` carries plaintext secret data (stringData.api-key): reference a secret store instead (ExternalSecret, SecretProviderClass), or allow it explicitly with `allow(object, Allow::SecretData, "reason")`"#
            ),
        ]
    );
    for value in [SECRET_VALUE, SECRET_VALUE_BASE64, TOKEN_VALUE] {
        for error in &errors {
            assert!(
                !error.contains(value),
                "a message reveals a secret: {error}"
            );
        }
        assert!(!debug.contains(value), "the error reveals a secret");
    }
}

#[test]
fn a_secret_allowed_to_carry_data_passes() {
    let app = demo(|chart| {
        let creds = chart.add("creds", secret_with_data("creds"));
        chart.allow(
            creds,
            Allow::SecretData,
            "bootstrap credentials, rotated on first login",
        );
    });
    let set = expect_ok(synth_one(app));
    let document = &set.apps[0].documents[0];
    assert_eq!(
        document.allowance(Allow::SecretData),
        Some("bootstrap credentials, rotated on first login")
    );
    assert_eq!(
        document.body()["data"]["password"],
        json!(SECRET_VALUE_BASE64)
    );
}

#[test]
fn a_service_account_token_secret_without_data_passes() {
    let app = demo(|chart| {
        chart.add(
            "token",
            Secret {
                metadata: ObjectMeta {
                    name: Some("robot-token".into()),
                    annotations: Some(string_map(&[(
                        "kubernetes.io/service-account.name",
                        "robot",
                    )])),
                    ..ObjectMeta::default()
                },
                type_: Some("kubernetes.io/service-account-token".into()),
                ..Secret::default()
            },
        );
    });
    let set = expect_ok(synth_one(app));
    assert_eq!(set.apps[0].documents[0].name(), "robot-token");
}

// ---------------------------------------------------------------------------------------
// images
// ---------------------------------------------------------------------------------------

#[test]
fn latest_and_untagged_images_are_warnings_not_errors() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment(
                "web",
                vec![
                    container("untagged", "nginx"),
                    container("latest", "nginx:latest"),
                    container("registry-port", "registry.local:5000/app"),
                    container("pinned", "nginx:1.27"),
                    container("digest", "nginx@sha256:0123abcd"),
                ],
            ),
        );
    });
    let set = expect_ok(synth_one(app));
    let warning = |image: &str| {
        format!(
            "warning: app `demo`: `demo/demo/web` ({}): image `{image}` has no tag or uses \
             `latest`: pin a version or digest so the output says what runs",
            output_file("demo", "Deployment.web.yaml")
        )
    };
    assert_eq!(
        texts(&set.warnings),
        // sorted by message: `:` sorts before the closing backtick
        [
            warning("nginx:latest"),
            warning("nginx"),
            warning("registry.local:5000/app"),
        ]
    );
}

#[test]
fn warnings_are_kept_when_synthesis_fails() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment("web", vec![container("web", "nginx")]),
        );
        chart.add("bad", config_map("Bad"));
    });
    let error = synth_one(app).unwrap_err();
    assert_eq!(error.errors.len(), 1, "{:?}", error.errors);
    assert_eq!(
        texts(&error.warnings),
        [format!(
            "warning: app `demo`: `demo/demo/web` ({}): image `nginx` has no tag or uses \
             `latest`: pin a version or digest so the output says what runs",
            output_file("demo", "Deployment.web.yaml")
        )]
    );
    assert_eq!(error.to_string(), "synthesis found 1 error(s)");
}

// ---------------------------------------------------------------------------------------
// findings together
// ---------------------------------------------------------------------------------------

#[test]
fn every_problem_is_reported_at_once_and_sorted() {
    let app = demo(|chart| {
        // added in reverse order of their paths
        chart.add("c-claim", claim("data", "lots"));
        chart.add("b-config", config_map("Bad_Name"));
        chart.add("a-secret", secret_with_data("creds"));
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "a-secret",
                "Secret.creds.yaml",
                r#"Secret `demo/creds` carries plaintext secret data (data.password, stringData.token): reference a secret store instead (ExternalSecret, SecretProviderClass), or allow it explicitly with `allow(object, Allow::SecretData, "reason")`"#
            ),
            demo_error(
                "b-config",
                "ConfigMap.Bad_Name.yaml",
                r#"invalid name for ConfigMap: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
            ),
            demo_error(
                "c-claim",
                "PersistentVolumeClaim.data.yaml",
                &format!("spec.resources.requests.storage: `lots` {QUANTITY_HINT}")
            ),
        ]
    );
}

#[test]
fn findings_about_included_objects_name_the_source_file_and_document() {
    let app = demo(|chart| {
        chart.include("upstream", "vendor/upstream.yaml");
    });
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Not_Fine
",
    );
    assert_eq!(
        expect_errors(synth_apps_with_files(vec![app], &files)),
        [format!(
            "error: app `demo`: `demo/demo/upstream/1` ({}, vendor/upstream.yaml document 1): {}",
            output_file("demo", "ConfigMap.Not_Fine.yaml"),
            r#"invalid name for ConfigMap: "Not_Fine": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        )]
    );
}

// ---------------------------------------------------------------------------------------
// custom resources against their CRD schemas
// ---------------------------------------------------------------------------------------

fn widget_crd() -> Untyped {
    Untyped::new(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets", "singular": "widget",
                          "listKind": "WidgetList"},
                "scope": "Namespaced",
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                        "spec": {"type": "object", "required": ["size"], "properties": {
                            "size": {"type": "integer", "minimum": 1}}}}}}}],
            },
        }),
    )
}

#[test]
fn a_custom_resource_is_checked_against_a_crd_of_the_synthesis() {
    let good = demo(|chart| {
        chart.add_untyped("crd", widget_crd());
        chart.add_untyped(
            "widget",
            Untyped::new(
                "example.com/v1",
                "Widget",
                json!({"metadata": {"name": "w"}, "spec": {"size": 2}}),
            ),
        );
    });
    expect_ok(synth_one(good));

    let bad = demo(|chart| {
        chart.add_untyped("crd", widget_crd());
        chart.add_untyped(
            "widget",
            Untyped::new(
                "example.com/v1",
                "Widget",
                json!({"metadata": {"name": "w"}, "spec": {"size": 0, "colour": "red"}}),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(bad)),
        [demo_error(
            "widget",
            "Widget.w.yaml",
            "Widget `demo/w` does not match the schema of CRD `widgets.example.com` of app \
             `demo`: at `/spec`: Additional properties are not allowed ('colour' was unexpected); \
             at `/spec/size`: 0 is less than the minimum of 1"
        )]
    );
}

/// The demo app with one ServiceMonitor (an imported CRD's kind) scraping `endpoint`.
fn service_monitor(endpoint: serde_json::Value) -> App {
    demo(|chart| {
        chart.add_untyped(
            "monitor",
            Untyped::new(
                "monitoring.coreos.com/v1",
                "ServiceMonitor",
                json!({"metadata": {"name": "m"},
                       "spec": {"selector": {}, "endpoints": [endpoint]}}),
            ),
        );
    })
}

#[test]
fn a_custom_resource_is_checked_against_the_imported_crd() {
    let monitor = service_monitor;
    expect_ok(synth_one(monitor(
        json!({"port": "http", "path": "/metrics"}),
    )));
    assert_eq!(
        expect_errors(synth_one(monitor(json!({"port": "http", "scheme": "htp"})))),
        [demo_error(
            "monitor",
            "ServiceMonitor.m.yaml",
            "ServiceMonitor `demo/m` does not match the schema of imported CRD \
             `servicemonitors.monitoring.coreos.com`: at `/spec/endpoints/0/scheme`: \
             \"htp\" is not one of \"http\", \"https\" or 2 other candidates"
        )]
    );
}

#[test]
fn custom_resources_found_valid_are_remembered_and_violations_are_found_every_run() {
    let monitor = |scheme: &str| service_monitor(json!({"port": "http", "scheme": scheme}));
    let first = SchemaVerdicts::new("test");
    expect_ok(synth_one_remembering(monitor("http"), &first));
    assert!(first.has_new(), "the valid ServiceMonitor is remembered");

    let second = SchemaVerdicts::from_bytes(&first.to_bytes(), "test");
    expect_ok(synth_one_remembering(monitor("http"), &second));
    assert!(!second.has_new(), "the same ServiceMonitor is known valid");
    let errors = expect_errors(synth_one_remembering(monitor("htp"), &second));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("\"htp\" is not one of"), "{errors:?}");

    // a violation is never remembered: the next run reports it again
    let third = SchemaVerdicts::from_bytes(&second.to_bytes(), "test");
    assert_eq!(
        expect_errors(synth_one_remembering(monitor("htp"), &third)),
        errors
    );
}

#[test]
fn the_cel_rules_of_the_imported_gateway_api_crd_run_like_the_api_server() {
    let route = |spec: serde_json::Value| {
        demo(|chart| {
            let route = chart.add_untyped(
                "route",
                Untyped::new(
                    "gateway.networking.k8s.io/v1",
                    "HTTPRoute",
                    json!({"metadata": {"name": "web"}, "spec": spec}),
                ),
            );
            // only the CRD's own rules are under test here
            chart.allow(
                route,
                Allow::ExternalReference,
                "the gateway and backend are the cluster's",
            );
        })
    };
    let gateway = |section: Option<&str>| {
        let mut parent = json!({"name": "gw", "namespace": "kube-system"});
        if let Some(section) = section {
            parent["sectionName"] = json!(section);
        }
        parent
    };
    // a redirect needs no backend; two listeners of one gateway, named apart (this rule
    // reads `namespace` as `__namespace__`)
    expect_ok(synth_one(route(json!({
        "parentRefs": [gateway(Some("http")), gateway(Some("https"))],
        "rules": [{
            "matches": [{"path": {"type": "PathPrefix", "value": "/old"}}],
            "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]
        }]
    }))));
    let errors = expect_errors(synth_one(route(json!({
        "parentRefs": [gateway(None), gateway(None)],
        "rules": [{
            "matches": [{"path": {"type": "PathPrefix", "value": "old"}}],
            "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
            "backendRefs": [{"name": "web", "port": 80}]
        }]
    }))));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for expected in [
        "at `/spec/parentRefs`: sectionName must be unique when parentRefs includes 2 or more \
         references to the same parent",
        "at `/spec/rules/0`: RequestRedirect filter must not be used together with backendRefs",
        "at `/spec/rules/0/matches/0/path`: value must be an absolute path and start with '/' \
         when type one of ['Exact', 'PathPrefix']",
    ] {
        assert!(errors[0].contains(expected), "{expected}\nin {errors:#?}");
    }
}

#[test]
fn an_imported_crd_installs_with_its_schema_and_an_unknown_one_is_an_error() {
    let set = expect_ok(synth_one(demo(|chart| {
        chart.add_untyped(
            "crd",
            homelab_synth::kit::imported_crd("prometheusrules.monitoring.coreos.com"),
        );
    })));
    let crd = &set.apps[0].documents[0];
    assert_eq!(crd.name(), "prometheusrules.monitoring.coreos.com");
    assert_eq!(crd.namespace(), None, "a CRD is cluster-scoped");
    assert_eq!(crd.body()["spec"]["names"]["kind"], "PrometheusRule");

    let errors = expect_errors(synth_one(demo(|chart| {
        chart.add_untyped(
            "crd",
            homelab_synth::kit::imported_crd("nothing.example.com"),
        );
    })));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("`demo/demo/crd`")
            && errors[0].ends_with(
                ": no imported CustomResourceDefinition is named `nothing.example.com`; see \
                 `synth import`"
            ),
        "{errors:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Pod Security: workloads against their Namespace's enforce label
// ---------------------------------------------------------------------------------------

fn pss_app(level: homelab_synth::kit::PodSecurityLevel, pod_spec: serde_json::Value) -> App {
    demo(|chart| {
        chart.add("namespace", homelab_synth::kit::namespace("demo", level));
        chart.add_untyped(
            "web",
            Untyped::new(
                "apps/v1",
                "Deployment",
                json!({
                    "metadata": {"name": "web"},
                    "spec": {
                        "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec},
                    },
                }),
            ),
        );
    })
}

fn hardened_container(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "image": "nginx:1.27",
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": true,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    })
}

#[test]
fn a_restricted_namespace_admits_a_kit_workload_and_a_hardened_pod() {
    use homelab_synth::kit::workload::{ContainerBuilder, DeploymentBuilder, PodBuilder};
    use homelab_synth::kit::{PodSecurityLevel, namespace};
    let kit = demo(|chart| {
        chart.add("namespace", namespace("demo", PodSecurityLevel::Restricted));
        let mut pod = PodBuilder::new("web");
        pod.container(ContainerBuilder::new("web", "nginx:1.27").port("http", 8080));
        chart.add("web", DeploymentBuilder::new(pod).build());
    });
    expect_ok(synth_one(kit));
    let pod = json!({"containers": [hardened_container("web")]});
    expect_ok(synth_one(pss_app(PodSecurityLevel::Restricted, pod)));
}

#[test]
fn a_restricted_namespace_refuses_what_the_standard_forbids() {
    use homelab_synth::kit::PodSecurityLevel;
    let mut loose = hardened_container("web");
    loose["securityContext"] = json!({"runAsUser": 0, "capabilities": {"add": ["CHOWN"]}});
    let pod = json!({
        "containers": [loose],
        "initContainers": [hardened_container("init")],
        "volumes": [{"name": "nfs", "nfs": {"server": "nas", "path": "/"}}],
    });
    assert_eq!(
        expect_errors(synth_one(pss_app(PodSecurityLevel::Restricted, pod))),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "Deployment `demo/web` would be refused by Namespace `demo` \
             (pod-security.kubernetes.io/enforce: restricted): volume `nfs` is of type `nfs`; \
             container `web` must set `allowPrivilegeEscalation: false`; \
             container `web` must run with `runAsNonRoot: true`; \
             container `web` sets `runAsUser: 0`; \
             container `web` needs seccomp profile `RuntimeDefault` or `Localhost`; \
             container `web` must drop capability `ALL`; container `web` adds capability `CHOWN`"
        )]
    );
}

#[test]
fn a_baseline_namespace_admits_root_but_not_host_access() {
    use homelab_synth::kit::PodSecurityLevel;
    let root = json!({"containers": [{"name": "web", "image": "nginx:1.27",
                                      "securityContext": {"runAsUser": 0}}]});
    expect_ok(synth_one(pss_app(PodSecurityLevel::Baseline, root)));
    let host = json!({
        "hostNetwork": true,
        "containers": [{"name": "agent", "image": "agent:1",
                        "securityContext": {"privileged": true,
                                            "capabilities": {"add": ["NET_ADMIN"]}},
                        "ports": [{"containerPort": 9100, "hostPort": 9100}]}],
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
    });
    assert_eq!(
        expect_errors(synth_one(pss_app(PodSecurityLevel::Baseline, host.clone()))),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "Deployment `demo/web` would be refused by Namespace `demo` \
             (pod-security.kubernetes.io/enforce: baseline): `hostNetwork: true`; \
             volume `root` is a hostPath; container `agent` is privileged; \
             container `agent` adds capability `NET_ADMIN`; container `agent` uses hostPort 9100"
        )]
    );
    expect_ok(synth_one(pss_app(PodSecurityLevel::Privileged, host)));
}

// ---------------------------------------------------------------------------------------
// ConfigMaps and Secrets a pod needs exist
// ---------------------------------------------------------------------------------------

fn consumer(chart: &mut Chart<'_>, optional: bool) -> homelab_synth::ObjectRef {
    chart.add_untyped(
        "web",
        Untyped::new(
            "apps/v1",
            "Deployment",
            json!({
                "metadata": {"name": "web"},
                "spec": {
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                        "containers": [{
                            "name": "web", "image": "nginx:1.27",
                            "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef":
                                {"name": "token", "key": "t", "optional": optional}}}],
                            "envFrom": [{"configMapRef": {"name": "settings"}}],
                        }],
                        "volumes": [
                            {"name": "ca", "configMap": {"name": "kube-root-ca.crt"}},
                            {"name": "synced", "projected": {"sources": [
                                {"secret": {"name": "synced"}}]}},
                        ],
                    }},
                },
            }),
        ),
    )
}

fn synced_class() -> Untyped {
    homelab_synth::kit::OpenBaoSecrets::new("web-secrets", "web")
        .object("A", "secret/data/web", "A")
        .sync("synced", &[("A", "a")])
        .build()
}

#[test]
fn a_config_map_or_secret_a_pod_needs_must_be_provided() {
    let missing = demo(|chart| {
        consumer(chart, false);
    });
    assert_eq!(
        expect_errors(synth_one(missing)),
        [demo_error(
            "web",
            "Deployment.web.yaml",
            "Deployment `demo/web` needs ConfigMap `settings`, Secret `synced`, Secret `token` \
             in namespace `demo`, which nothing in the synthesis provides (if it is made \
             outside GitOps, allow it with `allow(object, Allow::ExternalReference, \"reason\")`)"
        )]
    );

    let provided = demo(|chart| {
        consumer(chart, true);
        chart.add("settings", config_map("settings"));
        chart.add_untyped("class", synced_class());
    });
    expect_ok(synth_one(provided));

    let external = demo(|chart| {
        let web = consumer(chart, false);
        chart.allow(
            web,
            Allow::ExternalReference,
            "made by the bootstrap script",
        );
    });
    expect_ok(synth_one(external));
}

// ---------------------------------------------------------------------------------------
// route and ingress backends
// ---------------------------------------------------------------------------------------

fn untyped_service(name: &str, ports: serde_json::Value) -> Untyped {
    Untyped::new(
        "v1",
        "Service",
        // no selector: endpoints of its own, so only the route rule speaks
        json!({"metadata": {"name": name}, "spec": {"ports": ports}}),
    )
}

fn route(backends: serde_json::Value) -> Untyped {
    Untyped::new(
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        json!({"metadata": {"name": "web"}, "spec": {"rules": [{"backendRefs": backends}]}}),
    )
}

#[test]
fn routes_and_ingresses_reach_services_that_exist_with_that_port() {
    let wrong = demo(|chart| {
        chart.add_untyped(
            "web",
            untyped_service(
                "web",
                json!([{"name": "http", "port": 8080, "targetPort": "http"}]),
            ),
        );
        chart.add_untyped(
            "route",
            route(json!([
                {"name": "web", "port": 8080},
                {"name": "web", "port": 80},
                {"name": "api", "port": 80},
                {"group": "", "kind": "Service", "name": "other", "namespace": "shared", "port": 80},
                {"group": "example.com", "kind": "Bucket", "name": "not-a-service"}
            ])),
        );
        chart.add_untyped(
            "ingress",
            Untyped::new(
                "networking.k8s.io/v1",
                "Ingress",
                json!({"metadata": {"name": "web"}, "spec": {"rules": [{"http": {"paths": [
                    {"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"name": "http"}}}},
                    {"path": "/admin", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"name": "admin"}}}}
                ]}}]}}),
            ),
        );
    });
    let shared = {
        let mut app = App::new("shared");
        app.chart("shared", ChartProps::namespace("shared"))
            .add_untyped("other", untyped_service("other", json!([{"port": 80}])));
        app
    };
    assert_eq!(
        expect_errors(synth_apps(vec![wrong, shared])),
        [
            demo_error(
                "ingress",
                "Ingress.web.yaml",
                "Ingress `demo/web` sends traffic to backends that do not exist: Service \
                 `demo/web` has no port `admin` (it has: 8080 (http)) (if a backend is made \
                 outside the synthesis, allow it with \
                 `allow(object, Allow::ExternalReference, \"reason\")`)"
            ),
            demo_error(
                "route",
                "HTTPRoute.web.yaml",
                "HTTPRoute `demo/web` sends traffic to backends that do not exist: Service \
                 `api` in namespace `demo` is not in the synthesis; Service `demo/web` has no \
                 port 80 (it has: 8080 (http)); Service `shared/other` is in another namespace \
                 and no ReferenceGrant there lets HTTPRoutes from `demo` reach it (if a backend \
                 is made outside the synthesis, allow it with \
                 `allow(object, Allow::ExternalReference, \"reason\")`)"
            ),
        ]
    );

    // a ReferenceGrant in the target namespace admits the route; an operator's Service counts
    let granted = demo(|chart| {
        chart.add_untyped(
            "route",
            route(json!([
                {"name": "other", "namespace": "shared", "port": 80},
                {"name": "vmsingle-vm", "port": 8428}
            ])),
        );
        chart.add_untyped(
            "vm",
            Untyped::new(
                "operator.victoriametrics.com/v1beta1",
                "VMSingle",
                json!({"metadata": {"name": "vm"}, "spec": {}}),
            ),
        );
    });
    let shared = {
        let mut app = App::new("shared");
        let mut chart = app.chart("shared", ChartProps::namespace("shared"));
        chart.add_untyped("other", untyped_service("other", json!([{"port": 80}])));
        chart.add_untyped(
            "grant",
            Untyped::new(
                "gateway.networking.k8s.io/v1beta1",
                "ReferenceGrant",
                json!({"metadata": {"name": "from-demo"}, "spec": {
                    "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute",
                              "namespace": "demo"}],
                    "to": [{"group": "", "kind": "Service"}]}}),
            ),
        );
        app
    };
    let errors: Vec<String> = match synth_apps(vec![granted, shared]) {
        Ok(_) => Vec::new(),
        Err(error) => texts(&error.errors)
            .into_iter()
            .filter(|text| text.contains("backends"))
            .collect(),
    };
    assert_eq!(errors, Vec::<String>::new());

    let external = demo(|chart| {
        let route = chart.add_untyped("route", route(json!([{"name": "elsewhere", "port": 80}])));
        chart.allow(
            route,
            Allow::ExternalReference,
            "installed by upstream manifests",
        );
    });
    expect_ok(synth_one(external));
}

#[test]
fn a_built_in_object_that_does_not_decode_is_one_finding_and_the_rules_skip_it() {
    let app = demo(|chart| {
        chart.add(
            "web",
            web_deployment(
                "web",
                vec![container_with_port("web", "nginx:1.27", "http", 8080)],
            ),
        );
        // a port number written as a string: had it decoded, the selector (which selects no
        // pod) and the target port (which no container declares) would be findings too
        chart.add_untyped(
            "svc",
            Untyped::new(
                "v1",
                "Service",
                json!({"metadata": {"name": "svc"}, "spec": {
                    "selector": {"app": "nothing"},
                    "ports": [{"port": "80", "targetPort": "metrics"}]}}),
            ),
        );
        // a route to it is not checked against its ports, nor reported as missing
        chart.add_untyped("route", route(json!([{"name": "svc", "port": 8080}])));
        // an Ingress to a Service that does not exist, whose port number is a string
        chart.add_untyped(
            "ingress",
            Untyped::new(
                "networking.k8s.io/v1",
                "Ingress",
                json!({"metadata": {"name": "web"}, "spec": {"rules": [{"http": {"paths": [
                    {"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "ghost", "port": {"number": "80"}}}}
                ]}}]}}),
            ),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "ingress",
                "Ingress.web.yaml",
                "Ingress `demo/web`: the object does not decode at \
                 `/spec/rules/0/http/paths/0/backend/service/port/number`: invalid type: \
                 string \"80\", expected i32"
            ),
            demo_error(
                "svc",
                "Service.svc.yaml",
                "Service `demo/svc`: the object does not decode at `/spec/ports/0/port`: \
                 invalid type: string \"80\", expected i32"
            ),
        ]
    );
    let rules: Vec<&str> = match synth_one(demo(|chart| {
        chart.add_untyped(
            "svc",
            Untyped::new(
                "v1",
                "Service",
                json!({"metadata": {"name": "svc"}, "spec": {"ports": [{"port": "80"}]}}),
            ),
        );
    })) {
        Ok(_) => Vec::new(),
        Err(error) => error.errors.iter().map(|finding| finding.rule).collect(),
    };
    assert_eq!(rules, ["objects"]);
}

#[test]
fn a_namespace_with_a_label_that_is_not_a_string_enforces_nothing() {
    let app = demo(|chart| {
        chart.add_untyped(
            "namespace",
            Untyped::new(
                "v1",
                "Namespace",
                json!({"metadata": {"name": "demo", "labels": {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "team": 7,
                }}}),
            ),
        );
        // a root pod the restricted level would refuse, had the Namespace decoded
        chart.add(
            "web",
            web_deployment("web", vec![container("web", "nginx:1.27")]),
        );
    });
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            demo_error(
                "namespace",
                "Namespace.demo.yaml",
                "Namespace `demo`: the object does not decode at `/metadata/labels/team`: \
                 invalid type: integer `7`, expected a string"
            ),
            // the identity rule reads the metadata of every kind as JSON
            demo_error(
                "namespace",
                "Namespace.demo.yaml",
                "label `team` must be a string, found 7"
            ),
        ]
    );
}

#[test]
fn a_route_must_be_able_to_attach_to_its_gateway() {
    let gateway_app = |listeners: serde_json::Value| {
        let mut app = App::new("edge");
        let mut chart = app.chart("edge", ChartProps::namespace("edge"));
        chart.add_untyped(
            "gateway",
            Untyped::new(
                "gateway.networking.k8s.io/v1",
                "Gateway",
                json!({"metadata": {"name": "gw"},
                       "spec": {"gatewayClassName": "cilium", "listeners": listeners}}),
            ),
        );
        app
    };
    let route_app = |parents: serde_json::Value, labels: serde_json::Value| {
        demo(|chart| {
            chart.add_untyped(
                "namespace",
                Untyped::new(
                    "v1",
                    "Namespace",
                    json!({"metadata": {"name": "demo", "labels": labels}}),
                ),
            );
            chart.add_untyped("web", untyped_service("web", json!([{"port": 80}])));
            chart.add_untyped(
                "route",
                Untyped::new(
                    "gateway.networking.k8s.io/v1",
                    "HTTPRoute",
                    json!({"metadata": {"name": "web"}, "spec": {
                        "parentRefs": parents,
                        "hostnames": ["web.example.org"],
                        "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}),
                ),
            );
        })
    };
    let listeners = json!([
        {"name": "internal", "protocol": "HTTP", "port": 80},
        {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "*.madhan.app",
         "tls": {"certificateRefs": [{"name": "cert"}]},
         "allowedRoutes": {"namespaces": {"from": "All"}}},
        {"name": "team", "protocol": "HTTP", "port": 8080,
         "allowedRoutes": {"namespaces": {"from": "Selector",
             "selector": {"matchLabels": {"team": "web"}}}}}
    ]);
    // (a Gateway the synthesis lacks, `elsewhere`, is reported only for apps from a registry,
    // where the synthesis holds the whole workspace; the CRD's own CEL rule also objects to mixing a parentRef with and one without a
    // sectionName: that finding is the schema rule's, not this one's)
    let errors: Vec<String> = expect_errors(synth_apps(vec![
        gateway_app(listeners.clone()),
        route_app(
            json!([
                {"name": "gw", "namespace": "edge"},
                {"name": "gw", "namespace": "edge", "sectionName": "missing"},
                {"name": "elsewhere", "namespace": "edge"}
            ]),
            json!({}),
        ),
    ]))
    .into_iter()
    .filter(|error| error.contains("would not be accepted"))
    .collect();
    assert_eq!(
        errors,
        [demo_error(
            "route",
            "HTTPRoute.web.yaml",
            "HTTPRoute `demo/web` would not be accepted: it cannot attach to Gateway \
             `edge/gw`: listener `internal` admits routes from namespace `edge` only, listener \
             `https` serves `*.madhan.app`, which matches none of `web.example.org`, listener \
             `team` selects namespaces by labels that namespace `demo` does not have; it \
             cannot attach to Gateway `edge/gw`: it has no listener `missing` on that port (if \
             the Gateway is made outside the synthesis, allow it with \
             `allow(object, Allow::ExternalReference, \"reason\")`)"
        )]
    );

    // the team's namespace label lets it in through the selector listener
    expect_ok(synth_apps(vec![
        gateway_app(listeners),
        route_app(
            json!([{"name": "gw", "namespace": "edge", "sectionName": "team"}]),
            json!({"team": "web"}),
        ),
    ]));
}

// ---------------------------------------------------------------------------------------
// mounts, probes and kit opt-outs inside pods
// ---------------------------------------------------------------------------------------

#[test]
fn mounts_need_a_volume_and_probes_a_declared_port() {
    let pod = |mount: &str, probe_port: &str| {
        demo(move |chart| {
            chart.add_untyped(
                "db",
                Untyped::new(
                    "apps/v1",
                    "StatefulSet",
                    json!({
                        "metadata": {"name": "db"},
                        "spec": {
                            "serviceName": "db",
                            "selector": {"matchLabels": {"app": "db"}},
                            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                                "containers": [{
                                    "name": "db", "image": "postgres:17",
                                    "ports": [{"name": "pg", "containerPort": 5432}],
                                    "readinessProbe": {"tcpSocket": {"port": probe_port}},
                                    "livenessProbe": {"tcpSocket": {"port": 5432}},
                                    "volumeMounts": [
                                        {"name": mount, "mountPath": "/var/lib/postgresql"},
                                        {"name": "run", "mountPath": "/run"},
                                    ],
                                }],
                                "volumes": [{"name": "run", "emptyDir": {}}],
                            }},
                            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                "spec": {"accessModes": ["ReadWriteOnce"],
                                         "resources": {"requests": {"storage": "1Gi"}}}}],
                        },
                    }),
                ),
            );
        })
    };
    expect_ok(synth_one(pod("data", "pg")));
    assert_eq!(
        expect_errors(synth_one(pod("date", "postgres"))),
        [demo_error(
            "db",
            "StatefulSet.db.yaml",
            "StatefulSet `demo/db`: container `db` mounts volume `date`, which the pod does not \
             have; the readinessProbe of container `db` uses port `postgres`, which the \
             container does not declare"
        )]
    );
}

#[test]
fn a_kit_opt_out_without_a_reason_is_an_error_not_a_panic() {
    use homelab_synth::kit::workload::{ContainerBuilder, DeploymentBuilder, PodBuilder};
    let app = demo(|chart| {
        let mut pod = PodBuilder::new("web");
        pod.container(ContainerBuilder::new("web", "nginx:1.27").run_as_root(" "));
        chart.add("web", DeploymentBuilder::new(pod).build());
    });
    let errors = expect_errors(synth_one(app));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with("error: app `demo`: `demo/demo/web` (demo/Deployment.web.yaml): ")
            && errors[0].ends_with("has no reason"),
        "{errors:#?}"
    );
}
