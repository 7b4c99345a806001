//! Where the renderer finds kustomize, the lock, the cache and the mirrors.

use std::path::{Path, PathBuf};
use std::time::Duration;

// the environment is read as the Helm renderer reads it
use homelab_synth_helm::config;

/// Settings of a [`KustomizeCli`](crate::KustomizeCli).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KustomizeConfig {
    /// The workspace root; kustomization folders and relative mirrors are relative to it.
    pub workspace: PathBuf,
    /// The lock. Default: `<workspace>/kustomize.lock`.
    pub lock_file: PathBuf,
    /// The cache folder (sources by digest, renders by key, tool versions).
    pub cache_dir: PathBuf,
    /// Mirrors in addition to the lock's: folders or `http(s)://` URLs.
    pub mirrors: Vec<String>,
    /// The tool: `KUSTOMIZE` (a kustomize binary), else `KUBECTL`, else `kubectl` on `PATH`,
    /// else `<workspace>/target/tools/kubectl`.
    pub tool: Option<Tool>,
    /// Never contact a source's origin (mirrors and cache only).
    pub offline: bool,
    /// How long one `kustomize build` may run.
    pub timeout: Duration,
}

/// An explicitly configured tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tool {
    /// A standalone kustomize: `kustomize build DIR`.
    Kustomize(PathBuf),
    /// kubectl: `kubectl kustomize DIR`.
    Kubectl(PathBuf),
}

impl KustomizeConfig {
    /// Settings for `workspace` from the environment: `KUSTOMIZE`, `KUBECTL`,
    /// `SYNTH_KUSTOMIZE_CACHE` (default `$XDG_CACHE_HOME/homelab-synth/kustomize`),
    /// `SYNTH_KUSTOMIZE_MIRRORS` (comma-separated), `SYNTH_OFFLINE=1`,
    /// `SYNTH_KUSTOMIZE_TIMEOUT` (seconds, default 300).
    pub fn from_env(workspace: impl Into<PathBuf>) -> Self {
        let workspace = workspace.into();
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let tool = var("KUSTOMIZE")
            .map(|p| Tool::Kustomize(PathBuf::from(p)))
            .or_else(|| var("KUBECTL").map(|p| Tool::Kubectl(PathBuf::from(p))));
        let timeout = std::env::var("SYNTH_KUSTOMIZE_TIMEOUT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        KustomizeConfig {
            lock_file: workspace.join("kustomize.lock"),
            cache_dir: var("SYNTH_KUSTOMIZE_CACHE")
                .map(PathBuf::from)
                .unwrap_or_else(default_cache_dir),
            mirrors: config::list_from_env("SYNTH_KUSTOMIZE_MIRRORS"),
            tool,
            offline: config::offline_from_env(),
            timeout: Duration::from_secs(timeout),
            workspace,
        }
    }

    /// A mirror as written in the lock, resolved against the workspace.
    pub fn resolve_mirror(&self, mirror: &str) -> String {
        config::resolve_mirror(&self.workspace, mirror)
    }
}

/// `homelab-synth/kustomize` beside the chart cache.
pub fn default_cache_dir() -> PathBuf {
    let charts = config::default_cache_dir();
    charts
        .parent()
        .map_or_else(|| charts.clone(), Path::to_path_buf)
        .join("kustomize")
}
