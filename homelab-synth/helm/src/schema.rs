//! `values.schema.json`: the values Helm's templates will see (the user's coalesced over the
//! chart's defaults) are validated before helm runs, and every violation is reported with its
//! JSON path.

use homelab_synth_core::helm_release::ValueViolation;
use serde_json::Value;

/// Why a chart's `values.schema.json` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema does not compile (what the JSON Schema validator reported).
    #[error("values.schema.json cannot be used: {0}")]
    Unusable(Box<jsonschema::ValidationError<'static>>),
}

/// A schema check's result.
pub type Result<T, E = SchemaError> = std::result::Result<T, E>;

/// Every violation of `schema` by `values`; `Err` when the schema itself cannot be used
/// (then helm's own check still applies).
pub fn violations(schema: &Value, values: &Value) -> Result<Vec<ValueViolation>> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|error| SchemaError::Unusable(Box::new(error.to_owned())))?;
    let mut found: Vec<ValueViolation> = validator
        .iter_errors(values)
        .map(|error| ValueViolation {
            path: dotted(error.instance_path().as_str()),
            message: error.to_string(),
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    found.dedup();
    Ok(found)
}

/// A JSON pointer (`/a/b/0/c`) as a dotted path (`a.b[0].c`).
fn dotted(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_violation_is_reported_with_its_path() {
        let schema = json!({
            "type": "object",
            "properties": {
                "replicas": {"type": "integer"},
                "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
                "ports": {"type": "array", "items": {"type": "integer"}}
            }
        });
        let values = json!({"replicas": "two", "image": {"tag": 1}, "ports": [80, "x"]});
        let found = violations(&schema, &values).unwrap();
        let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["image.tag", "ports[1]", "replicas"]);
        assert!(found[2].message.contains("integer"), "{found:?}");
    }
}
