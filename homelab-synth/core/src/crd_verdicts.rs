//! Custom resources already found valid against their CRD's schema, remembered across runs.
//!
//! A schema check is a pure function of the checker, the schema and the object, and compiling
//! a large CRD's schema costs far more than checking one object (a third of a warm homelab
//! run). [`SchemaVerdicts`] holds the [`VerdictKey`] of every (schema, object) pair a run found
//! valid: [`crate::CrdSchemas`] asks it before checking, and a kind whose objects are all
//! known valid is never compiled. Only valid verdicts are kept, so a violation is always
//! found again and reported.
//!
//! A key is the sha256 of the schema's digest and the object's JSON text. The checker itself
//! (its sources, the library's version and whatever the caller adds, e.g. its lock file of
//! dependency versions) is the set's *generation*: [`SchemaVerdicts::from_bytes`] drops a set
//! written by another generation. The set is plain data: reading and writing its file is the
//! caller's (the command line keeps it beside its other caches).

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The first line of a serialized set, before its generation.
const HEADER: &str = "homelab-synth schema verdicts 1";

/// At most this many keys are written back (32 bytes each): past it, only the keys this run
/// used are kept.
const LIMIT: usize = 100_000;

/// The sha256 naming one (schema, object) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VerdictKey([u8; 32]);

impl VerdictKey {
    /// The key of `object` checked against the schema whose [`schema_digest`] is `schema`.
    pub fn of(schema: &[u8; 32], object: &Value) -> Self {
        let mut hasher = HashWriter(Sha256::new());
        hasher.0.update(schema);
        serde_json::to_writer(&mut hasher, object).expect("a JSON value serializes");
        VerdictKey(hasher.0.finalize().into())
    }

    /// [`VerdictKey::of`] an object given as its compact JSON text (`serde_json`'s
    /// serialization of the value, which is what [`VerdictKey::of`] hashes).
    pub fn of_text(schema: &[u8; 32], object: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(schema);
        hasher.update(object.as_bytes());
        VerdictKey(hasher.finalize().into())
    }
}

/// The sha256 of a schema's JSON text.
pub fn schema_digest(schema: &Value) -> [u8; 32] {
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, schema).expect("a JSON value serializes");
    hasher.0.finalize().into()
}

/// Feeds what is written into a hasher, so a value is hashed without its text in memory.
struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The digest of the checker's own sources and the library's version: part of every
/// generation, so a changed checker never trusts what an older one found valid.
pub fn checker_digest() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| {
        crate::sources_digest::sources_digest(&[
            env!("CARGO_PKG_VERSION"),
            include_str!("crd_schema.rs"),
            include_str!("crd_rules.rs"),
            include_str!("crd_verdicts.rs"),
        ])
    })
}

/// The (schema, object) pairs known valid: those read back from an earlier run, and those
/// this run found. Shared by the clusters of a run (it is `Sync`).
#[derive(Debug, Default)]
pub struct SchemaVerdicts {
    generation: String,
    /// Read back from an earlier run of the same generation.
    known: HashSet<VerdictKey>,
    /// Asked about and valid in this run: known ones, then new ones.
    used: Mutex<Used>,
}

#[derive(Debug, Default)]
struct Used {
    keys: BTreeSet<VerdictKey>,
    /// Whether a key not in `known` was recorded.
    new: bool,
}

impl SchemaVerdicts {
    /// An empty set of `generation` (see the module doc).
    pub fn new(generation: &str) -> Self {
        SchemaVerdicts {
            generation: generation.to_owned(),
            ..SchemaVerdicts::default()
        }
    }

    /// The set [`SchemaVerdicts::to_bytes`] wrote, if it is of `generation`; otherwise (or
    /// when `bytes` are not such a set) an empty one.
    pub fn from_bytes(bytes: &[u8], generation: &str) -> Self {
        let mut verdicts = SchemaVerdicts::new(generation);
        let first_line = format!("{HEADER} {generation}\n");
        let Some(keys) = bytes.strip_prefix(first_line.as_bytes()) else {
            return verdicts;
        };
        if !keys.len().is_multiple_of(32) {
            return verdicts;
        }
        verdicts.known = keys
            .chunks_exact(32)
            .map(|chunk| VerdictKey(chunk.try_into().expect("32 bytes")))
            .collect();
        verdicts
    }

    /// Whether `key` is known valid (remembered for the next run when it is).
    pub fn is_known_valid(&self, key: &VerdictKey) -> bool {
        if !self.known.contains(key) {
            return false;
        }
        self.used().keys.insert(*key);
        true
    }

    /// Remembers that `key` was found valid.
    pub fn record_valid(&self, key: VerdictKey) {
        let mut used = self.used();
        used.new |= !self.known.contains(&key);
        used.keys.insert(key);
    }

    /// Whether this run found a pair valid that the set did not know, so it is worth writing.
    pub fn has_new(&self) -> bool {
        self.used().new
    }

    /// The set to write for the next run: every known key and every key this run found
    /// valid, or only this run's when that would exceed 100,000 keys.
    pub fn to_bytes(&self) -> Vec<u8> {
        let used = self.used();
        let mut keys: BTreeSet<VerdictKey> = used.keys.clone();
        if self.known.len() + keys.len() <= LIMIT {
            keys.extend(self.known.iter().copied());
        }
        let mut bytes = format!("{HEADER} {}\n", self.generation).into_bytes();
        bytes.reserve(keys.len() * 32);
        for key in keys.iter().take(LIMIT) {
            bytes.extend_from_slice(&key.0);
        }
        bytes
    }

    fn used(&self) -> std::sync::MutexGuard<'_, Used> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(n: u8) -> VerdictKey {
        VerdictKey::of(&[n; 32], &json!({"n": n}))
    }

    #[test]
    fn the_key_of_an_object_s_compact_text_is_the_key_of_the_object() {
        let object = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w"}, "spec": {"size": 1.0, "tags": ["a", "b"]}});
        let text = crate::compact_json::CompactJson::new(&object);
        assert_eq!(
            VerdictKey::of_text(&[7; 32], text.text()),
            VerdictKey::of(&[7; 32], &object)
        );
        assert_ne!(
            VerdictKey::of_text(&[8; 32], text.text()),
            VerdictKey::of(&[7; 32], &object)
        );
    }

    #[test]
    fn a_written_set_reads_back_with_its_generation_only() {
        let verdicts = SchemaVerdicts::new("one");
        verdicts.record_valid(key(1));
        verdicts.record_valid(key(2));
        let bytes = verdicts.to_bytes();
        let again = SchemaVerdicts::from_bytes(&bytes, "one");
        assert!(again.is_known_valid(&key(1)));
        assert!(again.is_known_valid(&key(2)));
        assert!(!again.is_known_valid(&key(3)));
        let other = SchemaVerdicts::from_bytes(&bytes, "two");
        assert!(!other.is_known_valid(&key(1)));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_an_empty_set() {
        let verdicts = SchemaVerdicts::new("g");
        verdicts.record_valid(key(1));
        let bytes = verdicts.to_bytes();
        let cut = SchemaVerdicts::from_bytes(&bytes[..bytes.len() - 1], "g");
        assert!(!cut.is_known_valid(&key(1)));
        let foreign = SchemaVerdicts::from_bytes(b"not a verdict set", "g");
        assert!(!foreign.is_known_valid(&key(1)));
    }

    #[test]
    fn only_new_keys_make_the_set_worth_writing_and_known_ones_are_kept() {
        let first = SchemaVerdicts::new("g");
        first.record_valid(key(1));
        assert!(first.has_new());
        let second = SchemaVerdicts::from_bytes(&first.to_bytes(), "g");
        assert!(second.is_known_valid(&key(1)));
        second.record_valid(key(1));
        assert!(!second.has_new());
        second.record_valid(key(2));
        assert!(second.has_new());
        let third = SchemaVerdicts::from_bytes(&second.to_bytes(), "g");
        assert!(third.is_known_valid(&key(1)) && third.is_known_valid(&key(2)));
    }

    #[test]
    fn a_key_depends_on_the_schema_and_the_object() {
        let object = json!({"spec": {"replicas": 1}});
        let schema = schema_digest(&json!({"type": "object"}));
        let other_schema = schema_digest(&json!({"type": "array"}));
        assert_eq!(
            VerdictKey::of(&schema, &object),
            VerdictKey::of(&schema, &object)
        );
        assert_ne!(
            VerdictKey::of(&schema, &object),
            VerdictKey::of(&other_schema, &object)
        );
        assert_ne!(
            VerdictKey::of(&schema, &object),
            VerdictKey::of(&schema, &json!({"spec": {"replicas": 2}}))
        );
    }
}
