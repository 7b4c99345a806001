//! The list of apps a workspace synthesizes. The binary creates a [`Registry`], hands one
//! [`Category`] to each category crate's `register` function, and each app is one line there:
//! `apps.add("comfyui", comfyui::comfyui)`, with its dependencies on other apps:
//! `apps.add("grafana", grafana::grafana).depends_on(&["victoria-metrics"])`.

use crate::app::App;
use crate::rollout::{RolloutError, RolloutGraph};

/// Builds one app.
pub type BuildFn = fn(&mut App);

/// A registered app.
#[derive(Clone, Debug)]
pub struct AppSpec {
    /// App name: its output directory and Argo CD Application name.
    pub name: String,
    /// The category crate that registered it.
    pub category: String,
    /// The function that builds it.
    pub build: BuildFn,
    /// Apps that must be rolled out (and healthy) before this one.
    pub depends_on: Vec<String>,
}

/// Every registered app, in registration order.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    apps: Vec<AppSpec>,
}

impl Registry {
    /// No apps yet.
    pub fn new() -> Self {
        Registry::default()
    }

    /// The registrar for one category's apps.
    pub fn category(&mut self, category: &str) -> Category<'_> {
        Category {
            registry: self,
            category: category.to_owned(),
        }
    }

    /// Registered apps in registration order.
    pub fn apps(&self) -> &[AppSpec] {
        &self.apps
    }

    /// The apps' dependencies as waves; every missing target, self-dependency or cycle is
    /// an error.
    pub fn rollout(&self) -> Result<RolloutGraph, Vec<RolloutError>> {
        RolloutGraph::new(
            self.apps
                .iter()
                .map(|spec| (spec.name.as_str(), spec.depends_on.as_slice())),
        )
    }
}

/// Adds the apps of one category to a [`Registry`].
pub struct Category<'a> {
    registry: &'a mut Registry,
    category: String,
}

impl<'r> Category<'r> {
    /// Registers app `name`, built by `build`; the result declares its dependencies (and can
    /// register the next app: `apps.add("a", a).add("b", b)`).
    pub fn add(&mut self, name: &str, build: BuildFn) -> Registered<'_, 'r> {
        self.registry.apps.push(AppSpec {
            name: name.to_owned(),
            category: self.category.clone(),
            build,
            depends_on: Vec::new(),
        });
        let index = self.registry.apps.len() - 1;
        Registered {
            category: self,
            index,
        }
    }
}

/// A just-registered app, to declare what it depends on.
pub struct Registered<'c, 'r> {
    category: &'c mut Category<'r>,
    index: usize,
}

impl<'c, 'r> Registered<'c, 'r> {
    /// This app rolls out after `apps` (e.g. everything using ServiceMonitor after the app
    /// that installs the CRD). Emitted as Flux `dependsOn` and Argo CD progressive-sync steps.
    pub fn depends_on(self, apps: &[&str]) -> Self {
        self.category.registry.apps[self.index]
            .depends_on
            .extend(apps.iter().map(|app| (*app).to_owned()));
        self
    }

    /// Registers the next app of the same category.
    pub fn add(self, name: &str, build: BuildFn) -> Registered<'c, 'r> {
        let category = self.category;
        category.add(name, build)
    }
}
