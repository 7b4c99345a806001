//! One cached render on disk: `renders/<key>.json` holds the manifest (and the second render
//! when it differed) and the manifest already split into documents, [sealed](crate::cache::seal)
//! with the sha256 of all of it. A reader verifies the digest, so an entry edited or damaged
//! after it was written is a cache miss, never an input. The split documents are what a warm
//! synthesis reads (JSON, several times faster than reading the YAML again); they are used
//! only while the reader that split them is the one running ([`split_digest`]).

use homelab_synth_core::rendering::{RenderedDocument, split, split_digest};
use serde_json::{Value, json};

use crate::cache::{documents_from_json, documents_to_json, seal, unseal};

/// The output of one `helm template` request (rendered once or twice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RenderEntry {
    /// The first render.
    pub(crate) manifest: String,
    /// The second render, when it differed from the first.
    pub(crate) second: Option<String>,
    /// `manifest` split by this binary's reader; `None` when the entry was split by another
    /// reader (or could not be split: synthesis reports why).
    pub(crate) documents: Option<Vec<RenderedDocument>>,
}

/// Why a cache file was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// Not an entry.
    Unreadable,
    /// The content does not match the digest stored with it.
    DigestMismatch,
}

impl RenderEntry {
    /// An entry for a fresh render: the manifest is split here, once.
    pub(crate) fn new(manifest: String, second: Option<String>) -> Self {
        let documents = split(&manifest).ok();
        RenderEntry {
            manifest,
            second,
            documents,
        }
    }

    /// The bytes of the cache file.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut entry = json!({ "manifest": self.manifest });
        if let Some(second) = &self.second {
            entry["second"] = json!(second);
        }
        if let Some(documents) = &self.documents {
            entry["split"] = json!(split_digest());
            entry["documents"] = documents_to_json(documents);
        }
        seal(entry.to_string().as_bytes())
    }

    /// The entry in a cache file, if its content matches its digest. An entry split by
    /// another reader comes back with `documents` `None` (see [`RenderEntry::needs_split`]).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<RenderEntry, Unusable> {
        let body = unseal(bytes).ok_or(if bytes.starts_with(b"sha256:") {
            Unusable::DigestMismatch
        } else {
            Unusable::Unreadable
        })?;
        let Ok(Value::Object(mut entry)) = serde_json::from_slice::<Value>(body) else {
            return Err(Unusable::Unreadable);
        };
        let Some(Value::String(manifest)) = entry.remove("manifest") else {
            return Err(Unusable::Unreadable);
        };
        let second = match entry.remove("second") {
            None | Some(Value::Null) => None,
            Some(Value::String(second)) => Some(second),
            Some(_) => return Err(Unusable::Unreadable),
        };
        let documents = match (entry.remove("split"), entry.remove("documents")) {
            (Some(Value::String(by)), Some(documents)) if by == split_digest() => {
                documents_from_json(documents)
            }
            _ => None,
        };
        Ok(RenderEntry {
            manifest,
            second,
            documents,
        })
    }

    /// Whether the entry should be split again by this reader and written back.
    pub(crate) fn needs_split(&self) -> bool {
        self.documents.is_none() && split(&self.manifest).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_and_an_edit_is_caught() {
        let entry = RenderEntry::new(
            "kind: Pod\nimage: a:1\n".into(),
            Some("kind: Pod\nimage: a:2\n".into()),
        );
        assert_eq!(
            entry.documents,
            Some(vec![RenderedDocument {
                source: String::new(),
                value: json!({"kind": "Pod", "image": "a:1"}),
            }])
        );
        let bytes = entry.to_bytes();
        assert_eq!(RenderEntry::from_bytes(&bytes), Ok(entry));
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
    }

    #[test]
    fn documents_split_by_another_reader_are_not_used() {
        let entry = RenderEntry::new("kind: Pod\n".into(), None);
        let text = String::from_utf8(entry.to_bytes()).unwrap();
        let body = text.split_once('\n').unwrap().1;
        let other = body.replace(split_digest(), "sha256:another-reader");
        let read = RenderEntry::from_bytes(&seal(other.as_bytes())).unwrap();
        assert_eq!(read.documents, None);
        assert!(read.needs_split());
        assert_eq!(read.manifest, "kind: Pod\n");
    }

    #[test]
    fn a_manifest_that_does_not_split_is_kept_as_text() {
        let entry = RenderEntry::new("a: [\n".into(), None);
        assert_eq!(entry.documents, None);
        let read = RenderEntry::from_bytes(&entry.to_bytes()).unwrap();
        assert_eq!(read, entry);
        assert!(!read.needs_split());
    }
}
