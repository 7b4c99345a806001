//! Within an app, a CustomResourceDefinition must be established before Argo CD applies the
//! custom resources that use it. When an app holds both, its CRDs get
//! `argocd.argoproj.io/sync-wave: "-1"` (unless they carry a wave already): Argo CD applies
//! wave -1, waits until the CRDs are healthy (established), then applies the rest. Apps
//! without such a pair are left alone, and Flux needs nothing (it applies CRDs first).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::manifest::AppManifest;

/// The Argo CD sync-wave annotation.
pub const SYNC_WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";

pub(crate) fn order_crds_first(app: &mut AppManifest) {
    let defined: BTreeSet<(String, String)> = app
        .documents
        .iter()
        .filter(|document| is_crd(&document.body))
        .filter_map(|document| {
            let group = document.body.pointer("/spec/group")?.as_str()?;
            let kind = document.body.pointer("/spec/names/kind")?.as_str()?;
            Some((group.to_owned(), kind.to_owned()))
        })
        .collect();
    let used: BTreeSet<(String, String)> = app
        .documents
        .iter()
        .map(|document| (document.group().to_owned(), document.kind().to_owned()))
        .filter(|key| defined.contains(key))
        .collect();
    if used.is_empty() {
        return;
    }
    for document in &mut app.documents {
        if !is_crd(&document.body) {
            continue;
        }
        let group = document.body.pointer("/spec/group").and_then(Value::as_str);
        let kind = document
            .body
            .pointer("/spec/names/kind")
            .and_then(Value::as_str);
        let (Some(group), Some(kind)) = (group, kind) else {
            continue;
        };
        if !used.contains(&(group.to_owned(), kind.to_owned())) {
            continue;
        }
        let Some(metadata) = document
            .body
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations
                .entry(SYNC_WAVE_ANNOTATION)
                .or_insert_with(|| Value::String("-1".into()));
        }
    }
}

fn is_crd(body: &Value) -> bool {
    body.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
        && body
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|version| version.starts_with("apiextensions.k8s.io/"))
}
