//! Within an app, a CustomResourceDefinition must be established before Argo CD applies the
//! custom resources that use it. When an app holds both, its CRDs get
//! `argocd.argoproj.io/sync-wave: "-1"` (unless they carry a wave already): Argo CD applies
//! wave -1, waits until the CRDs are healthy (established), then applies the rest. Apps
//! without such a pair are left alone, and Flux needs nothing (it applies CRDs first).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::crd_schema::crd_kind;
use crate::manifest::AppManifest;

/// The Argo CD sync-wave annotation.
pub const SYNC_WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";

pub(crate) fn order_crds_first(app: &mut AppManifest) {
    let owned = |(group, kind): (&str, &str)| (group.to_owned(), kind.to_owned());
    let defined: BTreeSet<(String, String)> = app
        .documents
        .iter()
        .filter_map(|document| crd_kind(&document.body).map(owned))
        .collect();
    let used: BTreeSet<(String, String)> = app
        .documents
        .iter()
        .map(|document| owned((document.group(), document.kind())))
        .filter(|key| defined.contains(key))
        .collect();
    for document in &mut app.documents {
        let used_here =
            crd_kind(&document.body).is_some_and(|defined| used.contains(&owned(defined)));
        if !used_here {
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
