//! The other direction: a CRD written in Rust with kube-derive and schemars is added to a
//! chart as its `CustomResourceDefinition`, next to objects of the kind itself; the schema
//! of the emitted CRD accepts valid instances and rejects a bad one.

use homelab_synth_core::{App, BuiltApp, ChartProps, MemoryFiles, synthesize};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A nightly backup of a volume.
#[derive(CustomResource, JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "backup.example.com",
    version = "v1",
    kind = "Backup",
    namespaced
)]
pub struct BackupSpec {
    /// Cron schedule.
    pub schedule: String,
    /// How many backups to keep.
    pub retain: u32,
    /// Where to write; the operator's default bucket when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[test]
fn a_rust_crd_is_emitted_and_its_schema_validates_instances() {
    let mut app = App::new("backups");
    let mut chart = app.chart("backups", ChartProps::namespace("storage"));
    chart.add("crd", Backup::crd());
    chart.add(
        "nightly",
        Backup::new(
            "nightly",
            BackupSpec {
                schedule: "0 3 * * *".into(),
                retain: 7,
                target: None,
            },
        ),
    );
    let apps = [BuiltApp {
        app,
        category: "test".into(),
    }];
    let set = synthesize(&apps, &MemoryFiles::new()).expect("synthesize");
    let documents = &set.apps[0].documents;
    let crd = documents
        .iter()
        .find(|document| document.body()["kind"] == "CustomResourceDefinition")
        .expect("the CRD is emitted");
    assert_eq!(crd.body()["metadata"]["name"], "backups.backup.example.com");
    assert!(
        crd.body()["metadata"].get("namespace").is_none(),
        "CRDs are cluster-scoped"
    );
    let schema = &crd.body()["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");

    let backup = documents
        .iter()
        .find(|document| document.body()["kind"] == "Backup")
        .expect("the backup is emitted");
    assert!(validator.is_valid(&backup.body()), "{}", backup.body());
    let with_target = json!({
        "apiVersion": "backup.example.com/v1", "kind": "Backup",
        "metadata": {"name": "weekly"},
        "spec": {"schedule": "0 4 * * 0", "retain": 4, "target": "s3://backups"}
    });
    assert!(validator.is_valid(&with_target));

    let bad: [(&str, Value); 3] = [
        (
            "retain is not a number",
            json!({"schedule": "@daily", "retain": "seven"}),
        ),
        ("schedule is missing", json!({"retain": 1})),
        (
            "retain is negative",
            json!({"schedule": "@daily", "retain": -1}),
        ),
    ];
    for (why, spec) in bad {
        let instance = json!({
            "apiVersion": "backup.example.com/v1", "kind": "Backup",
            "metadata": {"name": "bad"}, "spec": spec
        });
        assert!(!validator.is_valid(&instance), "accepted although {why}");
    }
}
