//! The report as JSON for scripts: deleted apps, then per app the objects added, changed and
//! removed, each with its identity and its YAML (added, removed) or unified diff (changed).

use serde_json::{Value, json};

use crate::compare::{Change, Report};

/// `report` as one JSON value.
pub fn json(report: &Report) -> Value {
    let changes = |list: &[Change], text: &str| -> Value {
        list.iter()
            .map(|change| {
                json!({
                    "kind": change.key.kind,
                    "group": change.key.group,
                    "namespace": change.key.namespace,
                    "name": change.key.name,
                    text: change.text,
                })
            })
            .collect()
    };
    let apps: serde_json::Map<String, Value> = report
        .apps
        .iter()
        .map(|(app, report)| {
            (
                app.clone(),
                json!({
                    "added": changes(&report.added, "yaml"),
                    "changed": changes(&report.changed, "diff"),
                    "removed": changes(&report.removed, "yaml"),
                }),
            )
        })
        .collect();
    json!({
        "objects": report.count(),
        "deleted_apps": report.deleted_apps,
        "apps": apps,
    })
}
