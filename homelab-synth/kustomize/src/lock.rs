//! `kustomize.lock` at the workspace root, beside `charts.lock`: every remote source a
//! kustomization of the workspace reaches (directly or through other remote bases), pinned by
//! the sha256 of its content, plus the mirror folders that hold the copies (relative to the
//! workspace). Synthesis renders nothing from a source that is not locked; `synth charts
//! lock` writes it ([`crate::lock_kustomizations`]).
//!
//! ```yaml
//! mirrors:
//! - ../shared/kustomize
//! sources:
//! - commit: 854bd3a21044f767204def71b2dcda83e376891f
//!   file: kubeflow-manifests-v1.11.0.tar.gz
//!   ref: v1.11.0
//!   sha256: sha256:80a74ab8...
//!   url: github.com/kubeflow/manifests
//! ```
//!
//! A git source (`url` a repository, `ref` set) is a `.tar.gz` of the repository at that ref
//! with one top folder (what GitHub's archives and `git archive --prefix` hold), `commit` the
//! commit it was made from when the archive says (its pax comment); a file source (`url` a
//! file URL, no `ref`) is the file. `file` is the name a mirror holds it under.

use std::path::Path;

use homelab_synth_core::yaml::{read_documents, to_yaml};
use serde_json::{Value, json};

use crate::reference::SourceKey;

/// One locked source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockedSource {
    /// `github.com/org/repo`, or the file URL.
    pub url: String,
    /// The git ref; empty for a file.
    pub reference: String,
    /// The commit the ref resolved to, where known.
    pub commit: Option<String>,
    /// The name of the copy in a mirror folder (and of the download).
    pub file: String,
    /// `sha256:<hex>` of the archive or file.
    pub sha256: String,
}

impl LockedSource {
    /// The source's identity.
    pub fn key(&self) -> SourceKey {
        SourceKey {
            url: self.url.clone(),
            reference: self.reference.clone(),
        }
    }
}

/// Why the lock file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// The file cannot be read, parsed or written.
    #[error("{file}: {reason}")]
    File {
        /// The lock file's path.
        file: String,
        /// What reading, parsing or writing it reported.
        reason: String,
    },
}

/// A lock file operation's result.
pub type Result<T, E = LockError> = std::result::Result<T, E>;

/// The lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KustomizeLock {
    /// Locked sources, sorted.
    pub sources: Vec<LockedSource>,
    /// Mirror folders or URLs (folders relative to the workspace).
    pub mirrors: Vec<String>,
}

impl KustomizeLock {
    /// Reads the lock at `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<KustomizeLock> {
        let error = |reason: String| LockError::File {
            file: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(KustomizeLock::default());
            }
            Err(e) => return Err(error(e.to_string())),
        };
        let value = read_documents(&text)
            .map_err(|e| error(e.to_string()))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        let text_of = |entry: &Value, key: &str| entry[key].as_str().map(str::to_owned);
        let mut sources = Vec::new();
        for entry in value["sources"].as_array().into_iter().flatten() {
            let (Some(url), Some(file), Some(sha256)) = (
                text_of(entry, "url"),
                text_of(entry, "file"),
                text_of(entry, "sha256"),
            ) else {
                return Err(error(format!(
                    "a source needs `url`, `file` and `sha256`: {entry}"
                )));
            };
            sources.push(LockedSource {
                url,
                reference: text_of(entry, "ref").unwrap_or_default(),
                commit: text_of(entry, "commit"),
                file,
                sha256,
            });
        }
        sources.sort();
        let mirrors = value["mirrors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        Ok(KustomizeLock { sources, mirrors })
    }

    /// The entry of `key`.
    pub fn get(&self, key: &SourceKey) -> Option<&LockedSource> {
        self.sources.iter().find(|s| s.key() == *key)
    }

    /// The lock as YAML, with a header saying what it is.
    pub fn to_text(&self) -> String {
        let sources: Vec<Value> = self
            .sources
            .iter()
            .map(|s| {
                let mut entry = json!({ "url": s.url, "file": s.file, "sha256": s.sha256 });
                if !s.reference.is_empty() {
                    entry["ref"] = json!(s.reference);
                }
                if let Some(commit) = &s.commit {
                    entry["commit"] = json!(commit);
                }
                entry
            })
            .collect();
        let body =
            to_yaml(&json!({ "mirrors": self.mirrors, "sources": sources })).unwrap_or_default();
        format!(
            "# Remote kustomize bases, components and files synth may render, pinned by \
             sha256.\n# Written by `synth charts lock`; review changes like code.\n{}\n",
            body.trim_end()
        )
    }

    /// Writes the lock to `path`.
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_text()).map_err(|e| LockError::File {
            file: path.display().to_string(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back() {
        let lock = KustomizeLock {
            sources: vec![
                LockedSource {
                    url: "github.com/org/repo".into(),
                    reference: "v1".into(),
                    commit: Some("abc".into()),
                    file: "repo-v1.tar.gz".into(),
                    sha256: "sha256:00".into(),
                },
                LockedSource {
                    url: "https://example.com/a.yaml".into(),
                    reference: String::new(),
                    commit: None,
                    file: "a.yaml".into(),
                    sha256: "sha256:11".into(),
                },
            ],
            mirrors: vec!["../shared/kustomize".into()],
        };
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kustomize.lock");
        lock.write(&path).unwrap();
        let mut expected = lock.clone();
        expected.sources.sort();
        assert_eq!(KustomizeLock::read(&path).unwrap(), expected);
        assert_eq!(
            KustomizeLock::read(&folder.path().join("none")).unwrap(),
            KustomizeLock::default()
        );
    }
}
