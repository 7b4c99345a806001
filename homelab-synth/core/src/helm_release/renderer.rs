//! The interface between synthesis and whatever runs Helm: synthesis describes every release
//! completely ([`RenderRequest`]) and gets back the rendered text plus the chart's metadata
//! ([`Rendered`]), or a [`HelmError`]. The implementation (locked packages, caches, the real
//! `helm` binary, parallel renders) lives in the `homelab-synth-helm` crate.

use std::collections::BTreeSet;

use serde_json::Value;

use super::construct::{ChartSource, HelmMode, HelmReleases};
use crate::rendering::RenderOutput;

/// Renders Helm releases. Called once per synthesis with every release of every app, so an
/// implementation can render them in parallel; returns one result per request, in order.
pub trait HelmRenderer: Sync {
    /// Renders `requests`; the result at index `i` belongs to `requests[i]`.
    fn render(&self, requests: &[RenderRequest]) -> Vec<Result<Rendered>>;
}

/// Everything that determines one render.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderRequest {
    /// Construct path of the release (`app/chart/id`), for progress and messages.
    pub path: String,
    /// The chart.
    pub chart: ChartSource,
    /// Exact chart version (must be locked).
    pub version: String,
    /// Release name.
    pub release: String,
    /// Release namespace.
    pub namespace: String,
    /// User values, a JSON object.
    pub values: Value,
    /// `--kube-version`, if set.
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// Render twice so that randomness can be detected (the second text, when it differs, in
    /// [`Rendered::second`]).
    pub twice: bool,
}

/// A chart's identity and defaults, read from its package.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartInfo {
    /// Chart name (`Chart.yaml`).
    pub name: String,
    /// Chart version.
    pub version: String,
    /// `sha256:<hex>` of the package.
    pub digest: String,
    /// Default values: `values.yaml`, with each subchart's defaults under its name or alias.
    pub values: Value,
    /// `values.schema.json`, if the chart has one.
    pub schema: Option<Value>,
    /// The value paths `Chart.yaml` names as dependency conditions (`nfd.enabled`) and
    /// tags (`tags.monitoring`): Helm reads them although `values.yaml` may not declare them.
    pub conditions: Vec<String>,
}

/// A rendered release.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    /// The chart that was rendered.
    pub chart: ChartInfo,
    /// `helm template --include-crds` output, as text or already split.
    pub output: RenderOutput,
    /// A second render of the same request, when [`RenderRequest::twice`] was set and its
    /// text differed from the first's (synthesis then compares the two object by object).
    pub second: Option<String>,
}

/// One value that the chart's `values.schema.json` refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueViolation {
    /// JSON path of the value, `a.b[0].c` (empty for the root).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The result of rendering one Helm release.
pub type Result<T, E = HelmError> = std::result::Result<T, E>;

/// Why a release could not be rendered.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HelmError {
    /// No `helm` binary.
    #[error(
        "helm was not found ({reason}): install Helm v4 (`scripts/install-helm` puts it in \
         target/tools/helm) and put it on PATH or set HELM=/path/to/helm"
    )]
    HelmMissing {
        /// Why no usable binary was found: `HELM` names no file, nothing is on PATH, the
        /// binary cannot be run, or it does not answer `version --short` like Helm.
        reason: String,
    },
    /// The chart version is not in the lock file.
    #[error(
        "chart {name} {version} from {location} is not in {lock}: run `synth charts lock` to \
         resolve and record it"
    )]
    NotLocked {
        /// The chart's name.
        name: String,
        /// The chart version the release asks for.
        version: String,
        /// Where the chart comes from: the repository URL, or the OCI reference.
        location: String,
        /// The lock file's path, as configured.
        lock: String,
    },
    /// No cache, mirror or repository had the package.
    #[error(
        "chart {chart} ({digest}) is not available: tried {}; provide it by putting \
         {file} in a mirror folder (SYNTH_CHART_MIRRORS=/path/to/charts, or `synth charts \
         lock --mirror`) or by running once with network access to {location}",
        tried.join("; ")
    )]
    Unavailable {
        /// `name version`.
        chart: String,
        /// `name-version.tgz`.
        file: String,
        /// The `sha256:<hex>` digest the lock records, or `not locked yet` while locking.
        digest: String,
        /// The chart's repository URL or OCI reference, which a network run downloads from.
        location: String,
        /// Each place looked in, in order, with why it failed: the cache, every mirror, then
        /// the repository (or that it was not contacted offline).
        tried: Vec<String>,
    },
    /// A package's sha256 is not the locked digest.
    #[error(
        "chart {chart} from {origin} has digest {actual}, but the lock says {expected}: the \
         package changed upstream or the mirror holds another build; check it and run \
         `synth charts lock --refresh` only if the new package is trusted"
    )]
    DigestMismatch {
        /// `name version`.
        chart: String,
        /// Where the package came from: a mirror's location or the download URL.
        origin: String,
        /// The `sha256:<hex>` digest the lock records (while locking, the one the
        /// repository's index lists).
        expected: String,
        /// The `sha256:<hex>` digest of the package that was fetched.
        actual: String,
    },
    /// The values break the chart's `values.schema.json`.
    #[error(
        "values break the schema of chart {chart}: {}",
        violations.iter().map(|v| format!("`{}`: {}", v.path, v.message)).collect::<Vec<_>>().join("; ")
    )]
    Schema {
        /// The chart as `name version`, from its `Chart.yaml`.
        chart: String,
        /// Every place the merged values (the chart's defaults under the release's) break
        /// the schema; never empty.
        violations: Vec<ValueViolation>,
    },
    /// `helm template` failed.
    #[error("helm template of chart {chart} failed: {stderr}")]
    Helm {
        /// The chart as `name version`, from its `Chart.yaml`; empty when the failing command
        /// was not a `helm template`.
        chart: String,
        /// What helm wrote to stderr, trimmed.
        stderr: String,
    },
    /// Anything else (a cache or lock file that cannot be read, a network error).
    #[error("{0}")]
    Other(String),
}

impl HelmError {
    /// Whether the render failed because an input is missing (the Helm binary, a lock
    /// entry, the chart's package) rather than because of the release: the same cause stops
    /// every release that needs it, and it is fixed outside the code.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            HelmError::HelmMissing { .. }
                | HelmError::NotLocked { .. }
                | HelmError::Unavailable { .. }
        )
    }
}

/// A chart version the apps use: what `synth charts lock` resolves.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChartPin {
    /// The chart.
    pub chart: ChartSource,
    /// Its exact version.
    pub version: String,
}

/// Every chart version that `apps` render or delegate, sorted, without duplicates.
pub fn chart_pins<A: HelmReleases>(apps: &[A]) -> Vec<ChartPin> {
    let mut pins = BTreeSet::new();
    for app in apps {
        for (_, props) in app.helm_releases() {
            if props.mode == HelmMode::Render {
                pins.insert(ChartPin {
                    chart: props.chart.clone(),
                    version: props.version.clone(),
                });
            }
        }
    }
    pins.into_iter().collect()
}
