//! Clusters: one codebase, several clusters. A [`Cluster`] is what every app's build
//! function may read: name, environment, roles, domain, and `settings` of a type the
//! workspace defines (anything its apps need: replicas, hostnames, feature switches).
//!
//! Settings are layered by a [`Fleet`], with this precedence (each layer wins over the ones
//! before it, field by field):
//!
//! 1. `S::default()`: the defaults;
//! 2. the cluster's environment layer (`production`, `staging`);
//! 3. each of the cluster's role layers, in the order the cluster lists its roles;
//! 4. the cluster's own layer.
//!
//! A layer is a plain `fn(&mut S)` that assigns the fields it changes, so a layer that sets
//! a field the settings do not have does not compile, and nothing is matched by string.
//!
//! ```
//! use homelab_synth_core::{ClusterSpec, Fleet};
//! #[derive(Clone, Debug, Default)]
//! struct Settings { replicas: i32, gpu: bool }
//! let fleet = Fleet::<Settings>::new()
//!     .environment("production", |s| s.replicas = 3)
//!     .environment("staging", |s| s.replicas = 1)
//!     .role("gpu", |s| s.gpu = true)
//!     .cluster(ClusterSpec::new("main", "production", "madhan.app").roles(&["gpu"]))
//!     .cluster(ClusterSpec::new("lab", "staging", "lab.madhan.app").layer(|s| s.replicas = 2));
//! let clusters = fleet.resolve().unwrap();
//! assert_eq!((clusters[0].settings.replicas, clusters[0].settings.gpu), (3, true));
//! assert_eq!((clusters[1].settings.replicas, clusters[1].settings.gpu), (2, false));
//! ```
//!
//! A layer that sets a field the settings do not have is a compile error:
//!
//! ```compile_fail,E0609
//! use homelab_synth_core::Fleet;
//! #[derive(Clone, Debug, Default)]
//! struct Settings { replicas: i32 }
//! let _ = Fleet::<Settings>::new().environment("production", |s| s.replcas = 3);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use crate::names::is_dns1123_label;

/// A settings layer: assigns the fields it changes.
pub type Layer<S> = fn(&mut S);

/// One cluster as apps see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cluster<S> {
    /// Name (a DNS label): its output folder when there are several clusters.
    pub name: String,
    /// Environment (`production`, `staging`).
    pub environment: String,
    /// Roles, in the order their layers were applied.
    pub roles: Vec<String>,
    /// Base domain of the cluster's hostnames.
    pub domain: String,
    /// The layered settings.
    pub settings: S,
}

impl<S> Cluster<S> {
    /// Whether the cluster has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|candidate| candidate == role)
    }

    /// `<name>.<domain>`: a hostname on the cluster's domain.
    pub fn host(&self, name: &str) -> String {
        format!("{name}.{}", self.domain)
    }
}

impl Cluster<()> {
    /// The one cluster of a workspace that defines none: named `default`, no roles, no
    /// domain.
    pub fn single() -> Self {
        Cluster {
            name: "default".into(),
            ..Cluster::default()
        }
    }
}

/// How a cluster is defined in a [`Fleet`].
#[derive(Clone, Debug)]
pub struct ClusterSpec<S> {
    name: String,
    environment: String,
    domain: String,
    roles: Vec<String>,
    layer: Option<Layer<S>>,
}

impl<S> ClusterSpec<S> {
    /// Cluster `name` in `environment`, with hostnames under `domain`.
    pub fn new(name: &str, environment: &str, domain: &str) -> Self {
        ClusterSpec {
            name: name.to_owned(),
            environment: environment.to_owned(),
            domain: domain.to_owned(),
            roles: Vec::new(),
            layer: None,
        }
    }

    /// The cluster's roles; their layers apply in this order.
    #[must_use]
    pub fn roles(mut self, roles: &[&str]) -> Self {
        self.roles = roles.iter().map(|role| (*role).to_owned()).collect();
        self
    }

    /// The cluster's own layer, applied last.
    #[must_use]
    pub fn layer(mut self, layer: Layer<S>) -> Self {
        self.layer = Some(layer);
        self
    }
}

/// Why a fleet does not resolve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FleetError {
    /// A cluster name is not a DNS label (it becomes a folder and part of object names).
    #[error(
        "cluster name `{name}` is not a DNS label (lowercase letters, digits and `-`, at most 63)"
    )]
    InvalidName {
        /// The cluster's name as given.
        name: String,
    },
    /// Two clusters share a name.
    #[error("cluster `{name}` is defined twice")]
    Duplicate {
        /// The name given to more than one cluster.
        name: String,
    },
    /// A cluster names an environment with no layer.
    #[error(
        "cluster `{cluster}` is in environment `{environment}`, which is not defined; environments are: {known}"
    )]
    UnknownEnvironment {
        /// The cluster's name.
        cluster: String,
        /// The environment the cluster names.
        environment: String,
        /// Every defined environment's name, sorted and joined with `, `.
        known: String,
    },
    /// A cluster names a role with no layer.
    #[error("cluster `{cluster}` has role `{role}`, which is not defined; roles are: {known}")]
    UnknownRole {
        /// The cluster's name.
        cluster: String,
        /// The role the cluster names.
        role: String,
        /// Every defined role's name, sorted and joined with `, `.
        known: String,
    },
    /// No cluster is defined.
    #[error("no cluster is defined")]
    Empty,
}

/// Environments, roles and clusters, with their layers.
#[derive(Clone, Debug)]
pub struct Fleet<S> {
    environments: BTreeMap<String, Layer<S>>,
    roles: BTreeMap<String, Layer<S>>,
    clusters: Vec<ClusterSpec<S>>,
}

impl<S> Default for Fleet<S> {
    fn default() -> Self {
        Fleet {
            environments: BTreeMap::new(),
            roles: BTreeMap::new(),
            clusters: Vec::new(),
        }
    }
}

impl<S: Default> Fleet<S> {
    /// No environments, roles or clusters yet.
    pub fn new() -> Self {
        Fleet::default()
    }

    /// Defines environment `name` and its layer.
    #[must_use]
    pub fn environment(mut self, name: &str, layer: Layer<S>) -> Self {
        self.environments.insert(name.to_owned(), layer);
        self
    }

    /// Defines role `name` and its layer.
    #[must_use]
    pub fn role(mut self, name: &str, layer: Layer<S>) -> Self {
        self.roles.insert(name.to_owned(), layer);
        self
    }

    /// Adds a cluster.
    #[must_use]
    pub fn cluster(mut self, cluster: ClusterSpec<S>) -> Self {
        self.clusters.push(cluster);
        self
    }

    /// Every cluster with its settings layered (see the module doc), in definition order;
    /// every problem is reported.
    pub fn resolve(&self) -> Result<Vec<Cluster<S>>, Vec<FleetError>> {
        let mut errors = Vec::new();
        if self.clusters.is_empty() {
            errors.push(FleetError::Empty);
        }
        let mut seen = BTreeSet::new();
        let known =
            |map: &BTreeMap<String, Layer<S>>| map.keys().cloned().collect::<Vec<_>>().join(", ");
        let mut clusters = Vec::new();
        for spec in &self.clusters {
            if !is_dns1123_label(&spec.name) {
                errors.push(FleetError::InvalidName {
                    name: spec.name.clone(),
                });
            }
            if !seen.insert(spec.name.as_str()) {
                errors.push(FleetError::Duplicate {
                    name: spec.name.clone(),
                });
            }
            let mut settings = S::default();
            match self.environments.get(&spec.environment) {
                Some(layer) => layer(&mut settings),
                None => errors.push(FleetError::UnknownEnvironment {
                    cluster: spec.name.clone(),
                    environment: spec.environment.clone(),
                    known: known(&self.environments),
                }),
            }
            for role in &spec.roles {
                match self.roles.get(role) {
                    Some(layer) => layer(&mut settings),
                    None => errors.push(FleetError::UnknownRole {
                        cluster: spec.name.clone(),
                        role: role.clone(),
                        known: known(&self.roles),
                    }),
                }
            }
            if let Some(layer) = spec.layer {
                layer(&mut settings);
            }
            clusters.push(Cluster {
                name: spec.name.clone(),
                environment: spec.environment.clone(),
                roles: spec.roles.clone(),
                domain: spec.domain.clone(),
                settings,
            });
        }
        if errors.is_empty() {
            Ok(clusters)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Settings {
        replicas: i32,
        storage: &'static str,
        gpu: bool,
        host: &'static str,
    }

    fn fleet() -> Fleet<Settings> {
        Fleet::<Settings>::new()
            .environment("production", |s| {
                s.replicas = 3;
                s.storage = "longhorn";
                s.host = "prod";
            })
            .environment("staging", |s| s.replicas = 1)
            .role("gpu", |s| {
                s.gpu = true;
                s.replicas = 2;
            })
            .role("small", |s| s.replicas = 1)
    }

    #[test]
    fn each_layer_wins_where_it_should() {
        let clusters = fleet()
            .cluster(ClusterSpec::new("main", "production", "madhan.app"))
            .cluster(ClusterSpec::new("gpu", "production", "madhan.app").roles(&["gpu"]))
            .cluster(
                // roles apply in the listed order: small after gpu wins on replicas
                ClusterSpec::new("edge", "production", "edge.madhan.app")
                    .roles(&["gpu", "small"])
                    .layer(|s| s.host = "edge"),
            )
            .cluster(ClusterSpec::new("lab", "staging", "lab.madhan.app"))
            .resolve()
            .expect("resolves");
        let settings: Vec<&Settings> = clusters.iter().map(|c| &c.settings).collect();
        assert_eq!(
            settings,
            [
                // environment over defaults
                &Settings {
                    replicas: 3,
                    storage: "longhorn",
                    gpu: false,
                    host: "prod"
                },
                // role over environment
                &Settings {
                    replicas: 2,
                    storage: "longhorn",
                    gpu: true,
                    host: "prod"
                },
                // later role over earlier role, cluster over everything
                &Settings {
                    replicas: 1,
                    storage: "longhorn",
                    gpu: true,
                    host: "edge"
                },
                // defaults where no layer sets a field
                &Settings {
                    replicas: 1,
                    storage: "",
                    gpu: false,
                    host: ""
                },
            ]
        );
        assert!(clusters[1].has_role("gpu") && !clusters[0].has_role("gpu"));
        assert_eq!(clusters[2].host("grafana"), "grafana.edge.madhan.app");
    }

    #[test]
    fn unknown_layers_bad_and_duplicate_names_are_all_reported() {
        let errors = fleet()
            .cluster(ClusterSpec::new("Main", "prod", "x").roles(&["gpu", "arm"]))
            .cluster(ClusterSpec::new("lab", "staging", "x"))
            .cluster(ClusterSpec::new("lab", "staging", "x"))
            .resolve()
            .unwrap_err();
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "cluster name `Main` is not a DNS label (lowercase letters, digits and `-`, at most 63)",
                "cluster `Main` is in environment `prod`, which is not defined; environments are: production, staging",
                "cluster `Main` has role `arm`, which is not defined; roles are: gpu, small",
                "cluster `lab` is defined twice",
            ]
        );
        assert_eq!(
            Fleet::<Settings>::new().resolve().unwrap_err(),
            [FleetError::Empty]
        );
    }
}
