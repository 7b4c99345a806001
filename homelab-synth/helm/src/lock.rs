//! `charts.lock` at the workspace root: per chart, the repository, name, version and the
//! sha256 of the package, plus the mirror folders that hold the locked packages (relative to
//! the workspace). Synthesis renders nothing that is not locked; `synth charts lock` writes
//! it ([`lock_charts`]).
//!
//! ```yaml
//! charts:
//! - digest: sha256:3f0c...
//!   name: reloader
//!   repository: https://stakater.github.io/stakater-charts
//!   version: 2.2.12
//! mirrors:
//! - ../shared/charts
//! ```

use std::path::{Path, PathBuf};

use homelab_synth_core::helm_release::{ChartPin, ChartSource, HelmError};
use homelab_synth_core::yaml::{ReadError, read_documents, to_yaml};
use serde_json::{Value, json};

use crate::HelmConfig;
use crate::render::HelmCli;

/// Why the lock file cannot be read or written; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The file exists but cannot be read.
    #[error("cannot read {}: {error}", file.display())]
    Read {
        /// The lock file.
        file: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// The file is not YAML.
    #[error("{}: {error}", file.display())]
    Yaml {
        /// The lock file.
        file: PathBuf,
        /// What the YAML reader reported.
        error: ReadError,
    },
    /// An entry of `charts` lacks a field (or it is not a string).
    #[error("{}: a chart has no `{key}`", file.display())]
    MissingField {
        /// The lock file.
        file: PathBuf,
        /// The field: `repository`, `name`, `version` or `digest`.
        key: String,
    },
    /// The file cannot be written.
    #[error("cannot write {}: {error}", file.display())]
    Write {
        /// The lock file.
        file: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
}

/// A lock file operation's result.
pub type Result<T, E = LockError> = std::result::Result<T, E>;

/// A lock file that cannot be used stops a render like any other unusable input, its text
/// unchanged.
impl From<LockError> for HelmError {
    fn from(error: LockError) -> Self {
        HelmError::Other(error.to_string())
    }
}

/// One locked chart version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockedChart {
    /// Repository URL, or the `oci://` reference for OCI charts.
    pub repository: String,
    /// Chart name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// `sha256:<hex>` of the package.
    pub digest: String,
}

/// The lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockFile {
    /// Locked charts, sorted.
    pub charts: Vec<LockedChart>,
    /// Mirror folders or URLs holding the locked packages (folders relative to the workspace).
    pub mirrors: Vec<String>,
}

impl LockFile {
    /// Reads the lock file at `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<LockFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(LockFile::default());
            }
            Err(error) => {
                return Err(LockError::Read {
                    file: path.to_owned(),
                    error,
                });
            }
        };
        let value = read_documents(&text)
            .map_err(|error| LockError::Yaml {
                file: path.to_owned(),
                error,
            })?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        let text_of = |v: &Value, key: &str| -> Result<String> {
            v[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| LockError::MissingField {
                    file: path.to_owned(),
                    key: key.to_owned(),
                })
        };
        let mut lock = LockFile::default();
        for chart in value["charts"].as_array().into_iter().flatten() {
            lock.charts.push(LockedChart {
                repository: text_of(chart, "repository")?,
                name: text_of(chart, "name")?,
                version: text_of(chart, "version")?,
                digest: text_of(chart, "digest")?,
            });
        }
        lock.mirrors = value["mirrors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect();
        lock.charts.sort();
        Ok(lock)
    }

    /// The lock file's text.
    pub fn to_text(&self) -> String {
        let charts: Vec<Value> = self
            .charts
            .iter()
            .map(|c| {
                json!({"repository": c.repository, "name": c.name, "version": c.version,
                       "digest": c.digest})
            })
            .collect();
        let mut value = json!({ "charts": charts });
        if !self.mirrors.is_empty() {
            value["mirrors"] = json!(self.mirrors);
        }
        let body = to_yaml(&value).unwrap_or_default();
        format!(
            "# Helm charts synth may render, pinned by digest. Written by `synth charts lock`;\n\
             # review changes like code.\n{body}"
        )
    }

    /// Writes the lock file at `path` (atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        let temporary = path.with_extension("lock.tmp");
        std::fs::write(&temporary, self.to_text())
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|error| LockError::Write {
                file: path.to_owned(),
                error,
            })
    }

    /// The entry for `chart` at `version`.
    pub fn find(&self, chart: &ChartSource, version: &str) -> Option<&LockedChart> {
        self.charts.iter().find(|locked| {
            locked.repository == chart.location()
                && locked.name == chart.name()
                && locked.version == version
        })
    }
}

/// Resolves every pin and returns the lock to write: entries already in the lock stay as they
/// are (unless `refresh`), new ones are resolved (mirrors' `index.yaml` first, then the
/// chart's repository), their packages downloaded into the cache and their sha256 recorded.
/// Charts no app uses any more are dropped. `mirrors` are recorded in the lock.
pub fn lock_charts(
    config: &HelmConfig,
    pins: &[ChartPin],
    mirrors: Vec<String>,
    refresh: bool,
) -> Result<LockFile, HelmError> {
    let previous = LockFile::read(&config.lock_file)?;
    let mut lock = LockFile {
        charts: Vec::new(),
        mirrors: if mirrors.is_empty() {
            previous.mirrors.clone()
        } else {
            mirrors
        },
    };
    let cli = HelmCli::new(config.clone());
    for pin in pins {
        if !refresh && let Some(locked) = previous.find(&pin.chart, &pin.version) {
            lock.charts.push(locked.clone());
            continue;
        }
        let digest = cli.resolve(&pin.chart, &pin.version, &lock.mirrors)?;
        lock.charts.push(LockedChart {
            repository: pin.chart.location().to_owned(),
            name: pin.chart.name().to_owned(),
            version: pin.version.clone(),
            digest,
        });
    }
    lock.charts.sort();
    lock.charts.dedup();
    Ok(lock)
}
