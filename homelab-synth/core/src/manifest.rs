//! The result of synthesis: per app, the resolved documents in output order, with the file
//! each one is written to. Pure data: comparable, testable, and the input of the YAML writer,
//! `synth list`, `synth --check` and the diff.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::compact_json::CompactJson;
use crate::crd_catalog::is_crd;
use crate::deferred_schemas::{DeferredSchemaError, DeferredSchemas};
use crate::finding::Finding;
use crate::object::{Allow, Origin};
use crate::scope::{Scope, group_of};

/// One resolved object: final name, namespace, metadata and patches applied.
///
/// The body is held as compact JSON text ([`CompactJson`]): a synthesis holds every document
/// of a cluster until it has been validated and written, and parsed JSON takes about ten
/// times the memory of its text. [`Document::body`] parses a copy; the identity every check
/// and the writer ask for (`apiVersion`, `kind`, name, namespace) is kept beside the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Construct path, e.g. `comfyui/comfyui/data`.
    pub path: String,
    /// Where the object came from.
    pub origin: Origin,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
    /// The object (always a JSON object with `apiVersion`, `kind` and `metadata`), without
    /// the schemas in `schemas`: [`Document::whole_body`] has them.
    body: CompactJson,
    /// `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` of `body`.
    identity: Identity,
    /// A rendered CRD's schemas kept as text until read ([`DeferredSchemas`]); empty for
    /// every other document.
    pub schemas: DeferredSchemas,
    /// File name inside the app directory, e.g. `Deployment.comfyui.yaml`.
    pub file_name: String,
    pub(crate) allowed: Vec<(Allow, String)>,
}

/// What identifies a document, read from its body when the body is set.
#[derive(Clone, Debug, PartialEq, Default)]
struct Identity {
    api_version: Box<str>,
    kind: Box<str>,
    name: Box<str>,
    namespace: Option<Box<str>>,
    /// `(group, kind)` the document defines when it is a CustomResourceDefinition.
    defines: Option<(Box<str>, Box<str>)>,
}

impl Identity {
    fn of(body: &Value) -> Self {
        let text = |value: &Value| value.as_str().map(Box::from);
        let metadata = &body["metadata"];
        let api_version = text(&body["apiVersion"]).unwrap_or_default();
        let kind = text(&body["kind"]).unwrap_or_default();
        let defines = if is_crd(&api_version, &kind) {
            let spec = &body["spec"];
            text(&spec["group"]).zip(text(&spec["names"]["kind"]))
        } else {
            None
        };
        Identity {
            api_version,
            kind,
            name: text(&metadata["name"]).unwrap_or_default(),
            namespace: text(&metadata["namespace"]),
            defines,
        }
    }
}

impl Document {
    /// A document of `body` at construct `path`, with no deferred schemas, no file name yet
    /// and no allowed checks.
    pub fn new(path: impl Into<String>, origin: Origin, scope: Scope, body: &Value) -> Self {
        Document {
            path: path.into(),
            origin,
            scope,
            body: CompactJson::new(body),
            identity: Identity::of(body),
            schemas: DeferredSchemas::default(),
            file_name: String::new(),
            allowed: Vec::new(),
        }
    }

    /// The document with `schemas` kept apart from its body.
    pub fn with_schemas(mut self, schemas: DeferredSchemas) -> Self {
        self.schemas = schemas;
        self
    }

    /// The document written to `file_name`.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// The body (without the schemas in `schemas`), parsed: a copy the caller owns.
    pub fn body(&self) -> Value {
        self.body.value()
    }

    /// The body as compact JSON text.
    pub fn body_text(&self) -> &str {
        self.body.text()
    }

    /// The body decoded into `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        self.body.decode()
    }

    /// `metadata` of the body (`null` when it has none), parsed without the rest of the body.
    pub fn metadata(&self) -> Value {
        #[derive(serde::Deserialize)]
        struct MetadataOnly {
            #[serde(default)]
            metadata: Value,
        }
        self.decode::<MetadataOnly>()
            .map(|only| only.metadata)
            .unwrap_or_default()
    }

    /// Replaces the body (its identity is read again).
    pub fn set_body(&mut self, body: &Value) {
        self.body = CompactJson::new(body);
        self.identity = Identity::of(body);
    }

    /// Changes the body through `change` (parsed, changed, kept as text again).
    pub fn update_body<T>(&mut self, change: impl FnOnce(&mut Value) -> T) -> T {
        let mut body = self.body();
        let result = change(&mut body);
        self.set_body(&body);
        result
    }

    /// The object whole: the body with the CRD schemas of `schemas` put back.
    pub fn whole_body(&self) -> Result<Value, DeferredSchemaError> {
        let mut body = self.body();
        self.schemas.restore(&mut body)?;
        Ok(body)
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        &self.identity.api_version
    }

    /// API group (`""` for core).
    pub fn group(&self) -> &str {
        group_of(self.api_version())
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        &self.identity.kind
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.identity.name
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.identity.namespace.as_deref()
    }

    /// `(group, kind)` this document defines when it is an `apiextensions.k8s.io`
    /// CustomResourceDefinition.
    pub fn defined_kind(&self) -> Option<(&str, &str)> {
        let (group, kind) = self.identity.defines.as_ref()?;
        Some((group, kind))
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A CRD of the gadgets of `tools.example.com` (only what identifies it).
    fn crd() -> Value {
        let spec = json!({"group": "tools.example.com", "names": {"kind": "Gadget"}});
        let metadata = json!({"name": "gadgets.tools.example.com", "labels": {"a": "b"}});
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": metadata, "spec": spec})
    }

    #[test]
    fn the_body_is_kept_as_text_and_its_identity_beside_it() {
        let document = Document::new("app/crd", Origin::Code, Scope::Cluster, &crd());
        assert_eq!(document.body(), crd());
        assert_eq!(document.body_text(), serde_json::to_string(&crd()).unwrap());
        assert_eq!(document.api_version(), "apiextensions.k8s.io/v1");
        assert_eq!(document.group(), "apiextensions.k8s.io");
        assert_eq!(document.kind(), "CustomResourceDefinition");
        assert_eq!(document.name(), "gadgets.tools.example.com");
        assert_eq!(document.namespace(), None);
        assert_eq!(
            document.defined_kind(),
            Some(("tools.example.com", "Gadget"))
        );
        assert_eq!(
            document.metadata(),
            json!({"name": "gadgets.tools.example.com", "labels": {"a": "b"}})
        );
    }

    #[test]
    fn changing_the_body_reads_its_identity_again() {
        let mut document = Document::new("app/crd", Origin::Code, Scope::Cluster, &crd());
        document.update_body(|body| {
            body["kind"] = json!("ConfigMap");
            body["apiVersion"] = json!("v1");
            body["metadata"] = json!({"name": "settings", "namespace": "web"});
        });
        assert_eq!(document.kind(), "ConfigMap");
        assert_eq!(document.group(), "");
        assert_eq!(document.name(), "settings");
        assert_eq!(document.namespace(), Some("web"));
        assert_eq!(document.defined_kind(), None, "no longer a CRD");
        assert_eq!(document.body()["spec"]["group"], "tools.example.com");
    }

    #[test]
    fn a_body_without_metadata_has_an_empty_identity() {
        let document = Document::new("app/x", Origin::Code, Scope::Cluster, &json!({"a": 1}));
        assert_eq!((document.kind(), document.name()), ("", ""));
        assert_eq!(document.metadata(), Value::Null);
    }
}
