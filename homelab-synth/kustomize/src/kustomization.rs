//! One kustomization file: found in its folder under any of the names kustomize accepts,
//! read with the shared Kubernetes YAML reader, its references listed (`resources`,
//! `components`, `bases`), and written back with some of them replaced (as JSON, which
//! kustomize reads as YAML) in a scratch copy.

use std::path::{Path, PathBuf};

use homelab_synth_core::yaml::read_documents;
use serde_json::Value;

/// The names kustomize looks for, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The fields whose entries are other kustomizations or files.
pub const REFERENCE_FIELDS: [&str; 3] = ["resources", "components", "bases"];

/// Why a kustomization file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KustomizationError {
    /// The folder has none of the file names.
    #[error("{folder} holds no kustomization.yaml, kustomization.yml or Kustomization")]
    Missing {
        /// The folder looked in.
        folder: String,
    },
    /// The file cannot be read or is not a mapping.
    #[error("{file}: {reason}")]
    Unreadable {
        /// The kustomization file.
        file: String,
        /// What reading or parsing it reported, or what its content lacks.
        reason: String,
    },
}

/// A kustomization file and its content.
#[derive(Clone, Debug, PartialEq)]
pub struct Kustomization {
    /// The file.
    pub file: PathBuf,
    /// Its content.
    pub value: Value,
}

impl Kustomization {
    /// Reads the kustomization of `folder`.
    pub fn read(folder: &Path) -> Result<Kustomization, KustomizationError> {
        let file = FILE_NAMES
            .iter()
            .map(|name| folder.join(name))
            .find(|file| file.is_file())
            .ok_or_else(|| KustomizationError::Missing {
                folder: folder.display().to_string(),
            })?;
        let unreadable = |reason: String| KustomizationError::Unreadable {
            file: file.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(&file).map_err(|e| unreadable(e.to_string()))?;
        let value = read_documents(&text)
            .map_err(|e| unreadable(e.to_string()))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        if !value.is_object() {
            return Err(unreadable("is not a mapping".into()));
        }
        Ok(Kustomization { file, value })
    }

    /// Every entry of the reference fields, in order.
    pub fn references(&self) -> Vec<String> {
        REFERENCE_FIELDS
            .iter()
            .flat_map(|field| self.value[field].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }

    /// Replaces each reference for which `replace` returns a new entry.
    pub fn replace_references(&mut self, mut replace: impl FnMut(&str) -> Option<String>) {
        for field in REFERENCE_FIELDS {
            if let Some(entries) = self.value.get_mut(field).and_then(Value::as_array_mut) {
                for entry in entries {
                    if let Some(new) = entry.as_str().and_then(&mut replace) {
                        *entry = Value::String(new);
                    }
                }
            }
        }
    }

    /// Writes the content back to the file, as JSON.
    pub fn write(&self) -> Result<(), KustomizationError> {
        std::fs::write(&self.file, self.value.to_string()).map_err(|error| {
            KustomizationError::Unreadable {
                file: self.file.display().to_string(),
                reason: format!("cannot write: {error}"),
            }
        })
    }
}
