//! Integration tests of the construct model: charts and their metadata, scopes, typed and
//! untyped objects, generated names, JSON patches, includes, dependencies, output file names,
//! determinism and the app registry. Everything goes through the public API and
//! `synthesize`, and asserts exact values.

use std::collections::BTreeMap;

use homelab_synth::kit::{named, string_map};
use homelab_synth::{
    App, BuiltApps, ChartProps, Document, JsonPatch, ManifestSet, MemoryFiles, Naming, Origin,
    Registry, Scope, SynthError, Untyped, build_apps, build_cluster_apps,
};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionSpec,
    CustomResourceDefinitionVersion,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::CustomResource;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::support::{
    expect_errors, expect_ok, synth_apps, synth_built, synth_one, synth_with_files,
};

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

/// Every document of every app, in output order.
fn documents(set: &ManifestSet) -> Vec<&Document> {
    set.apps.iter().flat_map(|app| &app.documents).collect()
}

/// Construct paths of every document, in output order.
fn paths(set: &ManifestSet) -> Vec<String> {
    documents(set).iter().map(|d| d.path.clone()).collect()
}

/// The document at construct path `path`.
fn document<'a>(set: &'a ManifestSet, path: &str) -> &'a Document {
    documents(set)
        .into_iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no document at `{path}`; have {:?}", paths(set)))
}

/// `metadata` of the document at `path`.
fn metadata(set: &ManifestSet, path: &str) -> Value {
    document(set, path).body()["metadata"].take()
}

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: named(name),
        data: Some(string_map(&[("key", "value")])),
        ..ConfigMap::default()
    }
}

fn unnamed_config_map() -> ConfigMap {
    ConfigMap {
        data: Some(string_map(&[("key", "value")])),
        ..ConfigMap::default()
    }
}

fn crd(group: &str, kind: &str, plural: &str, scope: &str) -> CustomResourceDefinition {
    CustomResourceDefinition {
        metadata: named(&format!("{plural}.{group}")),
        spec: CustomResourceDefinitionSpec {
            group: group.to_owned(),
            names: CustomResourceDefinitionNames {
                kind: kind.to_owned(),
                plural: plural.to_owned(),
                ..CustomResourceDefinitionNames::default()
            },
            scope: scope.to_owned(),
            versions: vec![CustomResourceDefinitionVersion {
                name: "v1".into(),
                served: true,
                storage: true,
                ..CustomResourceDefinitionVersion::default()
            }],
            ..CustomResourceDefinitionSpec::default()
        },
        ..CustomResourceDefinition::default()
    }
}

/// A custom resource type defined with kube's derive, namespaced.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "example.com",
    version = "v1",
    kind = "Widget",
    namespaced,
    schema = "disabled"
)]
pub struct WidgetSpec {
    size: u32,
}

/// A custom resource type defined with kube's derive, cluster-scoped.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "example.com",
    version = "v1",
    kind = "Gadget",
    schema = "disabled"
)]
pub struct GadgetSpec {
    color: String,
}

/// A custom resource type whose spec JSON cannot represent (a map with non-string keys).
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "example.com",
    version = "v1",
    kind = "Odd",
    namespaced,
    schema = "disabled"
)]
pub struct OddSpec {
    by_pair: BTreeMap<(u8, u8), String>,
}

// ---------------------------------------------------------------------------------------
// metadata
// ---------------------------------------------------------------------------------------

#[test]
fn chart_labels_and_annotations_are_merged_under_the_objects_own() {
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "demo",
        ChartProps {
            namespace: Some("demo".into()),
            labels: string_map(&[("team", "platform"), ("tier", "chart")]),
            annotations: string_map(&[("owner", "chart"), ("note", "from-chart")]),
            ..ChartProps::default()
        },
    );
    chart.add(
        "settings",
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("settings".into()),
                labels: Some(string_map(&[("tier", "object"), ("app", "settings")])),
                annotations: Some(string_map(&[("owner", "object")])),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        },
    );
    chart.add("plain", config_map("plain"));
    let set = expect_ok(synth_one(app));

    assert_eq!(
        metadata(&set, "demo/demo/settings"),
        json!({
            "name": "settings",
            "namespace": "demo",
            "labels": {"app": "settings", "team": "platform", "tier": "object"},
            "annotations": {"note": "from-chart", "owner": "object"},
        })
    );
    assert_eq!(
        metadata(&set, "demo/demo/plain"),
        json!({
            "name": "plain",
            "namespace": "demo",
            "labels": {"team": "platform", "tier": "chart"},
            "annotations": {"note": "from-chart", "owner": "chart"},
        })
    );
}

#[test]
fn chart_namespace_is_set_on_namespaced_kinds_only() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", config_map("settings"));
    chart.add(
        "namespace",
        Namespace {
            metadata: named("demo"),
            ..Namespace::default()
        },
    );
    chart.add(
        "reader",
        ClusterRole {
            metadata: named("reader"),
            ..ClusterRole::default()
        },
    );
    chart.add("crd", crd("example.com", "Thing", "things", "Namespaced"));
    let set = expect_ok(synth_one(app));

    let namespaces: Vec<(&str, Option<&str>, Scope)> = documents(&set)
        .iter()
        .map(|d| (d.kind(), d.namespace(), d.scope))
        .collect();
    assert_eq!(
        namespaces,
        [
            ("ConfigMap", Some("demo"), Scope::Namespaced),
            ("Namespace", None, Scope::Cluster),
            ("ClusterRole", None, Scope::Cluster),
            ("CustomResourceDefinition", None, Scope::Cluster),
        ]
    );
    assert_eq!(
        metadata(&set, "demo/demo/reader"),
        json!({"name": "reader"})
    );
}

#[test]
fn an_explicit_namespace_on_a_namespaced_object_is_kept() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add(
        "elsewhere",
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("elsewhere".into()),
                namespace: Some("kube-system".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        },
    );
    let set = expect_ok(synth_one(app));
    assert_eq!(
        document(&set, "demo/demo/elsewhere").namespace(),
        Some("kube-system")
    );
    assert_eq!(set.apps[0].namespaces, ["demo"]);
}

#[test]
fn typed_objects_keep_their_fields_and_get_api_version_and_kind() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", config_map("settings"));
    let set = expect_ok(synth_one(app));
    assert_eq!(
        document(&set, "demo/demo/settings").body(),
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "demo"},
            "data": {"key": "value"},
        })
    );
    assert_eq!(set.apps[0].name, "demo");
    assert_eq!(set.apps[0].category, "test");
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
}

#[test]
fn an_object_added_earlier_reads_back_as_built_before_synthesis() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let settings = chart.add("settings", config_map("settings"));
    let read = chart.body(settings).expect("the object was added");
    assert_eq!(
        Value::Object(read),
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings"},
            "data": {"key": "value"},
        }),
        "no chart namespace yet: that is synthesis"
    );
}

// ---------------------------------------------------------------------------------------
// scopes
// ---------------------------------------------------------------------------------------

#[test]
fn typed_objects_take_their_scope_from_their_type() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", config_map("settings"));
    chart.add(
        "reader",
        ClusterRole {
            metadata: named("reader"),
            ..ClusterRole::default()
        },
    );
    let set = expect_ok(synth_one(app));
    assert_eq!(
        document(&set, "demo/demo/settings").scope,
        Scope::Namespaced
    );
    assert_eq!(document(&set, "demo/demo/reader").scope, Scope::Cluster);
}

#[test]
fn untyped_objects_of_known_kinds_take_their_scope_from_the_builtin_table() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped(
        "settings",
        Untyped::new(
            "v1",
            "ConfigMap",
            json!({"metadata": {"name": "settings"}, "data": {"a": "b"}}),
        ),
    );
    chart.add_untyped(
        "issuer",
        Untyped::new(
            "cert-manager.io/v1",
            "ClusterIssuer",
            json!({"metadata": {"name": "letsencrypt"}, "spec": {"selfSigned": {}}}),
        ),
    );
    chart.add_untyped(
        "route",
        Untyped::new(
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            json!({"metadata": {"name": "web"}, "spec": {}}),
        ),
    );
    let set = expect_ok(synth_one(app));
    let scopes: Vec<(&str, Scope, Option<&str>)> = documents(&set)
        .iter()
        .map(|d| (d.kind(), d.scope, d.namespace()))
        .collect();
    assert_eq!(
        scopes,
        [
            ("ConfigMap", Scope::Namespaced, Some("demo")),
            ("ClusterIssuer", Scope::Cluster, None),
            ("HTTPRoute", Scope::Namespaced, Some("demo")),
        ]
    );
    assert_eq!(
        document(&set, "demo/demo/settings").body(),
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "demo"},
            "data": {"a": "b"},
        })
    );
}

#[test]
fn untyped_apiversion_and_kind_in_the_body_are_replaced_by_the_arguments() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped(
        "settings",
        Untyped::new(
            "v1",
            "ConfigMap",
            json!({"apiVersion": "v2", "kind": "Other", "metadata": {"name": "settings"}}),
        ),
    );
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/settings");
    assert_eq!((doc.api_version(), doc.kind()), ("v1", "ConfigMap"));
}

#[test]
fn an_untyped_object_of_an_unknown_kind_is_an_error_suggesting_untyped_scope() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped(
        "widget",
        Untyped::new(
            "example.com/v1",
            "Widget",
            json!({"metadata": {"name": "w"}}),
        ),
    );
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/widget`: the scope of kind `Widget` (apiVersion \
             `example.com/v1`) is unknown: declare it with `Untyped::scope(Scope::Namespaced)` \
             or `Scope::Cluster`, or include its CustomResourceDefinition"
        ]
    );
}

#[test]
fn an_untyped_kind_declared_by_a_crd_in_another_app_takes_its_scope_from_the_crd() {
    let mut crds = App::new("crds");
    let mut chart = crds.chart("crds", ChartProps::default());
    chart.add(
        "widgets",
        crd("example.com", "Widget", "widgets", "Namespaced"),
    );
    chart.add(
        "gadgets",
        crd("example.com", "Gadget", "gadgets", "Cluster"),
    );

    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped(
        "widget",
        Untyped::new(
            "example.com/v1",
            "Widget",
            json!({"metadata": {"name": "w"}}),
        ),
    );
    chart.add_untyped(
        "gadget",
        Untyped::new(
            "example.com/v1",
            "Gadget",
            json!({"metadata": {"name": "g"}}),
        ),
    );
    let set = expect_ok(synth_apps(vec![app, crds]));

    let widget = document(&set, "demo/demo/widget");
    assert_eq!(
        (widget.scope, widget.namespace()),
        (Scope::Namespaced, Some("demo"))
    );
    let gadget = document(&set, "demo/demo/gadget");
    assert_eq!((gadget.scope, gadget.namespace()), (Scope::Cluster, None));
    // apps come out in name order
    let apps: Vec<&str> = set.apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(apps, ["crds", "demo"]);
}

#[test]
fn an_explicit_scope_is_used_for_kinds_nobody_knows() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped(
        "widget",
        Untyped::new(
            "example.com/v1",
            "Widget",
            json!({"metadata": {"name": "w"}}),
        )
        .scope(Scope::Namespaced),
    );
    chart.add_untyped(
        "gadget",
        Untyped::new(
            "example.com/v1",
            "Gadget",
            json!({"metadata": {"name": "g"}}),
        )
        .scope(Scope::Cluster),
    );
    let set = expect_ok(synth_one(app));
    assert_eq!(
        metadata(&set, "demo/demo/widget"),
        json!({"name": "w", "namespace": "demo"})
    );
    assert_eq!(metadata(&set, "demo/demo/gadget"), json!({"name": "g"}));
    assert_eq!(document(&set, "demo/demo/gadget").scope, Scope::Cluster);
}

#[test]
fn an_untyped_body_that_is_not_a_json_object_is_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add_untyped("odd", Untyped::new("v1", "ConfigMap", json!(["a", "b"])));
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/odd`: the body of an untyped object must be a JSON \
             object, found [\"a\",\"b\"]"
        ]
    );
}

#[test]
fn a_typed_object_that_cannot_be_serialized_is_an_error_naming_it() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add(
        "broken",
        Odd::new(
            "broken",
            OddSpec {
                by_pair: BTreeMap::from([((1, 2), "x".to_owned())]),
            },
        ),
    );
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/broken`: object `demo/demo/broken` could not be serialized: key must be a string"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// kube::CustomResource types
// ---------------------------------------------------------------------------------------

#[test]
fn a_namespaced_custom_resource_type_plugs_in_like_a_k8s_openapi_type() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("widget", Widget::new("big", WidgetSpec { size: 3 }));
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/widget");
    assert_eq!(doc.scope, Scope::Namespaced);
    assert_eq!(
        doc.body(),
        json!({
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "big", "namespace": "demo"},
            "spec": {"size": 3},
        })
    );
    assert_eq!(doc.file_name, "Widget.big.yaml");
}

#[test]
fn a_cluster_scoped_custom_resource_type_gets_no_namespace() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add(
        "gadget",
        Gadget::new(
            "red",
            GadgetSpec {
                color: "red".into(),
            },
        ),
    );
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/gadget");
    assert_eq!(doc.scope, Scope::Cluster);
    assert_eq!(
        doc.body(),
        json!({
            "apiVersion": "example.com/v1",
            "kind": "Gadget",
            "metadata": {"name": "red"},
            "spec": {"color": "red"},
        })
    );
}

// ---------------------------------------------------------------------------------------
// names
// ---------------------------------------------------------------------------------------

#[test]
fn explicit_names_are_kept_under_every_naming() {
    for naming in [Naming::Readable, Naming::Cdk8s] {
        let mut app = App::new("demo");
        let mut chart = app.chart(
            "demo",
            ChartProps {
                namespace: Some("demo".into()),
                naming,
                ..ChartProps::default()
            },
        );
        chart.add("some-id", config_map("explicit-name"));
        let set = expect_ok(synth_one(app));
        assert_eq!(
            document(&set, "demo/demo/some-id").name(),
            "explicit-name",
            "{naming:?}"
        );
    }
}

#[test]
fn readable_names_are_generated_from_the_construct_id() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", unnamed_config_map());
    chart.add("Web_Server.Config", unnamed_config_map());
    let set = expect_ok(synth_one(app));
    assert_eq!(document(&set, "demo/demo/settings").name(), "settings");
    assert_eq!(
        document(&set, "demo/demo/Web_Server.Config").name(),
        "web-server-config"
    );
}

#[test]
fn cdk8s_naming_gives_the_names_cdk8s_gives() {
    // `test-resource1-c85cb0fc` is the name cdk8s' own tests expect for an ApiObject with id
    // `resource1` in the chart `test`.
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "test",
        ChartProps {
            namespace: Some("demo".into()),
            naming: Naming::Cdk8s,
            ..ChartProps::default()
        },
    );
    chart.add("resource1", unnamed_config_map());
    chart.add("web", unnamed_config_map());
    let set = expect_ok(synth_one(app));
    assert_eq!(
        document(&set, "demo/test/resource1").name(),
        "test-resource1-c85cb0fc"
    );
    // `c8` + sha1("\ntest\nweb\n"), cut to 8 characters
    assert_eq!(document(&set, "demo/test/web").name(), "test-web-c8694308");
}

#[test]
fn duplicate_object_ids_in_a_chart_are_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", config_map("first"));
    chart.add("settings", config_map("second"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/settings`: duplicate construct id: `demo/demo/settings` is already used"
        ]
    );
}

#[test]
fn an_include_and_an_object_may_not_share_an_id() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("upstream", config_map("first"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n",
    );
    assert_eq!(
        expect_errors(synth_with_files(app, &files)),
        [
            "error: app `demo`: `demo/demo/upstream`: duplicate construct id: `demo/demo/upstream` is already used"
        ]
    );
}

#[test]
fn duplicate_chart_ids_are_an_error() {
    let mut app = App::new("demo");
    app.chart("demo", ChartProps::namespace("demo"))
        .add("a", config_map("a"));
    app.chart("demo", ChartProps::namespace("demo"))
        .add("b", config_map("b"));
    assert_eq!(
        expect_errors(synth_one(app)),
        ["error: app `demo`: `demo/demo`: duplicate construct id: `demo/demo` is already used"]
    );
}

#[test]
fn the_same_id_in_two_charts_is_fine() {
    let mut app = App::new("demo");
    app.chart("one", ChartProps::namespace("one"))
        .add("settings", unnamed_config_map());
    app.chart("two", ChartProps::namespace("two"))
        .add("settings", unnamed_config_map());
    let set = expect_ok(synth_one(app));
    assert_eq!(paths(&set), ["demo/one/settings", "demo/two/settings"]);
}

#[test]
fn ids_with_a_slash_or_empty_ids_are_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("a/b", config_map("slashed"));
    chart.add("", config_map("empty"));
    app.chart("x/y", ChartProps::namespace("demo"))
        .add("c", config_map("in-bad-chart"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo`: invalid construct id `x/y` under `demo`: ids must be \
             non-empty and contain no `/`",
            "error: app `demo`: `demo/demo`: invalid construct id `` under `demo/demo`: ids \
             must be non-empty and contain no `/`",
            "error: app `demo`: `demo/demo`: invalid construct id `a/b` under `demo/demo`: ids \
             must be non-empty and contain no `/`",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// JSON patches
// ---------------------------------------------------------------------------------------

#[test]
fn patches_apply_after_metadata_resolution() {
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "demo",
        ChartProps {
            namespace: Some("demo".into()),
            labels: string_map(&[("team", "platform")]),
            ..ChartProps::default()
        },
    );
    let settings = chart.add("settings", unnamed_config_map());
    chart.patch(
        settings,
        JsonPatch::replace("/metadata/namespace", json!("elsewhere"))
            .then(JsonPatch::add("/metadata/labels/extra", json!("yes")))
            .then(JsonPatch::test("/metadata/name", json!("settings"))),
    );
    chart.patch(settings, JsonPatch::replace("/data/key", json!("patched")));
    let set = expect_ok(synth_one(app));
    assert_eq!(
        document(&set, "demo/demo/settings").body(),
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "settings",
                "namespace": "elsewhere",
                "labels": {"extra": "yes", "team": "platform"},
            },
            "data": {"key": "patched"},
        })
    );
}

#[test]
fn a_failing_patch_is_an_error_naming_the_object_and_the_operation() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let settings = chart.add("settings", config_map("settings"));
    chart.patch(
        settings,
        JsonPatch::replace("/data/key", json!("x")).then(JsonPatch::remove("/spec/missing")),
    );
    // the reason after the path is json-patch's own text
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/settings`: operation 1 of patch \
             [{\"op\":\"replace\",\"path\":\"/data/key\",\"value\":\"x\"},\
             {\"op\":\"remove\",\"path\":\"/spec/missing\"}] failed at `/spec/missing`: \
             path is invalid"
        ]
    );
}

#[test]
fn a_malformed_patch_is_an_error_naming_the_object() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let settings = chart.add("settings", config_map("settings"));
    chart.patch(
        settings,
        JsonPatch::from_operations(json!([{"op": "frobnicate", "path": "/data"}])),
    );
    let errors = expect_errors(synth_one(app));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let prefix = "error: app `demo`: `demo/demo/settings`: patch \
                  [{\"op\":\"frobnicate\",\"path\":\"/data\"}] is not a valid JSON patch: ";
    assert!(errors[0].starts_with(prefix), "{}", errors[0]);
}

#[test]
fn a_patch_that_changes_the_kind_retypes_the_object() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let object = chart.add(
        "account",
        ConfigMap {
            metadata: named("robot"),
            ..ConfigMap::default()
        },
    );
    chart.patch(object, JsonPatch::replace("/kind", json!("ServiceAccount")));
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/account");
    assert_eq!(
        doc.body(),
        json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "robot", "namespace": "demo"},
        })
    );
    assert_eq!(doc.scope, Scope::Namespaced);
    assert_eq!(doc.file_name, "ServiceAccount.robot.yaml");
}

#[test]
fn a_patch_that_changes_the_kind_to_a_cluster_scoped_kind_takes_that_scope() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let object = chart.add(
        "class",
        ConfigMap {
            metadata: named("fast"),
            ..ConfigMap::default()
        },
    );
    chart.patch(
        object,
        JsonPatch::replace("/apiVersion", json!("scheduling.k8s.io/v1"))
            .then(JsonPatch::replace("/kind", json!("PriorityClass")))
            .then(JsonPatch::remove("/metadata/namespace"))
            .then(JsonPatch::add("/value", json!(1000))),
    );
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/class");
    assert_eq!(doc.scope, Scope::Cluster);
    assert_eq!(
        doc.body(),
        json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "fast"},
            "value": 1000,
        })
    );
}

#[test]
fn a_patch_that_changes_the_kind_to_an_unknown_kind_is_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let object = chart.add("thing", config_map("thing"));
    chart.patch(
        object,
        JsonPatch::replace("/apiVersion", json!("example.com/v1"))
            .then(JsonPatch::replace("/kind", json!("Widget"))),
    );
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/thing`: the scope of kind `Widget` (apiVersion \
             `example.com/v1`) is unknown: declare it with `Untyped::scope(Scope::Namespaced)` \
             or `Scope::Cluster`, or include its CustomResourceDefinition"
        ]
    );
}

#[test]
fn a_patch_that_removes_the_kind_is_an_error() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let object = chart.add("thing", config_map("thing"));
    chart.patch(object, JsonPatch::remove("/kind"));
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/thing`: after patches the object has no `apiVersion` or `kind`"
        ]
    );
}

#[test]
fn a_patch_that_changes_only_the_version_keeps_the_declared_scope() {
    // Group and kind stay the same, so the scope declared by the type (or by
    // `Untyped::scope`) still holds.
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let typed = chart.add("widget", Widget::new("big", WidgetSpec { size: 3 }));
    chart.patch(
        typed,
        JsonPatch::replace("/apiVersion", json!("example.com/v2")),
    );
    let untyped = chart.add_untyped(
        "gadget",
        Untyped::new(
            "example.com/v1",
            "Gadget",
            json!({"metadata": {"name": "g"}}),
        )
        .scope(Scope::Cluster),
    );
    chart.patch(
        untyped,
        JsonPatch::replace("/apiVersion", json!("example.com/v1beta1")),
    );
    let set = expect_ok(synth_one(app));
    let widget = document(&set, "demo/demo/widget");
    assert_eq!(
        (widget.api_version(), widget.scope, widget.namespace()),
        ("example.com/v2", Scope::Namespaced, Some("demo"))
    );
    let gadget = document(&set, "demo/demo/gadget");
    assert_eq!(
        (gadget.api_version(), gadget.scope, gadget.namespace()),
        ("example.com/v1beta1", Scope::Cluster, None)
    );
}

// ---------------------------------------------------------------------------------------
// includes
// ---------------------------------------------------------------------------------------

const UPSTREAM: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
data:
  a: \"1\"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: second
";

#[test]
fn included_documents_become_objects_in_order() {
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "demo",
        ChartProps {
            namespace: Some("demo".into()),
            labels: string_map(&[("team", "platform")]),
            ..ChartProps::default()
        },
    );
    chart.add("before", config_map("before"));
    chart.include("upstream", "vendor/upstream.yaml");
    chart.add("after", config_map("after"));
    let files = MemoryFiles::new().with("vendor/upstream.yaml", UPSTREAM);
    let set = expect_ok(synth_with_files(app, &files));

    assert_eq!(
        paths(&set),
        [
            "demo/demo/before",
            "demo/demo/upstream/0",
            "demo/demo/upstream/1",
            "demo/demo/after",
        ]
    );
    let first = document(&set, "demo/demo/upstream/0");
    assert_eq!(
        first.body(),
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "first", "namespace": "demo", "labels": {"team": "platform"}},
            "data": {"a": "1"},
        })
    );
    assert_eq!(
        first.origin,
        Origin::Included {
            file: "vendor/upstream.yaml".into(),
            index: 0
        }
    );
    assert_eq!(
        document(&set, "demo/demo/upstream/1").origin,
        Origin::Included {
            file: "vendor/upstream.yaml".into(),
            index: 1
        }
    );
    assert_eq!(document(&set, "demo/demo/before").origin, Origin::Code);
}

#[test]
fn included_objects_without_a_name_are_named_after_the_include() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\n",
    );
    let set = expect_ok(synth_with_files(app, &files));
    let names: Vec<&str> = documents(&set).iter().map(|d| d.name()).collect();
    assert_eq!(names, ["upstream-0", "upstream-1"]);
}

#[test]
fn included_yaml_is_read_with_the_yaml_1_1_rules_kubernetes_applies() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("job", "vendor/job.yaml");
    let files = MemoryFiles::new().with(
        "vendor/job.yaml",
        "\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    quoted-octal: \"012\"
    quoted-on: \"on\"
spec:
  backoffLimit: 012
  suspend: on
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:1.36
",
    );
    let set = expect_ok(synth_with_files(app, &files));
    let body = &document(&set, "demo/demo/job/0").body();
    assert_eq!(body["spec"]["backoffLimit"], json!(10));
    assert_eq!(body["spec"]["suspend"], json!(true));
    assert_eq!(
        body["metadata"]["annotations"],
        json!({"quoted-octal": "012", "quoted-on": "on"})
    );
}

#[test]
fn a_v1_list_is_unpacked_into_its_items() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/list.yaml");
    let files = MemoryFiles::new().with(
        "vendor/list.yaml",
        "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: one
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: two
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: three
",
    );
    let set = expect_ok(synth_with_files(app, &files));
    let found: Vec<(&str, &str, Origin)> = documents(&set)
        .iter()
        .map(|d| (d.path.as_str(), d.name(), d.origin.clone()))
        .collect();
    let origin = |index| Origin::Included {
        file: "vendor/list.yaml".into(),
        index,
    };
    assert_eq!(
        found,
        [
            ("demo/demo/upstream/0", "one", origin(0)),
            ("demo/demo/upstream/1", "two", origin(0)),
            ("demo/demo/upstream/2", "three", origin(1)),
        ]
    );
}

#[test]
fn empty_documents_in_an_included_file_are_skipped() {
    // kubectl skips empty documents, e.g. a leading `---` or a trailing separator.
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only\n---\n",
    );
    let set = expect_ok(synth_with_files(app, &files));
    let names: Vec<&str> = documents(&set).iter().map(|d| d.name()).collect();
    assert_eq!(names, ["only"]);
}

#[test]
fn a_crd_in_an_included_file_declares_the_scope_of_its_kind() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("crds", "vendor/crds.yaml");
    chart.add_untyped(
        "widget",
        Untyped::new(
            "example.com/v1",
            "Widget",
            json!({"metadata": {"name": "w"}}),
        ),
    );
    let files = MemoryFiles::new().with(
        "vendor/crds.yaml",
        "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
",
    );
    let set = expect_ok(synth_with_files(app, &files));
    let widget = document(&set, "demo/demo/widget");
    assert_eq!(
        (widget.scope, widget.namespace()),
        (Scope::Namespaced, Some("demo"))
    );
    assert_eq!(
        document(&set, "demo/demo/crds/0").namespace(),
        None,
        "a CRD is cluster-scoped"
    );
}

#[test]
fn a_document_that_is_not_a_mapping_is_an_error_naming_app_include_and_file() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n- a\n- b\n",
    );
    assert_eq!(
        expect_errors(synth_with_files(app, &files)),
        [
            "error: app `demo`: `demo/demo/upstream/1` (vendor/upstream.yaml): document 1: is \
             not a mapping (a Kubernetes object)"
        ]
    );
}

#[test]
fn a_document_without_kind_is_an_error_naming_app_include_and_file() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "apiVersion: v1\nmetadata:\n  name: nokind\n",
    );
    assert_eq!(
        expect_errors(synth_with_files(app, &files)),
        [
            "error: app `demo`: `demo/demo/upstream/0` (vendor/upstream.yaml): document 0: has \
             no `kind`"
        ]
    );
}

#[test]
fn malformed_yaml_is_an_error_naming_app_include_and_file() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/upstream.yaml");
    let files = MemoryFiles::new().with(
        "vendor/upstream.yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n",
    );
    let errors = expect_errors(synth_with_files(app, &files));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let prefix =
        "error: app `demo`: `demo/demo/upstream` (vendor/upstream.yaml): cannot read YAML: ";
    assert!(errors[0].starts_with(prefix), "{}", errors[0]);
    assert!(errors[0].len() > prefix.len(), "the reason is given");
}

#[test]
fn a_missing_file_is_an_error_naming_app_include_and_file() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("upstream", "vendor/missing.yaml");
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo/demo/upstream` (vendor/missing.yaml): cannot read \
             `vendor/missing.yaml`: no such file"
        ]
    );
}

#[test]
fn include_paths_outside_the_workspace_are_refused() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.include("up", "../outside.yaml");
    chart.include("sneaky", "vendor/../../outside.yaml");
    chart.include("absolute", "/etc/outside.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let files = MemoryFiles::new()
        .with("../outside.yaml", text)
        .with("vendor/../../outside.yaml", text)
        .with("/etc/outside.yaml", text);
    assert_eq!(
        expect_errors(synth_with_files(app, &files)),
        [
            "error: app `demo`: `demo/demo/absolute` (/etc/outside.yaml): `/etc/outside.yaml` \
             must be a relative path inside the workspace without `..`",
            "error: app `demo`: `demo/demo/sneaky` (vendor/../../outside.yaml): \
             `vendor/../../outside.yaml` must be a relative path inside the workspace without `..`",
            "error: app `demo`: `demo/demo/up` (../outside.yaml): `../outside.yaml` must be a \
             relative path inside the workspace without `..`",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// dependencies and order
// ---------------------------------------------------------------------------------------

#[test]
fn without_dependencies_construction_order_is_kept() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    for id in ["zeta", "alpha", "mid", "beta"] {
        chart.add(id, unnamed_config_map());
    }
    app.chart("second", ChartProps::namespace("demo"))
        .add("aardvark", config_map("aardvark"));
    let set = expect_ok(synth_one(app));
    assert_eq!(
        paths(&set),
        [
            "demo/demo/zeta",
            "demo/demo/alpha",
            "demo/demo/mid",
            "demo/demo/beta",
            "demo/second/aardvark",
        ]
    );
}

#[test]
fn an_object_that_depends_on_another_comes_after_it() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let a = chart.add("a", unnamed_config_map());
    chart.add("b", unnamed_config_map());
    let c = chart.add("c", unnamed_config_map());
    chart.add("d", unnamed_config_map());
    chart.depend(a, c);
    let set = expect_ok(synth_one(app));
    assert_eq!(
        paths(&set),
        ["demo/demo/b", "demo/demo/c", "demo/demo/a", "demo/demo/d"]
    );
}

#[test]
fn an_object_that_depends_on_an_include_comes_after_every_included_object() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let user = chart.add("user", config_map("user"));
    let upstream = chart.include("upstream", "vendor/upstream.yaml");
    chart.depend(user, upstream);
    let files = MemoryFiles::new().with("vendor/upstream.yaml", UPSTREAM);
    let set = expect_ok(synth_with_files(app, &files));
    assert_eq!(
        paths(&set),
        [
            "demo/demo/upstream/0",
            "demo/demo/upstream/1",
            "demo/demo/user"
        ]
    );
}

#[test]
fn a_chart_that_depends_on_another_chart_comes_after_all_its_objects() {
    let mut app = App::new("demo");
    let mut late = app.chart("late", ChartProps::namespace("demo"));
    late.add("x", unnamed_config_map());
    late.add("y", unnamed_config_map());
    let late = late.handle();
    let mut early = app.chart("early", ChartProps::namespace("demo"));
    early.add("z", unnamed_config_map());
    early.add("w", unnamed_config_map());
    let early = early.handle();
    app.chart_depends_on(late, early);
    let set = expect_ok(synth_one(app));
    assert_eq!(
        paths(&set),
        ["demo/early/z", "demo/early/w", "demo/late/x", "demo/late/y"]
    );
}

#[test]
fn chart_depends_on_through_the_chart_handle() {
    let mut app = App::new("demo");
    let early = {
        let mut early = app.chart("early", ChartProps::namespace("demo"));
        early.add("z", unnamed_config_map());
        early.handle()
    };
    app.chart("late", ChartProps::namespace("demo"))
        .add("x", unnamed_config_map());
    let mut first = app.chart("first", ChartProps::namespace("demo"));
    first.add("y", unnamed_config_map());
    first.depends_on(early);
    let set = expect_ok(synth_one(app));
    assert_eq!(paths(&set), ["demo/early/z", "demo/late/x", "demo/first/y"]);
}

#[test]
fn a_cycle_among_objects_is_an_error_listing_the_cycle() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let a = chart.add("a", unnamed_config_map());
    let b = chart.add("b", unnamed_config_map());
    let c = chart.add("c", unnamed_config_map());
    chart.add("free", unnamed_config_map());
    chart.depend(a, b);
    chart.depend(b, c);
    chart.depend(c, a);
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo`: objects depend on each other in a cycle: `demo/demo/c` \
             -> `demo/demo/b` -> `demo/demo/a` -> `demo/demo/c`"
        ]
    );
}

#[test]
fn an_object_depending_on_itself_is_a_cycle() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    let a = chart.add("a", unnamed_config_map());
    chart.depend(a, a);
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo`: objects depend on each other in a cycle: `demo/demo/a` \
             -> `demo/demo/a`"
        ]
    );
}

#[test]
fn a_cycle_among_charts_is_an_error_listing_the_cycle() {
    let mut app = App::new("demo");
    let one = app.chart("one", ChartProps::namespace("demo")).handle();
    let two = app.chart("two", ChartProps::namespace("demo")).handle();
    app.chart_mut(one).add("x", unnamed_config_map());
    app.chart_mut(two).add("y", unnamed_config_map());
    app.chart_depends_on(one, two);
    app.chart_depends_on(two, one);
    assert_eq!(
        expect_errors(synth_one(app)),
        [
            "error: app `demo`: `demo`: charts depend on each other in a cycle: `demo/two` -> \
             `demo/one` -> `demo/two`"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// output file names
// ---------------------------------------------------------------------------------------

#[test]
fn files_are_named_kind_dot_name() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add("settings", config_map("settings"));
    chart.add(
        "namespace",
        Namespace {
            metadata: named("demo"),
            ..Namespace::default()
        },
    );
    chart.add("widget", Widget::new("big.one", WidgetSpec { size: 1 }));
    let set = expect_ok(synth_one(app));
    let files: Vec<&str> = documents(&set)
        .iter()
        .map(|d| d.file_name.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "ConfigMap.settings.yaml",
            "Namespace.demo.yaml",
            "Widget.big.one.yaml"
        ]
    );
}

#[test]
fn colons_in_rbac_names_are_replaced_in_file_names() {
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add(
        "role",
        ClusterRole {
            metadata: named("system:metrics-server"),
            ..ClusterRole::default()
        },
    );
    let set = expect_ok(synth_one(app));
    let doc = document(&set, "demo/demo/role");
    assert_eq!(doc.name(), "system:metrics-server");
    assert_eq!(doc.file_name, "ClusterRole.system_metrics-server.yaml");
}

#[test]
fn the_same_kind_and_name_in_two_namespaces_get_distinct_hashed_file_names() {
    let mut app = App::new("demo");
    app.chart("a", ChartProps::namespace("team-a"))
        .add("settings", config_map("settings"));
    app.chart("b", ChartProps::namespace("team-b"))
        .add("settings", config_map("settings"));
    app.chart("c", ChartProps::namespace("team-b"))
        .add("other", config_map("other"));
    let set = expect_ok(synth_one(app));
    let files: Vec<&str> = documents(&set)
        .iter()
        .map(|d| d.file_name.as_str())
        .collect();
    // first 8 hex digits of sha256("/ConfigMap/team-a/settings") and
    // sha256("/ConfigMap/team-b/settings")
    assert_eq!(
        files,
        [
            "ConfigMap.settings.fff4be34.yaml",
            "ConfigMap.settings.1632bf96.yaml",
            "ConfigMap.other.yaml",
        ]
    );
}

#[test]
fn file_names_that_differ_only_in_case_get_distinct_hashed_names() {
    // RBAC names may use upper case; the tree must also work on case-insensitive file systems
    let mut app = App::new("demo");
    let mut chart = app.chart("demo", ChartProps::namespace("demo"));
    chart.add(
        "upper",
        ClusterRole {
            metadata: named("Admin"),
            ..ClusterRole::default()
        },
    );
    chart.add(
        "lower",
        ClusterRole {
            metadata: named("admin"),
            ..ClusterRole::default()
        },
    );
    let set = expect_ok(synth_one(app));
    let files: Vec<&str> = documents(&set)
        .iter()
        .map(|d| d.file_name.as_str())
        .collect();
    // first 8 hex digits of sha256("rbac.authorization.k8s.io/ClusterRole//Admin") and of
    // sha256("rbac.authorization.k8s.io/ClusterRole//admin")
    assert_eq!(
        files,
        [
            "ClusterRole.Admin.8d4ae245.yaml",
            "ClusterRole.admin.344e7c69.yaml"
        ]
    );
}

#[test]
fn the_same_name_in_two_apps_does_not_collide() {
    let mut one = App::new("one");
    one.chart("one", ChartProps::namespace("team-a"))
        .add("settings", config_map("settings"));
    let mut two = App::new("two");
    two.chart("two", ChartProps::namespace("team-b"))
        .add("settings", config_map("settings"));
    let set = expect_ok(synth_apps(vec![one, two]));
    let files: Vec<&str> = documents(&set)
        .iter()
        .map(|d| d.file_name.as_str())
        .collect();
    assert_eq!(
        files,
        ["ConfigMap.settings.yaml", "ConfigMap.settings.yaml"]
    );
}

// ---------------------------------------------------------------------------------------
// determinism
// ---------------------------------------------------------------------------------------

fn sample_app() -> App {
    let mut app = App::new("demo");
    let mut chart = app.chart(
        "demo",
        ChartProps {
            namespace: Some("demo".into()),
            labels: string_map(&[("app.kubernetes.io/part-of", "demo")]),
            ..ChartProps::default()
        },
    );
    chart.add(
        "namespace",
        Namespace {
            metadata: named("demo"),
            ..Namespace::default()
        },
    );
    let settings = chart.add("settings", unnamed_config_map());
    chart.patch(settings, JsonPatch::add("/data/extra", json!("on")));
    chart.add("widget", Widget::new("big", WidgetSpec { size: 3 }));
    chart.add(
        "role",
        ClusterRole {
            metadata: named("system:demo"),
            ..ClusterRole::default()
        },
    );
    app
}

#[test]
fn synthesizing_the_same_app_twice_gives_the_same_manifests_and_bytes() {
    let first = expect_ok(synth_one(sample_app()));
    let second = expect_ok(synth_one(sample_app()));
    assert_eq!(first, second);

    let rendered = homelab_synth::output::render(&first).expect("renders");
    let again = homelab_synth::output::render(&second).expect("renders");
    assert_eq!(rendered, again);
    let files: Vec<&str> = rendered.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            "demo/ClusterRole.system_demo.yaml",
            "demo/ConfigMap.settings.yaml",
            "demo/Namespace.demo.yaml",
            "demo/Widget.big.yaml",
        ]
    );
    let settings = String::from_utf8(rendered["demo/ConfigMap.settings.yaml"].clone()).unwrap();
    assert!(
        settings.starts_with("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"),
        "{settings}"
    );
    assert!(settings.contains("extra: \"on\""), "{settings}");
}

// ---------------------------------------------------------------------------------------
// registry
// ---------------------------------------------------------------------------------------

/// Why the registry tests' apps may use namespaces no app declares.
const TEST_NAMESPACE: &str = "made by the test cluster";

fn build_web(app: &mut App) {
    app.namespace_made_elsewhere("web", TEST_NAMESPACE);
    app.chart("web", ChartProps::namespace("web"))
        .add("settings", config_map("settings"));
}

fn build_db(app: &mut App) {
    app.namespace_made_elsewhere("db", TEST_NAMESPACE);
    app.chart("db", ChartProps::namespace("db"))
        .add("settings", config_map("settings"));
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .category("networking")
        .add("web", build_web)
        .add("db", build_db);
    registry
}

fn error_texts(error: &SynthError) -> Vec<String> {
    error.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn build_apps_builds_every_app_or_only_those_named() {
    let all = build_apps(&registry(), &[]).expect("builds");
    let names: Vec<(&str, &str)> = all
        .apps
        .iter()
        .map(|b| (b.app.name(), b.category.as_str()))
        .collect();
    assert_eq!(names, [("web", "networking"), ("db", "networking")]);

    let only = build_apps(&registry(), &["db".to_owned()]).expect("builds");
    let names: Vec<&str> = only.apps.iter().map(|b| b.app.name()).collect();
    assert_eq!(names, ["db"]);
    let set = expect_ok(synth_built(&only));
    assert_eq!(paths(&set), ["db/db/settings"]);
}

#[test]
fn build_apps_with_an_unknown_app_name_lists_the_known_apps() {
    let error = build_apps(&registry(), &["nope".to_owned()]).unwrap_err();
    assert_eq!(
        error_texts(&error),
        ["error: app `nope`: `nope`: no app named `nope`; apps are: db, web"]
    );
    assert!(error.warnings.is_empty());
}

#[test]
fn registering_an_app_name_twice_is_an_error() {
    let mut registry = registry();
    registry.category("other").add("web", build_db);
    let error = build_apps(&registry, &[]).unwrap_err();
    assert_eq!(
        error_texts(&error),
        ["error: app `web`: `web`: app `web` is registered twice"]
    );
}

#[test]
fn dependencies_between_apps_need_registered_targets_and_no_cycle() {
    let mut ok = registry();
    ok.category("monitoring")
        .add("grafana", build_web)
        .depends_on(&["db", "web"]);
    let graph = ok.rollout().expect("acyclic");
    assert_eq!(graph.waves(), [vec!["db", "web"], vec!["grafana"]]);
    assert!(
        build_apps(&ok, &["grafana".to_owned()]).is_ok(),
        "--app keeps the graph"
    );

    let mut missing = registry();
    missing
        .category("monitoring")
        .add("grafana", build_web)
        .depends_on(&["victoria-metrics"]);
    assert_eq!(
        error_texts(&build_apps(&missing, &[]).unwrap_err()),
        [
            "error: app `grafana`: `grafana`: app `grafana` depends on `victoria-metrics`, which \
          is not an app; apps are: db, grafana, web"
        ]
    );

    let mut cycle = Registry::new();
    cycle
        .category("a")
        .add("web", build_web)
        .depends_on(&["db"])
        .add("db", build_db)
        .depends_on(&["web"]);
    assert_eq!(
        error_texts(&build_apps(&cycle, &[]).unwrap_err()),
        ["error: app `db`: `db`: apps depend on each other in a cycle: db → web → db"]
    );
}

fn widget_crd_json() -> Value {
    json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget",
                      "listKind": "WidgetList"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                    "x-kubernetes-preserve-unknown-fields": true}}}],
        },
    })
}

#[test]
fn a_namespace_moves_to_the_earliest_wave_of_what_lives_in_it() {
    let namespace = |name: &str, annotations: Value| {
        Untyped::new(
            "v1",
            "Namespace",
            json!({"metadata": {"name": name, "annotations": annotations}}),
        )
    };
    let config = |namespace: &str, wave: &str| {
        Untyped::new(
            "v1",
            "ConfigMap",
            json!({"metadata": {"name": format!("c{wave}"), "namespace": namespace,
                "annotations": {"argocd.argoproj.io/sync-wave": wave}}}),
        )
    };
    let mut app = App::new("ordered");
    let mut chart = app.chart("ordered", ChartProps::default());
    chart.add_untyped("early", namespace("early", json!({})));
    chart.add_untyped("late", namespace("late", json!({})));
    chart.add_untyped(
        "chosen",
        namespace("chosen", json!({"argocd.argoproj.io/sync-wave": "-9"})),
    );
    chart.add_untyped("e1", config("early", "-2"));
    chart.add_untyped("e2", config("early", "-5"));
    chart.add_untyped("e3", config("early", "3"));
    chart.add_untyped("l1", config("late", "4"));
    chart.add_untyped("c1", config("chosen", "-1"));
    let set = expect_ok(synth_one(app));
    let wave = |name: &str| {
        set.apps[0]
            .documents
            .iter()
            .find(|d| d.kind() == "Namespace" && d.body()["metadata"]["name"] == name)
            .map(|d| d.body()["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].clone())
            .expect("namespace emitted")
    };
    assert_eq!(wave("early"), json!("-5"), "before its earliest object");
    assert_eq!(
        wave("late"),
        Value::Null,
        "wave 0 already puts Namespaces first"
    );
    assert_eq!(wave("chosen"), json!("-9"), "a wave the app chose stays");
}

#[test]
fn a_crd_goes_a_sync_wave_ahead_only_where_its_app_uses_it() {
    let crd = || {
        Untyped::new(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            widget_crd_json(),
        )
    };
    let widget = || {
        Untyped::new(
            "example.com/v1",
            "Widget",
            json!({"metadata": {"name": "w"}, "spec": {}}),
        )
    };
    let wave = |set: &ManifestSet| {
        set.apps[0]
            .documents
            .iter()
            .find(|d| d.kind() == "CustomResourceDefinition")
            .map(|d| d.body()["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].clone())
    };
    let mut both = App::new("both");
    let mut chart = both.chart("both", ChartProps::namespace("both"));
    chart.add_untyped("crd", crd());
    chart.add_untyped("widget", widget());
    let set = expect_ok(synth_one(both));
    assert_eq!(wave(&set), Some(json!("-1")));

    let mut alone = App::new("alone");
    alone
        .chart("alone", ChartProps::default())
        .add_untyped("crd", crd());
    assert_eq!(wave(&expect_ok(synth_one(alone))), Some(Value::Null));

    let mut chosen = App::new("chosen");
    let mut chart = chosen.chart("chosen", ChartProps::namespace("chosen"));
    let mut own = widget_crd_json();
    own["metadata"]["annotations"] = json!({"argocd.argoproj.io/sync-wave": "-5"});
    chart.add_untyped(
        "crd",
        Untyped::new("apiextensions.k8s.io/v1", "CustomResourceDefinition", own),
    );
    chart.add_untyped("widget", widget());
    assert_eq!(
        wave(&expect_ok(synth_one(chosen))),
        Some(json!("-5")),
        "a wave the app chose stays"
    );
}

// ---------------------------------------------------------------------------------------
// clusters
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
struct Settings {
    replicas: i32,
    gpu: bool,
}

fn fleet() -> Vec<homelab_synth::Cluster<Settings>> {
    use homelab_synth::{ClusterSpec, Fleet};
    Fleet::<Settings>::new()
        .environment("production", |s| s.replicas = 3)
        .environment("staging", |s| s.replicas = 1)
        .role("gpu", |s| s.gpu = true)
        .cluster(ClusterSpec::new("main", "production", "madhan.app").roles(&["gpu"]))
        .cluster(ClusterSpec::new("staging", "staging", "staging.madhan.app"))
        .resolve()
        .expect("fleet")
}

fn per_cluster_web(app: &mut App, cluster: &homelab_synth::Cluster<Settings>) {
    let mut map = config_map("settings");
    map.data = Some(BTreeMap::from([
        ("host".to_owned(), cluster.host("web")),
        ("replicas".to_owned(), cluster.settings.replicas.to_string()),
    ]));
    app.namespace_made_elsewhere("web", TEST_NAMESPACE);
    app.chart("web", ChartProps::namespace("web"))
        .add("settings", map);
}

fn build_ai(app: &mut App) {
    app.namespace_made_elsewhere("ai", TEST_NAMESPACE);
    app.chart("ai", ChartProps::namespace("ai"))
        .add("settings", config_map("settings"));
}

fn cluster_registry() -> Registry<Settings> {
    let mut registry = Registry::<Settings>::for_settings();
    registry
        .category("apps")
        .add("db", build_db)
        .add("web", per_cluster_web)
        .depends_on(&["db"])
        .add("ai", build_ai)
        .when(|cluster| cluster.settings.gpu)
        .depends_on(&["web"]);
    registry
}

#[test]
fn each_cluster_builds_its_own_apps_with_its_settings() {
    let clusters = fleet();
    let registry = cluster_registry();
    let host_and_replicas = |built: &BuiltApps| {
        let set = expect_ok(synth_built(built));
        let web = set.apps.iter().find(|a| a.name == "web").expect("web");
        let data = &web.documents[0].body()["data"];
        (
            data["host"].as_str().unwrap().to_owned(),
            data["replicas"].as_str().unwrap().to_owned(),
            set.apps.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        )
    };
    let main = build_cluster_apps(&registry, &clusters[0], &[]).expect("main");
    assert_eq!(
        host_and_replicas(&main),
        (
            "web.madhan.app".into(),
            "3".into(),
            vec!["ai".into(), "db".into(), "web".into()]
        )
    );
    let staging = build_cluster_apps(&registry, &clusters[1], &[]).expect("staging");
    assert_eq!(
        host_and_replicas(&staging),
        (
            "web.staging.madhan.app".into(),
            "1".into(),
            vec!["db".into(), "web".into()]
        ),
        "staging has no GPU role, so no `ai`"
    );
    assert_eq!(
        registry.rollout_on(&clusters[1]).expect("graph").waves(),
        [vec!["db"], vec!["web"]]
    );
    let error = build_cluster_apps(&registry, &clusters[1], &["ai".to_owned()]).unwrap_err();
    assert_eq!(
        error_texts(&error),
        ["error: app `ai`: `ai`: app `ai` does not run on cluster `staging`"]
    );
}

#[test]
fn an_app_cannot_depend_on_one_its_cluster_does_not_run() {
    let clusters = fleet();
    let mut registry = cluster_registry();
    registry
        .category("more")
        .add("monitor", build_db)
        .depends_on(&["ai"]);
    assert!(build_cluster_apps(&registry, &clusters[0], &[]).is_ok());
    assert_eq!(
        error_texts(&build_cluster_apps(&registry, &clusters[1], &[]).unwrap_err()),
        [
            "error: app `monitor`: `monitor`: app `monitor` depends on `ai`, which cluster \
          `staging` does not run"
        ]
    );
}

fn build_widget_crd(app: &mut App) {
    app.chart("crds", ChartProps::default()).add_untyped(
        "crd",
        Untyped::new(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            widget_crd_json(),
        ),
    );
}

fn build_widget_user(app: &mut App) {
    app.namespace_made_elsewhere("user", TEST_NAMESPACE);
    app.chart("user", ChartProps::namespace("user"))
        .add_untyped(
            "widget",
            Untyped::new(
                "example.com/v1",
                "Widget",
                json!({"metadata": {"name": "w"}, "spec": {}}),
            ),
        );
}

#[test]
fn an_app_using_a_crd_another_app_installs_must_roll_out_after_it() {
    let synth_registry =
        |registry: &Registry| synth_built(&build_apps(registry, &[]).expect("builds"));
    let mut forgot = Registry::new();
    forgot
        .category("x")
        .add("crds", build_widget_crd)
        .add("user", build_widget_user);
    assert_eq!(
        error_texts(&synth_registry(&forgot).unwrap_err()),
        [
            "error: app `user`: `user/user/widget` (user/Widget.w.yaml): Widget `user/w` needs CRD \
          `widgets.example.com`, which app `crds` installs, but app `user` does not roll out \
          after `crds`: register it with `.depends_on(&[\"crds\"])`"
        ]
    );

    // through another app is enough
    let mut through = Registry::new();
    through
        .category("x")
        .add("crds", build_widget_crd)
        .add("db", build_db)
        .depends_on(&["crds"])
        .add("user", build_widget_user)
        .depends_on(&["db"]);
    expect_ok(synth_registry(&through));
}

fn build_shared_namespace(app: &mut App) {
    app.chart("shared", ChartProps::default()).add_untyped(
        "namespace",
        Untyped::new("v1", "Namespace", json!({"metadata": {"name": "shared"}})),
    );
}

fn build_in_shared(app: &mut App) {
    let mut chart = app.chart("tenant", ChartProps::namespace("shared"));
    chart.add("settings", config_map("settings"));
    chart.add("other", config_map("other"));
}

fn build_in_nowhere(app: &mut App) {
    let mut chart = app.chart("lost", ChartProps::namespace("nowhere"));
    chart.add("settings", config_map("settings"));
    chart.add("other", config_map("other"));
    app.chart("system", ChartProps::namespace("kube-system"))
        .add("settings", config_map("system-settings"));
}

#[test]
fn every_namespace_an_app_uses_is_declared_by_it_or_an_app_it_rolls_out_after() {
    let synth_registry =
        |registry: &Registry| synth_built(&build_apps(registry, &[]).expect("builds"));
    let mut registry = Registry::new();
    registry
        .category("x")
        .add("shared", build_shared_namespace)
        .add("tenant", build_in_shared)
        .add("lost", build_in_nowhere);
    assert_eq!(
        error_texts(&synth_registry(&registry).unwrap_err()),
        [
            "error: app `lost`: `lost/lost/settings` (lost/ConfigMap.settings.yaml): ConfigMap \
             `nowhere/settings` lives in namespace `nowhere`, which no app declares (nothing \
             creates it): add a Namespace to the app (`kit::namespace`), or, if the cluster gets \
             it some other way, say so with `app.namespace_made_elsewhere(\"nowhere\", \"reason\")`",
            "error: app `tenant`: `tenant/tenant/settings` (tenant/ConfigMap.settings.yaml): \
             ConfigMap `shared/settings` lives in namespace `shared`, which app `shared` declares, but app \
             `tenant` does not roll out after `shared`: register it with \
             `.depends_on(&[\"shared\"])`",
        ],
        "one finding per app and namespace; kube-system is always there"
    );

    let mut fixed = Registry::new();
    fixed
        .category("x")
        .add("shared", build_shared_namespace)
        .add("tenant", build_in_shared)
        .depends_on(&["shared"])
        .add("lost", |app: &mut App| {
            build_in_nowhere(app);
            app.namespace_made_elsewhere("nowhere", "");
        });
    assert_eq!(
        error_texts(&synth_registry(&fixed).unwrap_err()),
        [
            "error: app `lost`: `lost`: namespace `nowhere` is declared made elsewhere without a \
          reason"
        ]
    );

    let mut explained = Registry::new();
    explained.category("x").add("lost", |app: &mut App| {
        build_in_nowhere(app);
        app.namespace_made_elsewhere("nowhere", "made by the cluster installer");
    });
    expect_ok(synth_registry(&explained));

    // a partial build (`--app tenant`) cannot tell that no app declares a namespace: the
    // app declaring it was not built
    let apps = build_apps(&fixed, &["tenant".to_owned()]).expect("builds");
    expect_ok(synth_built(&apps));

    // an app synthesized on its own is not checked: its namespaces may come from apps it
    // was not synthesized with
    let mut alone = App::new("lost");
    build_in_nowhere(&mut alone);
    expect_ok(synth_one(alone));
}

#[test]
fn a_route_to_a_gateway_no_app_of_the_workspace_makes_is_an_error() {
    let route = |app: &mut App| {
        app.namespace_made_elsewhere("web", TEST_NAMESPACE);
        app.chart("web", ChartProps::namespace("web")).add_untyped(
            "route",
            Untyped::new(
                "gateway.networking.k8s.io/v1",
                "HTTPRoute",
                json!({"metadata": {"name": "web"}, "spec": {
                    "parentRefs": [{"name": "gw", "namespace": "edge"}]}}),
            ),
        );
    };
    let mut registry = Registry::new();
    registry.category("x").add("web", route);
    let apps = build_apps(&registry, &[]).expect("builds");
    assert_eq!(
        error_texts(&synth_built(&apps).unwrap_err()),
        [
            "error: app `web`: `web/web/route` (web/HTTPRoute.web.yaml): HTTPRoute `web/web` would \
          not be accepted: Gateway `edge/gw` is not in the synthesis (if the Gateway is made \
          outside the synthesis, allow it with `allow(object, Allow::ExternalReference, \
          \"reason\")`)"
        ]
    );
}

#[test]
fn a_helm_release_without_a_renderer_is_one_clean_error() {
    let mut app = App::new("web");
    let mut chart = app.chart("web", ChartProps::namespace("web"));
    chart.helm(
        "web",
        homelab_synth::helm_release::HelmProps::new(
            homelab_synth::helm_release::ChartSource::repo("https://charts.example.com", "web"),
            "1.0.0",
        ),
    );
    let errors = expect_errors(synth_one(app));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("synthesis was given no Helm renderer (call `synthesize_with`"),
        "{}",
        errors[0]
    );
    assert!(!errors[0].contains("  "), "no run of spaces: {}", errors[0]);
}
