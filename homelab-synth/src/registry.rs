//! The list of apps a workspace synthesizes. The binary creates a [`Registry`], hands one
//! [`Category`] to each category crate's `register` function, and each app is one line there:
//! `apps.add("comfyui", comfyui::comfyui)`.

use crate::app::App;

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
}

/// Adds the apps of one category to a [`Registry`].
pub struct Category<'a> {
    registry: &'a mut Registry,
    category: String,
}

impl Category<'_> {
    /// Registers app `name`, built by `build`.
    pub fn add(&mut self, name: &str, build: BuildFn) -> &mut Self {
        self.registry.apps.push(AppSpec {
            name: name.to_owned(),
            category: self.category.clone(),
            build,
        });
        self
    }
}
