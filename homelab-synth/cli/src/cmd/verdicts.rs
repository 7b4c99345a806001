//! The custom resources earlier runs found valid against their schemas
//! ([`SchemaVerdicts`]), kept between runs in one file beside the renderers' caches:
//! `$XDG_CACHE_HOME/homelab-synth/schema-verdicts` (else `~/.cache/...`).
//!
//! The set's generation is the checker's digest and the sha256 of the workspace's
//! `Cargo.lock`, so new versions of the schema and CEL crates start from an empty set. Without
//! a lock file nothing is remembered. The file is only ever a shortcut: one that is missing,
//! unreadable or of another generation means every custom resource is checked, a write that
//! fails is skipped (the next run checks again), and only valid verdicts are kept, so a
//! violation is found and reported every run. Writes replace the file atomically, so two runs
//! at once can only lose each other's new entries.

use std::path::{Path, PathBuf};

use homelab_synth_core::{SchemaVerdicts, checker_digest};
use homelab_synth_helm::cache::hex;
use sha2::{Digest as _, Sha256};

/// The verdicts of one run and where they are kept.
pub(crate) struct VerdictFile {
    /// `None`: nothing is read or written (no lock file, no cache folder).
    path: Option<PathBuf>,
    verdicts: SchemaVerdicts,
}

impl VerdictFile {
    /// The verdicts kept for the workspace at `root` (an empty set when there are none).
    pub(crate) fn open(root: &Path) -> Self {
        let path = homelab_synth_helm::config::default_cache_dir()
            .parent()
            .map(|dir| dir.join("schema-verdicts"));
        let (Some(path), Ok(lock)) = (path, std::fs::read(root.join("Cargo.lock"))) else {
            return VerdictFile {
                path: None,
                verdicts: SchemaVerdicts::new(""),
            };
        };
        let lock = hex(&Sha256::digest(&lock));
        let generation = format!("{} {lock}", checker_digest());
        let verdicts = match std::fs::read(&path) {
            Ok(bytes) => SchemaVerdicts::from_bytes(&bytes, &generation),
            Err(_) => SchemaVerdicts::new(&generation),
        };
        VerdictFile {
            path: Some(path),
            verdicts,
        }
    }

    /// The set a synthesis reads and extends.
    pub(crate) fn verdicts(&self) -> &SchemaVerdicts {
        &self.verdicts
    }

    /// Writes the set back when this run found a custom resource valid that it did not know.
    pub(crate) fn save(&self) {
        let Some(path) = &self.path else {
            return;
        };
        if !self.verdicts.has_new() {
            return;
        }
        // a shortcut only: a failed write leaves the old file, and the next run checks again
        let _ = crate::cmd::cache_file::write_atomically(path, &self.verdicts.to_bytes());
    }
}
