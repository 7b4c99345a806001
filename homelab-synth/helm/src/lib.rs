//! Helm at the edge: locked, cached, reproducible chart rendering.
//!
//! [`HelmCli`] implements [`homelab_synth_core::HelmRenderer`] with the real `helm template`:
//! - every chart version must be in the lock file (`charts.lock` at the workspace root,
//!   written by `synth charts lock`, see [`lock`]): repository, name, version and the sha256
//!   of the package; a package with another digest is an error;
//! - packages are cached by digest ([`cache`]); lookup order: cache, mirrors (folders or URLs
//!   holding `<name>-<version>.tgz`, from the lock file's `mirrors` and
//!   `SYNTH_CHART_MIRRORS`), then the chart's own repository ([`fetch`]);
//! - renders are cached by (digest, values, release, namespace, kube version, API versions,
//!   helm version), so a synthesis where nothing changed runs helm zero times; each cached
//!   render carries its documents already split (JSON, which a warm synthesis reads instead
//!   of the YAML) and the sha256 of its content, and one that does not match (edited or
//!   damaged) is rendered again with a warning ([`HelmCli::take_warnings`]); what a package
//!   says (name, version, values, schema) is cached per package digest, so a warm run reads
//!   no package;
//! - on a cache miss every release is rendered twice, so that synthesis can flag charts that
//!   generate random values; independent renders run in parallel;
//! - values are checked against the chart's `values.schema.json` before helm runs
//!   ([`schema`]).
//!
//! Configuration ([`HelmConfig::from_env`]): `HELM` (the binary; else `helm` on `PATH`, else
//! `<workspace>/target/tools/helm` as `scripts/install-helm` installs it), `SYNTH_CHART_CACHE`
//! (default `$XDG_CACHE_HOME/homelab-synth/charts`, else `~/.cache/homelab-synth/charts`),
//! `SYNTH_CHART_MIRRORS` (comma-separated folders or URLs), `SYNTH_OFFLINE=1` (never contact
//! a chart's own repository).

pub mod binary;
pub mod cache;
pub mod config;
pub mod fetch;
pub mod in_flight;
pub mod lock;
pub mod package;
mod progress;
pub mod render;
pub mod render_entry;
pub mod schema;

pub use config::HelmConfig;
pub use lock::{LockFile, LockedChart, lock_charts};
pub use render::HelmCli;
