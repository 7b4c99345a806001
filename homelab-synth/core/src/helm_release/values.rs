//! Every value the user sets must mean something to the chart: its key path must exist in the
//! chart's default values (`values.yaml`, with subcharts' defaults under their names) or in
//! its `values.schema.json`. This catches the values Helm silently ignores.
//!
//! The rule for maps that are free-form by design:
//! - below a key whose default is an empty map (`annotations: {}`, `podAnnotations: {}`,
//!   `labels: {}`, `nodeSelector: {}`, `resources: {}`, `extraEnv: {}`...) any key is
//!   accepted; so is anything below a key whose default is `null` or a list, or below a key
//!   the schema declares with `additionalProperties` or `patternProperties`, or as an object
//!   without `properties` (open, as JSON Schema has it);
//! - below `resources.limits` and `resources.requests` (Kubernetes resource lists) any
//!   resource name is accepted, whatever the defaults list;
//! - the dependency conditions and tags of `Chart.yaml` are values, declared or not (the
//!   caller passes them as allowed paths);
//! - `global` is always accepted (Helm hands it to every subchart);
//! - anything else needs an explicit allow ([`HelmProps::allow_values`](super::HelmProps)),
//!   which also accepts everything below the allowed path.

use serde_json::{Map, Value};

/// Paths (`a.b.c`) of the user's values that the chart does not declare, keys in byte order
/// at each level.
pub fn unknown_paths(
    user: &Map<String, Value>,
    defaults: &Value,
    schema: Option<&Value>,
    allow: &[String],
) -> Vec<String> {
    let mut unknown = Vec::new();
    walk(user, Some(defaults), schema, "", allow, &mut unknown);
    unknown
}

fn walk(
    user: &Map<String, Value>,
    defaults: Option<&Value>,
    schema: Option<&Value>,
    prefix: &str,
    allow: &[String],
    unknown: &mut Vec<String>,
) {
    for (key, value) in crate::sorted_entries(user) {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if (prefix.is_empty() && key == "global")
            || allowed(&path, allow)
            || is_resource_list(prefix)
        {
            continue;
        }
        let default = defaults.and_then(|d| d.get(key));
        let property = schema.and_then(|s| schema_property(s, key));
        let open_schema = schema.is_some_and(schema_is_open);
        if default.is_none() && property.is_none() {
            if !open_schema {
                unknown.push(path);
            }
            continue;
        }
        let Value::Object(nested) = value else {
            continue;
        };
        let free_form_default = match default {
            None => false,
            Some(Value::Object(map)) => map.is_empty(),
            Some(_) => true,
        };
        if free_form_default && property.is_none() {
            continue;
        }
        if free_form_default && property.is_some_and(schema_is_open) {
            continue;
        }
        if default.is_none() && property.is_some_and(|p| !has_properties(p)) {
            continue;
        }
        let nested_defaults = default.filter(|d| d.is_object());
        walk(nested, nested_defaults, property, &path, allow, unknown);
    }
}

fn allowed(path: &str, allow: &[String]) -> bool {
    allow.iter().any(|allowed| {
        path == allowed
            || path
                .strip_prefix(allowed.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Whether `path` is a Kubernetes resource list (`…resources.limits`, `…resources.requests`),
/// whose keys are resource names.
fn is_resource_list(path: &str) -> bool {
    ["resources.limits", "resources.requests"]
        .iter()
        .any(|list| path == *list || path.ends_with(&format!(".{list}")))
}

fn schema_property<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema.get("properties").and_then(|p| p.get(key))
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
}

/// Whether a schema accepts keys it does not list: `additionalProperties` says so, or it
/// lists no `properties` at all (and does not close itself with `additionalProperties: false`).
fn schema_is_open(schema: &Value) -> bool {
    let additional = match schema.get("additionalProperties") {
        Some(Value::Bool(open)) => *open,
        Some(Value::Object(_)) => true,
        _ => !has_properties(schema),
    };
    additional || schema.get("patternProperties").is_some()
}

/// Helm's coalescing of user values over chart defaults: maps merge key by key, a user
/// `null` removes the default, anything else replaces it. The result is what templates (and
/// `values.schema.json`) see.
pub fn coalesce(defaults: &Value, user: &Value) -> Value {
    match (defaults, user) {
        (Value::Object(base), Value::Object(over)) => {
            let mut merged = base.clone();
            for (key, value) in over {
                if value.is_null() {
                    merged.remove(key);
                    continue;
                }
                let next = match merged.get(key) {
                    Some(existing) => coalesce(existing, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), next);
            }
            Value::Object(merged)
        }
        (_, over) => over.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn keys_the_chart_does_not_declare_are_reported_with_their_path() {
        let defaults = json!({
            "image": {"repository": "ollama/ollama", "tag": ""},
            "podAnnotations": {},
            "resources": {},
            "tolerations": [],
            "existingSecret": null,
            "ollama": {"gpu": {"enabled": false}}
        });
        let values = user(json!({
            "persistence": {"enabled": true},
            "image": {"tag": "0.24.0", "digest": "x"},
            "podAnnotations": {"reloader.stakater.com/auto": "true"},
            "resources": {"limits": {"nvidia.com/gpu": 1}},
            "tolerations": [{"operator": "Exists"}],
            "existingSecret": {"name": "x"},
            "ollama": {"gpu": {"enabled": true, "type": "nvidia"}},
            "global": {"anything": 1}
        }));
        assert_eq!(
            unknown_paths(&values, &defaults, None, &[]),
            ["image.digest", "ollama.gpu.type", "persistence"]
        );
        assert_eq!(
            unknown_paths(
                &values,
                &defaults,
                None,
                &[
                    "persistence".into(),
                    "image.digest".into(),
                    "ollama.gpu".into()
                ]
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_schema_declares_values_too() {
        let defaults = json!({});
        let schema = json!({
            "type": "object",
            "properties": {
                "mode": {"type": "string"},
                "config": {"type": "object", "properties": {"a": {}}},
                "extra": {"type": "object", "additionalProperties": true}
            }
        });
        let values = user(json!({
            "mode": "deployment",
            "config": {"a": 1, "b": 2},
            "extra": {"x": {"y": 1}},
            "nope": 1
        }));
        assert_eq!(
            unknown_paths(&values, &defaults, Some(&schema), &[]),
            ["config.b", "nope"]
        );
    }

    #[test]
    fn resource_lists_and_property_less_schemas_are_open() {
        let defaults = json!({
            "admission": {"resources": {"limits": {"memory": "384Mi"}, "requests": {}}},
            "server": {"annotations": {}},
            "config": {"strict": {"a": 1}},
        });
        let schema = json!({
            "type": "object",
            "properties": {
                "admission": {"type": "object"},
                "server": {"type": "object", "properties": {
                    "annotations": {"type": ["object", "string"]}}},
                "config": {"type": "object", "properties": {
                    "strict": {"type": "object", "additionalProperties": false,
                               "properties": {"a": {}}}}},
            },
        });
        let values = user(json!({
            "admission": {"resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                                        "requests": {"cpu": "100m"}}},
            "server": {"annotations": {"reloader.stakater.com/auto": "true"}},
            "config": {"strict": {"a": 2, "b": 3}},
        }));
        assert_eq!(
            unknown_paths(&values, &defaults, Some(&schema), &[]),
            ["config.strict.b"]
        );
        assert_eq!(
            unknown_paths(&values, &defaults, None, &[]),
            ["config.strict.b"],
            "without a schema the defaults decide: the limits list stays open"
        );
    }

    #[test]
    fn coalesce_merges_maps_and_null_removes() {
        let merged = coalesce(
            &json!({"a": {"b": 1, "c": 2}, "d": [1], "e": 1}),
            &json!({"a": {"c": 3}, "d": [2], "e": null}),
        );
        assert_eq!(merged, json!({"a": {"b": 1, "c": 3}, "d": [2]}));
    }
}
