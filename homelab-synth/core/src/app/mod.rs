//! An app: one deployed unit, one output directory `app/<name>/`, one Argo CD Application.
//! It owns its charts and their objects in arenas; handles ([`ObjectRef`], [`ChartRef`],
//! [`IncludeRef`]) point into them. Building never fails: problems (a duplicate id, an object
//! that does not serialize) are recorded with their construct path and reported together when
//! the app is synthesized.

mod chart;

pub use chart::Chart;

use crate::chart::ChartProps;
use crate::helm_release::HelmRef;
use crate::helm_release::construct::{HelmNode, HelmProps};
use crate::include::{IncludeNode, IncludeRef};
use crate::kustomization::KustomizeRef;
use crate::kustomization::construct::{KustomizeNode, KustomizeProps};
use crate::object::{Allow, ChartRef, ObjectNode, ObjectRef, Origin, TypedObject, Untyped};
use crate::patch::JsonPatch;
use crate::rendering::RenderedTarget;

/// A problem found while the app was being built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConstructError {
    /// Two children of one parent share an id.
    #[error("duplicate construct id: `{path}` is already used")]
    DuplicateId {
        /// The construct path the second child would have: `<app>/<chart>` for a chart,
        /// `<app>/<chart>/<id>` for an object, include, release or kustomization.
        path: String,
    },
    /// An id is empty or contains `/`.
    #[error(
        "invalid construct id `{id}` under `{parent}`: ids must be non-empty and contain no `/`"
    )]
    InvalidId {
        /// The construct path of the parent: the app's name, or `<app>/<chart>`.
        parent: String,
        /// The id as given.
        id: String,
    },
    /// A typed object could not be turned into JSON.
    #[error("object `{path}` could not be serialized: {reason}")]
    Serialize {
        /// The object's construct path, `<app>/<chart>/<id>`.
        path: String,
        /// The serializer's error.
        reason: String,
    },
}

/// What an object can be ordered after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// One object.
    Object(ObjectRef),
    /// Every object of an include.
    Include(IncludeRef),
    /// Every object a Helm release rendered (or delegated).
    Helm(HelmRef),
    /// Every object a kustomization rendered.
    Kustomize(KustomizeRef),
}

impl From<KustomizeRef> for Dependency {
    fn from(kustomize: KustomizeRef) -> Self {
        Dependency::Kustomize(kustomize)
    }
}

/// A construct whose objects are rendered by a tool at the edge (a Helm release or a
/// kustomization): the target of `patch_rendered` and `allow_rendered`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderedRef {
    /// A Helm release.
    Helm(HelmRef),
    /// A kustomization.
    Kustomize(KustomizeRef),
}

impl From<HelmRef> for RenderedRef {
    fn from(helm: HelmRef) -> Self {
        RenderedRef::Helm(helm)
    }
}

impl From<KustomizeRef> for RenderedRef {
    fn from(kustomize: KustomizeRef) -> Self {
        RenderedRef::Kustomize(kustomize)
    }
}

impl From<ObjectRef> for Dependency {
    fn from(object: ObjectRef) -> Self {
        Dependency::Object(object)
    }
}

impl From<HelmRef> for Dependency {
    fn from(helm: HelmRef) -> Self {
        Dependency::Helm(helm)
    }
}

impl From<IncludeRef> for Dependency {
    fn from(include: IncludeRef) -> Self {
        Dependency::Include(include)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ChartNode {
    pub(crate) id: String,
    pub(crate) props: ChartProps,
    pub(crate) depends_on: Vec<ChartRef>,
}

/// One deployed unit: its charts, objects and includes, plus the problems found while
/// building it.
#[derive(Clone, Debug)]
pub struct App {
    pub(crate) name: String,
    pub(crate) charts: Vec<ChartNode>,
    pub(crate) objects: Vec<ObjectNode>,
    pub(crate) includes: Vec<IncludeNode>,
    pub(crate) helms: Vec<HelmNode>,
    pub(crate) kustomizations: Vec<KustomizeNode>,
    /// Every object, include, Helm release and kustomization in construction order.
    pub(crate) children: Vec<Child>,
    pub(crate) dependencies: Vec<(ObjectRef, Dependency)>,
    pub(crate) errors: Vec<ConstructError>,
    /// Namespaces made outside the synthesis, with the reason ([`App::namespace_made_elsewhere`]).
    pub(crate) external_namespaces: std::collections::BTreeMap<String, String>,
}

/// A child of a chart in construction order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Child {
    Object(usize),
    Include(usize),
    Helm(usize),
    Kustomize(usize),
}

impl App {
    /// An empty app whose output directory is `app/<name>/`.
    pub fn new(name: impl Into<String>) -> Self {
        App {
            name: name.into(),
            charts: Vec::new(),
            objects: Vec::new(),
            includes: Vec::new(),
            helms: Vec::new(),
            kustomizations: Vec::new(),
            children: Vec::new(),
            dependencies: Vec::new(),
            errors: Vec::new(),
            external_namespaces: std::collections::BTreeMap::new(),
        }
    }

    /// The app's name (its output directory).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a chart with `id` (unique in the app) and returns it for adding objects.
    pub fn chart(&mut self, id: &str, props: ChartProps) -> Chart<'_> {
        let index = self.charts.len();
        if self.check_id(&self.name.clone(), id) {
            let duplicate = self.charts.iter().any(|chart| chart.id == id);
            if duplicate {
                self.errors.push(ConstructError::DuplicateId {
                    path: format!("{}/{id}", self.name),
                });
            }
        }
        self.charts.push(ChartNode {
            id: id.to_owned(),
            props,
            depends_on: Vec::new(),
        });
        Chart { app: self, index }
    }

    /// Returns the chart of a handle, to add more objects to it.
    pub fn chart_mut(&mut self, chart: ChartRef) -> Chart<'_> {
        Chart {
            app: self,
            index: chart.0,
        }
    }

    /// Adds a JSON patch to an object.
    pub fn patch(&mut self, object: ObjectRef, patch: JsonPatch) {
        if let Some(node) = self.objects.get_mut(object.0) {
            node.patches.push(patch);
        }
    }

    /// Emits `object` after `dependency`.
    pub fn depend(&mut self, object: ObjectRef, dependency: impl Into<Dependency>) {
        self.dependencies.push((object, dependency.into()));
    }

    /// Declares that `namespace`, where some of the app's objects live, is made outside the
    /// synthesis (by the cluster's installer, by the tool the app extends), with a reason
    /// that stays visible in review. Without it, every namespace an app uses must be declared
    /// by a Namespace object of the synthesis or be one Kubernetes itself makes.
    pub fn namespace_made_elsewhere(&mut self, namespace: &str, reason: &str) {
        self.external_namespaces
            .insert(namespace.to_owned(), reason.to_owned());
    }

    /// Opts `object` out of one check, with a reason that stays visible in review.
    pub fn allow(&mut self, object: ObjectRef, check: Allow, reason: &str) {
        if let Some(node) = self.objects.get_mut(object.0) {
            node.allowed.push((check, reason.to_owned()));
        }
    }

    /// Emits every object of `chart` after every object of `other`.
    pub fn chart_depends_on(&mut self, chart: ChartRef, other: ChartRef) {
        if let Some(node) = self.charts.get_mut(chart.0) {
            node.depends_on.push(other);
        }
    }

    /// Construct path of a chart: `<app>/<chart>`.
    pub(crate) fn chart_path(&self, chart: usize) -> String {
        format!("{}/{}", self.name, self.charts[chart].id)
    }

    /// Construct path of a Helm release: `<app>/<chart>/<id>`.
    pub(crate) fn helm_path(&self, helm: &HelmNode) -> String {
        format!("{}/{}", self.chart_path(helm.chart), helm.id)
    }

    /// Namespace of a Helm release: its own, else its chart's.
    pub(crate) fn helm_namespace(&self, helm: &HelmNode) -> Option<String> {
        helm.props
            .namespace
            .clone()
            .or_else(|| self.charts[helm.chart].props.namespace.clone())
    }

    /// Construct path of an object: `<app>/<chart>/<id>`.
    pub(crate) fn object_path(&self, object: &ObjectNode) -> String {
        format!("{}/{}", self.chart_path(object.chart), object.id)
    }

    pub(crate) fn add_typed<T: TypedObject>(
        &mut self,
        chart: usize,
        id: &str,
        object: &T,
    ) -> ObjectRef {
        self.check_child_id(chart, id);
        let node = match ObjectNode::typed(chart, id.to_owned(), object) {
            Ok(node) => node,
            Err(error) => {
                self.errors.push(ConstructError::Serialize {
                    path: format!("{}/{id}", self.chart_path(chart)),
                    reason: error.to_string(),
                });
                ObjectNode::new(
                    chart,
                    id.to_owned(),
                    T::api_version(),
                    T::kind(),
                    Some(T::scope()),
                    Default::default(),
                    Origin::Code,
                )
            }
        };
        self.push_object(node)
    }

    pub(crate) fn add_untyped(&mut self, chart: usize, id: &str, object: Untyped) -> ObjectRef {
        self.check_child_id(chart, id);
        let mut node = ObjectNode::new(
            chart,
            id.to_owned(),
            object.api_version,
            object.kind,
            object.scope,
            object.body,
            Origin::Code,
        );
        node.invalid = object.invalid;
        self.push_object(node)
    }

    pub(crate) fn add_include(&mut self, chart: usize, id: &str, path: &str) -> IncludeRef {
        self.check_child_id(chart, id);
        let index = self.includes.len();
        self.includes.push(IncludeNode {
            chart,
            id: id.to_owned(),
            path: path.to_owned(),
        });
        self.children.push(Child::Include(index));
        IncludeRef(index)
    }

    pub(crate) fn add_helm(&mut self, chart: usize, id: &str, props: HelmProps) -> HelmRef {
        self.check_child_id(chart, id);
        let index = self.helms.len();
        self.helms.push(HelmNode {
            chart,
            id: id.to_owned(),
            props,
            patches: Vec::new(),
            allowed: Vec::new(),
        });
        self.children.push(Child::Helm(index));
        HelmRef(index)
    }

    pub(crate) fn add_kustomize(
        &mut self,
        chart: usize,
        id: &str,
        props: KustomizeProps,
    ) -> KustomizeRef {
        self.check_child_id(chart, id);
        let index = self.kustomizations.len();
        self.kustomizations.push(KustomizeNode {
            chart,
            id: id.to_owned(),
            props,
            patches: Vec::new(),
            allowed: Vec::new(),
        });
        self.children.push(Child::Kustomize(index));
        KustomizeRef(index)
    }

    /// Construct path of a kustomization: `<app>/<chart>/<id>`.
    pub(crate) fn kustomize_path(&self, node: &KustomizeNode) -> String {
        format!("{}/{}", self.chart_path(node.chart), node.id)
    }

    /// Namespace of a kustomization's namespaced objects without one: its own, else its
    /// chart's.
    pub(crate) fn kustomize_namespace(&self, node: &KustomizeNode) -> Option<String> {
        node.props
            .namespace
            .clone()
            .or_else(|| self.charts[node.chart].props.namespace.clone())
    }

    /// Adds a JSON patch to the object of kind `kind` named `name` that `rendered` (a Helm
    /// release or a kustomization) renders. Synthesis reports a patch that matches no
    /// rendered object.
    pub fn patch_rendered(
        &mut self,
        rendered: impl Into<RenderedRef>,
        kind: &str,
        name: &str,
        patch: JsonPatch,
    ) {
        let target = RenderedTarget {
            kind: kind.to_owned(),
            name: name.to_owned(),
            what: patch,
        };
        match rendered.into() {
            RenderedRef::Helm(helm) => {
                if let Some(node) = self.helms.get_mut(helm.0) {
                    node.patches.push(target);
                }
            }
            RenderedRef::Kustomize(kustomize) => {
                if let Some(node) = self.kustomizations.get_mut(kustomize.0) {
                    node.patches.push(target);
                }
            }
        }
    }

    /// Opts the object `kind`/`name` that `rendered` renders out of one check, with a
    /// reason.
    pub fn allow_rendered(
        &mut self,
        rendered: impl Into<RenderedRef>,
        kind: &str,
        name: &str,
        check: Allow,
        reason: &str,
    ) {
        let target = RenderedTarget {
            kind: kind.to_owned(),
            name: name.to_owned(),
            what: (check, reason.to_owned()),
        };
        match rendered.into() {
            RenderedRef::Helm(helm) => {
                if let Some(node) = self.helms.get_mut(helm.0) {
                    node.allowed.push(target);
                }
            }
            RenderedRef::Kustomize(kustomize) => {
                if let Some(node) = self.kustomizations.get_mut(kustomize.0) {
                    node.allowed.push(target);
                }
            }
        }
    }

    fn push_object(&mut self, mut node: ObjectNode) -> ObjectRef {
        // held as text until synthesis resolves it (see `NodeBody`)
        node.body.compact();
        let index = self.objects.len();
        self.objects.push(node);
        self.children.push(Child::Object(index));
        ObjectRef(index)
    }

    /// Records an error when `id` is invalid or already used by a child of `chart`.
    fn check_child_id(&mut self, chart: usize, id: &str) {
        let parent = self.chart_path(chart);
        if !self.check_id(&parent, id) {
            return;
        }
        let taken = self
            .objects
            .iter()
            .any(|object| object.chart == chart && object.id == id)
            || self
                .includes
                .iter()
                .any(|include| include.chart == chart && include.id == id)
            || self
                .helms
                .iter()
                .any(|helm| helm.chart == chart && helm.id == id)
            || self
                .kustomizations
                .iter()
                .any(|node| node.chart == chart && node.id == id);
        if taken {
            self.errors.push(ConstructError::DuplicateId {
                path: format!("{parent}/{id}"),
            });
        }
    }

    fn check_id(&mut self, parent: &str, id: &str) -> bool {
        if id.is_empty() || id.contains('/') {
            self.errors.push(ConstructError::InvalidId {
                parent: parent.to_owned(),
                id: id.to_owned(),
            });
            return false;
        }
        true
    }
}

impl crate::helm_release::HelmReleases for App {
    fn app_name(&self) -> &str {
        &self.name
    }

    fn helm_releases(&self) -> impl Iterator<Item = (&str, &HelmProps)> {
        self.helms.iter().map(|helm| (helm.release(), &helm.props))
    }
}

impl crate::kustomization::AppKustomizations for App {
    fn kustomization_props(&self) -> impl Iterator<Item = &KustomizeProps> {
        self.kustomizations.iter().map(|node| &node.props)
    }
}
