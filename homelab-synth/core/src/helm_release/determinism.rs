//! Randomness in charts: the same release rendered twice must give the same objects. An
//! object that differs (a `randAlphaNum` password, a `genCA` certificate) fails synthesis with
//! the JSON paths that changed, unless the user accepted it for that object.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::rendering::RenderedDocument;

/// An object whose two renders differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// `Kind/name` of the object.
    pub object: String,
    /// JSON paths that differ (`data.password`, `webhooks[0].clientConfig.caBundle`).
    pub paths: Vec<String>,
}

/// Objects that differ between `first` and `second` (paired by kind, namespace and name),
/// plus objects present in only one render.
pub fn differences(first: &[RenderedDocument], second: &[RenderedDocument]) -> Vec<Difference> {
    let key = |d: &RenderedDocument| {
        (
            d.value["kind"].as_str().unwrap_or_default().to_owned(),
            d.value["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            d.value["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let mut others: BTreeMap<_, &RenderedDocument> = second.iter().map(|d| (key(d), d)).collect();
    let mut found = Vec::new();
    for document in first {
        match others.remove(&key(document)) {
            Some(other) => {
                let mut paths = Vec::new();
                if document.schemas == other.schemas {
                    diff(&document.value, &other.value, String::new(), &mut paths);
                } else {
                    match (document.whole(), other.whole()) {
                        (Ok(first), Ok(second)) => {
                            diff(&first, &second, String::new(), &mut paths);
                        }
                        _ => paths.push("spec.versions".into()),
                    }
                }
                if !paths.is_empty() {
                    found.push(Difference {
                        object: document.kind_name(),
                        paths,
                    });
                }
            }
            None => found.push(Difference {
                object: document.kind_name(),
                paths: vec!["(only in the first render)".into()],
            }),
        }
    }
    for document in others.values() {
        found.push(Difference {
            object: document.kind_name(),
            paths: vec!["(only in the second render)".into()],
        });
    }
    found
}

fn diff(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (x.get(key), y.get(key)) {
                    (Some(l), Some(r)) => diff(l, r, child, out),
                    _ => out.push(child),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (index, (l, r)) in x.iter().zip(y).enumerate() {
                diff(l, r, format!("{path}[{index}]"), out);
            }
        }
        _ if a != b => out.push(if path.is_empty() {
            "(root)".into()
        } else {
            path
        }),
        _ => {}
    }
}

/// Keys of the chart's default values that name an existing Secret (`existingSecret`,
/// `auth.existingSecretName`...), to suggest when a render carries random secrets.
pub fn existing_secret_values(defaults: &Value) -> Vec<String> {
    let mut found = Vec::new();
    collect(defaults, String::new(), &mut found);
    found.truncate(8);
    found
}

fn collect(value: &Value, path: String, found: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (key, child) in crate::sorted_entries(map) {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let lower = key.to_ascii_lowercase();
            if lower.starts_with("existing") && lower.contains("secret") {
                found.push(here.clone());
            }
            collect(child, here, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(value: Value) -> RenderedDocument {
        RenderedDocument {
            schemas: Default::default(),
            source: "c/templates/x.yaml".into(),
            value,
        }
    }

    #[test]
    fn differing_fields_are_named_by_object_and_path() {
        let first = [
            doc(json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"p": "a", "q": "x"}})),
            doc(json!({"kind": "Service", "metadata": {"name": "v"}})),
            doc(json!({"kind": "VWC", "metadata": {"name": "w"}, "webhooks": [{"caBundle": "1"}]})),
        ];
        let second = [
            doc(json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"p": "b", "q": "x"}})),
            doc(json!({"kind": "Service", "metadata": {"name": "v"}})),
            doc(json!({"kind": "VWC", "metadata": {"name": "w"}, "webhooks": [{"caBundle": "2"}]})),
        ];
        assert_eq!(
            differences(&first, &second),
            [
                Difference {
                    object: "Secret/s".into(),
                    paths: vec!["data.p".into()]
                },
                Difference {
                    object: "VWC/w".into(),
                    paths: vec!["webhooks[0].caBundle".into()]
                }
            ]
        );
    }

    #[test]
    fn existing_secret_values_are_found() {
        let defaults = json!({"existingSecret": "", "core": {"existingSecretName": null}, "x": 1});
        assert_eq!(
            existing_secret_values(&defaults),
            ["core.existingSecretName", "existingSecret"]
        );
    }
}
