//! Decoding a part of a document (the whole object, its pod spec, a StatefulSet's volume
//! claim templates) into its k8s-openapi type, once per synthesis, so the rules read typed
//! fields instead of JSON. A part that does not decode (as kubectl would refuse it) is an
//! [`Undecodable`] that names the first field that fails, as a JSON pointer.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::manifest::{AppManifest, Document};

/// A part of a document that does not decode: where, and why.
pub(crate) struct Undecodable<'a> {
    /// The app of the document.
    pub(crate) app: &'a AppManifest,
    /// The document holding the part.
    pub(crate) document: &'a Document,
    /// JSON pointer of the first field that does not decode.
    pub(crate) path: String,
    /// The decoding error.
    pub(crate) error: serde_json::Error,
}

/// The part of `document` at JSON pointer `pointer` (`""` for the whole object), decoded as
/// `T` from `body`, the document's body parsed; `None` when the document has no such part.
pub(crate) fn decode_at<'a, T: DeserializeOwned>(
    app: &'a AppManifest,
    document: &'a Document,
    body: &Value,
    pointer: &str,
) -> Option<Result<T, Undecodable<'a>>> {
    let value = body.pointer(pointer)?;
    // Tracking the path costs on every field, and almost every part decodes: the path is
    // looked for only once the plain decode failed (the same decode, so it fails again).
    if let Ok(typed) = T::deserialize(value) {
        return Some(Ok(typed));
    }
    Some(
        serde_path_to_error::deserialize(value).map_err(|error| Undecodable {
            app,
            document,
            path: format!("{pointer}{}", json_pointer(error.path())),
            error: error.into_inner(),
        }),
    )
}

/// The JSON pointer (below the decoded part) of the field a decode failed at.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            // a map key, or an externally tagged enum's variant, which JSON writes as a key
            Segment::Map { key: name } | Segment::Enum { variant: name } => {
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => {}
        }
    }
    pointer
}
