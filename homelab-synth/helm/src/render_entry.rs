//! One cached render on disk: `renders/<key>.json` holds the manifest (and the second render
//! when it differed) with the sha256 of both. A reader verifies the digest, so an entry edited
//! or damaged after it was written is a cache miss, never an input.

use serde_json::{Value, json};

use crate::cache::digest;

/// The output of one `helm template` request (rendered once or twice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RenderEntry {
    /// The first render.
    pub(crate) manifest: String,
    /// The second render, when it differed from the first.
    pub(crate) second: Option<String>,
}

/// Why a cache file was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// Not the JSON of an entry.
    Unreadable,
    /// The content does not match the digest stored with it.
    DigestMismatch,
}

impl RenderEntry {
    /// `sha256:<hex>` over the manifest and the second render.
    fn digest(&self) -> String {
        digest(json!([self.manifest, self.second]).to_string().as_bytes())
    }

    /// The bytes of the cache file.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut entry = json!({ "manifest": self.manifest, "digest": self.digest() });
        if let Some(second) = &self.second {
            entry["second"] = json!(second);
        }
        entry.to_string().into_bytes()
    }

    /// The entry in a cache file, if its content matches its digest.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<RenderEntry, Unusable> {
        let value: Value = serde_json::from_slice(bytes).map_err(|_| Unusable::Unreadable)?;
        let (Some(manifest), Some(stored)) = (value["manifest"].as_str(), value["digest"].as_str())
        else {
            return Err(Unusable::Unreadable);
        };
        let second = match &value["second"] {
            Value::Null => None,
            Value::String(second) => Some(second.clone()),
            _ => return Err(Unusable::Unreadable),
        };
        let entry = RenderEntry {
            manifest: manifest.to_owned(),
            second,
        };
        if entry.digest() == stored {
            Ok(entry)
        } else {
            Err(Unusable::DigestMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_and_an_edit_is_caught() {
        let entry = RenderEntry {
            manifest: "kind: Pod\nimage: a:1\n".into(),
            second: Some("kind: Pod\nimage: a:2\n".into()),
        };
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
}
