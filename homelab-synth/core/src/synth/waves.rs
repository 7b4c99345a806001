//! Within an app, a CustomResourceDefinition must be established before Argo CD applies the
//! custom resources that use it. When an app holds both, its CRDs get
//! `argocd.argoproj.io/sync-wave: "-1"` (unless they carry a wave already): Argo CD applies
//! wave -1, waits until the CRDs are healthy (established), then applies the rest. Apps
//! without such a pair are left alone, and Flux needs nothing (it applies CRDs and
//! Namespaces first).
//!
//! Namespaces: within one wave Argo CD applies Namespaces before every other kind, so a
//! Namespace the app declares is already first in wave 0. An object that lives in it and
//! carries an earlier wave (a Helm hook weight, a wave the app chose) would be applied
//! before its Namespace exists, so the Namespace moves to the earliest such wave (unless it
//! carries a wave of its own).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::crd_schema::crd_kind;
use crate::synth::kind_of;

/// The Argo CD sync-wave annotation.
pub const SYNC_WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";

/// Both orderings of this module, on the bodies of one app's documents (before they are
/// kept as text).
pub(crate) fn order_app(bodies: &mut [Value]) {
    order_crds_first(bodies);
    order_namespaces_first(bodies);
}

fn order_crds_first(bodies: &mut [Value]) {
    let owned = |(group, kind): (&str, &str)| (group.to_owned(), kind.to_owned());
    let defined: BTreeSet<(String, String)> = bodies
        .iter()
        .filter_map(|body| crd_kind(body).map(owned))
        .collect();
    let used: BTreeSet<(String, String)> = bodies
        .iter()
        .map(|body| owned(kind_of(body)))
        .filter(|key| defined.contains(key))
        .collect();
    for body in bodies.iter_mut() {
        if crd_kind(body).is_some_and(|defined| used.contains(&owned(defined))) {
            set_wave_unless_chosen(body, -1);
        }
    }
}

fn order_namespaces_first(bodies: &mut [Value]) {
    let mut earliest: BTreeMap<String, i64> = BTreeMap::new();
    for body in bodies.iter() {
        let metadata = &body["metadata"];
        let (Some(namespace), Some(wave)) = (metadata["namespace"].as_str(), wave_of(metadata))
        else {
            continue;
        };
        let slot = earliest.entry(namespace.to_owned()).or_insert(0);
        *slot = (*slot).min(wave);
    }
    for body in bodies.iter_mut() {
        if kind_of(body) != ("", "Namespace") {
            continue;
        }
        let name = body["metadata"]["name"].as_str().unwrap_or_default();
        if let Some(&wave) = earliest.get(name).filter(|wave| **wave < 0) {
            set_wave_unless_chosen(body, wave);
        }
    }
}

/// The sync wave an object's metadata declares (Argo CD reads it as an integer).
fn wave_of(metadata: &Value) -> Option<i64> {
    metadata["annotations"][SYNC_WAVE_ANNOTATION]
        .as_str()?
        .trim()
        .parse()
        .ok()
}

fn set_wave_unless_chosen(object: &mut Value, wave: i64) {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata
        .entry("annotations")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations
            .entry(SYNC_WAVE_ANNOTATION)
            .or_insert_with(|| Value::String(wave.to_string()));
    }
}
