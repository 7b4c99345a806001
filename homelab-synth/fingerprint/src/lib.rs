//! The fingerprint of a workspace's sources: a sha256 over every file cargo compiles into the
//! workspace's binary, so a `synth` built from other sources than the checkout it runs in is
//! noticed (`publish` refuses, `synth`, `--check` and `diff` warn).
//!
//! The same function runs twice: in the build script of the workspace's binary package
//! ([`build_script`], which hands the result to the compiler as `SYNTH_BUILD_FINGERPRINT`),
//! and at run time on the checkout. It reads files, never git, so both sides agree whether or
//! not the sources are in a repository, and a build of uncommitted edits matches the same
//! uncommitted checkout.
//!
//! What it covers, from the workspace root down: every `.rs` file (crates keep their modules
//! in `src/` or, like this homelab's apps, beside their `Cargo.toml`), each package's
//! (a folder holding a `Cargo.toml`) `Cargo.toml` and `Cargo.lock`, and every file below a
//! package's `src/` (what modules `include_str!`). Not covered: hidden entries, `target`
//! folders and any folder holding a `CACHEDIR.TAG` (cargo's target folders), and each
//! package's `tests/`, `benches/` and `examples/`, which are not part of the binary. Files
//! the binary reads at run time (included YAML, `charts.lock`) are inputs of each run, not of
//! the build, so they are not covered either.
//!
//! [`workspace_digest`] walks the same tree once for both: the fingerprint, and a second
//! digest over every other regular file a run may read (included YAML, lock files, each
//! package's `tests/`...), with the same exclusions (hidden entries, `target` and
//! `CACHEDIR.TAG` folders) plus folders the caller names (the output folder). `synth` compares
//! both with what the last write recorded to skip a run whose inputs did not change.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The environment variable the build script sets for the compiler.
pub const BUILD_ENV: &str = "SYNTH_BUILD_FINGERPRINT";

/// Folders of a package that are not compiled into its library or binaries.
const NOT_BUILT: [&str; 3] = ["tests", "benches", "examples"];

/// An error while fingerprinting.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    /// A folder or file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The folder or file.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
}

/// The fingerprint of a workspace's sources, and what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// sha256, lowercase hex.
    pub digest: String,
    /// Every file hashed, relative to the root with `/` separators, in hashing order.
    pub files: Vec<String>,
    /// The folders whose content a build script watches (`rerun-if-changed`), relative: each
    /// package's `src/` and every other folder but the root holding a `.rs` file, so that a
    /// file added to one runs the script again.
    pub watched_folders: Vec<String>,
}

impl Fingerprint {
    /// The first 12 hex digits, for messages.
    pub fn short(&self) -> &str {
        short(&self.digest)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digest)
    }
}

/// The first 12 hex digits of a digest, for messages.
pub fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// Fingerprints the sources of the workspace at `root`.
pub fn fingerprint(root: &Path) -> Result<Fingerprint, FingerprintError> {
    let mut walk = Walk {
        root,
        files: Vec::new(),
        watched_folders: Vec::new(),
        others: None,
    };
    walk.folder(root, false)?;
    Ok(walk.into_digests()?.0)
}

/// The fingerprint of a workspace's sources and a digest of every other file a run may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceDigest {
    /// What [`fingerprint`] returns for the same root.
    pub sources: Fingerprint,
    /// sha256 (lowercase hex) over the path and content of every regular file the fingerprint
    /// does not cover, outside hidden entries, `target` and `CACHEDIR.TAG` folders and the
    /// skipped folders.
    pub others: String,
    /// The files of [`others`](Self::others), relative with `/` separators, in hashing order.
    pub other_files: Vec<String>,
    /// Symbolic links to folders (relative, sorted): neither digest follows them, so what a
    /// run reads through one is not covered.
    pub linked_folders: Vec<String>,
}

/// Fingerprints the sources of the workspace at `root` and, in the same walk, digests every
/// other regular file below it except those below the folders of `skip` (absolute paths, as
/// `root` is given): the fingerprint's files are read once.
pub fn workspace_digest(
    root: &Path,
    skip: &[PathBuf],
) -> Result<WorkspaceDigest, FingerprintError> {
    let mut walk = Walk {
        root,
        files: Vec::new(),
        watched_folders: Vec::new(),
        others: Some(Others {
            skip,
            files: Vec::new(),
            linked_folders: Vec::new(),
        }),
    };
    walk.folder(root, false)?;
    let mut linked_folders = walk
        .others
        .as_mut()
        .map(|others| std::mem::take(&mut others.linked_folders))
        .unwrap_or_default();
    linked_folders.sort();
    let (sources, others) = walk.into_digests()?;
    let (others, other_files) = others.unwrap_or_default();
    Ok(WorkspaceDigest {
        sources,
        others,
        other_files,
        linked_folders,
    })
}

/// sha256 over `files` (relative to `root`): each one's path, a zero byte, its length and the
/// BLAKE3 digest of its content (several times sha256's speed: every run hashes the whole
/// checkout), in the given order. The files are read and hashed on up to
/// [`HASHING_THREADS`] threads (a run's probe waits for this, with the other core idle).
fn digest_files(root: &Path, files: &[String]) -> Result<String, FingerprintError> {
    let digests = file_digests(root, files)?;
    let mut hasher = Sha256::new();
    for (relative, (length, digest)) in files.iter().zip(&digests) {
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update(length.to_le_bytes());
        hasher.update(digest);
    }
    Ok(hex(&hasher.finalize()))
}

/// How many threads read and hash files.
const HASHING_THREADS: usize = 2;

/// The length and BLAKE3 digest of each of `files`, in order.
fn file_digests(root: &Path, files: &[String]) -> Result<Vec<(u64, [u8; 32])>, FingerprintError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || -> Result<Vec<(usize, u64, [u8; 32])>, FingerprintError> {
        let mut done = Vec::new();
        let mut content = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(relative) = files.get(index) else {
                return Ok(done);
            };
            content.clear();
            let path = root.join(relative);
            std::fs::File::open(&path)
                .and_then(|mut file| file.read_to_end(&mut content))
                .map_err(|error| read_error(&path, error))?;
            done.push((
                index,
                content.len() as u64,
                *blake3::hash(&content).as_bytes(),
            ));
        }
    };
    let threads = HASHING_THREADS.min(files.len()).max(1);
    let parts: Vec<_> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        parts.extend(
            helpers
                .into_iter()
                .map(|helper| helper.join().expect("a hashing thread does not panic")),
        );
        parts
    });
    let mut digests = vec![(0, [0; 32]); files.len()];
    for part in parts {
        for (index, length, digest) in part? {
            digests[index] = (length, digest);
        }
    }
    Ok(digests)
}

/// For the build script of a workspace's binary package: fingerprints the workspace the
/// package belongs to (the nearest folder at or above `CARGO_MANIFEST_DIR` whose `Cargo.toml`
/// declares `[workspace]`), hands the digest to the compiler as [`BUILD_ENV`] and tells cargo
/// to run the script again when a covered file, or the content of a watched folder, changes.
///
/// ```no_run
/// // the whole `fn main` of the package's build.rs
/// homelab_synth_fingerprint::build_script();
/// ```
///
/// # Panics
///
/// When cargo did not set `CARGO_MANIFEST_DIR` or a source cannot be read: the build fails
/// with the reason.
pub fn build_script() {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let manifest = PathBuf::from(manifest);
    let root = workspace_root(&manifest).unwrap_or(manifest);
    let fingerprint = match fingerprint(&root) {
        Ok(fingerprint) => fingerprint,
        Err(error) => panic!("cannot fingerprint the workspace's sources: {error}"),
    };
    for file in &fingerprint.files {
        println!("cargo::rerun-if-changed={}", root.join(file).display());
    }
    for folder in &fingerprint.watched_folders {
        println!("cargo::rerun-if-changed={}", root.join(folder).display());
    }
    println!("cargo::rustc-env={BUILD_ENV}={}", fingerprint.digest);
}

/// The nearest folder at or above `start` whose `Cargo.toml` declares `[workspace]`.
pub fn workspace_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|folder| {
            std::fs::read_to_string(folder.join("Cargo.toml"))
                .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
}

struct Walk<'a> {
    root: &'a Path,
    files: Vec<String>,
    watched_folders: Vec<String>,
    /// The other files, when [`workspace_digest`] asked for them.
    others: Option<Others<'a>>,
}

/// A digest and the files it covers, in hashing order.
type DigestedFiles = (String, Vec<String>);

/// What [`workspace_digest`] collects besides the fingerprint.
struct Others<'a> {
    /// Folders left out entirely.
    skip: &'a [PathBuf],
    files: Vec<String>,
    linked_folders: Vec<String>,
}

impl Walk<'_> {
    /// The fingerprint and, when collected, the other files' digest and list.
    fn into_digests(mut self) -> Result<(Fingerprint, Option<DigestedFiles>), FingerprintError> {
        // one order however the folders were read
        self.files.sort();
        self.watched_folders.sort();
        let digest = digest_files(self.root, &self.files)?;
        let others = match self.others {
            Some(mut others) => {
                others.files.sort();
                let digest = digest_files(self.root, &others.files)?;
                Some((digest, others.files))
            }
            None => None,
        };
        Ok((
            Fingerprint {
                digest,
                files: self.files,
                watched_folders: self.watched_folders,
            },
            others,
        ))
    }

    /// Records a file the fingerprint does not cover, when other files are collected.
    fn other_file(&mut self, path: &Path) {
        if self.others.is_some() {
            let relative = self.relative(path);
            if let Some(others) = &mut self.others {
                others.files.push(relative);
            }
        }
    }

    /// Records `path` when it is a symbolic link to a folder (neither a file nor a folder to
    /// the walk), when other files are collected.
    fn maybe_linked_folder(&mut self, path: &Path) {
        if self.others.is_some() && path.is_dir() {
            let relative = self.relative(path);
            if let Some(others) = &mut self.others {
                others.linked_folders.push(relative);
            }
        }
    }

    /// Walks `path`, a folder of other files only (a package's `tests/`...), when other files
    /// are collected and it is not skipped.
    fn other_folder(&mut self, path: &Path) -> Result<(), FingerprintError> {
        match &self.others {
            Some(others) if !others.skip.iter().any(|skip| skip == path) => self.others_only(path),
            _ => Ok(()),
        }
    }

    /// Walks `folder` for other files only: everything below it but hidden entries and cargo's
    /// target folders.
    fn others_only(&mut self, folder: &Path) -> Result<(), FingerprintError> {
        let entries = entries(folder)?;
        if entries.iter().any(|(name, ..)| name == "CACHEDIR.TAG") {
            return Ok(());
        }
        for (name, path, is_dir, is_file) in entries {
            if is_file {
                self.other_file(&path);
            } else if is_dir {
                if name != "target" {
                    self.other_folder(&path)?;
                }
            } else {
                self.maybe_linked_folder(&path);
            }
        }
        Ok(())
    }

    /// Walks `folder`; `in_source` takes every file (below a package's `src/`).
    fn folder(&mut self, folder: &Path, in_source: bool) -> Result<(), FingerprintError> {
        let entries = entries(folder)?;
        if !in_source && entries.iter().any(|(name, ..)| name == "CACHEDIR.TAG") {
            return Ok(());
        }
        let package = !in_source
            && entries
                .iter()
                .any(|(name, _, _, file)| *file && name == "Cargo.toml");
        let mut holds_rust = false;
        for (name, path, is_dir, is_file) in entries {
            if is_file {
                let rust = name.ends_with(".rs");
                holds_rust |= rust;
                if in_source
                    || rust
                    || (package && matches!(name.as_str(), "Cargo.toml" | "Cargo.lock"))
                {
                    self.files.push(self.relative(&path));
                } else {
                    self.other_file(&path);
                }
            } else if is_dir {
                let skipped = self
                    .others
                    .as_ref()
                    .is_some_and(|others| others.skip.contains(&path));
                if in_source {
                    self.folder(&path, true)?;
                } else if package && name == "src" {
                    self.watched_folders.push(self.relative(&path));
                    self.folder(&path, true)?;
                } else if name == "target" || skipped {
                    continue;
                } else if package && NOT_BUILT.contains(&name.as_str()) {
                    self.other_folder(&path)?;
                } else {
                    self.folder(&path, false)?;
                }
            } else {
                self.maybe_linked_folder(&path);
            }
        }
        // the root is never watched as a folder: cargo would scan its target folder
        if holds_rust && !in_source && folder != self.root {
            self.watched_folders.push(self.relative(folder));
        }
        Ok(())
    }

    fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(self.root).unwrap_or(path);
        relative
            .components()
            .map(|component| component.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The entries of `folder` but hidden ones and names that are not UTF-8: name, path, whether
/// a folder, whether a file.
fn entries(folder: &Path) -> Result<Vec<(String, PathBuf, bool, bool)>, FingerprintError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|error| read_error(folder, error))? {
        let entry = entry.map_err(|error| read_error(folder, error))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        // a symbolic link is followed to a file, never to a folder (no loops)
        let kind = entry
            .file_type()
            .map_err(|error| read_error(&path, error))?;
        let is_dir = kind.is_dir();
        let is_file = kind.is_file() || (kind.is_symlink() && path.is_file());
        entries.push((name.to_owned(), path, is_dir, is_file));
    }
    Ok(entries)
}

fn read_error(path: &Path, error: std::io::Error) -> FingerprintError {
    FingerprintError::Read {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A workspace: a root package and an app crate, with what the fingerprint leaves out.
    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Cargo.toml", "[workspace]\nmembers = [\"apps/ai\"]\n");
        write(root, "Cargo.lock", "version = 4\n");
        write(root, "build.rs", "fn main() {}\n");
        write(root, "src/main.rs", "fn main() {}\n");
        write(root, "apps/ai/Cargo.toml", "[package]\nname = \"ai\"\n");
        write(root, "apps/ai/src/lib.rs", "pub mod comfyui;\n");
        write(root, "apps/ai/src/comfyui.rs", "pub fn comfyui() {}\n");
        write(root, "apps/ai/src/crds/a.json", "{}\n");
        write(root, "apps/ai/tests/t.rs", "#[test] fn t() {}\n");
        write(root, "apps/ai/files/gateway.yaml", "kind: Gateway\n");
        write(root, "apps/ai/files/notes.md", "notes\n");
        write(
            root,
            "clusters/Cargo.toml",
            "[package]\nname = \"clusters\"\n[lib]\npath = \"lib.rs\"\n",
        );
        write(root, "clusters/lib.rs", "pub mod fleet;\n");
        write(root, "clusters/fleet.rs", "pub fn fleet() {}\n");
        write(root, "clusters/README.md", "# clusters\n");
        write(root, "README.md", "# homelab\n");
        write(
            root,
            "app/main/comfyui/Deployment.comfyui.yaml",
            "kind: Deployment\n",
        );
        write(
            root,
            "target/CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n",
        );
        write(root, "target/debug/build/x/out/gen.rs", "// generated\n");
        write(
            root,
            "build-out/CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n",
        );
        write(root, "build-out/Cargo.toml", "[package]\n");
        write(root, ".git/config", "[core]\n");
        write(root, "src/.main.rs.swp", "editor\n");
        dir
    }

    #[test]
    fn covers_manifests_build_scripts_and_sources_only() {
        let dir = workspace();
        let print = fingerprint(dir.path()).unwrap();
        assert_eq!(
            print.files,
            [
                "Cargo.lock",
                "Cargo.toml",
                "apps/ai/Cargo.toml",
                "apps/ai/src/comfyui.rs",
                "apps/ai/src/crds/a.json",
                "apps/ai/src/lib.rs",
                "build.rs",
                "clusters/Cargo.toml",
                "clusters/fleet.rs",
                "clusters/lib.rs",
                "src/main.rs",
            ]
        );
        assert_eq!(print.watched_folders, ["apps/ai/src", "clusters", "src"]);
        assert_eq!(print.digest.len(), 64);
        assert_eq!(print.short().len(), 12);
        assert_eq!(fingerprint(dir.path()).unwrap(), print, "deterministic");
    }

    #[test]
    fn changes_with_a_source_and_only_with_a_source() {
        let dir = workspace();
        let root = dir.path();
        let before = fingerprint(root).unwrap().digest;
        for (path, text) in [
            ("README.md", "# changed\n"),
            ("apps/ai/files/gateway.yaml", "kind: Gateway # changed\n"),
            ("apps/ai/tests/t.rs", "// changed\n"),
            ("clusters/README.md", "# changed\n"),
            ("app/main/comfyui/Deployment.comfyui.yaml", "changed\n"),
            ("target/debug/build/x/out/gen.rs", "// changed\n"),
        ] {
            write(root, path, text);
            assert_eq!(fingerprint(root).unwrap().digest, before, "{path}");
        }
        for (path, text) in [
            (
                "apps/ai/src/comfyui.rs",
                "pub fn comfyui() { /* changed */ }\n",
            ),
            ("apps/ai/src/new.rs", "pub fn new() {}\n"),
            ("apps/ai/src/crds/a.json", "{\"changed\": true}\n"),
            ("Cargo.lock", "version = 4\n# changed\n"),
            ("apps/ai/Cargo.toml", "[package]\nname = \"ai2\"\n"),
            ("build.rs", "fn main() { }\n"),
            ("clusters/fleet.rs", "pub fn fleet() { /* changed */ }\n"),
            ("clusters/new.rs", "pub fn new() {}\n"),
        ] {
            let previous = fingerprint(root).unwrap().digest;
            write(root, path, text);
            assert_ne!(fingerprint(root).unwrap().digest, previous, "{path}");
        }
    }

    #[test]
    fn a_renamed_file_changes_it() {
        let dir = workspace();
        let root = dir.path();
        let before = fingerprint(root).unwrap().digest;
        std::fs::rename(
            root.join("apps/ai/src/comfyui.rs"),
            root.join("apps/ai/src/comfy.rs"),
        )
        .unwrap();
        assert_ne!(fingerprint(root).unwrap().digest, before);
    }

    #[test]
    fn the_workspace_digest_covers_every_other_file_but_the_skipped_folders() {
        let dir = workspace();
        let root = dir.path();
        let out = root.join("app");
        let digest = workspace_digest(root, std::slice::from_ref(&out)).unwrap();
        assert_eq!(
            digest.sources,
            fingerprint(root).unwrap(),
            "the same fingerprint"
        );
        assert_eq!(
            digest.other_files,
            [
                "README.md",
                "apps/ai/files/gateway.yaml",
                "apps/ai/files/notes.md",
                "apps/ai/tests/t.rs",
                "clusters/README.md",
            ]
        );
        let unskipped = workspace_digest(root, &[]).unwrap();
        assert!(
            unskipped
                .other_files
                .contains(&"app/main/comfyui/Deployment.comfyui.yaml".to_owned())
        );
        assert_ne!(unskipped.others, digest.others);
        let others = |root: &Path| workspace_digest(root, std::slice::from_ref(&out)).unwrap();
        for (path, text) in [
            ("app/main/comfyui/Deployment.comfyui.yaml", "changed\n"),
            ("target/debug/build/x/out/gen.rs", "// changed\n"),
            ("build-out/notes.md", "new\n"),
            (".git/config", "[core]\n# changed\n"),
        ] {
            write(root, path, text);
            assert_eq!(others(root), digest, "{path}");
        }
        for (path, text) in [
            ("README.md", "# changed\n"),
            ("apps/ai/files/gateway.yaml", "kind: Gateway # changed\n"),
            ("apps/ai/files/new.yaml", "kind: New\n"),
            ("apps/ai/tests/t.rs", "// changed\n"),
        ] {
            let previous = others(root);
            write(root, path, text);
            let now = others(root);
            assert_ne!(now.others, previous.others, "{path}");
            assert_eq!(now.sources, previous.sources, "{path}: not a source");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_to_folders_are_named_not_followed() {
        let dir = workspace();
        let root = dir.path();
        let elsewhere = tempfile::tempdir().unwrap();
        write(elsewhere.path(), "gateway.yaml", "kind: Gateway\n");
        assert!(
            workspace_digest(root, &[])
                .unwrap()
                .linked_folders
                .is_empty()
        );
        std::os::unix::fs::symlink(elsewhere.path(), root.join("apps/ai/files/shared")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), root.join("apps/ai/tests/shared")).unwrap();
        let digest = workspace_digest(root, &[]).unwrap();
        assert_eq!(
            digest.linked_folders,
            ["apps/ai/files/shared", "apps/ai/tests/shared"]
        );
        assert_eq!(digest.sources, fingerprint(root).unwrap());
    }

    #[test]
    fn finds_the_workspace_root_above_a_member() {
        let dir = workspace();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(workspace_root(&root.join("apps/ai")), Some(root.clone()));
        assert_eq!(workspace_root(&root), Some(root));
    }
}
