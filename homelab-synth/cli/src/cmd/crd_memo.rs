//! The YAML digest of every CRD a `synth` binary emitted, kept between its runs, so that a
//! warm run finds a CRD unchanged on disk by hashing the file instead of parsing its schemas
//! and emitting them again ([`ComparedTree::with_known_crds`]); CRDs are most of the bytes
//! a homelab writes. One file per binary, beside the renderers' caches:
//! `$XDG_CACHE_HOME/homelab-synth/crd-yaml/<digest of the binary's path, size and time>` (else
//! `~/.cache/...`): another build of `synth`, whose emitter may write other YAML for the same
//! document, never reads this one's.
//!
//! Like the stamps and the schema verdicts, the file is only ever a shortcut: a missing or
//! unreadable one means every CRD is emitted; a digest the file on disk does not match means
//! that CRD is emitted (and remembered anew); a write that fails is skipped. Writes replace the
//! file atomically. Only the files of the 8 binaries that wrote last are kept.

use std::collections::HashMap;
use std::path::PathBuf;

use homelab_synth_core::output::ComparedTree;
use homelab_synth_helm::cache::hex;
use sha2::{Digest as _, Sha256};

/// The CRD digests one binary remembers.
pub(crate) struct CrdMemo {
    path: PathBuf,
    known: HashMap<[u8; 32], [u8; 32]>,
}

impl CrdMemo {
    /// The running binary's memo (empty when it has none yet); `None` when the binary or the
    /// cache folder cannot be named.
    pub(crate) fn open() -> Option<CrdMemo> {
        let binary = crate::cmd::up_to_date::current_binary()?;
        let dir = homelab_synth_helm::config::default_cache_dir()
            .parent()?
            .join("crd-yaml");
        let path = dir.join(hex(&Sha256::digest(binary.as_bytes())));
        let known = std::fs::read(&path)
            .ok()
            .and_then(|bytes| parse(&bytes))
            .unwrap_or_default();
        Some(CrdMemo { path, known })
    }

    /// `tree`, knowing the remembered digests.
    pub(crate) fn apply(&self, tree: ComparedTree) -> ComparedTree {
        tree.with_known_crds(self.known.clone())
    }

    /// Remembers the digests of `tree` when they differ from what was read.
    pub(crate) fn record(&self, tree: &ComparedTree) {
        let digests = tree.crd_digests();
        if digests == self.known {
            return;
        }
        let _ = crate::cmd::cache_file::write_atomically(&self.path, &to_bytes(&digests));
        if let Some(dir) = self.path.parent() {
            keep_newest(dir, KEPT_FILES);
        }
    }
}

/// How many memo files are kept: every debug build after an app edit is another binary, so a
/// day of edits would leave a file per build.
const KEPT_FILES: usize = 8;

/// Removes all but the `kept` most recently written files of `dir`.
fn keep_newest(dir: &std::path::Path, kept: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    files.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in files.into_iter().skip(kept) {
        let _ = std::fs::remove_file(path);
    }
}

/// The first line of a memo file; 64-byte records follow, a CRD document's key then its YAML's
/// digest.
const HEADER: &[u8] = b"homelab-synth crd yaml 1\n";

/// The digests in a memo file's bytes, if it is one of this version.
fn parse(bytes: &[u8]) -> Option<HashMap<[u8; 32], [u8; 32]>> {
    let records = bytes.strip_prefix(HEADER)?;
    if records.len() % 64 != 0 {
        return None;
    }
    records
        .chunks_exact(64)
        .map(|record| Some((record[..32].try_into().ok()?, record[32..].try_into().ok()?)))
        .collect()
}

/// A memo file's bytes for `digests`.
fn to_bytes(digests: &HashMap<[u8; 32], [u8; 32]>) -> Vec<u8> {
    let mut bytes = HEADER.to_vec();
    for (key, digest) in digests {
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(digest);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        for n in 0..5u64 {
            let file = std::fs::File::create(dir.path().join(format!("m{n}"))).unwrap();
            file.set_modified(epoch + std::time::Duration::from_secs(100 + n))
                .unwrap();
        }
        keep_newest(dir.path(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["m3", "m4"]);
    }

    #[test]
    fn digests_written_read_back_and_anything_else_is_no_memo() {
        let digests = HashMap::from([([1; 32], [2; 32]), ([0xab; 32], [0xff; 32])]);
        let bytes = to_bytes(&digests);
        assert_eq!(parse(&bytes), Some(digests));
        assert_eq!(parse(HEADER), Some(HashMap::new()));
        assert_eq!(parse(&bytes[..bytes.len() - 1]), None, "a cut record");
        let mut other = bytes.clone();
        other[HEADER.len() - 2] = b'2';
        assert_eq!(parse(&other), None, "another version");
        assert_eq!(parse(b"not a memo"), None);
    }
}
