//! JSON text with every object's keys in ascending byte order, whatever order the map keeps.
//!
//! The workspace builds `serde_json` with `preserve_order`: an insertion-ordered map holds a
//! synthesis in less memory than a B-tree map, whose smallest node is 640 bytes. A
//! `Value`'s own text and its maps' iteration follow the order keys were inserted in, so
//! whatever must not depend on it (a hash of content, a committed file, a list reported to the
//! user) goes through [`to_sorted_json`] or [`sorted_entries`] instead.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

/// `value` as compact JSON, every object's keys in ascending byte order: the text
/// `serde_json::to_string` gives for a B-tree map.
pub fn to_sorted_json(value: &Value) -> String {
    // Serializing a `Value` into a string cannot fail: its keys are strings and its numbers
    // are finite.
    serde_json::to_string(&SortedKeys(value)).unwrap_or_default()
}

/// The entries of `map` in ascending byte order of their keys.
pub fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
    entries
}

/// A value that serializes with every object's keys in ascending byte order.
struct SortedKeys<'a>(&'a Value);

impl Serialize for SortedKeys<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&SortedKeys(item))?;
                }
                seq.end()
            }
            Value::Object(object) => {
                let entries = sorted_entries(object);
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, &SortedKeys(value))?;
                }
                map.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_come_out_in_byte_order_at_every_depth() {
        let mut inner = serde_json::Map::new();
        inner.insert("z".into(), json!(1));
        inner.insert("B".into(), json!([{"y": true, "x": null}]));
        inner.insert("a".into(), json!("é"));
        let mut outer = serde_json::Map::new();
        outer.insert("zeta".into(), Value::Object(inner));
        outer.insert("alpha".into(), json!(1.5));
        assert_eq!(
            to_sorted_json(&Value::Object(outer)),
            r#"{"alpha":1.5,"zeta":{"B":[{"x":null,"y":true}],"a":"é","z":1}}"#
        );
    }

    #[test]
    fn insertion_order_does_not_change_the_text() {
        let forwards: serde_json::Map<String, Value> = [("a", 1), ("b", 2), ("c", 3)]
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .into_iter()
            .collect();
        let backwards: serde_json::Map<String, Value> = [("c", 3), ("b", 2), ("a", 1)]
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .into_iter()
            .collect();
        assert_eq!(
            to_sorted_json(&Value::Object(forwards)),
            to_sorted_json(&Value::Object(backwards))
        );
    }
}
