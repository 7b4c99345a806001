//! The rollout order of apps: each app may depend on others (declared at registration,
//! `apps.add("grafana", ..).depends_on(&["victoria-metrics"])`), and the graph is cut into
//! waves: wave 0 holds the apps that depend on nothing, wave n+1 the apps whose dependencies
//! are all in earlier waves. Within a wave apps are sorted by name, so the order is stable.
//!
//! A dependency on an app that is not registered, on the app itself, or a cycle is an error
//! ([`RolloutError`]); a cycle is reported with its path (`a → b → a`). The waves become Flux
//! `dependsOn` and the steps of an Argo CD ApplicationSet progressive sync (see
//! [`crate::bootstrap`]); [`RolloutGraph::to_dot`] draws the graph for Graphviz, and
//! [`fleet_dot`] the graphs of several clusters in one picture.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Why a set of dependencies has no rollout order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RolloutError {
    /// A dependency names no registered app.
    #[error("app `{app}` depends on `{missing}`, which is not an app; apps are: {known}")]
    Missing {
        /// The app whose dependency is unknown.
        app: String,
        /// The dependency as declared, which names no registered app.
        missing: String,
        /// Every registered app's name, sorted and joined with `, `.
        known: String,
    },
    /// An app depends on itself.
    #[error("app `{app}` depends on itself")]
    OnItself {
        /// The app that lists its own name among its dependencies.
        app: String,
    },
    /// An app depends on one its cluster does not run.
    #[error("app `{app}` depends on `{dependency}`, which cluster `{cluster}` does not run")]
    NotOnCluster {
        /// The app the cluster runs.
        app: String,
        /// The registered app it depends on, which the cluster does not run.
        dependency: String,
        /// The cluster's name.
        cluster: String,
    },
    /// Apps depend on each other in a circle.
    #[error("apps depend on each other in a cycle: {}", cycle.join(" → "))]
    Cycle {
        /// The apps around the cycle, each depending on the next, with the first repeated
        /// at the end (`a`, `b`, `a`).
        cycle: Vec<String>,
    },
}

impl RolloutError {
    /// The app the error is about (the first of a cycle).
    pub fn app(&self) -> &str {
        match self {
            RolloutError::Missing { app, .. }
            | RolloutError::OnItself { app }
            | RolloutError::NotOnCluster { app, .. } => app,
            RolloutError::Cycle { cycle } => cycle.first().map(String::as_str).unwrap_or(""),
        }
    }
}

/// Apps with their dependencies, checked and cut into waves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutGraph {
    dependencies: BTreeMap<String, BTreeSet<String>>,
    waves: Vec<Vec<String>>,
}

impl RolloutGraph {
    /// Checks `apps` (name, dependencies) and computes the waves; every problem is returned.
    pub fn new<'a>(
        apps: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Result<RolloutGraph, Vec<RolloutError>> {
        let dependencies: BTreeMap<String, BTreeSet<String>> = apps
            .into_iter()
            .map(|(name, needs)| (name.to_owned(), needs.iter().cloned().collect()))
            .collect();
        let known = dependencies.keys().cloned().collect::<Vec<_>>().join(", ");
        let mut errors = Vec::new();
        for (app, needs) in &dependencies {
            for need in needs {
                if need == app {
                    errors.push(RolloutError::OnItself { app: app.clone() });
                } else if !dependencies.contains_key(need) {
                    errors.push(RolloutError::Missing {
                        app: app.clone(),
                        missing: need.clone(),
                        known: known.clone(),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut waves = Vec::new();
        while placed.len() < dependencies.len() {
            let wave: Vec<String> = dependencies
                .iter()
                .filter(|(app, needs)| {
                    !placed.contains(app.as_str())
                        && needs.iter().all(|need| placed.contains(need.as_str()))
                })
                .map(|(app, _)| app.clone())
                .collect();
            if wave.is_empty() {
                return Err(vec![RolloutError::Cycle {
                    cycle: find_cycle(&dependencies, &placed),
                }]);
            }
            for app in &wave {
                if let Some((name, _)) = dependencies.get_key_value(app) {
                    placed.insert(name.as_str());
                }
            }
            waves.push(wave);
        }
        Ok(RolloutGraph {
            dependencies,
            waves,
        })
    }

    /// The waves, first to last; apps sorted by name within each.
    pub fn waves(&self) -> &[Vec<String>] {
        &self.waves
    }

    /// The wave of `app` (0 for apps that depend on nothing).
    pub fn wave_of(&self, app: &str) -> Option<usize> {
        self.waves
            .iter()
            .position(|wave| wave.iter().any(|name| name == app))
    }

    /// What `app` depends on directly, sorted.
    pub fn dependencies_of(&self, app: &str) -> Vec<&str> {
        self.dependencies
            .get(app)
            .map(|needs| needs.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// A Graphviz DOT digraph: one node per app (grouped by wave, left to right), one edge
    /// from each dependency to the app that needs it.
    pub fn to_dot(&self) -> String {
        let mut dot = String::from(DOT_HEADER);
        self.write_dot_body(&mut dot, "  ", "");
        dot.push_str("}\n");
        dot
    }

    /// Nodes (one `rank=same` subgraph per wave) and edges; node IDs are `<prefix><app>`,
    /// labelled with the app's name when a prefix is given.
    fn write_dot_body(&self, dot: &mut String, indent: &str, prefix: &str) {
        for (index, wave) in self.waves.iter().enumerate() {
            let _ = writeln!(dot, "{indent}subgraph \"{prefix}wave_{index}\" {{");
            let _ = writeln!(dot, "{indent}  rank=same;");
            for app in wave {
                if prefix.is_empty() {
                    let _ = writeln!(dot, "{indent}  \"{app}\";");
                } else {
                    let _ = writeln!(dot, "{indent}  \"{prefix}{app}\" [label=\"{app}\"];");
                }
            }
            let _ = writeln!(dot, "{indent}}}");
        }
        for (app, needs) in &self.dependencies {
            for need in needs {
                let _ = writeln!(dot, "{indent}\"{prefix}{need}\" -> \"{prefix}{app}\";");
            }
        }
    }
}

const DOT_HEADER: &str =
    "digraph rollout {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n";

/// One Graphviz DOT digraph for several clusters: each cluster is a boxed, labelled
/// `cluster_<name>` subgraph holding its rollout graph, with node IDs `<cluster>/<app>` so
/// the same app on two clusters is two nodes. A single document, so `dot -Tsvg` renders one
/// picture.
pub fn fleet_dot<'a>(clusters: impl IntoIterator<Item = (&'a str, &'a RolloutGraph)>) -> String {
    let mut dot = String::from(DOT_HEADER);
    for (cluster, graph) in clusters {
        let _ = writeln!(dot, "  subgraph \"cluster_{cluster}\" {{");
        let _ = writeln!(dot, "    label=\"{cluster}\";");
        graph.write_dot_body(&mut dot, "    ", &format!("{cluster}/"));
        dot.push_str("  }\n");
    }
    dot.push_str("}\n");
    dot
}

/// A cycle among the apps not yet placed: walk dependencies from the first such app until
/// an app repeats.
fn find_cycle(
    dependencies: &BTreeMap<String, BTreeSet<String>>,
    placed: &BTreeSet<&str>,
) -> Vec<String> {
    let Some(start) = dependencies
        .keys()
        .find(|app| !placed.contains(app.as_str()))
    else {
        return Vec::new();
    };
    let mut path: Vec<String> = vec![start.clone()];
    loop {
        let current = path.last().cloned().unwrap_or_default();
        let next = dependencies
            .get(&current)
            .and_then(|needs| needs.iter().find(|need| !placed.contains(need.as_str())))
            .cloned()
            .unwrap_or_default();
        if let Some(position) = path.iter().position(|app| *app == next) {
            let mut cycle = path.split_off(position);
            cycle.push(next);
            return cycle;
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(apps: &[(&str, &[&str])]) -> Result<RolloutGraph, Vec<RolloutError>> {
        let owned: Vec<(String, Vec<String>)> = apps
            .iter()
            .map(|(name, needs)| {
                (
                    (*name).to_owned(),
                    needs.iter().map(|n| (*n).to_owned()).collect(),
                )
            })
            .collect();
        RolloutGraph::new(owned.iter().map(|(n, d)| (n.as_str(), d.as_slice())))
    }

    #[test]
    fn waves_follow_dependencies_and_names_within_a_wave() {
        let graph = graph(&[
            ("grafana", &["victoria-metrics"]),
            ("victoria-metrics", &["longhorn", "cert-manager"]),
            ("longhorn", &[]),
            ("cert-manager", &[]),
            ("falco", &["victoria-metrics"]),
            ("reloader", &[]),
        ])
        .expect("acyclic");
        assert_eq!(
            graph.waves(),
            [
                vec!["cert-manager", "longhorn", "reloader"],
                vec!["victoria-metrics"],
                vec!["falco", "grafana"],
            ]
        );
        assert_eq!(graph.wave_of("grafana"), Some(2));
        assert_eq!(
            graph.dependencies_of("victoria-metrics"),
            ["cert-manager", "longhorn"]
        );
        let dot = graph.to_dot();
        assert!(dot.starts_with("digraph rollout {\n"), "{dot}");
        assert!(
            dot.contains("  \"victoria-metrics\" -> \"grafana\";\n"),
            "{dot}"
        );
        assert!(
            dot.contains(
                "  subgraph \"wave_1\" {\n    rank=same;\n    \"victoria-metrics\";\n  }\n"
            ),
            "{dot}"
        );
    }

    #[test]
    fn several_clusters_are_one_digraph_with_a_boxed_subgraph_each() {
        let main = graph(&[
            ("grafana", &["victoria-metrics"]),
            ("victoria-metrics", &[]),
        ])
        .expect("acyclic");
        let staging = graph(&[("grafana", &[])]).expect("acyclic");
        let dot = fleet_dot([("main", &main), ("staging", &staging)]);
        assert_eq!(dot.matches("digraph").count(), 1, "{dot}");
        assert!(
            dot.contains("  subgraph \"cluster_staging\" {\n    label=\"staging\";\n"),
            "{dot}"
        );
        assert!(
            dot.contains("    \"main/victoria-metrics\" -> \"main/grafana\";\n"),
            "{dot}"
        );
        assert!(
            dot.contains("      \"staging/grafana\" [label=\"grafana\"];\n"),
            "{dot}"
        );
        assert_eq!(dot.matches(" -> ").count(), 1, "{dot}");
    }

    #[test]
    fn missing_targets_self_dependencies_and_cycles_are_errors() {
        assert_eq!(
            graph(&[("a", &["b", "a"]), ("c", &[])]).unwrap_err(),
            [
                RolloutError::OnItself { app: "a".into() },
                RolloutError::Missing {
                    app: "a".into(),
                    missing: "b".into(),
                    known: "a, c".into()
                },
            ]
        );
        let cycle = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]).unwrap_err();
        assert_eq!(
            cycle.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["apps depend on each other in a cycle: a → b → c → a"]
        );
    }
}
