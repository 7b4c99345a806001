//! JSON patches (RFC 6902), the escape hatch that can change any field of any object after
//! synthesis has resolved its name and metadata. A patch is kept as its JSON operations and
//! parsed when applied, so building one never fails; every problem is reported at synthesis
//! with the object and the operation.

use serde_json::{Value, json};

/// An RFC 6902 patch: a list of operations applied in order, all or nothing.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct JsonPatch {
    operations: Vec<Value>,
}

/// The result of applying a patch.
pub type Result<T, E = PatchError> = std::result::Result<T, E>;

/// Why a patch could not be applied.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PatchError {
    /// The operations are not a valid RFC 6902 document (unknown `op`, bad pointer syntax...).
    #[error("patch {patch} is not a valid JSON patch: {reason}")]
    Invalid {
        /// The whole patch as compact JSON (its operations array).
        patch: String,
        /// Why the operations do not parse as a JSON patch.
        reason: String,
    },
    /// An operation could not be applied to the object (missing path, failed `test`...).
    #[error("operation {operation} of patch {patch} failed at `{path}`: {reason}")]
    Failed {
        /// The whole patch as compact JSON (its operations array).
        patch: String,
        /// The failing operation's index in the patch, counted from 0.
        operation: usize,
        /// The JSON pointer where the operation failed (`/spec/missing`, say).
        path: String,
        /// What went wrong there: a missing path, a failed `test`...
        reason: String,
    },
}

impl JsonPatch {
    /// A patch from RFC 6902 operations given as JSON (an array of `{op, path, ...}`).
    pub fn from_operations(operations: Value) -> Self {
        let operations = match operations {
            Value::Array(items) => items,
            single => vec![single],
        };
        JsonPatch { operations }
    }

    /// `add`: sets `path` to `value` (appends with `/-` in arrays).
    pub fn add(path: &str, value: Value) -> Self {
        Self::single(json!({"op": "add", "path": path, "value": value}))
    }

    /// `replace`: sets an existing `path` to `value`.
    pub fn replace(path: &str, value: Value) -> Self {
        Self::single(json!({"op": "replace", "path": path, "value": value}))
    }

    /// `remove`: deletes `path`, which must exist.
    pub fn remove(path: &str) -> Self {
        Self::single(json!({"op": "remove", "path": path}))
    }

    /// `copy`: copies the value at `from` to `path`.
    pub fn copy(from: &str, path: &str) -> Self {
        Self::single(json!({"op": "copy", "from": from, "path": path}))
    }

    /// `move`: moves the value at `from` to `path`.
    pub fn move_to(from: &str, path: &str) -> Self {
        Self::single(json!({"op": "move", "from": from, "path": path}))
    }

    /// `test`: the patch fails unless `path` equals `value`.
    pub fn test(path: &str, value: Value) -> Self {
        Self::single(json!({"op": "test", "path": path, "value": value}))
    }

    /// This patch followed by `next`, applied as one.
    pub fn then(mut self, next: JsonPatch) -> Self {
        self.operations.extend(next.operations);
        self
    }

    fn single(operation: Value) -> Self {
        JsonPatch {
            operations: vec![operation],
        }
    }

    /// Compact JSON of the operations, used to name the patch in errors.
    pub fn describe(&self) -> String {
        Value::Array(self.operations.clone()).to_string()
    }

    /// Applies the patch to `document`; on failure the document is left unchanged.
    pub fn apply(&self, document: &mut Value) -> Result<()> {
        let patch: json_patch::Patch =
            serde_json::from_value(Value::Array(self.operations.clone())).map_err(|error| {
                PatchError::Invalid {
                    patch: self.describe(),
                    reason: error.to_string(),
                }
            })?;
        json_patch::patch(document, &patch).map_err(|error| PatchError::Failed {
            patch: self.describe(),
            operation: error.operation,
            path: error.path.to_string(),
            reason: error.kind.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_apply_in_order() {
        let mut doc = json!({"spec": {"replicas": 1, "template": {}}});
        JsonPatch::replace("/spec/replicas", json!(3))
            .then(JsonPatch::add("/spec/paused", json!(true)))
            .then(JsonPatch::move_to("/spec/template", "/spec/moved"))
            .then(JsonPatch::copy("/spec/replicas", "/spec/copied"))
            .then(JsonPatch::test("/spec/copied", json!(3)))
            .apply(&mut doc)
            .unwrap();
        assert_eq!(
            doc,
            json!({"spec": {"replicas": 3, "paused": true, "moved": {}, "copied": 3}})
        );
    }

    #[test]
    fn a_failing_operation_names_itself_and_leaves_the_document_unchanged() {
        let mut doc = json!({"spec": {"replicas": 1}});
        let error = JsonPatch::replace("/spec/replicas", json!(2))
            .then(JsonPatch::remove("/spec/missing"))
            .apply(&mut doc)
            .unwrap_err();
        assert_eq!(doc, json!({"spec": {"replicas": 1}}));
        match error {
            PatchError::Failed {
                operation, path, ..
            } => {
                assert_eq!(operation, 1);
                assert_eq!(path, "/spec/missing");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_operations_are_reported_not_panicked() {
        let error = JsonPatch::from_operations(json!([{"op": "frobnicate", "path": "/a"}]))
            .apply(&mut json!({}))
            .unwrap_err();
        assert!(matches!(error, PatchError::Invalid { .. }), "{error:?}");
        let error = JsonPatch::add("no-leading-slash", json!(1))
            .apply(&mut json!({}))
            .unwrap_err();
        assert!(error.to_string().contains("no-leading-slash"), "{error}");
    }
}
