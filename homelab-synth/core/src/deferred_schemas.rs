//! A rendered CustomResourceDefinition's schemas kept as JSON text until something needs
//! them. A chart's or kustomization's CRDs are most of what a homelab renders (19 of the 21 MB
//! of YAML this repository's homelab writes), and as parsed JSON their `openAPIV3Schema`s
//! took several times the size of their text; yet a synthesis reads only the schemas of the
//! kinds it checks a custom resource against, and writes each CRD once. So every served or
//! unserved version's `spec.versions[i].schema.openAPIV3Schema` of a rendered CRD is taken
//! out of the document as compact JSON text ([`DeferredSchemas`]) and parsed again only where
//! it is read: a patch aimed at the CRD, the schema check of a custom resource of its kind,
//! and writing it out (one document at a time).
//!
//! The text is `serde_json`'s compact form of the schema with its `null` entries removed (as
//! every rendered document's are, see [`strip_nulls`]), so its sha256 is the schema's digest
//! ([`crate::crd_verdicts::schema_digest`]) without parsing it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::crd_catalog::is_crd;

/// The `openAPIV3Schema` of some versions of one CRD, by index in `spec.versions`, as JSON
/// text; empty for any other document.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeferredSchemas(Vec<(usize, Box<RawValue>)>);

/// Why a deferred schema could not be put back.
#[derive(Debug, thiserror::Error)]
pub enum DeferredSchemaError {
    /// The text is not JSON (a damaged cache entry that still matched its digest cannot get
    /// here; this is for a caller that built one by hand).
    #[error("the schema of version {index} is not JSON: {source}")]
    Unreadable {
        /// Index in `spec.versions`.
        index: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The document has no `spec.versions[index].schema` to put it in.
    #[error("the document has no `spec.versions[{index}].schema`")]
    NoPlace {
        /// Index in `spec.versions`.
        index: usize,
    },
}

impl PartialEq for DeferredSchemas {
    /// The same versions with the same text (two texts of one schema with keys in another
    /// order differ: the texts are what gets written).
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((a, a_text), (b, b_text))| a == b && a_text.get() == b_text.get())
    }
}

impl Eq for DeferredSchemas {}

impl DeferredSchemas {
    /// Takes the schemas out of `document` when it is an `apiextensions.k8s.io`
    /// CustomResourceDefinition, removing their `null` entries first; nothing for any other
    /// document.
    pub fn take(document: &mut Value) -> Self {
        let text = |field| {
            document
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let is_crd = is_crd(text("apiVersion"), text("kind"));
        let versions = document
            .pointer_mut("/spec/versions")
            .and_then(Value::as_array_mut)
            .filter(|_| is_crd);
        let mut taken = Vec::new();
        for (index, version) in versions.into_iter().flatten().enumerate() {
            let Some(Value::Object(schema)) = version.get_mut("schema") else {
                continue;
            };
            let Some(mut open_api) = schema.remove("openAPIV3Schema") else {
                continue;
            };
            strip_nulls(&mut open_api);
            let text = serde_json::value::to_raw_value(&open_api).expect("a JSON value serializes");
            taken.push((index, text));
        }
        DeferredSchemas(taken)
    }

    /// Whether no schema is deferred.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text of the schema of version `index`, if it is deferred.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.0
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, text)| text.get())
    }

    /// Every deferred schema: `(index in spec.versions, text)`, in index order.
    pub fn texts(&self) -> impl Iterator<Item = (usize, &str)> {
        self.0.iter().map(|(index, text)| (*index, text.get()))
    }

    /// Puts every schema back into `document`, parsed.
    pub fn restore(&self, document: &mut Value) -> Result<(), DeferredSchemaError> {
        for &(index, ref text) in &self.0 {
            let schema: Value = serde_json::from_str(text.get())
                .map_err(|source| DeferredSchemaError::Unreadable { index, source })?;
            let Some(Value::Object(place)) = document
                .pointer_mut("/spec/versions")
                .and_then(|versions| versions.get_mut(index))
                .and_then(|version| version.get_mut("schema"))
            else {
                return Err(DeferredSchemaError::NoPlace { index });
            };
            place.insert("openAPIV3Schema".into(), schema);
        }
        Ok(())
    }

    /// `document` whole: borrowed when nothing is deferred, else a copy with the schemas put
    /// back.
    pub fn whole<'a>(&self, document: &'a Value) -> Result<Cow<'a, Value>, DeferredSchemaError> {
        if self.is_empty() {
            return Ok(Cow::Borrowed(document));
        }
        let mut whole = document.clone();
        self.restore(&mut whole)?;
        Ok(Cow::Owned(whole))
    }

    /// [`DeferredSchemas::restore`] into an owned document.
    pub fn into_whole(self, mut document: Value) -> Result<Value, DeferredSchemaError> {
        self.restore(&mut document)?;
        Ok(document)
    }
}

/// Removes `null` map entries at any depth (`annotations: null`, `data: null` that templates
/// leave behind): the API server reads them as absent, and without them the output says what
/// the object is. Every rendered document goes through it.
pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| !child.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sha2::Digest;

    fn crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "names": {"kind": "Widget"}, "versions": [
                {"name": "v1", "served": true,
                 "schema": {"openAPIV3Schema": {"type": "object", "default": null,
                    "properties": {"size": {"type": "integer", "description": "é \"q\""}}}}},
                {"name": "v0", "served": false},
                {"name": "v2", "schema": {"openAPIV3Schema": {"type": "object"}}},
            ]}
        })
    }

    #[test]
    fn a_crd_s_schemas_leave_as_text_and_come_back_without_nulls() {
        let mut document = crd();
        let schemas = DeferredSchemas::take(&mut document);
        assert_eq!(document["spec"]["versions"][0]["schema"], json!({}));
        assert_eq!(document["spec"]["versions"][2]["schema"], json!({}));
        assert_eq!(document["spec"]["names"], json!({"kind": "Widget"}));
        assert_eq!(schemas.text(1), None);
        assert_eq!(schemas.text(2), Some(r#"{"type":"object"}"#));
        let mut expected = crd();
        strip_nulls(&mut expected);
        assert_eq!(*schemas.whole(&document).unwrap(), expected);
        schemas.restore(&mut document).unwrap();
        assert_eq!(document, expected);
    }

    #[test]
    fn the_text_hashes_as_the_schema_it_holds() {
        let mut document = crd();
        let schemas = DeferredSchemas::take(&mut document);
        let text = schemas.text(0).unwrap();
        let parsed: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            crate::crd_verdicts::schema_digest(&parsed),
            <[u8; 32]>::from(sha2::Sha256::digest(text.as_bytes())),
        );
    }

    #[test]
    fn other_documents_keep_their_schemas() {
        let mut custom = crd();
        custom["apiVersion"] = json!("example.com/v1");
        let before = custom.clone();
        assert!(DeferredSchemas::take(&mut custom).is_empty());
        assert_eq!(custom, before);
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": null});
        assert!(DeferredSchemas::take(&mut config).is_empty());
        assert_eq!(config["data"], Value::Null, "not a CRD: untouched");
    }

    #[test]
    fn a_schema_without_its_place_is_an_error() {
        let mut document = crd();
        let schemas = DeferredSchemas::take(&mut document);
        let mut other = json!({"spec": {"versions": []}});
        let error = schemas.restore(&mut other).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the document has no `spec.versions[0].schema`"
        );
    }
}
