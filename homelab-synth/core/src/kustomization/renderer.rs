//! The interface between synthesis and whatever runs kustomize: synthesis names every
//! kustomization ([`KustomizeRequest`]) and gets back the rendered text ([`Kustomized`]) or a
//! [`KustomizeError`]. The implementation (lock of remote bases, mirrors, localization, the
//! real `kubectl kustomize`, render cache) lives in the `homelab-synth-kustomize` crate.

use std::collections::BTreeSet;

use super::construct::AppKustomizations;
use crate::rendering::RenderOutput;

/// Renders kustomizations. Called once per synthesis with every kustomization of every app;
/// returns one result per request, in order.
pub trait KustomizeRenderer: Sync {
    /// Renders `requests`; the result at index `i` belongs to `requests[i]`.
    fn render(&self, requests: &[KustomizeRequest]) -> Vec<Result<Kustomized>>;
}

/// One kustomization to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KustomizeRequest {
    /// Construct path (`app/chart/id`), for messages.
    pub path: String,
    /// The kustomization folder, relative to the workspace root.
    pub kustomization: String,
}

/// A rendered kustomization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kustomized {
    /// `kustomize build` output (a YAML stream), as text or already split.
    pub output: RenderOutput,
    /// The kustomize version that rendered it.
    pub version: String,
}

/// The result of building one kustomization.
pub type Result<T, E = KustomizeError> = std::result::Result<T, E>;

/// Why a kustomization could not be rendered. Each names the kustomization file involved and,
/// for remote references, the reference and what to run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KustomizeError {
    /// No kustomize (`kubectl`) binary.
    #[error(
        "kustomize was not found ({reason}): install kubectl (`scripts/install-kubectl` puts \
         it in target/tools/kubectl) and put it on PATH, or set KUBECTL=/path/to/kubectl \
         (or KUSTOMIZE=/path/to/kustomize)"
    )]
    ToolMissing {
        /// Why no binary was found: the `KUBECTL` or `KUSTOMIZE` path that is not a file,
        /// the binary that cannot be inspected, or that nothing is on PATH.
        reason: String,
    },
    /// A remote reference that the lock does not pin.
    #[error(
        "{file}: remote reference `{reference}` is not in {lock}: run `synth charts lock` to \
         resolve and pin it"
    )]
    NotLocked {
        /// The kustomization file holding the reference, as the user knows it: relative to the
        /// workspace, or `<source>: <path>` inside a remote source.
        file: String,
        /// The remote reference as written in the kustomization (a `resources` entry, say).
        reference: String,
        /// The lock file's name, relative to the workspace when inside it.
        lock: String,
    },
    /// No cache, mirror or network source had a locked remote source.
    #[error(
        "{file}: remote reference `{reference}` is not available: tried {}; put {mirror_file} \
         in a mirror folder (the lock's `mirrors`, or SYNTH_KUSTOMIZE_MIRRORS=/path) or run \
         `synth charts lock` once with network access",
        tried.join("; ")
    )]
    Unavailable {
        /// The kustomization file holding the reference, as the user knows it: relative to the
        /// workspace, or `<source>: <path>` inside a remote source.
        file: String,
        /// The remote reference as written in the kustomization (a `resources` entry, say).
        reference: String,
        /// The name the locked copy has in a mirror folder (the lock entry's `file`).
        mirror_file: String,
        /// Each place looked in, in order, with why it failed: the cache, every mirror, then
        /// the origin (or that it was not contacted offline).
        tried: Vec<String>,
    },
    /// A remote source's content does not match the locked digest.
    #[error(
        "{file}: remote reference `{reference}` from {origin} has digest {actual}, but the \
         lock says {expected}: the source changed upstream or the mirror holds another copy; \
         check it and run `synth charts lock --refresh` only if the new content is trusted"
    )]
    DigestMismatch {
        /// The kustomization file holding the reference, as the user knows it: relative to the
        /// workspace, or `<source>: <path>` inside a remote source.
        file: String,
        /// The remote reference as written in the kustomization (a `resources` entry, say).
        reference: String,
        /// Where the copy came from: a mirror's location or the origin's URL.
        origin: String,
        /// The `sha256:<hex>` digest the lock records.
        expected: String,
        /// The `sha256:<hex>` digest of the copy that was fetched.
        actual: String,
    },
    /// A kustomization file that cannot be read or understood.
    #[error("{file}: {message}")]
    Invalid {
        /// The kustomization (or other file) at fault, relative to the workspace or as
        /// `<source>: <path>` inside a remote source.
        file: String,
        /// What is wrong: why the file cannot be read or parsed, or the entry that leaves the
        /// workspace, follows a symbolic link or names something the source does not hold.
        message: String,
    },
    /// `kustomize build` failed or timed out.
    #[error("kustomize build of {file} failed: {stderr}")]
    Kustomize {
        /// The kustomization file built, as `<folder>/kustomization.yaml` relative to the
        /// workspace.
        file: String,
        /// Why the build failed (kustomize's stderr, or the timeout), with the scratch
        /// folder's paths replaced by `.` and `<scratch>`.
        stderr: String,
    },
    /// Anything else (a cache or lock file that cannot be read or written).
    #[error("{0}")]
    Other(String),
}

impl KustomizeError {
    /// Whether an input is missing (the tool, a source, a lock entry) rather than wrong:
    /// the command line exits 2 for these, as for any unreadable input.
    pub fn is_missing_input(&self) -> bool {
        matches!(
            self,
            KustomizeError::ToolMissing { .. }
                | KustomizeError::NotLocked { .. }
                | KustomizeError::Unavailable { .. }
        )
    }
}

/// Every kustomization folder that `apps` render, sorted, without duplicates: what
/// `synth charts lock` resolves.
pub fn kustomizations<A: AppKustomizations>(apps: &[A]) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for app in apps {
        for props in app.kustomization_props() {
            paths.insert(props.path.clone());
        }
    }
    paths.into_iter().collect()
}
