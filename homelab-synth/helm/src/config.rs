//! Where the renderer finds helm, the lock file, the cache and the mirrors.

use std::path::{Path, PathBuf};

/// Settings of a [`HelmCli`](crate::HelmCli).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmConfig {
    /// The workspace root; relative mirror folders of the lock file are relative to it.
    pub workspace: PathBuf,
    /// The lock file. Default: `<workspace>/charts.lock`.
    pub lock_file: PathBuf,
    /// The cache folder (packages by digest, renders by key).
    pub cache_dir: PathBuf,
    /// Mirrors in addition to the lock file's: folders or `http(s)://` URLs holding
    /// `<name>-<version>.tgz` (and an `index.yaml` for `synth charts lock`).
    pub mirrors: Vec<String>,
    /// The helm binary; `None`: `HELM`, then `helm` on `PATH`, then
    /// `<workspace>/target/tools/helm`.
    pub helm: Option<PathBuf>,
    /// Never contact a chart's own repository (mirrors and cache only).
    pub offline: bool,
    /// Renders at once. Default: the number of CPUs.
    pub jobs: usize,
    /// Show progress on standard error when it is a terminal.
    pub progress: bool,
}

impl HelmConfig {
    /// Settings for `workspace` from the environment (see the crate documentation).
    pub fn from_env(workspace: impl Into<PathBuf>) -> Self {
        let workspace = workspace.into();
        HelmConfig {
            lock_file: workspace.join("charts.lock"),
            cache_dir: std::env::var_os("SYNTH_CHART_CACHE")
                .map(PathBuf::from)
                .unwrap_or_else(default_cache_dir),
            mirrors: list_from_env("SYNTH_CHART_MIRRORS"),
            helm: std::env::var_os("HELM")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            offline: offline_from_env(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            progress: true,
            workspace,
        }
    }

    /// A mirror path as written in the lock file, resolved against the workspace.
    pub fn resolve_mirror(&self, mirror: &str) -> String {
        resolve_mirror(&self.workspace, mirror)
    }
}

/// A comma-separated list from the environment variable `name` (empty entries dropped).
pub fn list_from_env(name: &str) -> Vec<String> {
    std::env::var(name)
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `SYNTH_OFFLINE` asks for no network (`1` or `true`).
pub fn offline_from_env() -> bool {
    std::env::var("SYNTH_OFFLINE").is_ok_and(|v| v == "1" || v == "true")
}

/// A mirror as a lock file writes it (a URL, an absolute folder, or a folder relative to the
/// workspace), resolved against `workspace`.
pub fn resolve_mirror(workspace: &Path, mirror: &str) -> String {
    if mirror.contains("://") || Path::new(mirror).is_absolute() {
        mirror.to_owned()
    } else {
        workspace.join(mirror).display().to_string()
    }
}

/// `$XDG_CACHE_HOME/homelab-synth/charts`, else `$HOME/.cache/homelab-synth/charts`.
pub fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("homelab-synth").join("charts")
}
