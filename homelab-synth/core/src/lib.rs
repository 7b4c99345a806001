//! homelab-synth-core: typed Kubernetes manifest synthesis, without generated bindings.
//!
//! An [`App`] (one deployed unit, one output directory) holds [`Chart`]s, which hold API
//! objects: any k8s-openapi type, any `kube::CustomResource` type, or an untyped object. The
//! synthesis pass resolves names and metadata, applies JSON patches, validates everything at
//! once, orders objects by their dependencies and hands back a [`ManifestSet`], which the
//! output writer renders to YAML that Kubernetes reads exactly as meant.
//!
//! Apps use it through the `homelab-synth` facade, which re-exports this crate and adds the
//! builders that need typed CRD bindings; the tools at the edge (Helm, kustomize, diff, the
//! import generator, the command line) depend on this crate alone. Nothing here depends on
//! generated code: imported CRD schemas reach validation as data ([`CrdCatalog`]).

pub mod yaml;

mod app;
mod bootstrap;
mod chart;
mod cluster;
mod compact_json;
mod crd_catalog;
mod crd_rules;
mod crd_schema;
mod crd_verdicts;
mod deferred_schemas;
mod finding;
pub mod helm_release;
mod include;
pub mod kit;
pub mod kustomization;
mod manifest;
pub mod names;
mod object;
pub mod output;
mod patch;
mod pod_security;
pub mod prelude;
mod quantity;
mod registry;
pub mod rendering;
mod rollout;
mod scope;
mod sorted_json;
mod sources_digest;
mod synth;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
mod validate;
mod workspace;

pub use app::{App, Chart, ConstructError, Dependency, RenderedRef};
pub use bootstrap::{Engine, GitOps, Target, branch_app, build_root, root_documents};
pub use chart::{ChartProps, Naming};
pub use cluster::{Cluster, ClusterSpec, Fleet, FleetError, Layer};
pub use crd_catalog::{CrdCatalog, NoCrds, StaticCrds};
pub use crd_rules::SchemaViolation;
pub use crd_schema::{
    CrdSchemas, SchemaSource, crd_kind, schemas_for, schemas_for_apps, to_json_schema,
};
pub use crd_verdicts::{SchemaVerdicts, VerdictKey, checker_digest};
pub use deferred_schemas::{DeferredSchemaError, DeferredSchemas};
pub use finding::{Finding, Severity};
pub use helm_release::{ChartSource, HelmProps, HelmRef, HelmRenderer, HookAction, HookPolicy};
pub use include::{IncludeRef, MemoryFiles, SourceError, SourceReader, WorkspaceFiles};
pub use kustomization::{KustomizeProps, KustomizeRef, KustomizeRenderer};
pub use manifest::{AppManifest, Document, Extent, ManifestSet, Provenance};
pub use names::BRANCH_FOLDER;
pub use object::{Allow, ChartRef, ObjectRef, Origin, TypedObject, Untyped, UntypedError};
pub use patch::{JsonPatch, PatchError};
pub use pod_security::{ENFORCE_LABEL, PodSecurityLevel, SECURITY_EXCEPTIONS_ANNOTATION};
pub use registry::{
    AppSpec, BuildApp, Category, ClusterIndependent, PerCluster, Registered, Registry,
};
pub use rollout::{RolloutError, RolloutGraph, fleet_dot};
pub use scope::{Scope, ScopeMarker};
pub use sorted_json::{sorted_entries, to_sorted_json};
pub use synth::{
    BuiltApp, BuiltApps, SynthError, SynthInputs, build_apps, build_cluster_apps, synthesize,
    synthesize_owned, synthesize_owned_with, synthesize_with,
};
pub use workspace::{
    BuildInfo, Built, ClusterFinding, ClusterSettings, RunError, Selection, Synthesis, Workspace,
    prefixed,
};
