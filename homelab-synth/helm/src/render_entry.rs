//! One cached render on disk, the same for Helm's `renders/<key>.json` and kustomize's: the
//! manifest (and Helm's second render when it differed), and the manifest already split into
//! documents, [sealed](crate::cache::seal) with the sha256 of all of it. A reader verifies the
//! digest, so an entry edited or damaged after it was written is a cache miss, never an input.
//!
//! The split documents are what a warm synthesis reads (JSON, several times faster than
//! reading the YAML again); they are used only while the reader that split them is the one
//! running ([`split_digest`]). When they are, the manifest's text is not even decoded: it is
//! there for a reader whose split documents are not usable, which splits it again.

use std::collections::BTreeMap;

use homelab_synth_core::DeferredSchemas;
use homelab_synth_core::rendering::{RenderOutput, RenderedDocument, split, split_digest};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::cache::{seal, unseal};

/// A cache entry read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderEntry {
    /// The render: its documents when this binary's reader split them, else the manifest's
    /// text.
    pub output: RenderOutput,
    /// Helm's second render, stored only when it differed from the first.
    pub second: Option<String>,
}

/// Why a cache file was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Not an entry.
    Unreadable,
    /// The content does not match the digest stored with it.
    DigestMismatch,
}

impl RenderEntry {
    /// The bytes of the cache file for a fresh render: `manifest` as the tool printed it,
    /// the `second` render when it differed, and `manifest` split (by [`split`]) when it
    /// splits.
    pub fn to_bytes(manifest: &str, second: Option<&str>, output: &RenderOutput) -> Vec<u8> {
        let mut entry: BTreeMap<&str, Box<RawValue>> = BTreeMap::new();
        entry.insert("manifest", raw(&manifest));
        if let Some(second) = second {
            entry.insert("second", raw(&second));
        }
        if let RenderOutput::Split(documents) = output {
            entry.insert("split", raw(&split_digest()));
            // a CRD's schemas stay the text they were split into (written verbatim)
            let documents: Vec<(&str, &Value, &DeferredSchemas)> = documents
                .iter()
                .map(|document| (document.source.as_str(), &document.value, &document.schemas))
                .collect();
            entry.insert("documents", raw(&documents));
        }
        seal(
            serde_json::to_string(&entry)
                .expect("the entry serializes")
                .as_bytes(),
        )
    }

    /// The entry in a cache file, if its content matches its digest. Documents split by
    /// another reader are not used: the output is then the manifest's text (see
    /// [`RenderEntry::resplit`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<RenderEntry, Unusable> {
        let body = unseal(bytes).ok_or(if bytes.starts_with(b"sha256:") {
            Unusable::DigestMismatch
        } else {
            Unusable::Unreadable
        })?;
        // the fields stay raw JSON text, borrowed from `body`, until one is needed
        let fields: BTreeMap<&str, &RawValue> =
            serde_json::from_slice(body).map_err(|_| Unusable::Unreadable)?;
        let text = |field: &RawValue| serde_json::from_str::<String>(field.get()).ok();
        let manifest = fields.get("manifest").ok_or(Unusable::Unreadable)?;
        let second = match fields.get("second") {
            None => None,
            Some(second) if second.get() == "null" => None,
            Some(second) => Some(text(second).ok_or(Unusable::Unreadable)?),
        };
        let split_here = fields
            .get("split")
            .and_then(|by| text(by))
            .is_some_and(|by| by == split_digest());
        let documents = fields
            .get("documents")
            .filter(|_| split_here)
            .and_then(|documents| {
                serde_json::from_str::<Vec<(String, Value, DeferredSchemas)>>(documents.get()).ok()
            });
        let output = match documents {
            Some(documents) => RenderOutput::Split(
                documents
                    .into_iter()
                    .map(|(source, value, schemas)| RenderedDocument {
                        source,
                        value,
                        schemas,
                    })
                    .collect(),
            ),
            None => RenderOutput::Text(text(manifest).ok_or(Unusable::Unreadable)?),
        };
        Ok(RenderEntry { output, second })
    }

    /// Splits a manifest read back as text (its documents were split by another reader's
    /// build) with this reader, so that the next run reads documents: the entry's output
    /// becomes the documents, and the bytes to write back are returned. `None`, and the entry
    /// unchanged, when the output is split already or the manifest does not split.
    pub fn resplit(&mut self) -> Option<Vec<u8>> {
        let RenderOutput::Text(manifest) = &self.output else {
            return None;
        };
        let documents = RenderOutput::Split(split(manifest).ok()?);
        let bytes = RenderEntry::to_bytes(manifest, self.second.as_deref(), &documents);
        self.output = documents;
        Some(bytes)
    }
}

/// `value` as JSON text, to be written verbatim into an entry.
fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("an entry's parts serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fresh(manifest: &str, second: Option<&str>) -> Vec<u8> {
        RenderEntry::to_bytes(
            manifest,
            second,
            &RenderOutput::of_text(manifest.to_owned()),
        )
    }

    #[test]
    fn an_entry_reads_back_and_an_edit_is_caught() {
        let bytes = fresh("kind: Pod\nimage: a:1\n", Some("kind: Pod\nimage: a:2\n"));
        assert_eq!(
            RenderEntry::from_bytes(&bytes),
            Ok(RenderEntry {
                output: RenderOutput::Split(vec![RenderedDocument {
                    source: String::new(),
                    value: json!({"kind": "Pod", "image": "a:1"}),
                    schemas: DeferredSchemas::default(),
                }]),
                second: Some("kind: Pod\nimage: a:2\n".into()),
            })
        );
        let edited = String::from_utf8(bytes).unwrap().replace("a:1", "evil:1");
        assert_eq!(
            RenderEntry::from_bytes(edited.as_bytes()),
            Err(Unusable::DigestMismatch)
        );
        assert_eq!(
            RenderEntry::from_bytes(b"{\"manifest\": \"x\"}"),
            Err(Unusable::Unreadable)
        );
        assert_eq!(RenderEntry::from_bytes(b"{"), Err(Unusable::Unreadable));
        let no_manifest = seal(b"{\"second\": null}");
        assert_eq!(
            RenderEntry::from_bytes(&no_manifest),
            Err(Unusable::Unreadable)
        );
    }

    #[test]
    fn documents_split_by_another_reader_are_not_used() {
        let text = String::from_utf8(fresh("kind: Pod\n", None)).unwrap();
        let body = text.split_once('\n').unwrap().1;
        let other = body.replace(split_digest(), "sha256:another-reader");
        let mut read = RenderEntry::from_bytes(&seal(other.as_bytes())).unwrap();
        assert_eq!(read.output, RenderOutput::Text("kind: Pod\n".into()));
        assert_eq!(read.second, None);
        let rewritten = read.resplit().expect("the manifest splits here");
        let split_here = RenderOutput::Split(split("kind: Pod\n").unwrap());
        assert_eq!(read.output, split_here);
        assert_eq!(
            RenderEntry::from_bytes(&rewritten).map(|entry| entry.output),
            Ok(split_here)
        );
    }

    #[test]
    fn a_manifest_that_does_not_split_is_kept_as_text() {
        let mut read = RenderEntry::from_bytes(&fresh("a: [\n", None)).unwrap();
        assert_eq!(read.output, RenderOutput::Text("a: [\n".into()));
        assert_eq!(read.resplit(), None);
        assert_eq!(read.output, RenderOutput::Text("a: [\n".into()));
    }

    #[test]
    fn a_crd_s_schemas_are_stored_as_their_text_and_read_back_as_it() {
        let manifest = "# Source: c/crds/w.yaml\napiVersion: apiextensions.k8s.io/v1\n\
                        kind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n\
                        spec:\n  group: example.com\n  names: {kind: W}\n  versions:\n  \
                        - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n\
                        \x20       description: \"a \\\"w\\\"\"\n        default: null\n";
        let split_here = split(manifest).unwrap();
        assert_eq!(
            split_here[0].schemas.text(0),
            Some(r#"{"type":"object","description":"a \"w\""}"#),
            "taken out, without its nulls"
        );
        let bytes = RenderEntry::to_bytes(manifest, None, &RenderOutput::Split(split_here.clone()));
        let read = RenderEntry::from_bytes(&bytes).unwrap();
        assert_eq!(read.output, RenderOutput::Split(split_here));
        let RenderOutput::Split(documents) = read.output else {
            unreachable!()
        };
        assert_eq!(
            documents[0].value["spec"]["versions"][0]["schema"],
            json!({}),
            "the schema stays apart"
        );
    }
}
