//! The `Kustomize` construct: what a chart of an app records about a kustomization (its
//! folder, namespace and the rendered objects left out). Recording never fails and never
//! reads anything; synthesis renders it through a
//! [`KustomizeRenderer`](super::KustomizeRenderer).

use crate::object::Allow;
use crate::patch::JsonPatch;
use crate::rendering::RenderedTarget;

/// A handle to a kustomization of an [`App`](crate::App): patch or allow its rendered
/// objects (`Chart::patch_rendered`, `Chart::allow_rendered`), or order other objects after
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KustomizeRef(pub(crate) usize);

/// A kustomization folder rendered with `kustomize build`.
///
/// ```
/// use homelab_synth_core::kustomization::KustomizeProps;
/// let props = KustomizeProps::new("apps/ai/kubeflow/kustomization")
///     .omit("Secret/example", "made by the app's OpenBao secrets instead");
/// assert_eq!(props.path, "apps/ai/kubeflow/kustomization");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KustomizeProps {
    /// The folder holding `kustomization.yaml`, relative to the workspace root. Default:
    /// none (an error at synthesis).
    pub path: String,
    /// Namespace set on rendered namespaced objects that have none (cluster-scoped ones never
    /// get one). Default: the chart's namespace (none: such objects are an error, as any
    /// namespaced object without a namespace).
    pub namespace: Option<String>,
    /// Rendered objects (`Kind/name`) left out of the output, each with a reason. Default:
    /// none.
    pub omit: Vec<(String, String)>,
}

impl KustomizeProps {
    /// The kustomization in folder `path` (relative to the workspace root).
    pub fn new(path: impl Into<String>) -> Self {
        KustomizeProps {
            path: path.into(),
            ..KustomizeProps::default()
        }
    }

    /// Sets the namespace of rendered namespaced objects that have none.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Leaves the rendered object `kind_name` (`Kind/name`) out of the output, for a reason.
    /// An empty reason, or an object the kustomization did not render, is an error.
    #[must_use]
    pub fn omit(mut self, kind_name: &str, reason: &str) -> Self {
        self.omit.push((kind_name.to_owned(), reason.to_owned()));
        self
    }
}

/// An app's kustomizations, as [`super::kustomizations`] reads them. `App` and `BuiltApp`,
/// above this module, implement it, so the kustomize construct names neither.
pub trait AppKustomizations {
    /// Each kustomization's props, in the order the app declared them.
    fn kustomization_props(&self) -> impl Iterator<Item = &KustomizeProps>;
}

/// A kustomization as an app holds it.
#[derive(Clone, Debug)]
pub(crate) struct KustomizeNode {
    pub(crate) chart: usize,
    pub(crate) id: String,
    pub(crate) props: KustomizeProps,
    pub(crate) patches: Vec<RenderedTarget<JsonPatch>>,
    pub(crate) allowed: Vec<RenderedTarget<(Allow, String)>>,
}
