//! The on-disk cache: packages by digest (`packages/sha256-<hex>.tgz`), renders by key
//! (`renders/<hex>.json`, and the manifest beside it in `renders/<hex>.yaml`, each with the
//! digest of its content, see `render_entry`), the helm version by binary
//! (`helm-version/<hex>`), and what was read from each package (`charts/<hex>.json`, see
//! [`HelmCli`](crate::HelmCli)). Files are written to a temporary name and renamed, so a
//! reader never sees half a file; an entry that is not a plain package is [sealed](seal): it
//! starts with the digest of the rest, checked on every read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

/// Why a cache file cannot be written; each names the folder or file.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The folder of the file cannot be created.
    #[error("cannot create {}: {error}", folder.display())]
    CreateFolder {
        /// The folder.
        folder: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// The file cannot be written (or renamed into place).
    #[error("cannot write {}: {error}", file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
}

/// A cache operation's result.
pub type Result<T, E = CacheError> = std::result::Result<T, E>;

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` prefixed with their digest on a line of its own: a cache file that [`unseal`]
/// reads back only while unchanged.
pub fn seal(bytes: &[u8]) -> Vec<u8> {
    let mut sealed = digest(bytes).into_bytes();
    sealed.push(b'\n');
    sealed.extend_from_slice(bytes);
    sealed
}

/// What [`seal`] sealed, if the digest on the first line still matches the rest; `None` for
/// an edited or damaged file, or one that was never sealed.
pub fn unseal(sealed: &[u8]) -> Option<&[u8]> {
    let newline = sealed.iter().position(|&byte| byte == b'\n')?;
    let (stored, rest) = (&sealed[..newline], &sealed[newline + 1..]);
    (stored.starts_with(b"sha256:") && stored == digest(rest).as_bytes()).then_some(rest)
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

    /// Where what was read from the package of `digest` is kept.
    pub fn chart_info_path(&self, digest: &str) -> PathBuf {
        self.root
            .join("charts")
            .join(format!("{}.json", digest.replace(':', "-")))
    }

    /// Where the version of a helm binary is kept.
    pub fn helm_version_path(&self, key: &str) -> PathBuf {
        self.root.join("helm-version").join(key)
    }

    /// Writes `bytes` at `path` atomically.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let folder = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(folder).map_err(|error| CacheError::CreateFolder {
            folder: folder.to_owned(),
            error,
        })?;
        static WRITES: AtomicUsize = AtomicUsize::new(0);
        let temporary = folder.join(format!(
            ".{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|error| CacheError::Write {
                file: path.to_owned(),
                error,
            })
    }
}
