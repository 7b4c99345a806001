//! Sample documents built from a schema: every property present, every value of the type
//! the generator maps it to (enums take their first value, lists hold one item, maps one
//! entry, objects that preserve unknown fields carry one key their schema does not list).
//!
//! A sample that deserializes into the generated type and serializes back to the same JSON
//! proves the type reaches every field and loses nothing.

use serde_json::{Map, Value, json};

use crate::crd::{Crd, CrdVersion};
use crate::schema::SchemaError;
use crate::shape::{EnumValue, Shape, Width, shape};

/// A key that no schema lists, added to objects that preserve unknown fields.
pub const UNKNOWN_KEY: &str = "x-sample-unknown";

/// A complete document of `crd` at `version`: `apiVersion`, `kind`, `metadata` (name, and
/// namespace for namespaced kinds) and every property of the schema.
pub fn document(crd: &Crd, version: &CrdVersion) -> Result<Value, SchemaError> {
    let mut body = match value(&version.schema, &version.path, 0)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let mut metadata = json!({"name": "sample"});
    if crd.scope == homelab_synth_core::Scope::Namespaced {
        metadata["namespace"] = json!("default");
    }
    body.insert("apiVersion".into(), json!(crd.api_version(&version.name)));
    body.insert("kind".into(), json!(crd.kind));
    body.insert("metadata".into(), metadata);
    Ok(Value::Object(body))
}

fn enum_value(values: &[EnumValue]) -> Value {
    match values.first() {
        Some(EnumValue::Str(text)) => json!(text),
        Some(EnumValue::Int(number)) => json!(number),
        None => Value::Null,
    }
}

/// A value for the schema node at `path`.
pub fn value(schema: &Value, path: &str, depth: usize) -> Result<Value, SchemaError> {
    if depth > crate::schema::MAX_DEPTH {
        return Err(SchemaError::TooDeep {
            path: path.to_owned(),
            limit: crate::schema::MAX_DEPTH,
        });
    }
    let value = match shape(schema, path)? {
        Shape::IntOrString => json!(8080),
        Shape::Any => json!({"any": ["value", 1, true]}),
        Shape::String {
            values: Some(values),
        }
        | Shape::Integer {
            values: Some(values),
            ..
        } => enum_value(&values),
        Shape::String { values: None } => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2024-05-06T07:08:09Z"),
            Some("byte") => json!("c2FtcGxl"),
            _ => json!("sample"),
        },
        Shape::Integer {
            width: Width::I32, ..
        } => json!(32),
        Shape::Integer { .. } => json!(64),
        Shape::Number => json!(1.5),
        Shape::Bool => json!(true),
        Shape::Array { items: None } => json!(["item"]),
        Shape::Array { items: Some(items) } => {
            json!([value(items, &format!("{path}.items"), depth + 1)?])
        }
        Shape::Map { values: None } => json!({"key": "value"}),
        Shape::Map {
            values: Some(values),
        } => json!({"key": value(values, &format!("{path}.additionalProperties"), depth + 1)?}),
        Shape::Object {
            properties,
            unknown,
            ..
        } => {
            let mut map = Map::new();
            for (name, schema) in properties {
                let at = format!("{path}.properties.{name}");
                map.insert(name.to_owned(), value(schema, &at, depth + 1)?);
            }
            if unknown && !map.contains_key(UNKNOWN_KEY) {
                map.insert(UNKNOWN_KEY.to_owned(), json!({"kept": [1, "two"]}));
            }
            Value::Object(map)
        }
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_gets_a_value_of_its_type() {
        let schema = json!({
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "properties": {
                "count": {"type": "integer", "format": "int32"},
                "mode": {"type": "string", "enum": ["b", "a"]},
                "port": {"x-kubernetes-int-or-string": true},
                "tags": {"type": "array", "items": {"type": "string", "format": "date-time"}},
                "labels": {"type": "object", "additionalProperties": {"type": "boolean"}}
            }
        });
        assert_eq!(
            value(&schema, ".", 0).expect("sample"),
            json!({
                "count": 32,
                "mode": "b",
                "port": 8080,
                "tags": ["2024-05-06T07:08:09Z"],
                "labels": {"key": true},
                UNKNOWN_KEY: {"kept": [1, "two"]}
            })
        );
    }
}
