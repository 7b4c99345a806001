//! The result of synthesis: per app, the resolved documents in output order, with the file
//! each one is written to. Pure data: comparable, testable, and the input of the YAML writer,
//! `synth list`, `synth --check` and the diff.

use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::deferred_schemas::{DeferredSchemaError, DeferredSchemas};
use crate::finding::Finding;
use crate::object::{Allow, Origin};
use crate::scope::{Scope, group_of};

/// One resolved object: final name, namespace, metadata and patches applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Construct path, e.g. `comfyui/comfyui/data`.
    pub path: String,
    /// Where the object came from.
    pub origin: Origin,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
    /// The object as JSON (always a JSON object with `apiVersion`, `kind` and `metadata`),
    /// without the schemas in `schemas`: [`Document::whole_body`] has them.
    pub body: Value,
    /// A rendered CRD's schemas kept as text until read ([`DeferredSchemas`]); empty for
    /// every other document.
    pub schemas: DeferredSchemas,
    /// File name inside the app directory, e.g. `Deployment.comfyui.yaml`.
    pub file_name: String,
    pub(crate) allowed: Vec<(Allow, String)>,
}

impl Document {
    /// The object whole: `body` with the CRD schemas of `schemas` put back (a copy only when
    /// some were kept apart).
    pub fn whole_body(&self) -> Result<Cow<'_, Value>, DeferredSchemaError> {
        self.schemas.whole(&self.body)
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.body["apiVersion"].as_str().unwrap_or_default()
    }

    /// API group (`""` for core).
    pub fn group(&self) -> &str {
        group_of(self.api_version())
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.body["kind"].as_str().unwrap_or_default()
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.body["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.body["metadata"]["namespace"].as_str()
    }

    /// The reason given for skipping `check` on this object, if it was allowed.
    pub fn allowance(&self, check: Allow) -> Option<&str> {
        self.allowed
            .iter()
            .find(|(allowed, _)| *allowed == check)
            .map(|(_, reason)| reason.as_str())
    }

    /// Every explicitly allowed check with its reason.
    pub fn allowances(&self) -> &[(Allow, String)] {
        &self.allowed
    }
}

/// Every document of one app, in output order.
#[derive(Clone, Debug, PartialEq)]
pub struct AppManifest {
    /// App name, also its output directory.
    pub name: String,
    /// Category crate the app belongs to (e.g. `ai`).
    pub category: String,
    /// Namespaces of the app's charts, in chart order, without duplicates.
    pub namespaces: Vec<String>,
    /// Documents in dependency order.
    pub documents: Vec<Document>,
    /// Namespaces the app uses that are made outside the synthesis, each with its reason.
    pub external_namespaces: std::collections::BTreeMap<String, String>,
}

/// Whether a run builds every app of the clusters it covers or only some: only a whole build
/// can tell that a namespace no app declares, a values layer no release reads or a missing
/// Gateway is an error, and only a whole build writes a cluster's `_gitops` branch objects.
/// Clusters are synthesized independently, so selecting clusters keeps a build whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// Every app of each selected cluster.
    Whole,
    /// Only the named apps.
    Partial,
}

/// Where the apps of a synthesis came from: what the checks that look across apps may assume
/// about the apps that are not there. One value per synthesis, not a copy on every app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Provenance {
    /// Apps handed to synthesis on their own: which apps they roll out after, and whether
    /// others exist, is unknown.
    #[default]
    Loose,
    /// Apps built from a registry.
    Registry {
        /// Every app of the cluster, or only those named.
        extent: Extent,
        /// Each app built from the registry with the apps it rolls out after, directly or
        /// through others.
        rolls_out_after: BTreeMap<String, BTreeSet<String>>,
    },
}

impl Provenance {
    /// The apps `app` rolls out after, when it was built from a registry.
    pub fn rolls_out_after(&self, app: &str) -> Option<&BTreeSet<String>> {
        match self {
            Provenance::Loose => None,
            Provenance::Registry {
                rolls_out_after, ..
            } => rolls_out_after.get(app),
        }
    }

    /// Whether `app` was built from the registry with every other app of its cluster, so a
    /// check can tell that no app provides something.
    pub fn is_whole_with(&self, app: &str) -> bool {
        matches!(self, Provenance::Registry { extent: Extent::Whole, rolls_out_after }
            if rolls_out_after.contains_key(app))
    }
}

/// Everything one synthesis produced.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ManifestSet {
    /// Apps in name order.
    pub apps: Vec<AppManifest>,
    /// Where the apps came from (see [`Provenance`]).
    pub provenance: Provenance,
    /// Warnings (errors fail synthesis instead).
    pub warnings: Vec<Finding>,
}
