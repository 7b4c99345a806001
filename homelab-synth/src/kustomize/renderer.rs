//! The interface between synthesis and whatever runs kustomize: synthesis names every
//! kustomization ([`KustomizeRequest`]) and gets back the rendered text ([`Kustomized`]) or a
//! [`KustomizeError`]. The implementation (lock of remote bases, mirrors, localization, the
//! real `kubectl kustomize`, render cache) lives in the `homelab-synth-kustomize` crate.

use std::collections::BTreeSet;

use crate::helm::manifest::RenderedDocument;
use crate::synth::BuiltApp;

/// Renders kustomizations. Called once per synthesis with every kustomization of every app;
/// returns one result per request, in order.
pub trait KustomizeRenderer: Sync {
    /// Renders `requests`; the result at index `i` belongs to `requests[i]`.
    fn render(&self, requests: &[KustomizeRequest]) -> Vec<Result<Kustomized, KustomizeError>>;
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
    /// `kustomize build` output: a YAML stream.
    pub manifest: String,
    /// `manifest` already split ([`split`](crate::helm::manifest::split)), when the
    /// renderer kept it split (a warm cache reads JSON instead of YAML); `None`: synthesis
    /// splits it.
    pub documents: Option<Vec<RenderedDocument>>,
    /// The kustomize version that rendered it.
    pub version: String,
}

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
    ToolMissing { reason: String },
    /// A remote reference that the lock does not pin.
    #[error(
        "{file}: remote reference `{reference}` is not in {lock}: run `synth charts lock` to \
         resolve and pin it"
    )]
    NotLocked {
        file: String,
        reference: String,
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
        file: String,
        reference: String,
        mirror_file: String,
        tried: Vec<String>,
    },
    /// A remote source's content does not match the locked digest.
    #[error(
        "{file}: remote reference `{reference}` from {origin} has digest {actual}, but the \
         lock says {expected}: the source changed upstream or the mirror holds another copy; \
         check it and run `synth charts lock --refresh` only if the new content is trusted"
    )]
    DigestMismatch {
        file: String,
        reference: String,
        origin: String,
        expected: String,
        actual: String,
    },
    /// A kustomization file that cannot be read or understood.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    /// `kustomize build` failed or timed out.
    #[error("kustomize build of {file} failed: {stderr}")]
    Kustomize { file: String, stderr: String },
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
pub fn kustomizations(apps: &[BuiltApp]) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for built in apps {
        for node in &built.app.kustomizations {
            paths.insert(node.props.path.clone());
        }
    }
    paths.into_iter().collect()
}
