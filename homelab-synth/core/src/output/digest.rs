//! The digest of an output file's content: what the compared tree records for each rendered
//! file, what a file on disk is checked against before it is taken over, and what the
//! up-to-date stamp's digest of the tree is made of. Every one of these must come from this
//! module, or a file would never compare equal to itself.
//!
//! BLAKE3 (the `blake3` crate, by the algorithm's authors), not sha256: a warm run of the
//! homelab hashes its whole output (21 MB) once as it renders it, and a check of the tree on
//! disk hashes it again; sha256 was a seventh of the run's CPU time, and BLAKE3 is several
//! times faster on the same core while as collision-resistant. These digests never leave the
//! machine (the stamp holds them), so no other tool has to agree.

use std::fs;
use std::io;
use std::path::Path;

use crate::output::tree::{OutputError, io_error};

/// The digest of `content`.
pub fn content_digest(content: &[u8]) -> [u8; 32] {
    *blake3::hash(content).as_bytes()
}

/// The digest of the file at `path` ([`content_digest`] of its content), read a buffer at a
/// time (not held whole).
pub(super) fn file_digest(path: &Path) -> Result<[u8; 32], OutputError> {
    let mut file = fs::File::open(path).map_err(io_error("read", path))?;
    let mut hasher = blake3::Hasher::new();
    io::copy(&mut file, &mut hasher).map_err(io_error("read", path))?;
    Ok(*hasher.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_digests_as_its_content_and_differs_from_another() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.yaml");
        // larger than one read buffer, so the file is hashed in pieces
        let content: Vec<u8> = (0..200_000u32).flat_map(u32::to_le_bytes).collect();
        fs::write(&path, &content).unwrap();
        assert_eq!(file_digest(&path).unwrap(), content_digest(&content));
        assert_ne!(content_digest(b"x: 1\n"), content_digest(b"x: 2\n"));
        assert!(file_digest(&folder.path().join("missing.yaml")).is_err());
    }
}
