//! Bootstrap objects: what a cluster needs to follow the manifests branch, built as an app of
//! their own so they get the same validation and output as every other object.
//!
//! - Argo CD: one `ApplicationSet` whose git directory generator makes one Application per
//!   app directory, with automated prune and self-heal, `ServerSideApply=true`, and
//!   `preserveResourcesOnDeletion` so deleting the set never deletes workloads. The
//!   Applications name no destination namespace and do not create one: every object carries
//!   its namespace, and every namespace is declared by an app (checked at synthesis), so no
//!   empty namespace named after an app appears. When apps depend on each other, the set rolls out progressively
//!   (`RollingSync`): one step per wave of the rollout order, each Application labelled with
//!   its app name, so a wave starts only when the one before is healthy. With several
//!   clusters, each gets its own set (`homelab-<cluster>`) whose Applications are named
//!   `<cluster>-<app>` and go to the cluster Argo CD knows by `destination`, so one Argo CD
//!   can follow every cluster (or each cluster its own Argo CD). (Progressive syncs
//!   must be enabled in the ApplicationSet controller:
//!   `applicationsetcontroller.enable.progressive.syncs: true`.)
//! - Flux: a `GitRepository` plus one `Kustomization` per app (prune, wait, interval), with
//!   `dependsOn` naming the Kustomizations of the apps it depends on.
//! - Flux app-of-apps: a `GitRepository` plus a single parent `Kustomization` over the whole
//!   branch.

use serde_json::{Value, json};

use crate::app::App;
use crate::chart::ChartProps;
use crate::object::Untyped;
use crate::rollout::RolloutGraph;

/// Which controller follows the branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// An Argo CD ApplicationSet with a git directory generator.
    ArgoCd,
    /// A Flux GitRepository and one Kustomization per app.
    Flux,
    /// A Flux GitRepository and one parent Kustomization for every app.
    FluxAppOfApps,
}

/// Settings of the bootstrap objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootstrapProps {
    /// Controller flavour.
    pub engine: Engine,
    /// URL of the manifests repository.
    pub repo_url: String,
    /// Manifests branch.
    pub branch: String,
    /// Namespace of the bootstrap objects. Default: `argocd` for Argo CD, `flux-system`
    /// for Flux.
    pub namespace: Option<String>,
    /// Name of the ApplicationSet / GitRepository / parent Kustomization. Default:
    /// `homelab`, or `homelab-<cluster>` with several clusters.
    pub name: Option<String>,
    /// Argo CD project. Default: `default`.
    pub project: Option<String>,
    /// Flux reconciliation interval. Default: `10m`.
    pub interval: Option<String>,
    /// Apps (directories) of the branch and their dependencies, for per-app Flux
    /// Kustomizations and the Argo CD rollout steps.
    pub apps: RolloutGraph,
    /// The cluster's folder on the branch when the homelab has several clusters
    /// (`<folder>/<app>/`); `None`: apps at the top level. With a folder, Argo CD
    /// Applications are named `<folder>-<app>`, so one Argo CD can follow several clusters.
    pub folder: Option<String>,
    /// Argo CD's name for the cluster the apps go to (`argocd cluster add`), when one Argo
    /// CD manages several clusters. Default (`None`): the cluster Argo CD runs in.
    pub destination: Option<String>,
}

/// The label every generated Argo CD Application carries with its app name; progressive
/// sync steps select on it.
pub const APP_LABEL: &str = "homelab-synth.dev/app";

/// Builds the bootstrap objects into `app`.
pub fn build(app: &mut App, props: &BootstrapProps) {
    let default_namespace = match props.engine {
        Engine::ArgoCd => "argocd",
        Engine::Flux | Engine::FluxAppOfApps => "flux-system",
    };
    let namespace = props.namespace.as_deref().unwrap_or(default_namespace);
    let default_name = match &props.folder {
        Some(folder) => format!("homelab-{folder}"),
        None => "homelab".to_owned(),
    };
    let name = props.name.as_deref().unwrap_or(&default_name);
    let mut chart = app.chart("bootstrap", ChartProps::namespace(namespace));
    match props.engine {
        Engine::ArgoCd => {
            chart.add_untyped("application-set", application_set(name, props));
        }
        Engine::Flux => {
            let source = chart.add_untyped("source", git_repository(name, props));
            for app_name in props.apps.waves().iter().flatten() {
                let kustomization = kustomization(
                    app_name,
                    &format!("./{}", app_path(props, app_name)),
                    name,
                    props,
                    &props.apps.dependencies_of(app_name),
                );
                let kustomization = chart.add_untyped(&format!("app-{app_name}"), kustomization);
                chart.depend(kustomization, source);
            }
        }
        Engine::FluxAppOfApps => {
            let source = chart.add_untyped("source", git_repository(name, props));
            let root = props
                .folder
                .as_ref()
                .map_or_else(|| "./".to_owned(), |folder| format!("./{folder}"));
            let parent = chart.add_untyped("apps", kustomization(name, &root, name, props, &[]));
            chart.depend(parent, source);
        }
    }
}

fn application_set(name: &str, props: &BootstrapProps) -> Untyped {
    // unique across clusters, so one Argo CD can hold the Applications of several
    let application_name = match &props.folder {
        Some(folder) => format!("{folder}-{{{{.path.basename}}}}"),
        None => "{{.path.basename}}".to_owned(),
    };
    let destination = match &props.destination {
        Some(cluster) => json!({"name": cluster}),
        None => json!({"server": "https://kubernetes.default.svc"}),
    };
    let mut body = json!({
            "metadata": {"name": name},
            "spec": {
                "goTemplate": true,
                "goTemplateOptions": ["missingkey=error"],
                "generators": [{"git": {
                    "repoURL": props.repo_url,
                    "revision": props.branch,
                    "directories": [{"path": app_path(props, "*")}],
                }}],
                "syncPolicy": {"preserveResourcesOnDeletion": true},
                "template": {
                    "metadata": {
                        "name": application_name,
                        "labels": {APP_LABEL: "{{.path.basename}}"},
                    },
                    "spec": {
                        "project": props.project.as_deref().unwrap_or("default"),
                        "source": {
                            "repoURL": props.repo_url,
                            "targetRevision": props.branch,
                            "path": "{{.path.path}}",
                        },
                        "destination": destination,
                        "syncPolicy": {
                            "automated": {"prune": true, "selfHeal": true},
                            "syncOptions": ["ServerSideApply=true"],
                        },
                    },
                },
            },
    });
    let waves = props.apps.waves();
    if waves.len() > 1 {
        let steps: Vec<Value> = waves
            .iter()
            .map(|wave| {
                json!({"matchExpressions": [
                    {"key": APP_LABEL, "operator": "In", "values": wave},
                ]})
            })
            .collect();
        body["spec"]["strategy"] = json!({
            "type": "RollingSync",
            "rollingSync": {"steps": steps},
        });
    }
    Untyped::new("argoproj.io/v1alpha1", "ApplicationSet", body)
}

/// An app's folder on the branch: `<app>`, or `<cluster>/<app>` with several clusters.
fn app_path(props: &BootstrapProps, app: &str) -> String {
    match &props.folder {
        Some(folder) => format!("{folder}/{app}"),
        None => app.to_owned(),
    }
}

fn git_repository(name: &str, props: &BootstrapProps) -> Untyped {
    Untyped::new(
        "source.toolkit.fluxcd.io/v1",
        "GitRepository",
        json!({
            "metadata": {"name": name},
            "spec": {
                "interval": "1m",
                "url": props.repo_url,
                "ref": {"branch": props.branch},
            },
        }),
    )
}

fn kustomization(
    name: &str,
    path: &str,
    source: &str,
    props: &BootstrapProps,
    depends_on: &[&str],
) -> Untyped {
    let mut spec: Value = json!({
        "interval": props.interval.as_deref().unwrap_or("10m"),
        "path": path,
        "prune": true,
        "wait": true,
        "timeout": "5m",
        "sourceRef": {"kind": "GitRepository", "name": source},
    });
    if !depends_on.is_empty() {
        // Flux waits for each dependency to be ready (its own `wait` health checks) first
        spec["dependsOn"] = depends_on
            .iter()
            .map(|need| json!({"name": need}))
            .collect();
    }
    Untyped::new(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        json!({"metadata": {"name": name}, "spec": spec}),
    )
}
