//! The `Helm` construct: what a chart of an app records about a Helm release (chart,
//! version, release, namespace, values, capabilities, mode and policies). Recording never
//! fails and never reads anything; synthesis renders or delegates it.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::object::Allow;
use crate::patch::JsonPatch;
use crate::rendering::RenderedTarget;

/// A handle to a Helm release of an [`App`](crate::App): patch or allow its rendered
/// objects, or order other objects after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HelmRef(pub(crate) usize);

/// Where a chart comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChartSource {
    /// A classic chart repository (an `index.yaml` at `url`) and the chart's name in it.
    Repository {
        /// The repository's URL, without a trailing `/`.
        url: String,
        /// The chart's name in the repository's index.
        name: String,
    },
    /// An OCI reference, `oci://registry/path/name` (the chart's name is the last segment).
    Oci {
        /// The full reference, `oci://registry/path/name`, without a version.
        reference: String,
    },
}

impl ChartSource {
    /// A chart `name` of the repository at `url`.
    pub fn repo(url: impl Into<String>, name: impl Into<String>) -> Self {
        ChartSource::Repository {
            url: url.into().trim_end_matches('/').to_owned(),
            name: name.into(),
        }
    }

    /// A chart at an `oci://` reference.
    pub fn oci(reference: impl Into<String>) -> Self {
        ChartSource::Oci {
            reference: reference.into(),
        }
    }

    /// The chart's name.
    pub fn name(&self) -> &str {
        match self {
            ChartSource::Repository { name, .. } => name,
            ChartSource::Oci { reference } => reference.rsplit('/').next().unwrap_or_default(),
        }
    }

    /// The repository URL, or the OCI reference.
    pub fn location(&self) -> &str {
        match self {
            ChartSource::Repository { url, .. } => url,
            ChartSource::Oci { reference } => reference,
        }
    }
}

impl Default for ChartSource {
    fn default() -> Self {
        ChartSource::repo("", "")
    }
}

/// Whether the chart is rendered here or handed to the GitOps engine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HelmMode {
    /// `helm template` at synthesis (through the [`HelmRenderer`](super::HelmRenderer)); the
    /// objects become untyped objects of the app. The default.
    #[default]
    Render,
    /// Emit a release object for the engine to render in the cluster.
    Delegate(Delegate),
}

/// The engine a delegated release is handed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delegate {
    /// An Argo CD `Application` with a Helm source and `valuesObject`.
    ArgoCd {
        /// Namespace of Argo CD's Applications. Default (see [`Delegate::argo_cd`]): `argocd`.
        namespace: String,
        /// Argo CD project. Default: `default`.
        project: String,
        /// Destination cluster. Default: `https://kubernetes.default.svc`.
        server: String,
    },
    /// A Flux `HelmRepository` (or `OCIRepository`) and a `HelmRelease` in the release
    /// namespace.
    Flux {
        /// Reconciliation interval. Default (see [`Delegate::flux`]): `10m`.
        interval: String,
    },
}

impl Delegate {
    /// Argo CD with its defaults: namespace `argocd`, project `default`, the local cluster.
    pub fn argo_cd() -> Self {
        Delegate::ArgoCd {
            namespace: "argocd".into(),
            project: "default".into(),
            server: "https://kubernetes.default.svc".into(),
        }
    }

    /// Flux with an interval of 10 minutes.
    pub fn flux() -> Self {
        Delegate::Flux {
            interval: "10m".into(),
        }
    }
}

/// What happens to the chart's `crds/` folders (the chart's and its enabled subcharts').
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CrdPolicy {
    /// Included once, cluster-scoped, without a namespace. The default.
    #[default]
    Include,
    /// Left out (another app installs them).
    Skip,
}

/// What happens to one kind of Helm hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookAction {
    /// Becomes an Argo CD hook: `pre-install`/`pre-upgrade` → `PreSync`,
    /// `post-install`/`post-upgrade` → `PostSync`, `pre-delete` → `PreDelete`,
    /// `post-delete` → `PostDelete`; `helm.sh/hook-weight` → `argocd.argoproj.io/sync-wave`,
    /// `helm.sh/hook-delete-policy` → `argocd.argoproj.io/hook-delete-policy`. The
    /// `helm.sh/hook*` annotations are removed.
    ArgoCd,
    /// Left out, with a warning naming the object.
    Drop,
    /// Left out without a warning (the choice is visible in the app's code).
    Omit,
}

/// What happens to the chart's hooks; never passed through as plain objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HookPolicy {
    /// `pre-install`, `post-install`, `pre-upgrade`, `post-upgrade` (and `pre-rollback`,
    /// `post-rollback`, which Argo CD has no counterpart for and are always left out).
    /// Default: [`HookAction::ArgoCd`].
    pub install_upgrade: HookAction,
    /// `pre-delete`, `post-delete`. Default: [`HookAction::Omit`].
    pub delete: HookAction,
    /// `test`, `test-success`, `test-failure`: only [`HookAction::Drop`] or
    /// [`HookAction::Omit`] make sense. Default: [`HookAction::Omit`].
    pub test: HookAction,
}

impl Default for HookPolicy {
    fn default() -> Self {
        HookPolicy {
            install_upgrade: HookAction::ArgoCd,
            delete: HookAction::Omit,
            test: HookAction::Omit,
        }
    }
}

/// A Helm release: chart, version, release name, namespace, values and policies.
///
/// ```
/// use homelab_synth_core::helm_release::{ChartSource, HelmProps};
/// let props = HelmProps::new(ChartSource::repo("https://stakater.github.io/stakater-charts", "reloader"), "2.2.12")
///     .release("reloader")
///     .values(serde_json::json!({"reloader": {"watchGlobally": true}}));
/// assert_eq!(props.release, "reloader");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HelmProps {
    /// The chart. Default: none (an error at synthesis).
    pub chart: ChartSource,
    /// The exact chart version, as locked in `charts.lock`. Default: none (an error).
    pub version: String,
    /// Release name. Default (empty): the construct id.
    pub release: String,
    /// Release namespace, set on namespaced objects without one. Default: the chart's
    /// namespace (an error when neither is set).
    pub namespace: Option<String>,
    /// User values (a JSON object). Default: none (the chart's defaults).
    pub values: Value,
    /// `--kube-version` for `.Capabilities.KubeVersion`. Default: Helm's built-in version.
    pub kube_version: Option<String>,
    /// `--api-versions` for `.Capabilities.APIVersions`. Default: none.
    pub api_versions: Vec<String>,
    /// Render or delegate. Default: [`HelmMode::Render`].
    pub mode: HelmMode,
    /// Hooks. Default: see [`HookPolicy::default`].
    pub hooks: HookPolicy,
    /// The `crds/` folders. Default: [`CrdPolicy::Include`].
    pub crds: CrdPolicy,
    /// Objects (`Kind/name`) allowed to differ between two renders, each with a reason.
    /// Default: none (any difference fails synthesis).
    pub accept_nondeterministic: Vec<(String, String)>,
    /// Rendered objects (`Kind/name`) left out of the output, each with a reason. Default:
    /// none.
    pub omit: Vec<(String, String)>,
    /// Value paths (`a.b.c`, dotted) accepted although the chart's `values.yaml` and schema
    /// do not declare them; a path also allows everything below it. Default: none.
    pub allow_values: Vec<String>,
    /// The release whose cluster-layer values were overlaid ([`HelmProps::layered`]), so
    /// synthesis can tell a layer nobody reads. Default: none.
    pub layered_as: Option<String>,
    /// The first values that could not be used ([`HelmProps::values`] or
    /// [`HelmProps::overlay`] given something that does not serialize, or a layer that did
    /// not): reported at synthesis. Default: none.
    pub values_error: Option<ValuesError>,
}

/// Why a release's values cannot be handed to Helm; reported at synthesis as
/// `Helm release <error>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// The values given did not serialize to JSON.
    #[error("values do not serialize: {reason}")]
    Serialize {
        /// The serializer's message.
        reason: String,
    },
    /// The values are not a JSON object (nor `null`).
    #[error("values must be a mapping, found {0}")]
    NotAMapping(Value),
}

impl ValuesError {
    pub(crate) fn serialize(error: &serde_json::Error) -> Self {
        ValuesError::Serialize {
            reason: error.to_string(),
        }
    }
}

impl HelmProps {
    /// A release of `chart` at `version`, everything else at its default.
    pub fn new(chart: ChartSource, version: impl Into<String>) -> Self {
        HelmProps {
            chart,
            version: version.into(),
            ..HelmProps::default()
        }
    }

    /// Sets the release name.
    #[must_use]
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = release.into();
        self
    }

    /// Sets the release namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets the values from anything serializable: a typed struct or a `serde_json::Value`.
    /// A value that does not serialize to a JSON object is reported at synthesis.
    #[must_use]
    pub fn values(mut self, values: impl Serialize) -> Self {
        match serde_json::to_value(values) {
            Ok(values) => self.values = values,
            Err(error) => self.fail(ValuesError::serialize(&error)),
        }
        self
    }

    /// Records the first values that could not be used.
    fn fail(&mut self, error: ValuesError) {
        self.values_error.get_or_insert(error);
    }

    /// Layers `overlay` over the values set so far (a per-environment or per-cluster layer),
    /// as Helm layers `-f base.yaml -f overlay.yaml`: maps merge key by key, a list or scalar
    /// replaces what was there (lists are never concatenated), and `null` replaces too, so
    /// Helm then removes the chart's default for that key. The chart's value checks run on
    /// the merged result.
    ///
    /// ```
    /// use homelab_synth_core::helm_release::{ChartSource, HelmProps};
    /// use serde_json::json;
    /// let props = HelmProps::new(ChartSource::repo("https://example.com", "app"), "1.0.0")
    ///     .values(json!({"replicas": 3, "args": ["--a"], "ingress": {"enabled": true, "tls": true}}))
    ///     .overlay(json!({"replicas": 1, "args": ["--b"], "ingress": {"tls": null}}));
    /// assert_eq!(
    ///     props.values,
    ///     json!({"replicas": 1, "args": ["--b"], "ingress": {"enabled": true, "tls": null}})
    /// );
    /// ```
    #[must_use]
    pub fn overlay(mut self, overlay: impl Serialize) -> Self {
        match serde_json::to_value(overlay) {
            Ok(overlay) => merge(&mut self.values, overlay),
            Err(error) => self.fail(ValuesError::serialize(&error)),
        }
        self
    }

    /// Overlays the values the cluster's layers set for release `release`
    /// ([`ValueLayers`](super::ValueLayers): defaults → environment → roles → cluster, each
    /// merged by the rule of [`HelmProps::overlay`]) over the values set so far. A release
    /// the layers say nothing of keeps its values; either way synthesis knows the release
    /// reads its layers, so a layer for a release no app reads is an error
    /// ([`super::layers::check_read`]).
    #[must_use]
    pub fn layered(mut self, layers: &super::ValueLayers, release: &str) -> Self {
        if let Some(values) = layers.values_for(release) {
            merge(&mut self.values, values.clone());
        }
        if let Some(error) = layers.error_for(release) {
            self.fail(error.clone());
        }
        self.layered_as = Some(release.to_owned());
        self
    }

    /// Sets the mode.
    #[must_use]
    pub fn mode(mut self, mode: HelmMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the hook policy.
    #[must_use]
    pub fn hooks(mut self, hooks: HookPolicy) -> Self {
        self.hooks = hooks;
        self
    }

    /// Accepts that object `kind_name` (`Kind/name`) differs between renders.
    #[must_use]
    pub fn accept_nondeterministic(mut self, kind_name: &str, reason: &str) -> Self {
        self.accept_nondeterministic
            .push((kind_name.to_owned(), reason.to_owned()));
        self
    }

    /// Leaves the rendered object `kind_name` (`Kind/name`) out of the output, for a reason
    /// (e.g. a Secret the chart always renders but nothing uses once its values point at an
    /// existing one). An empty reason, or an object the chart did not render, is an error.
    #[must_use]
    pub fn omit(mut self, kind_name: &str, reason: &str) -> Self {
        self.omit.push((kind_name.to_owned(), reason.to_owned()));
        self
    }

    /// Accepts a value path the chart does not declare.
    #[must_use]
    pub fn allow_value(mut self, path: &str) -> Self {
        self.allow_values.push(path.to_owned());
        self
    }

    /// The values as a JSON object (none → empty).
    pub(crate) fn values_map(&self) -> Result<Map<String, Value>, ValuesError> {
        if let Some(error) = &self.values_error {
            return Err(error.clone());
        }
        match &self.values {
            Value::Null => Ok(Map::new()),
            Value::Object(map) => Ok(map.clone()),
            other => Err(ValuesError::NotAMapping(other.clone())),
        }
    }
}

/// An app's Helm releases, as [`super::chart_pins`] and [`super::check_read`] read them.
/// `App` and `BuiltApp`, above this module, implement it, so the Helm construct names neither.
pub trait HelmReleases {
    /// The app's name.
    fn app_name(&self) -> &str;

    /// Each release's name and props, in the order the app declared them.
    fn helm_releases(&self) -> impl Iterator<Item = (&str, &HelmProps)>;
}

/// A Helm release as an app holds it.
#[derive(Clone, Debug)]
pub(crate) struct HelmNode {
    pub(crate) chart: usize,
    pub(crate) id: String,
    pub(crate) props: HelmProps,
    pub(crate) patches: Vec<RenderedTarget<JsonPatch>>,
    pub(crate) allowed: Vec<RenderedTarget<(Allow, String)>>,
}

impl HelmNode {
    /// The release name: the props' or the construct id.
    pub(crate) fn release(&self) -> &str {
        if self.props.release.is_empty() {
            &self.id
        } else {
            &self.props.release
        }
    }
}

/// Merges `overlay` into `base`: maps key by key, anything else (lists, scalars, `null`)
/// replaces.
pub(crate) fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value);
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}
