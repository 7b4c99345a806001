//! Field-level differences between two versions of one object: each value added, removed
//! or changed, at the deepest path where the two differ.
//!
//! Paths are JSON Pointers (`/spec/replicas`, `~1` for `/` in a key), except that a list
//! whose items are all objects with distinct `name`s (containers, env, volumes, ports) is
//! keyed by name: `/spec/template/spec/containers[name=web]/env[name=MODE]/value`. Such paths
//! survive reordering and say which item they mean. Other lists of objects of the same length
//! are compared item by item (`/rules/0/verbs`); any other list that differs is one changed
//! value.

use std::fmt;

use serde_json::Value;

/// How a value differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldChangeKind {
    /// Only the new object has it.
    Added,
    /// Only the old object has it.
    Removed,
    /// Both have it, with different values.
    Changed,
}

impl FieldChangeKind {
    /// `+`, `-` or `~`.
    pub fn sign(self) -> char {
        match self {
            FieldChangeKind::Added => '+',
            FieldChangeKind::Removed => '-',
            FieldChangeKind::Changed => '~',
        }
    }
}

/// One value that differs.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// Where (see the module doc for the syntax).
    pub path: String,
    /// Added, removed or changed.
    pub kind: FieldChangeKind,
    /// The old value (absent when added).
    pub old: Option<Value>,
    /// The new value (absent when removed).
    pub new: Option<Value>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |value: &Option<Value>| match value {
            Some(value) => short(value),
            None => "(none)".to_owned(),
        };
        write!(
            f,
            "{} {}: {} -> {}",
            self.kind.sign(),
            self.path,
            show(&self.old),
            show(&self.new)
        )
    }
}

/// A value as compact JSON, cut to 120 characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Whether `path` is `prefix` or lies below it.
pub fn path_within(path: &str, prefix: &str) -> bool {
    path == prefix
        || (path.starts_with(prefix)
            && matches!(path.as_bytes().get(prefix.len()), Some(b'/' | b'[')))
}

/// Every difference between `old` and `new`, in path order.
pub fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    walk(old, new, &mut String::new(), &mut changes);
    changes
}

fn walk(old: &Value, new: &Value, path: &mut String, changes: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(before), Value::Object(after)) => {
            let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let length = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                child(before.get(key), after.get(key), path, changes);
                path.truncate(length);
            }
        }
        (Value::Array(before), Value::Array(after)) => {
            if let (Some(before), Some(after)) = (by_name(before), by_name(after)) {
                let mut names: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
                names.sort_unstable();
                names.dedup();
                for name in names {
                    let length = path.len();
                    path.push_str(&format!("[name={name}]"));
                    child(
                        before.get(name).copied(),
                        after.get(name).copied(),
                        path,
                        changes,
                    );
                    path.truncate(length);
                }
            } else if before.len() == after.len()
                && before.iter().chain(after).all(Value::is_object)
            {
                for (index, (item_before, item_after)) in before.iter().zip(after).enumerate() {
                    let length = path.len();
                    path.push_str(&format!("/{index}"));
                    walk(item_before, item_after, path, changes);
                    path.truncate(length);
                }
            } else if before != after {
                changes.push(changed(path, old, new));
            }
        }
        _ if old != new => changes.push(changed(path, old, new)),
        _ => {}
    }
}

fn child(old: Option<&Value>, new: Option<&Value>, path: &str, changes: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(old), Some(new)) => walk(old, new, &mut path.to_owned(), changes),
        (None, Some(new)) => changes.push(FieldChange {
            path: path.to_owned(),
            kind: FieldChangeKind::Added,
            old: None,
            new: Some(new.clone()),
        }),
        (Some(old), None) => changes.push(FieldChange {
            path: path.to_owned(),
            kind: FieldChangeKind::Removed,
            old: Some(old.clone()),
            new: None,
        }),
        (None, None) => {}
    }
}

fn changed(path: &str, old: &Value, new: &Value) -> FieldChange {
    FieldChange {
        path: path.to_owned(),
        kind: FieldChangeKind::Changed,
        old: Some(old.clone()),
        new: Some(new.clone()),
    }
}

/// The items of a list keyed by their `name`, when every item is an object with a distinct
/// string `name`.
fn by_name(items: &[Value]) -> Option<std::collections::BTreeMap<&str, &Value>> {
    if items.is_empty() {
        return None;
    }
    let mut named = std::collections::BTreeMap::new();
    for item in items {
        let name = item.get("name")?.as_str()?;
        if named.insert(name, item).is_some() {
            return None;
        }
    }
    Some(named)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(old: Value, new: Value) -> Vec<String> {
        field_changes(&old, &new)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reports_the_deepest_path_of_each_difference() {
        assert_eq!(
            paths(
                json!({"spec": {"replicas": 1, "paused": false, "x/y": 1}}),
                json!({"spec": {"replicas": 2, "strategy": {"type": "Recreate"}, "x/y": 1}}),
            ),
            [
                "- /spec/paused: false -> (none)",
                "~ /spec/replicas: 1 -> 2",
                "+ /spec/strategy: (none) -> {\"type\":\"Recreate\"}",
            ]
        );
    }

    #[test]
    fn lists_of_named_items_are_keyed_by_name_and_other_lists_by_index_or_whole() {
        let old = json!({
            "containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y"}],
            "rules": [{"verbs": ["get"]}],
            "args": ["--one", "--two"]
        });
        let new = json!({
            "containers": [{"name": "b", "image": "y"}, {"name": "a", "image": "x:2"}],
            "rules": [{"verbs": ["get", "list"]}],
            "args": ["--one"]
        });
        assert_eq!(
            paths(old, new),
            [
                "~ /args: [\"--one\",\"--two\"] -> [\"--one\"]",
                "~ /containers[name=a]/image: \"x:1\" -> \"x:2\"",
                "~ /rules/0/verbs: [\"get\"] -> [\"get\",\"list\"]",
            ]
        );
    }

    #[test]
    fn a_path_lies_within_itself_and_its_ancestors_only() {
        assert!(path_within("/spec/replicas", "/spec"));
        assert!(path_within("/spec", "/spec"));
        assert!(path_within(
            "/spec/containers[name=a]/image",
            "/spec/containers"
        ));
        assert!(!path_within("/specs", "/spec"));
        assert!(!path_within("/spec", "/spec/replicas"));
    }
}
