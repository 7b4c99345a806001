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

pub mod app;
pub mod bootstrap;
pub mod chart;
pub mod cluster;
pub mod crd_catalog;
pub mod crd_rules;
pub mod crd_schema;
pub mod finding;
pub mod helm_release;
pub mod include;
pub mod kit;
pub mod kustomization;
pub mod manifest;
pub mod names;
pub mod object;
pub mod output;
pub mod patch;
pub mod pod_security;
pub mod quantity;
pub mod registry;
pub mod rendering;
pub mod rollout;
pub mod scope;
pub mod synth;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
mod validate;
pub mod workspace;

pub use app::{App, Chart, ConstructError, Dependency, RenderedRef};
pub use chart::{ChartProps, Naming};
pub use crd_catalog::{CrdCatalog, NoCrds, StaticCrds};
pub use finding::{Finding, Severity};
pub use helm_release::{ChartSource, HelmProps, HelmRef, HelmRenderer};
pub use include::{IncludeRef, MemoryFiles, SourceReader, WorkspaceFiles};
pub use kustomization::{KustomizeProps, KustomizeRef, KustomizeRenderer};
pub use manifest::{AppManifest, Document, Extent, ManifestSet, Provenance};
pub use object::{Allow, ChartRef, ObjectRef, Origin, TypedObject, Untyped, UntypedError};
pub use patch::JsonPatch;
pub use registry::{Category, Registry};
pub use scope::Scope;
pub use synth::{
    BuiltApp, BuiltApps, SynthError, SynthInputs, build_apps, build_cluster_apps, synthesize,
    synthesize_owned, synthesize_owned_with, synthesize_with,
};
pub use workspace::{BuildInfo, ClusterSettings, RunError, Selection, Synthesis, Workspace};
