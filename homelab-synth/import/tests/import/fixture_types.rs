//! The `--no-docs` bindings of the fixture CRDs (`tests/fixtures/generated`, kept equal to a
//! fresh generation by `fixtures.rs`) compile under `deny(warnings)` and behave: wire
//! names, enums, maps, unknown keys, optional `spec`, every top-level field, and a sample
//! document of every kind round-trips.

#![deny(warnings)]

#[path = "../fixtures/generated/mod.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod generated;

use std::path::PathBuf;

use generated::example_com::{v1, v1beta1};
use homelab_synth_core::{App, BuiltApp, ChartProps, MemoryFiles, Scope, TypedObject, synthesize};
use homelab_synth_import::{Crd, read_sources, sample};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::FIXTURES;

fn round_trip<T: DeserializeOwned + Serialize>(document: &Value) -> Value {
    let typed: T = serde_json::from_value(document.clone()).expect("deserialize");
    serde_json::to_value(&typed).expect("serialize")
}

#[test]
fn a_sample_of_every_fixture_kind_round_trips() {
    let mut checked = 0;
    for source in read_sources(&[PathBuf::from(FIXTURES)]).expect("fixtures") {
        for document in homelab_synth_core::yaml::read_documents(&source.text).expect("yaml") {
            let crd = Crd::from_document(&document).expect("crd");
            for version in &crd.versions {
                let document = sample::document(&crd, version).expect("sample");
                let back = match (crd.kind.as_str(), version.name.as_str()) {
                    ("Widget", "v1") => round_trip::<v1::Widget>(&document),
                    ("Gadget", "v1") => round_trip::<v1::Gadget>(&document),
                    ("Gadget", "v1beta1") => round_trip::<v1beta1::Gadget>(&document),
                    ("Naming", "v1") => round_trip::<v1::Naming>(&document),
                    ("Choice", "v1") => round_trip::<v1::Choice>(&document),
                    other => panic!("no type for {other:?}"),
                };
                assert_eq!(back, document, "{} {}", crd.kind, version.name);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5, "unserved versions are not generated");
}

#[test]
fn keywords_and_snake_case_collisions_keep_their_wire_names() {
    let spec = v1::NamingSpec {
        r#type: "t".into(),
        r#ref: Some("r".into()),
        ref_2: Some("dollar-ref".into()),
        r#match: Some("m".into()),
        self_: Some("s".into()),
        foo_bar: Some(1),
        foo_bar_2: Some(true),
        foo_bar_3: Some("camel".into()),
        f_2fa: Some(true),
        ..Default::default()
    };
    let value = serde_json::to_value(&spec).expect("serialize");
    assert_eq!(
        value,
        json!({
            "type": "t", "ref": "r", "$ref": "dollar-ref", "match": "m", "self": "s",
            "foo_bar": 1, "FooBar": true, "fooBar": "camel", "2fa": true
        })
    );
    let back: v1::NamingSpec = serde_json::from_value(value).expect("deserialize");
    assert_eq!(back, spec);
    // two different objects whose names collide get numbered types
    let _: Option<v1::NamingSpecRuleSet> = spec.rule_set;
    let _: Option<v1::NamingSpecRuleSet2> = spec.rule_set_2;
}

#[test]
fn enums_keep_every_value_including_odd_ones() {
    use v1::{ChoiceSpecCode as Code, ChoiceSpecOdd as Odd, ChoiceSpecOperator as Op};
    let odd = [
        Odd::Empty,
        Odd::Star,
        Odd::V1Dot0,
        Odd::V1Dot02,
        Odd::AB,
        Odd::Self2,
        Odd::Self3,
    ];
    let wire: Vec<Value> = odd
        .iter()
        .map(|v| serde_json::to_value(v).expect("ser"))
        .collect();
    assert_eq!(
        wire,
        [
            json!(""),
            json!("*"),
            json!("1.0"),
            json!("v1.0"),
            json!("a-b"),
            json!("self"),
            json!("Self")
        ]
    );
    assert_eq!(
        Odd::default(),
        Odd::Star,
        "the schema default is the Rust default"
    );
    assert_eq!(Op::Exists.as_str(), "Exists");
    assert_eq!(Op::Exists2.as_str(), "exists");
    assert_eq!(
        serde_json::from_value::<Op>(json!("exists")).expect("de"),
        Op::Exists2
    );
    assert!(serde_json::from_value::<Op>(json!("EXISTS")).is_err());
    // integer enums stay enums and stay integers on the wire
    assert_eq!(serde_json::to_value(Code::V404).expect("ser"), json!(404));
    assert_eq!(
        serde_json::from_value::<Code>(json!(-1)).expect("de"),
        Code::Minus1
    );
    assert!(serde_json::from_value::<Code>(json!(500)).is_err());
    // enums on array items stay enums
    let spec: v1::ChoiceSpec =
        serde_json::from_value(json!({"operator": "In", "modes": ["Read", "Write"]})).expect("de");
    assert_eq!(
        spec.modes,
        Some(vec![v1::ChoiceSpecModes::Read, v1::ChoiceSpecModes::Write])
    );
    assert!(
        serde_json::from_value::<v1::ChoiceSpec>(json!({"operator": "In", "modes": ["Exec"]}))
            .is_err()
    );
}

#[test]
fn unknown_keys_of_preserving_objects_survive() {
    let values = json!({"image": "nginx", "replicaCount": 3, "nested": {"a": [1, 2]}});
    let typed: v1::WidgetSpecValues = serde_json::from_value(values.clone()).expect("de");
    assert_eq!(typed.image.as_deref(), Some("nginx"));
    assert_eq!(typed.unknown_fields.len(), 2);
    assert_eq!(serde_json::to_value(&typed).expect("ser"), values);
    // a version whose root preserves unknown fields keeps unknown top-level keys
    let gadget = json!({"apiVersion": "example.com/v1beta1", "kind": "Gadget",
        "metadata": {"name": "g"}, "extra": {"x": 1}});
    assert_eq!(round_trip::<v1beta1::Gadget>(&gadget), gadget);
}

#[test]
fn shapes_map_to_the_expected_rust_types() {
    let spec = v1::WidgetSpec {
        name: "w".into(),
        replicas: 3_i32,
        bytes: Some(1_i64 << 40),
        ratio: Some(0.25_f64),
        port: Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(80)),
        target_port: Some(
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String("http".into()),
        ),
        labels: Some([("a".to_owned(), "b".to_owned())].into()),
        matrix: Some(vec![vec![1, 2]]),
        gone: Some(vec![None, Some("x".into())]),
        anything: Some(json!([1, "two"])),
        template: Some(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})),
        limits: Some(v1::WidgetSpecLimits {
            cpu: Some("1".into()),
        }),
        ..Default::default()
    };
    let value = serde_json::to_value(&spec).expect("ser");
    assert_eq!(value["targetPort"], json!("http"));
    assert_eq!(value["gone"], json!([null, "x"]));
    assert!(
        value.get("note").is_none(),
        "absent optional fields are left out"
    );
    // a required nullable field is written even when null
    let status = v1::WidgetStatus::default();
    assert_eq!(
        serde_json::to_value(&status).expect("ser"),
        json!({"observed": null})
    );
}

#[test]
fn every_top_level_field_is_reachable_and_spec_is_optional_unless_required() {
    let gadget = v1::Gadget {
        operation: Some(v1::GadgetOperation { sync: Some(true) }),
        specs: Some(vec![v1::GadgetSpec { size: Some(1) }]),
        ..Default::default()
    };
    let value = serde_json::to_value(&gadget).expect("ser");
    assert_eq!(
        value,
        json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {},
            "operation": {"sync": true}, "specs": [{"size": 1}]})
    );
    let missing = serde_json::from_value::<v1::Widget>(json!({"metadata": {"name": "w"}}));
    assert_eq!(
        missing.expect_err("spec is required").to_string(),
        "missing field `spec`"
    );
}

#[test]
fn root_types_are_typed_objects_with_the_right_identity() {
    assert_eq!(v1::Widget::api_version(), "example.com/v1");
    assert_eq!(<v1::Widget as TypedObject>::kind(), "Widget");
    assert_eq!(<v1::Widget as TypedObject>::scope(), Scope::Namespaced);
    assert_eq!(<v1::Gadget as TypedObject>::scope(), Scope::Cluster);
    assert_eq!(<v1::Gadget as kube::Resource>::plural(&()), "gadgets");

    let mut app = App::new("widgets");
    let mut chart = app.chart("widgets", ChartProps::namespace("shop"));
    chart.add(
        "widget",
        v1::Widget {
            spec: v1::WidgetSpec {
                name: "blue".into(),
                replicas: 2,
                ..Default::default()
            },
            ..Default::default()
        },
    );
    chart.add("gadget", v1::Gadget::default());
    let apps = [BuiltApp {
        app,
        category: "test".into(),
    }];
    let set = synthesize(&apps, &MemoryFiles::new()).expect("synthesize");
    let bodies: Vec<Value> = set.apps[0].documents.iter().map(|d| d.body()).collect();
    let widget = bodies
        .iter()
        .find(|b| b["kind"] == "Widget")
        .expect("widget");
    assert_eq!(widget["apiVersion"], "example.com/v1");
    assert_eq!(widget["metadata"]["namespace"], "shop");
    assert_eq!(widget["metadata"]["name"], "widget");
    assert_eq!(widget["spec"], json!({"name": "blue", "replicas": 2}));
    let gadget = bodies
        .iter()
        .find(|b| b["kind"] == "Gadget")
        .expect("gadget");
    assert!(
        gadget["metadata"].get("namespace").is_none(),
        "cluster-scoped"
    );
}
