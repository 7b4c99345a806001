//! The list of apps a workspace synthesizes. The binary creates a [`Registry`], hands one
//! [`Category`] to each category crate's `register` function, and each app is one line there:
//! `apps.add("comfyui", comfyui::comfyui)`, with its dependencies on other apps:
//! `apps.add("grafana", grafana::grafana).depends_on(&["victoria-metrics"])`.
//!
//! A build function is `fn(&mut App)`, or `fn(&mut App, &Cluster<S>)` when the app differs
//! per cluster; `S` is the workspace's settings type (`()` without clusters). An app that
//! runs only on some clusters says so with [`Registered::when`].

use std::sync::Arc;

use crate::app::App;
use crate::cluster::Cluster;
use crate::rollout::{RolloutError, RolloutGraph};

/// A function that builds an app: `fn(&mut App)` or `fn(&mut App, &Cluster<S>)`. The marker
/// `M` only tells the two apart.
pub trait BuildApp<S, M>: Send + Sync + 'static {
    /// Builds `app` for `cluster`.
    fn build(&self, app: &mut App, cluster: &Cluster<S>);
}

/// Marker of `fn(&mut App)` builders.
pub struct ClusterIndependent;
/// Marker of `fn(&mut App, &Cluster<S>)` builders.
pub struct PerCluster;

impl<S, F> BuildApp<S, ClusterIndependent> for F
where
    F: Fn(&mut App) + Send + Sync + 'static,
{
    fn build(&self, app: &mut App, _cluster: &Cluster<S>) {
        self(app);
    }
}

impl<S, F> BuildApp<S, PerCluster> for F
where
    F: Fn(&mut App, &Cluster<S>) + Send + Sync + 'static,
{
    fn build(&self, app: &mut App, cluster: &Cluster<S>) {
        self(app, cluster);
    }
}

type Builder<S> = Arc<dyn Fn(&mut App, &Cluster<S>) + Send + Sync>;
type Condition<S> = fn(&Cluster<S>) -> bool;

/// A registered app.
pub struct AppSpec<S = ()> {
    /// App name: its output directory and Argo CD Application name.
    pub name: String,
    /// The category crate that registered it.
    pub category: String,
    /// Apps that must be rolled out (and healthy) before this one.
    pub depends_on: Vec<String>,
    build: Builder<S>,
    when: Option<Condition<S>>,
}

impl<S> Clone for AppSpec<S> {
    fn clone(&self) -> Self {
        AppSpec {
            name: self.name.clone(),
            category: self.category.clone(),
            depends_on: self.depends_on.clone(),
            build: Arc::clone(&self.build),
            when: self.when,
        }
    }
}

impl<S> std::fmt::Debug for AppSpec<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSpec")
            .field("name", &self.name)
            .field("category", &self.category)
            .field("depends_on", &self.depends_on)
            .field("conditional", &self.when.is_some())
            .finish()
    }
}

impl<S> AppSpec<S> {
    /// Whether the app runs on `cluster`.
    pub fn enabled_on(&self, cluster: &Cluster<S>) -> bool {
        self.when.is_none_or(|when| when(cluster))
    }

    /// Builds the app for `cluster`.
    pub fn build(&self, cluster: &Cluster<S>) -> App {
        let mut app = App::new(&self.name);
        (self.build)(&mut app, cluster);
        app
    }
}

/// Every registered app, in registration order.
pub struct Registry<S = ()> {
    apps: Vec<AppSpec<S>>,
}

impl<S> Clone for Registry<S> {
    fn clone(&self) -> Self {
        Registry {
            apps: self.apps.clone(),
        }
    }
}

impl<S> std::fmt::Debug for Registry<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.apps).finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl Registry {
    /// No apps yet, for a workspace without clusters.
    pub fn new() -> Self {
        Registry::for_settings()
    }
}

impl<S> Registry<S> {
    /// No apps yet, for clusters whose settings are `S`.
    pub fn for_settings() -> Self {
        Registry { apps: Vec::new() }
    }

    /// The registrar for one category's apps.
    pub fn category(&mut self, category: &str) -> Category<'_, S> {
        Category {
            registry: self,
            category: category.to_owned(),
        }
    }

    /// Registered apps in registration order.
    pub fn apps(&self) -> &[AppSpec<S>] {
        &self.apps
    }

    /// The apps enabled on `cluster`, in registration order.
    pub fn apps_on<'a>(&'a self, cluster: &'a Cluster<S>) -> impl Iterator<Item = &'a AppSpec<S>> {
        self.apps
            .iter()
            .filter(move |spec| spec.enabled_on(cluster))
    }

    /// The dependencies of every registered app as waves; every missing target,
    /// self-dependency or cycle is an error.
    pub fn rollout(&self) -> Result<RolloutGraph, Vec<RolloutError>> {
        RolloutGraph::new(
            self.apps
                .iter()
                .map(|spec| (spec.name.as_str(), spec.depends_on.as_slice())),
        )
    }

    /// The rollout of the apps enabled on `cluster`: an enabled app that depends on one the
    /// cluster does not run is an error too.
    pub fn rollout_on(&self, cluster: &Cluster<S>) -> Result<RolloutGraph, Vec<RolloutError>> {
        let enabled: Vec<&AppSpec<S>> = self.apps_on(cluster).collect();
        let mut errors = Vec::new();
        for spec in &enabled {
            for need in &spec.depends_on {
                let registered = self.apps.iter().any(|other| other.name == *need);
                let running = enabled.iter().any(|other| other.name == *need);
                if registered && !running {
                    errors.push(RolloutError::NotOnCluster {
                        app: spec.name.clone(),
                        dependency: need.clone(),
                        cluster: cluster.name.clone(),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        RolloutGraph::new(
            enabled
                .iter()
                .map(|spec| (spec.name.as_str(), spec.depends_on.as_slice())),
        )
    }
}

/// Adds the apps of one category to a [`Registry`].
pub struct Category<'r, S = ()> {
    registry: &'r mut Registry<S>,
    category: String,
}

impl<'r, S: 'static> Category<'r, S> {
    /// Registers app `name`, built by `build`; the result declares its dependencies (and can
    /// register the next app: `apps.add("a", a).add("b", b)`).
    pub fn add<M>(&mut self, name: &str, build: impl BuildApp<S, M>) -> Registered<'_, 'r, S> {
        let build: Builder<S> = Arc::new(move |app: &mut App, cluster: &Cluster<S>| {
            build.build(app, cluster);
        });
        self.registry.apps.push(AppSpec {
            name: name.to_owned(),
            category: self.category.clone(),
            depends_on: Vec::new(),
            build,
            when: None,
        });
        let index = self.registry.apps.len() - 1;
        Registered {
            category: self,
            index,
        }
    }
}

/// A just-registered app, to declare what it depends on and where it runs.
pub struct Registered<'c, 'r, S = ()> {
    category: &'c mut Category<'r, S>,
    index: usize,
}

impl<'c, 'r, S: 'static> Registered<'c, 'r, S> {
    /// This app rolls out after `apps` (e.g. everything using ServiceMonitor after the app
    /// that installs the CRD). Emitted as Flux `dependsOn` and Argo CD progressive-sync steps.
    pub fn depends_on(self, apps: &[&str]) -> Self {
        self.category.registry.apps[self.index]
            .depends_on
            .extend(apps.iter().map(|app| (*app).to_owned()));
        self
    }

    /// The app runs only on the clusters for which `condition` holds (e.g. a GPU role).
    pub fn when(self, condition: fn(&Cluster<S>) -> bool) -> Self {
        self.category.registry.apps[self.index].when = Some(condition);
        self
    }

    /// Registers the next app of the same category.
    pub fn add<M>(self, name: &str, build: impl BuildApp<S, M>) -> Registered<'c, 'r, S> {
        let category = self.category;
        category.add(name, build)
    }
}
