//! The handle of a chart of an [`App`]: borrowed while objects, includes, Helm releases and
//! kustomizations are added to it; what the chart shares is its [`ChartProps`].

use serde_json::Value;

use super::{App, RenderedRef};
#[cfg(doc)]
use crate::chart::ChartProps;
use crate::helm_release::{HelmProps, HelmRef};
use crate::include::IncludeRef;
use crate::kustomization::{KustomizeProps, KustomizeRef};
use crate::object::{Allow, ChartRef, ObjectRef, TypedObject, Untyped};
use crate::patch::JsonPatch;

/// A chart of an [`App`], borrowed while objects are added to it.
pub struct Chart<'a> {
    pub(crate) app: &'a mut App,
    pub(crate) index: usize,
}

impl<'a> Chart<'a> {
    /// Adds a typed object (any k8s-openapi type or `kube::CustomResource` type) under `id`,
    /// unique among the chart's children.
    pub fn add<T: TypedObject>(&mut self, id: &str, object: T) -> ObjectRef {
        self.app.add_typed(self.index, id, &object)
    }

    /// Adds an untyped object under `id`.
    pub fn add_untyped(&mut self, id: &str, object: Untyped) -> ObjectRef {
        self.app.add_untyped(self.index, id, object)
    }

    /// Includes every document of a YAML file (path relative to the workspace root) as
    /// untyped objects. The file is read when the app is synthesized, with the YAML 1.1 rules
    /// Kubernetes applies.
    pub fn include(&mut self, id: &str, path: &str) -> IncludeRef {
        self.app.add_include(self.index, id, path)
    }

    /// Adds a Helm release under `id`: rendered at synthesis by the
    /// [`HelmRenderer`](crate::helm_release::HelmRenderer) (its objects become objects of this chart)
    /// or delegated to Argo CD / Flux, per [`HelmProps::mode`].
    pub fn helm(&mut self, id: &str, props: HelmProps) -> HelmRef {
        self.app.add_helm(self.index, id, props)
    }

    /// Adds a kustomization under `id`: the folder `props.path` (relative to the workspace)
    /// is rendered at synthesis by the [`KustomizeRenderer`](crate::kustomization::KustomizeRenderer)
    /// (`kustomize build`, remote bases pinned and fetched before it runs) and its objects
    /// become objects of this chart, like a Helm release's.
    pub fn kustomize(&mut self, id: &str, props: KustomizeProps) -> KustomizeRef {
        self.app.add_kustomize(self.index, id, props)
    }

    /// Adds a JSON patch to the object `kind`/`name` rendered by `rendered` (a Helm release
    /// or a kustomization); it applies after names and metadata are resolved, like any patch.
    pub fn patch_rendered(
        &mut self,
        rendered: impl Into<RenderedRef>,
        kind: &str,
        name: &str,
        patch: JsonPatch,
    ) {
        self.app.patch_rendered(rendered, kind, name, patch);
    }

    /// Opts the object `kind`/`name` rendered by `rendered` (a Helm release or a
    /// kustomization) out of one check, with a reason.
    pub fn allow_rendered(
        &mut self,
        helm: impl Into<RenderedRef>,
        kind: &str,
        name: &str,
        check: Allow,
        reason: &str,
    ) {
        self.app.allow_rendered(helm, kind, name, check, reason);
    }

    /// Adds a JSON patch to an object; patches apply in order after names and metadata are
    /// resolved.
    pub fn patch(&mut self, object: ObjectRef, patch: JsonPatch) {
        self.app.patch(object, patch);
    }

    /// Emits `object` after `dependency`.
    pub fn depend(&mut self, object: ObjectRef, dependency: impl Into<super::Dependency>) {
        self.app.depend(object, dependency);
    }

    /// Opts `object` out of one check, with a reason that stays visible in review.
    pub fn allow(&mut self, object: ObjectRef, check: Allow, reason: &str) {
        self.app.allow(object, check, reason);
    }

    /// Emits every object of this chart after every object of `other`.
    pub fn depends_on(&mut self, other: ChartRef) {
        self.app.chart_depends_on(ChartRef(self.index), other);
    }

    /// A handle to this chart, for dependencies.
    pub fn handle(&self) -> ChartRef {
        ChartRef(self.index)
    }

    /// The chart's namespace, if it has one.
    pub fn namespace(&self) -> Option<&str> {
        self.app.charts[self.index].props.namespace.as_deref()
    }

    /// The JSON body of an object added earlier (before synthesis: no generated name, no
    /// chart metadata, no patches), parsed: a copy.
    pub fn body(&self, object: ObjectRef) -> Option<serde_json::Map<String, Value>> {
        self.app
            .objects
            .get(object.0)
            .map(|node| node.body.read(Clone::clone))
    }
}
