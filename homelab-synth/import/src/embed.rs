//! The imported CRDs themselves, embedded beside their bindings: `crds/<name>.json` holds
//! each CRD as compact JSON (no `status`, metadata reduced to name, labels and
//! annotations; schema descriptions left out with [`Docs::FactsOnly`]) and `crds.rs` indexes
//! them by `metadata.name`. Synthesis validates custom resources against these schemas, and
//! an app can install a CRD it depends on from here instead of fetching it.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use crate::docs::Docs;

/// The folder (relative to the output) that holds the embedded CRDs.
pub const FOLDER: &str = "crds";

/// The embedded form of one CRD document.
pub fn embedded(document: &Value, docs: Docs) -> Value {
    let mut crd = document.clone();
    if let Some(object) = crd.as_object_mut() {
        object.remove("status");
        if let Some(metadata) = object.get("metadata").and_then(Value::as_object) {
            let kept: Map<String, Value> = metadata
                .iter()
                .filter(|(key, _)| matches!(key.as_str(), "name" | "labels" | "annotations"))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            object.insert("metadata".into(), Value::Object(kept));
        }
    }
    if docs == Docs::FactsOnly
        && let Some(versions) = crd
            .pointer_mut("/spec/versions")
            .and_then(Value::as_array_mut)
    {
        for version in versions {
            if let Some(schema) = version.pointer_mut("/schema/openAPIV3Schema") {
                strip_descriptions(schema);
            }
        }
    }
    crd
}

/// Removes the `description` keyword from a schema node and every node below it (property
/// schemas, items, additionalProperties, allOf/anyOf/oneOf/not); a property that happens to
/// be named `description` is kept.
pub fn strip_descriptions(schema: &mut Value) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    node.remove("description");
    for (key, child) in node.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let Some(children) = child.as_object_mut() {
                    children.values_mut().for_each(strip_descriptions);
                }
            }
            "items" | "additionalProperties" | "not" => strip_descriptions(child),
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(children) = child.as_array_mut() {
                    children.iter_mut().for_each(strip_descriptions);
                }
            }
            _ => {}
        }
    }
}

/// The text of `crds/<name>.json`: compact JSON (keys sorted), a fifth of the pretty size.
pub fn json_text(crd: &Value) -> String {
    let mut text = homelab_synth_core::to_sorted_json(crd);
    text.push('\n');
    text
}

/// The tokens of `crds.rs`: the index of the embedded CRDs, sorted by name.
pub fn index_tokens(names: &[String]) -> TokenStream {
    let entries = names.iter().map(|name| {
        let file = format!("{FOLDER}/{name}.json");
        quote!((#name, include_str!(#file)))
    });
    quote! {
        /// Every imported CustomResourceDefinition as `(metadata.name, JSON document)`,
        /// sorted by name.
        pub static CUSTOM_RESOURCE_DEFINITIONS: &[(&str, &str)] = &[#(#entries),*];
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn descriptions_go_but_a_property_named_description_stays() {
        let mut schema = json!({
            "type": "object",
            "description": "root",
            "properties": {
                "description": {"type": "string", "description": "a field"},
                "list": {"type": "array", "items": {"type": "object", "description": "item"}},
                "either": {"anyOf": [{"type": "integer", "description": "n"}, {"type": "string"}]},
            },
            "additionalProperties": {"type": "string", "description": "values"},
        });
        strip_descriptions(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "list": {"type": "array", "items": {"type": "object"}},
                    "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                },
                "additionalProperties": {"type": "string"},
            })
        );
    }

    #[test]
    fn embedded_drops_status_and_extra_metadata() {
        let document = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "a.example.com", "creationTimestamp": null,
                         "annotations": {"x": "y"}},
            "spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
                "type": "object", "description": "gone"}}}]},
            "status": {"acceptedNames": {}},
        });
        let crd = embedded(&document, Docs::FactsOnly);
        assert_eq!(
            crd["metadata"],
            json!({"name": "a.example.com", "annotations": {"x": "y"}})
        );
        assert!(crd.get("status").is_none());
        assert_eq!(
            crd.pointer("/spec/versions/0/schema/openAPIV3Schema"),
            Some(&json!({"type": "object"}))
        );
        let kept = embedded(&document, Docs::Descriptions);
        assert_eq!(
            kept.pointer("/spec/versions/0/schema/openAPIV3Schema/description"),
            Some(&json!("gone"))
        );
    }
}
