//! The result of synthesis: per app, the resolved documents in output order, with the file
//! each one is written to. Pure data: comparable, testable, and the input of the YAML writer,
//! `synth list`, `synth --check` and the diff.

use serde_json::Value;
use std::collections::BTreeSet;

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
    /// The object as JSON (always a JSON object with `apiVersion`, `kind` and `metadata`).
    pub body: Value,
    /// File name inside the app directory, e.g. `Deployment.comfyui.yaml`.
    pub file_name: String,
    pub(crate) allowed: Vec<(Allow, String)>,
}

impl Document {
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
    /// The apps this one rolls out after, directly or through others, when it was built
    /// from a registry (`None` for an app built on its own, whose rollout is unknown).
    pub rolls_out_after: Option<BTreeSet<String>>,
    /// Whether the synthesis holds every app of the workspace's cluster with this one (a
    /// registry build of all apps): only then can a check tell that no app provides
    /// something.
    pub whole_workspace: bool,
    /// Namespaces the app uses that are made outside the synthesis, each with its reason.
    pub external_namespaces: std::collections::BTreeMap<String, String>,
}

/// Everything one synthesis produced.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ManifestSet {
    /// Apps in name order.
    pub apps: Vec<AppManifest>,
    /// Warnings (errors fail synthesis instead).
    pub warnings: Vec<Finding>,
}
