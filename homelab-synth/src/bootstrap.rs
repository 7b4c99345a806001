//! Bootstrap objects: what a cluster needs to follow the manifests branch, built as an app of
//! their own so they get the same validation and output as every other object.
//!
//! - Argo CD: one `ApplicationSet` whose git directory generator makes one Application per
//!   app directory, with automated prune and self-heal, `CreateNamespace=true`,
//!   `ServerSideApply=true`, and `preserveResourcesOnDeletion` so deleting the set never
//!   deletes workloads.
//! - Flux: a `GitRepository` plus one `Kustomization` per app (prune, wait, interval).
//! - Flux app-of-apps: a `GitRepository` plus a single parent `Kustomization` over the whole
//!   branch.

use serde_json::{Value, json};

use crate::app::App;
use crate::chart::ChartProps;
use crate::object::Untyped;

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
    /// Name of the ApplicationSet / GitRepository / parent Kustomization. Default: `homelab`.
    pub name: Option<String>,
    /// Argo CD project. Default: `default`.
    pub project: Option<String>,
    /// Flux reconciliation interval. Default: `10m`.
    pub interval: Option<String>,
    /// Apps (directories) of the branch, for per-app Flux Kustomizations.
    pub apps: Vec<String>,
}

/// Builds the bootstrap objects into `app`.
pub fn build(app: &mut App, props: &BootstrapProps) {
    let default_namespace = match props.engine {
        Engine::ArgoCd => "argocd",
        Engine::Flux | Engine::FluxAppOfApps => "flux-system",
    };
    let namespace = props.namespace.as_deref().unwrap_or(default_namespace);
    let name = props.name.as_deref().unwrap_or("homelab");
    let mut chart = app.chart("bootstrap", ChartProps::namespace(namespace));
    match props.engine {
        Engine::ArgoCd => {
            chart.add_untyped("application-set", application_set(name, props));
        }
        Engine::Flux => {
            let source = chart.add_untyped("source", git_repository(name, props));
            for app_name in &props.apps {
                let kustomization = chart.add_untyped(
                    &format!("app-{app_name}"),
                    kustomization(app_name, &format!("./{app_name}"), name, props),
                );
                chart.depend(kustomization, source);
            }
        }
        Engine::FluxAppOfApps => {
            let source = chart.add_untyped("source", git_repository(name, props));
            let parent = chart.add_untyped("apps", kustomization(name, "./", name, props));
            chart.depend(parent, source);
        }
    }
}

fn application_set(name: &str, props: &BootstrapProps) -> Untyped {
    Untyped::new(
        "argoproj.io/v1alpha1",
        "ApplicationSet",
        json!({
            "metadata": {"name": name},
            "spec": {
                "goTemplate": true,
                "goTemplateOptions": ["missingkey=error"],
                "generators": [{"git": {
                    "repoURL": props.repo_url,
                    "revision": props.branch,
                    "directories": [{"path": "*"}],
                }}],
                "syncPolicy": {"preserveResourcesOnDeletion": true},
                "template": {
                    "metadata": {"name": "{{.path.basename}}"},
                    "spec": {
                        "project": props.project.as_deref().unwrap_or("default"),
                        "source": {
                            "repoURL": props.repo_url,
                            "targetRevision": props.branch,
                            "path": "{{.path.path}}",
                        },
                        "destination": {
                            "server": "https://kubernetes.default.svc",
                            "namespace": "{{.path.basename}}",
                        },
                        "syncPolicy": {
                            "automated": {"prune": true, "selfHeal": true},
                            "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                        },
                    },
                },
            },
        }),
    )
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

fn kustomization(name: &str, path: &str, source: &str, props: &BootstrapProps) -> Untyped {
    let spec: Value = json!({
        "interval": props.interval.as_deref().unwrap_or("10m"),
        "path": path,
        "prune": true,
        "wait": true,
        "timeout": "5m",
        "sourceRef": {"kind": "GitRepository", "name": source},
    });
    Untyped::new(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        json!({"metadata": {"name": name}, "spec": spec}),
    )
}
