//! A JSON value kept as its compact text between the phases that read it. A parsed
//! `serde_json::Value` of a Kubernetes object takes about ten times the size of its text
//! (insertion-ordered maps, a heap string per key), and a synthesis keeps every object of a
//! cluster until validation has looked across all of them and the writer has emitted each:
//! so the resolved documents are held as text ([`CompactJson`]) and parsed again, one at a
//! time, where a check or the emitter reads one.
//!
//! The text is `serde_json`'s compact form, which parses back to an equal value (numbers
//! included: integers stay integers, floats keep their shortest round-trip form).

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

/// A JSON value as compact text.
#[derive(Clone, Debug)]
pub struct CompactJson(Box<RawValue>);

impl CompactJson {
    /// The compact text of `value`.
    pub fn new(value: &Value) -> Self {
        // a `Value` always serializes: its map keys are strings
        CompactJson(serde_json::value::to_raw_value(value).expect("a JSON value serializes"))
    }

    /// The text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The value, parsed from the text (a copy the caller owns).
    pub fn value(&self) -> Value {
        // the text was written by `serde_json` from a value: it parses back
        serde_json::from_str(self.text()).expect("compact JSON parses")
    }

    /// The value decoded into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.text())
    }
}

impl PartialEq for CompactJson {
    /// Equal values: compact texts are equal when their values are, up to the order of keys,
    /// which the parsed values compare without.
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.value() == other.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_text_parses_back_to_the_value_numbers_included() {
        let value = json!({
            "kind": "ConfigMap",
            "data": {"b": "1", "a": "two"},
            "numbers": [1, 1.0, -0.0, 0.5, 18446744073709551615u64, -9223372036854775808i64, 1.5e300],
            "nested": [{"x": null, "y": true}, []],
        });
        let compact = CompactJson::new(&value);
        assert_eq!(compact.value(), value);
        assert!(!compact.text().contains(' '), "{}", compact.text());
        assert_eq!(
            compact.text(),
            r#"{"kind":"ConfigMap","data":{"b":"1","a":"two"},"numbers":[1,1.0,-0.0,0.5,18446744073709551615,-9223372036854775808,1.5e+300],"nested":[{"x":null,"y":true},[]]}"#
        );
        let floats: Vec<bool> = compact.value()["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::is_f64)
            .collect();
        assert_eq!(floats, [false, true, true, true, false, false, true]);
    }

    #[test]
    fn values_equal_up_to_key_order_compare_equal() {
        let a = CompactJson::new(&json!({"a": 1, "b": 2}));
        let b = CompactJson::new(&json!({"b": 2, "a": 1}));
        let c = CompactJson::new(&json!({"a": 1, "b": 3}));
        assert_ne!(a.text(), b.text());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn decodes_into_a_type() {
        #[derive(serde::Deserialize)]
        struct Named {
            name: String,
        }
        let compact = CompactJson::new(&json!({"name": "web", "other": 1}));
        assert_eq!(compact.decode::<Named>().unwrap().name, "web");
        assert!(compact.decode::<Vec<u8>>().is_err());
    }
}
