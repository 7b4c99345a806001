//! `Include`: the documents of an existing YAML file become untyped objects of a chart. The
//! construct only records the path; the file is read at the edge through a [`SourceReader`]
//! (the workspace on disk, or anything else in tests) and parsed with the shared
//! Kubernetes-compatible reader, so `on` is a boolean and `012` is 10, exactly as kubectl
//! would read the same file.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A handle to an include of an [`App`](crate::App).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncludeRef(pub(crate) usize);

#[derive(Clone, Debug)]
pub(crate) struct IncludeNode {
    pub(crate) chart: usize,
    pub(crate) id: String,
    pub(crate) path: String,
}

/// The result of reading an included file.
pub type Result<T, E = SourceError> = std::result::Result<T, E>;

/// Why an included file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    /// The path is absolute, contains `..`, or is empty.
    #[error("`{path}` must be a relative path inside the workspace without `..`")]
    OutsideWorkspace {
        /// The path as the include gave it.
        path: String,
    },
    /// The path (or a folder on it) is a symbolic link.
    #[error("`{path}` is or passes through a symbolic link, which includes do not follow")]
    Symlink {
        /// The path as the include gave it (not the link found on it).
        path: String,
    },
    /// The file could not be read.
    #[error("cannot read `{path}`: {reason}")]
    Io {
        /// The path as the include gave it, relative to the workspace.
        path: String,
        /// The operating system's error, or `no such file` for in-memory files.
        reason: String,
    },
}

/// Reads files named by workspace-relative paths. `Sync`: the clusters of a run are
/// synthesized in parallel, all reading through the one reader.
pub trait SourceReader: Sync {
    /// The text of the file at `path` (relative to the workspace root).
    fn read(&self, path: &str) -> Result<String>;
}

/// Files of a workspace on disk. Paths must stay inside the workspace: no absolute paths, no
/// `..`, no symbolic links anywhere below the root.
#[derive(Clone, Debug)]
pub struct WorkspaceFiles {
    root: PathBuf,
}

impl WorkspaceFiles {
    /// Files below `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WorkspaceFiles { root: root.into() }
    }
}

impl SourceReader for WorkspaceFiles {
    fn read(&self, path: &str) -> Result<String> {
        let relative = checked_relative(path)?;
        let mut current = self.root.clone();
        for component in relative.components() {
            current.push(component);
            let metadata =
                std::fs::symlink_metadata(&current).map_err(|error| SourceError::Io {
                    path: path.to_owned(),
                    reason: error.to_string(),
                })?;
            if metadata.file_type().is_symlink() {
                return Err(SourceError::Symlink {
                    path: path.to_owned(),
                });
            }
        }
        std::fs::read_to_string(&current).map_err(|error| SourceError::Io {
            path: path.to_owned(),
            reason: error.to_string(),
        })
    }
}

/// In-memory files, for tests and for callers that already hold the text.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, String>,
}

impl MemoryFiles {
    /// No files.
    pub fn new() -> Self {
        MemoryFiles::default()
    }

    /// Adds a file.
    #[must_use]
    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.files.insert(path.to_owned(), text.to_owned());
        self
    }
}

impl SourceReader for MemoryFiles {
    fn read(&self, path: &str) -> Result<String> {
        checked_relative(path)?;
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| SourceError::Io {
                path: path.to_owned(),
                reason: "no such file".to_owned(),
            })
    }
}

/// `path` as a relative path with only normal components.
fn checked_relative(path: &str) -> Result<&Path> {
    let relative = Path::new(path);
    let normal = !path.is_empty()
        && relative
            .components()
            .all(|component| matches!(component, Component::Normal(_) | Component::CurDir));
    if normal {
        Ok(relative)
    } else {
        Err(SourceError::OutsideWorkspace {
            path: path.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_workspace() {
        let files = MemoryFiles::new().with("a.yaml", "x: 1");
        for bad in ["", "/etc/passwd", "../x.yaml", "a/../../x.yaml"] {
            assert_eq!(
                files.read(bad),
                Err(SourceError::OutsideWorkspace {
                    path: bad.to_owned()
                }),
                "{bad}"
            );
        }
        assert_eq!(files.read("a.yaml").unwrap(), "x: 1");
    }

    #[test]
    fn workspace_files_refuse_symlinks_and_report_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/a.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).unwrap();
        let files = WorkspaceFiles::new(dir.path());
        assert_eq!(files.read("real/a.yaml").unwrap(), "a: 1\n");
        assert_eq!(
            files.read("link/a.yaml"),
            Err(SourceError::Symlink {
                path: "link/a.yaml".into()
            })
        );
        let missing = files.read("real/missing.yaml").unwrap_err();
        assert!(
            matches!(&missing, SourceError::Io { path, .. } if path == "real/missing.yaml"),
            "{missing:?}"
        );
    }
}
