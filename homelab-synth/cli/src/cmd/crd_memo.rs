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
use std::io::Write as _;
use std::path::PathBuf;

use homelab_synth_core::output::ComparedTree;
use homelab_synth_helm::cache::hex;
use sha2::{Digest as _, Sha256};

/// The format of the file; one of another version is ignored.
const VERSION: u64 = 1;

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
        let _ = write(&self.path, &digests);
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

/// The digests in a memo file's bytes, if it is one of this version.
fn parse(bytes: &[u8]) -> Option<HashMap<[u8; 32], [u8; 32]>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if value.get("version")?.as_u64()? != VERSION {
        return None;
    }
    value
        .get("crds")?
        .as_object()?
        .iter()
        .map(|(key, digest)| Some((unhex(key)?, unhex(digest.as_str()?)?)))
        .collect()
}

/// Writes `digests` to a temporary file beside `path`, then renames it over `path`.
fn write(path: &std::path::Path, digests: &HashMap<[u8; 32], [u8; 32]>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let crds: serde_json::Map<String, serde_json::Value> = digests
        .iter()
        .map(|(key, digest)| (hex(key), hex(digest).into()))
        .collect();
    let json = serde_json::json!({ "version": VERSION, "crds": crds });
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut file, &json)?;
    file.flush()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// 32 bytes from 64 lowercase hex digits.
fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0; 32];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(bytes)
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo");
        let digests = HashMap::from([([1; 32], [2; 32]), ([0xab; 32], [0xff; 32])]);
        write(&path, &digests).unwrap();
        assert_eq!(parse(&std::fs::read(&path).unwrap()), Some(digests));
        let other = serde_json::json!({ "version": VERSION + 1, "crds": {} });
        assert_eq!(parse(other.to_string().as_bytes()), None);
        let short = serde_json::json!({ "version": VERSION, "crds": { "ab": "cd" } });
        assert_eq!(parse(short.to_string().as_bytes()), None);
        assert_eq!(parse(b"not json"), None);
        assert_eq!(unhex(&hex(&[7; 32])), Some([7; 32]));
        assert_eq!(unhex(&"g".repeat(64)), None);
    }
}
