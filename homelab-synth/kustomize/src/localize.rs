//! Localization: a scratch copy of a kustomization and everything it reaches, with every
//! remote reference rewritten to a pinned local copy, so that kustomize never touches the
//! network (what `kustomize localize` does, with our lock and mirrors). The workspace's
//! folders are copied to `<scratch>/workspace/<same path>` as they are reached, so relative
//! references between them keep working; each remote repository is unpacked once into
//! `<scratch>/sources/<n>/`; a remote file (or a file of a remote repository named directly)
//! is copied beside the kustomization that names it, since kustomize loads files only from
//! below a kustomization's own folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use homelab_synth_core::kustomization::KustomizeError;
use sha2::{Digest, Sha256};

use crate::kustomization::{Kustomization, KustomizationError};
use crate::reference::{Remote, SourceKey, is_remote, parse};

/// A pinned local copy of a remote source.
pub enum Resolved {
    /// A repository unpacked in a folder.
    Tree(PathBuf),
    /// A file's bytes.
    File(Vec<u8>),
}

/// Supplies the local copies of remote sources.
pub trait Resolver {
    /// The copy of `key`, named as `entry` in `file` (for messages); a repository is to be
    /// unpacked in `folder`.
    fn resolve(
        &mut self,
        key: &SourceKey,
        file: &str,
        entry: &str,
        folder: &Path,
    ) -> Result<Resolved, KustomizeError>;
}

/// One remote reference a kustomization reached.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reach {
    /// The kustomization file that names it (workspace-relative, or `<source>: <path>`).
    pub file: String,
    /// The entry as written.
    pub entry: String,
    /// The source it needs.
    pub key: SourceKey,
}

/// A localized kustomization.
#[derive(Debug)]
pub struct Localized {
    /// The scratch copy of the kustomization folder: what kustomize builds.
    pub root: PathBuf,
    /// Every remote reference reached, in the order met.
    pub reached: Vec<Reach>,
}

/// Localizes the kustomization in `kustomization` (a folder relative to `workspace`) into
/// `scratch`.
pub fn localize(
    workspace: &Path,
    kustomization: &str,
    scratch: &Path,
    resolver: &mut dyn Resolver,
) -> Result<Localized, KustomizeError> {
    let mut state = State {
        workspace: workspace.to_path_buf(),
        copies: scratch.join("workspace"),
        sources_dir: scratch.join("sources"),
        copied: BTreeSet::new(),
        sources: BTreeMap::new(),
        reached: Vec::new(),
    };
    let relative = workspace_relative(kustomization)?;
    let root = state.copy_workspace_folder(&relative)?;
    let mut queue = vec![root.clone()];
    let mut seen = BTreeSet::new();
    while let Some(folder) = queue.pop() {
        if !seen.insert(folder.clone()) {
            continue;
        }
        let mut file = Kustomization::read(&folder).map_err(|e| state.invalid(e))?;
        let display = state.display(&file.file);
        let mut replacements = BTreeMap::new();
        for entry in file.references() {
            if is_remote(&entry) {
                let remote = parse(&entry).map_err(|e| KustomizeError::Invalid {
                    file: display.clone(),
                    message: e.to_string(),
                })?;
                let key = remote.source();
                state.reached.push(Reach {
                    file: display.clone(),
                    entry: entry.clone(),
                    key: key.clone(),
                });
                let local = state.remote(&remote, &key, &display, &entry, &folder, resolver)?;
                if local.is_dir() {
                    queue.push(local.clone());
                    replacements.insert(entry, relative_path(&folder, &local));
                } else {
                    replacements.insert(entry, local_name(&local));
                }
            } else {
                let target = normalize(&folder.join(&entry));
                if let Ok(inside) = target.strip_prefix(&state.copies) {
                    // a folder of the workspace: copy it when first reached
                    let source = state.workspace.join(inside);
                    if source.is_dir() {
                        let copy = state.copy_workspace_folder(inside)?;
                        queue.push(copy);
                    }
                } else if target.is_dir() {
                    queue.push(target);
                } else if !target.starts_with(&state.sources_dir) {
                    return Err(KustomizeError::Invalid {
                        file: display.clone(),
                        message: format!("`{entry}` leaves the workspace"),
                    });
                }
            }
        }
        if !replacements.is_empty() {
            file.replace_references(|entry| replacements.get(entry).cloned());
            file.write().map_err(|e| state.invalid(e))?;
        }
    }
    Ok(Localized {
        root,
        reached: state.reached,
    })
}

/// Every file of the workspace folders a kustomization reaches through local references
/// (relative path and bytes, sorted): what its render depends on besides remote sources.
pub fn workspace_files(
    workspace: &Path,
    kustomization: &str,
) -> Result<Vec<(String, Vec<u8>)>, KustomizeError> {
    let mut folders = BTreeSet::new();
    let mut queue = vec![workspace_relative(kustomization)?];
    while let Some(relative) = queue.pop() {
        if !folders.insert(relative.clone()) {
            continue;
        }
        let folder = workspace.join(&relative);
        let file = Kustomization::read(&folder).map_err(|e| KustomizeError::Invalid {
            file: relative.join("kustomization.yaml").display().to_string(),
            message: e.to_string(),
        })?;
        for entry in file.references() {
            if is_remote(&entry) {
                continue;
            }
            let target = normalize(&relative.join(&entry));
            if target.components().any(|c| c == Component::ParentDir) {
                return Err(KustomizeError::Invalid {
                    file: file.file.display().to_string(),
                    message: format!("`{entry}` leaves the workspace"),
                });
            }
            if workspace.join(&target).is_dir() {
                queue.push(target);
            }
        }
    }
    let mut files = BTreeMap::new();
    for relative in folders {
        collect_files(workspace, &relative, &mut files)?;
    }
    Ok(files.into_iter().collect())
}

fn collect_files(
    workspace: &Path,
    relative: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), KustomizeError> {
    let folder = workspace.join(relative);
    let io = |e: std::io::Error| KustomizeError::Other(format!("{}: {e}", folder.display()));
    for entry in std::fs::read_dir(&folder).map_err(io)? {
        let entry = entry.map_err(io)?;
        let kind = entry.file_type().map_err(io)?;
        let path = relative.join(entry.file_name());
        if kind.is_dir() {
            collect_files(workspace, &path, files)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(workspace.join(&path)).map_err(io)?;
            files.insert(path.display().to_string(), bytes);
        } else {
            return Err(KustomizeError::Invalid {
                file: path.display().to_string(),
                message: "symbolic links are not followed in a kustomization".into(),
            });
        }
    }
    Ok(())
}

struct State {
    workspace: PathBuf,
    copies: PathBuf,
    sources_dir: PathBuf,
    copied: BTreeSet<PathBuf>,
    sources: BTreeMap<SourceKey, (PathBuf, String)>,
    reached: Vec<Reach>,
}

impl State {
    fn invalid(&self, error: KustomizationError) -> KustomizeError {
        let (file, message) = match error {
            KustomizationError::Missing { folder } => (
                self.display(Path::new(&folder)),
                "holds no kustomization.yaml".to_owned(),
            ),
            KustomizationError::Unreadable { file, reason } => {
                (self.display(Path::new(&file)), reason)
            }
        };
        KustomizeError::Invalid { file, message }
    }

    /// A scratch path as the user knows it: workspace-relative, or `<source>: <path>`.
    fn display(&self, path: &Path) -> String {
        if let Ok(relative) = path.strip_prefix(&self.copies) {
            return relative.display().to_string();
        }
        for (key, (folder, _)) in &self.sources {
            if let Ok(relative) = path.strip_prefix(folder) {
                return format!("{key}: {}", relative.display());
            }
        }
        path.display().to_string()
    }

    fn copy_workspace_folder(&mut self, relative: &Path) -> Result<PathBuf, KustomizeError> {
        let copy = self.copies.join(relative);
        if self.copied.iter().any(|done| relative.starts_with(done)) {
            return Ok(copy);
        }
        let mut files = BTreeMap::new();
        collect_files(&self.workspace, relative, &mut files)?;
        for (path, bytes) in files {
            let target = self.copies.join(&path);
            // a folder copied (and perhaps rewritten) before its parent keeps its copy
            if target.exists() {
                continue;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| KustomizeError::Other(format!("{}: {e}", parent.display())))?;
            }
            std::fs::write(&target, bytes)
                .map_err(|e| KustomizeError::Other(format!("{}: {e}", target.display())))?;
        }
        std::fs::create_dir_all(&copy)
            .map_err(|e| KustomizeError::Other(format!("{}: {e}", copy.display())))?;
        self.copied.insert(relative.to_path_buf());
        Ok(copy)
    }

    /// The local path standing in for a remote reference from `folder`.
    fn remote(
        &mut self,
        remote: &Remote,
        key: &SourceKey,
        file: &str,
        entry: &str,
        folder: &Path,
        resolver: &mut dyn Resolver,
    ) -> Result<PathBuf, KustomizeError> {
        match remote {
            Remote::Git { path, .. } => {
                let root = match self.sources.get(key) {
                    Some((root, _)) => root.clone(),
                    None => {
                        let root = self.sources_dir.join(self.sources.len().to_string());
                        match resolver.resolve(key, file, entry, &root)? {
                            Resolved::Tree(tree) => {
                                self.sources
                                    .insert(key.clone(), (tree.clone(), entry.into()));
                                tree
                            }
                            Resolved::File(_) => {
                                return Err(KustomizeError::Invalid {
                                    file: file.into(),
                                    message: format!("`{entry}` is a repository, not a file"),
                                });
                            }
                        }
                    }
                };
                let target = normalize(&root.join(path));
                if !target.starts_with(&root) || !target.exists() {
                    return Err(KustomizeError::Invalid {
                        file: file.into(),
                        message: format!("`{entry}`: {key} has no `{path}`"),
                    });
                }
                if target.is_dir() {
                    Ok(target)
                } else {
                    let bytes = std::fs::read(&target)
                        .map_err(|e| KustomizeError::Other(format!("{}: {e}", target.display())))?;
                    self.place_file(folder, entry, &bytes)
                }
            }
            Remote::File { .. } => match resolver.resolve(key, file, entry, folder)? {
                Resolved::File(bytes) => self.place_file(folder, entry, &bytes),
                Resolved::Tree(_) => Err(KustomizeError::Invalid {
                    file: file.into(),
                    message: format!("`{entry}` is a file, not a repository"),
                }),
            },
        }
    }

    /// Writes a remote file beside the kustomization in `folder`, under a name of its own.
    fn place_file(
        &self,
        folder: &Path,
        entry: &str,
        bytes: &[u8],
    ) -> Result<PathBuf, KustomizeError> {
        let base = entry
            .split('?')
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or("file");
        let hash: String = Sha256::digest(entry.as_bytes())
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let target = folder.join(format!("remote-{hash}-{base}"));
        std::fs::write(&target, bytes)
            .map_err(|e| KustomizeError::Other(format!("{}: {e}", target.display())))?;
        Ok(target)
    }
}

/// A workspace-relative folder, refusing absolute paths and `..`.
fn workspace_relative(kustomization: &str) -> Result<PathBuf, KustomizeError> {
    let path = normalize(Path::new(kustomization.trim_end_matches('/')));
    if path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return Err(KustomizeError::Invalid {
            file: kustomization.to_owned(),
            message: "a kustomization must be a folder inside the workspace".into(),
        });
    }
    Ok(path)
}

/// `path` with `.` and `name/..` removed, lexically (a `..` with nothing before it stays).
/// `synth diff`'s worktree resolves manifest paths with it too.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to the folder `from` (both absolute and normalized).
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

fn local_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_scratch_folders() {
        assert_eq!(
            relative_path(Path::new("/s/workspace/a/b"), Path::new("/s/sources/0/x")),
            "../../../sources/0/x"
        );
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert!(workspace_relative("../x").is_err());
        assert!(workspace_relative("/x").is_err());
    }
}
