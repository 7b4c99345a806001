//! Canonical formatting of manifests (`synth fmt`): any YAML or JSON text that Kubernetes
//! accepts, re-rendered as the YAML the emitter writes (fixed key order, YAML 1.1-safe
//! quoting), with the YAML 1.1 coercions the reader met, so a caller can warn about them.
//!
//! - **Input.** Text that starts with `{` or `[` (after white space), or that the caller says
//!   is JSON (a `.json` file), is first read as a stream of JSON values, as kubectl reads JSON;
//!   when it is not valid JSON (`{a: 1}` is valid YAML, which kubectl accepts) it is read with
//!   the YAML reader, like everything else. A top-level array is one document whose value is a
//!   list, as kubectl reads it, not a stream of documents. `null` documents are dropped.
//! - **Output.** The documents joined by `---`, exactly as [`to_yaml_stream`] renders them;
//!   comments and the input's layout are not kept (the canonical form is a function of the
//!   values).
//! - **Clean** ([`FormatOptions::clean`]): drops what the API server adds to an object it
//!   returns (`kubectl get -o yaml`): `status`, and `metadata.managedFields`,
//!   `creationTimestamp`, `resourceVersion`, `uid` and `generation`, also in the items of a
//!   `*List` and of a top-level list.

use serde_json::Value;

use super::coercion::Coercion;
use super::emit::{EmitError, to_yaml_stream};
use super::read::{ReadError, read_documents_with_notes};

/// The result of formatting a YAML file.
pub type Result<T, E = FormatError> = std::result::Result<T, E>;

/// Why a text could not be formatted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The text is neither JSON nor YAML that Kubernetes reads.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A document could not be rendered.
    #[error(transparent)]
    Emit(#[from] EmitError),
}

/// How to format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// Drop the fields the API server adds (see the [module docs](self)). Default: `false`.
    pub clean: bool,
    /// The text is meant to be JSON (a `.json` file): try JSON first even when it does not
    /// start with `{` or `[`. Default: `false`.
    pub json: bool,
}

/// A formatted text.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
    /// The documents, as Kubernetes reads them (cleaned if asked).
    pub documents: Vec<Value>,
    /// The canonical text: every document rendered, joined by `---\n`.
    pub text: String,
    /// The YAML 1.1 coercions of unquoted scalars in the input (none for JSON).
    pub coercions: Vec<Coercion>,
}

/// Reads `text` as Kubernetes would (see the [module docs](self)) and renders it in canonical
/// form.
pub fn format_text(text: &str, options: FormatOptions) -> Result<Formatted> {
    let trimmed = text.trim_start();
    let json = (options.json || trimmed.starts_with(['{', '['])).then(|| json_stream(text));
    let (mut documents, coercions) = match json.flatten() {
        Some(documents) => (documents, Vec::new()),
        None => {
            let read = read_documents_with_notes(text)?;
            (read.documents, read.coercions)
        }
    };
    if options.clean {
        documents.iter_mut().for_each(clean);
    }
    let text = to_yaml_stream(&documents)?;
    Ok(Formatted {
        documents,
        text,
        coercions,
    })
}

/// The values of a stream of JSON texts (`{..}{..}` or one array), without `null`s; `None`
/// when the text is not such a stream.
fn json_stream(text: &str) -> Option<Vec<Value>> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .filter(|value| !matches!(value, Ok(Value::Null)))
        .collect::<Result<Vec<_>, _>>()
        .ok()
}

/// Top-level fields the API server adds to an object.
const SERVER_FIELDS: [&str; 1] = ["status"];

/// `metadata` fields the API server adds to an object.
const SERVER_METADATA: [&str; 5] = [
    "managedFields",
    "creationTimestamp",
    "resourceVersion",
    "uid",
    "generation",
];

/// Drops what the API server adds from a document: from the object itself, from the items of
/// a `*List` object, and from the objects of a top-level list.
pub fn clean(document: &mut Value) {
    match document {
        Value::Array(items) => items.iter_mut().for_each(clean_object),
        Value::Object(object) => {
            let is_list = object
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|kind| kind.ends_with("List"));
            if is_list && let Some(Value::Array(items)) = object.get_mut("items") {
                items.iter_mut().for_each(clean_object);
            }
            clean_object(document);
        }
        _ => {}
    }
}

fn clean_object(object: &mut Value) {
    let Value::Object(object) = object else {
        return;
    };
    for field in SERVER_FIELDS {
        object.remove(field);
    }
    if let Some(Value::Object(metadata)) = object.get_mut("metadata") {
        for field in SERVER_METADATA {
            metadata.remove(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::decode_like_kubectl;
    use crate::yaml::coercion::CoercionKind;
    use serde_json::json;

    fn format(text: &str) -> Formatted {
        format_text(text, FormatOptions::default()).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn flow_yaml_that_is_not_json_is_read_as_yaml() {
        for text in [
            "{a: 1}",
            "{a: on, b: [x, 012]}\n",
            "[a, {b: c}]",
            "  {\"a\": 1, b: 2}",
        ] {
            let formatted = format(text);
            let theirs: Vec<Value> = decode_like_kubectl(text)
                .into_iter()
                .map(|decoded| decoded.expect("kubectl reads it"))
                .collect();
            assert_eq!(formatted.documents, theirs, "{text:?}");
        }
        assert_eq!(format("{a: 1}").text, "a: 1\n");
    }

    #[test]
    fn json_is_read_as_json_and_an_array_is_one_document() {
        let formatted = format("[{\"kind\": \"A\"}, {\"kind\": \"B\"}]\n");
        assert_eq!(
            formatted.documents,
            vec![json!([{"kind": "A"}, {"kind": "B"}])]
        );
        assert_eq!(formatted.text, "- kind: A\n- kind: B\n");
        // A stream of JSON objects is a stream of documents; JSON-only escapes are fine.
        let formatted = format("{\"a\": \"\\/x\"}\n{\"b\": \"\\ud83d\\ude00\"}\nnull\n");
        assert_eq!(
            formatted.documents,
            vec![json!({"a": "/x"}), json!({"b": "😀"})]
        );
        assert_eq!(formatted.text, "a: /x\n---\nb: 😀\n");
        // A `.json` file holding YAML still reads.
        let options = FormatOptions {
            json: true,
            ..FormatOptions::default()
        };
        assert_eq!(format_text("a: 1", options).unwrap().text, "a: 1\n");
    }

    #[test]
    fn yaml_1_1_coercions_are_kept_and_reported() {
        let text = "labels: {enabled: on, version: 012}\nq: \"on\"\nr: 0o12\ns: 1_000\n\
                    t: 12:30\nu: !!bool yes\nv: 0b101\nw: Y\nx: 1.5\nbase: &b {k: 1}\n\
                    m:\n  <<: *b\n  z: <<\non: off\n";
        let formatted = format(text);
        assert_eq!(
            formatted.documents,
            vec![json!({
                "labels": {"enabled": true, "version": 10}, "q": "on", "r": 10, "s": 1000,
                "t": "12:30", "u": true, "v": 5, "w": true, "x": 1.5, "base": {"k": 1},
                "m": {"k": 1, "z": "<<"}, "true": false,
            })]
        );
        let found: Vec<(usize, usize, &str)> = formatted
            .coercions
            .iter()
            .map(|coercion| (coercion.line, coercion.column, coercion.text.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (1, 19, "on"),
                (1, 32, "012"),
                (4, 4, "1_000"),
                (5, 4, "12:30"),
                (7, 4, "0b101"),
                (8, 4, "Y"),
                (12, 3, "<<"),
                (14, 1, "on"),
                (14, 5, "off"),
            ]
        );
        assert_eq!(formatted.coercions[0].kind, CoercionKind::Bool(true));
        assert_eq!(
            formatted.coercions[1].to_string(),
            "line 1, column 32: `012` is the number 10 to Kubernetes (YAML 1.1), the number 12 \
             to YAML 1.2; quote it if a string is meant"
        );
        assert!(format("{\"a\": \"on\"}").coercions.is_empty());
    }

    #[test]
    fn clean_drops_what_the_api_server_adds() {
        let text = "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n\
                    - apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    \
                    uid: x\n    resourceVersion: \"1\"\n    generation: 2\n    \
                    creationTimestamp: \"2024-01-01T00:00:00Z\"\n    managedFields: []\n    \
                    labels: {app: a}\n  data: {k: v}\n  status: {phase: Active}\n";
        let options = FormatOptions {
            clean: true,
            ..FormatOptions::default()
        };
        let formatted = format_text(text, options).unwrap();
        assert_eq!(
            formatted.text,
            "apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n- apiVersion: v1\n  data:\n    \
             k: v\n  kind: ConfigMap\n  metadata:\n    labels:\n      app: a\n    name: a\n"
        );
        // Without --clean, nothing is dropped.
        assert!(format(text).text.contains("uid: x"));
    }
}
