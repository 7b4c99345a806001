//! What one node of a structural OpenAPI v3 schema holds, decided once for the generator
//! and for the sample builder: the single place where the mapping rules live.
//!
//! - `x-kubernetes-int-or-string`, or an `anyOf`/`oneOf` of exactly `integer` and `string`
//!   without a `type`, is [`Shape::IntOrString`];
//! - `x-kubernetes-preserve-unknown-fields` (or `x-kubernetes-embedded-resource`) on a node
//!   without properties, an object without properties or `additionalProperties`, and a node
//!   without any type, are [`Shape::Any`]; with properties they are an
//!   [`Shape::Object`] that keeps unknown keys;
//! - `enum` on a string or integer is an enum; on other types it is only a constraint;
//! - `oneOf`/`anyOf`/`allOf`/`not` next to a `type` are constraints and change nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// Why a schema node cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The node is not a mapping.
    #[error("{path}: a schema must be a mapping, found {found}")]
    NotAMapping {
        /// Where in the CRD document the node is (`...openAPIV3Schema.properties.spec`).
        path: String,
        /// What the node is instead (`a sequence`).
        found: &'static str,
    },
    /// A keyword has a value of the wrong JSON type.
    #[error("{path}: `{keyword}` must be {expected}")]
    BadKeyword {
        /// Where in the CRD document the node is (`...openAPIV3Schema.properties.spec`).
        path: String,
        /// The keyword (`type`).
        keyword: &'static str,
        /// What its value should be (`a string`).
        expected: &'static str,
    },
    /// `type` names no OpenAPI type.
    #[error("{path}: unknown type `{found}`")]
    UnknownType {
        /// Where in the CRD document the node is (`...openAPIV3Schema.properties.spec`).
        path: String,
        /// The `type` given.
        found: String,
    },
    /// A `$ref`: structural schemas have none, and Kubernetes refuses a CRD that uses one.
    #[error(
        "{path}: `$ref` to `{target}` is not allowed in a CustomResourceDefinition schema \
         (Kubernetes refuses it): inline the referenced schema"
    )]
    Reference {
        /// Where in the CRD document the node is (`...openAPIV3Schema.properties.spec`).
        path: String,
        /// What the `$ref` points to (`?` when it is not a string).
        target: String,
    },
}

/// A value allowed by an `enum` that became a Rust enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnumValue {
    /// A string value.
    Str(String),
    /// An integer value.
    Int(i64),
}

/// Integer widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Width {
    /// `format: int32`.
    I32,
    /// `format: int64` or no format.
    I64,
}

/// The meaning of one schema node.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape<'a> {
    /// Integer or string (`IntOrString`).
    IntOrString,
    /// Any JSON value (`serde_json::Value`).
    Any,
    /// A string, with the values of its `enum` if it has one.
    String {
        /// The `enum`'s values; `None` without one.
        values: Option<Vec<EnumValue>>,
    },
    /// An integer, with the values of its `enum` if it has one.
    Integer {
        /// The width its `format` asks for (64 bits unless `int32`).
        width: Width,
        /// The `enum`'s values; `None` without one.
        values: Option<Vec<EnumValue>>,
    },
    /// A floating-point number.
    Number,
    /// A boolean.
    Bool,
    /// An array of `items` (`None`: items of any type).
    Array {
        /// The `items` schema; `None` when there is none (items of any type).
        items: Option<&'a Value>,
    },
    /// An object with arbitrary keys whose values follow `values` (`None`: any value).
    Map {
        /// The `additionalProperties` schema; `None` for `additionalProperties: true` (any value).
        values: Option<&'a Value>,
    },
    /// An object with listed properties; `unknown` when keys not listed are kept.
    Object {
        /// Each listed property's name and schema.
        properties: BTreeMap<&'a str, &'a Value>,
        /// The names in `required`.
        required: BTreeSet<&'a str>,
        /// Whether keys not listed are kept (`x-kubernetes-preserve-unknown-fields`, or
        /// `additionalProperties` other than `false`).
        unknown: bool,
    },
}

/// The mapping of a schema node, or an error naming `path`.
pub fn as_map<'a>(schema: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ShapeError> {
    match schema {
        Value::Object(map) => Ok(map),
        other => Err(ShapeError::NotAMapping {
            path: path.to_owned(),
            found: json_type(other),
        }),
    }
}

/// Name of the JSON type of `value`, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

fn flag(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Whether the node allows `null` (`nullable: true`).
pub fn nullable(schema: &Value) -> bool {
    schema.as_object().is_some_and(|map| flag(map, "nullable"))
}

/// The `type` of a node, if any.
fn type_of<'a>(map: &'a Map<String, Value>, path: &str) -> Result<Option<&'a str>, ShapeError> {
    match map.get("type") {
        None => Ok(None),
        Some(Value::String(name)) => Ok(Some(name)),
        Some(_) => Err(ShapeError::BadKeyword {
            path: path.to_owned(),
            keyword: "type",
            expected: "a string",
        }),
    }
}

/// Whether an `anyOf`/`oneOf` list is exactly `integer` and `string`.
fn int_or_string_alternatives(map: &Map<String, Value>) -> bool {
    ["anyOf", "oneOf"].iter().any(|key| {
        let Some(Value::Array(options)) = map.get(*key) else {
            return false;
        };
        let types: BTreeSet<&str> = options
            .iter()
            .filter_map(|option| option.get("type").and_then(Value::as_str))
            .collect();
        options.len() == 2 && types == BTreeSet::from(["integer", "string"])
    })
}

/// The `enum` values of a string or integer node, when every value fits the type (`null`
/// values of a nullable node are left out: they mean "absent").
fn enum_values(map: &Map<String, Value>, integer: bool) -> Option<Vec<EnumValue>> {
    let Some(Value::Array(values)) = map.get("enum") else {
        return None;
    };
    let mut out = Vec::new();
    for value in values {
        match value {
            Value::Null => {}
            Value::String(text) if !integer => out.push(EnumValue::Str(text.clone())),
            Value::Number(number) if integer => out.push(EnumValue::Int(number.as_i64()?)),
            _ => return None,
        }
    }
    let unique: BTreeSet<&EnumValue> = out.iter().collect();
    (!out.is_empty() && unique.len() == out.len()).then_some(out)
}

/// The shape of the schema node at `path`.
pub fn shape<'a>(schema: &'a Value, path: &str) -> Result<Shape<'a>, ShapeError> {
    let map = as_map(schema, path)?;
    if let Some(target) = map.get("$ref") {
        return Err(ShapeError::Reference {
            path: path.to_owned(),
            target: target.as_str().unwrap_or("?").to_owned(),
        });
    }
    if flag(map, "x-kubernetes-int-or-string") {
        return Ok(Shape::IntOrString);
    }
    let kind = type_of(map, path)?;
    if kind.is_none() && int_or_string_alternatives(map) {
        return Ok(Shape::IntOrString);
    }
    let unknown = flag(map, "x-kubernetes-preserve-unknown-fields")
        || flag(map, "x-kubernetes-embedded-resource");
    let properties = match map.get("properties") {
        None => BTreeMap::new(),
        Some(Value::Object(properties)) => properties
            .iter()
            .map(|(name, schema)| (name.as_str(), schema))
            .collect(),
        Some(_) => {
            return Err(ShapeError::BadKeyword {
                path: path.to_owned(),
                keyword: "properties",
                expected: "a mapping",
            });
        }
    };
    let shape = match kind {
        Some("string") => Shape::String {
            values: enum_values(map, false),
        },
        Some("integer") => Shape::Integer {
            width: match map.get("format").and_then(Value::as_str) {
                Some("int32") => Width::I32,
                _ => Width::I64,
            },
            values: enum_values(map, true),
        },
        Some("number") => Shape::Number,
        Some("boolean") => Shape::Bool,
        Some("array") => match map.get("items") {
            None => Shape::Array { items: None },
            Some(items @ Value::Object(_)) => Shape::Array { items: Some(items) },
            Some(_) => {
                return Err(ShapeError::BadKeyword {
                    path: path.to_owned(),
                    keyword: "items",
                    expected: "a mapping",
                });
            }
        },
        Some("object") | None => {
            let required = match map.get("required") {
                None => BTreeSet::new(),
                Some(Value::Array(names)) => names
                    .iter()
                    .map(|name| {
                        name.as_str().ok_or_else(|| ShapeError::BadKeyword {
                            path: path.to_owned(),
                            keyword: "required",
                            expected: "a sequence of strings",
                        })
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(ShapeError::BadKeyword {
                        path: path.to_owned(),
                        keyword: "required",
                        expected: "a sequence of strings",
                    });
                }
            };
            let additional = map.get("additionalProperties");
            if !properties.is_empty() {
                Shape::Object {
                    properties,
                    required,
                    unknown: unknown
                        || additional.is_some_and(|extra| extra != &Value::Bool(false)),
                }
            } else if unknown {
                Shape::Any
            } else {
                match additional {
                    Some(values @ Value::Object(_)) => Shape::Map {
                        values: Some(values),
                    },
                    Some(Value::Bool(true)) => Shape::Map { values: None },
                    _ => Shape::Any,
                }
            }
        }
        Some(other) => {
            return Err(ShapeError::UnknownType {
                path: path.to_owned(),
                found: other.to_owned(),
            });
        }
    };
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn of(schema: &Value) -> Shape<'_> {
        shape(schema, ".").expect("shape")
    }

    #[test]
    fn int_or_string_has_two_spellings() {
        assert_eq!(
            of(&json!({"x-kubernetes-int-or-string": true})),
            Shape::IntOrString
        );
        assert_eq!(
            of(&json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})),
            Shape::IntOrString
        );
        // a constraint-only anyOf next to a type keeps the type
        assert_eq!(
            of(&json!({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]})),
            Shape::String { values: None }
        );
    }

    #[test]
    fn untyped_and_preserved_objects_are_any() {
        assert_eq!(of(&json!({})), Shape::Any);
        assert_eq!(of(&json!({"type": "object"})), Shape::Any);
        assert_eq!(
            of(&json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})),
            Shape::Any
        );
        let Shape::Object { unknown, .. } = of(&json!({
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "properties": {"a": {"type": "string"}}
        })) else {
            panic!("object expected");
        };
        assert!(unknown);
    }

    #[test]
    fn enums_only_on_strings_and_integers() {
        assert_eq!(
            of(&json!({"type": "string", "enum": ["", "*", null]})),
            Shape::String {
                values: Some(vec![
                    EnumValue::Str(String::new()),
                    EnumValue::Str("*".into())
                ])
            }
        );
        assert_eq!(
            of(&json!({"type": "integer", "format": "int32", "enum": [1, 2]})),
            Shape::Integer {
                width: Width::I32,
                values: Some(vec![EnumValue::Int(1), EnumValue::Int(2)])
            }
        );
        assert_eq!(of(&json!({"type": "number", "enum": [1.5]})), Shape::Number);
    }

    #[test]
    fn maps_come_from_additional_properties() {
        let schema = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert!(matches!(of(&schema), Shape::Map { values: Some(_) }));
    }

    #[test]
    fn malformed_nodes_name_their_path() {
        let error = shape(&json!({"type": 3}), ".spec").unwrap_err();
        assert_eq!(error.to_string(), ".spec: `type` must be a string");
        let error = shape(&json!("x"), ".spec").unwrap_err();
        assert_eq!(
            error.to_string(),
            ".spec: a schema must be a mapping, found a string"
        );
    }
}
