//! The on-disk cache: packages by digest (`packages/sha256-<hex>.tgz`), renders by key
//! (`renders/<hex>.json`, each with the digest of its content, see `render_entry`), and the
//! helm version by binary (`helm-version/<hex>`). Files are written to a temporary name and
//! renamed, so a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache below a folder.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache in `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache { root: root.into() }
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the package of `digest` is kept.
    pub fn package_path(&self, digest: &str) -> PathBuf {
        self.root
            .join("packages")
            .join(format!("{}.tgz", digest.replace(':', "-")))
    }

    /// Where the render of `key` is kept.
    pub fn render_path(&self, key: &str) -> PathBuf {
        self.root.join("renders").join(format!("{key}.json"))
    }

    /// Where the version of a helm binary is kept.
    pub fn helm_version_path(&self, key: &str) -> PathBuf {
        self.root.join("helm-version").join(key)
    }

    /// Writes `bytes` at `path` atomically.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), String> {
        let folder = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(folder)
            .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
        static WRITES: AtomicUsize = AtomicUsize::new(0);
        let temporary = folder.join(format!(
            ".{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    }
}
