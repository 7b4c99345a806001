//! GitOps objects: what makes a cluster follow the manifests branch, in two parts.
//!
//! - **On the branch** ([`branch_app`]): synthesized from the registry with every other app
//!   and published in the folder [`BRANCH_FOLDER`] beside the apps (`<cluster>/_gitops/` with
//!   several clusters). Adding, removing or reordering apps changes these objects in the same
//!   commit as the app folders, so no manual step follows a change of apps.
//! - **The root** ([`build_root`], printed by `synth bootstrap`): one small object per engine,
//!   applied once, that follows [`BRANCH_FOLDER`].
//!
//! Argo CD (every field below and the behaviour it relies on):
//! - The root `Application` syncs the branch folder with automated prune and self-heal, so
//!   a new ApplicationSet version is applied on the next poll.
//! - The `ApplicationSet`'s git directory generator makes one Application per app folder
//!   (the branch folder excluded); Argo CD deletes an Application whose folder is gone.
//! - Each Application carries the `resources-finalizer.argocd.argoproj.io` finalizer, so
//!   deleting it (its folder removed, after publish's `--allow-delete` gate) deletes every
//!   resource in it; `preserveResourcesOnDeletion` is off for the same reason.
//! - The ApplicationSet itself carries `argocd.argoproj.io/sync-options: Prune=false,Delete=false`:
//!   the root never prunes or deletes it, so no mistake in the branch folder can delete
//!   every app at once.
//! - With several rollout waves, `strategy: RollingSync` has one step per wave selecting
//!   Applications by the [`APP_LABEL`] label, and a last step that selects every app not
//!   named before: an Application the set makes before its own new version arrives still
//!   belongs to a step. Under progressive sync Argo CD turns automated sync off on the
//!   generated Applications and syncs each step itself once the previous one is healthy;
//!   their `automated.prune` still decides whether those syncs prune, `retry` retries a
//!   failed sync with backoff, and self-heal only applies when progressive syncs are off in
//!   the ApplicationSet controller. `deletionOrder: Reverse` deletes apps in reverse wave
//!   order.
//! - `ServerSideApply=true` applies large objects (CRDs, dashboards) without the
//!   last-applied annotation's size limit.
//!
//! Flux:
//! - The root is a `GitRepository` (with `secretRef` for a private repository) and a
//!   `Kustomization` over the branch folder with prune: removing an app's Kustomization from
//!   the branch deletes it, and its own prune deletes every resource it applied.
//! - On the branch, one `Kustomization` per app: `dependsOn` the apps it rolls out after
//!   (Flux waits for them to be ready), `wait` (ready only when its resources are healthy),
//!   `timeout` per app, `retryInterval` (how soon a failed apply is retried), `interval`
//!   (drift correction), `prune`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::app::App;
use crate::chart::ChartProps;
use crate::include::MemoryFiles;
use crate::object::Untyped;
use crate::rollout::RolloutGraph;
use crate::synth::{BuiltApp, SynthError, synthesize_owned};

pub use crate::names::BRANCH_FOLDER;

/// The label every generated Argo CD Application carries with its app name; progressive
/// sync steps select on it.
pub const APP_LABEL: &str = "homelab-synth.dev/app";

/// Argo CD's finalizer that deletes an Application's resources with it.
const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// Which controller follows the branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Argo CD: a root Application and an ApplicationSet with a git directory generator.
    ArgoCd,
    /// Flux: a root GitRepository and Kustomization, and one Kustomization per app.
    Flux,
}

/// How the workspace's clusters follow the manifests branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitOps {
    /// The controller.
    pub engine: Engine,
    /// URL of the manifests repository.
    pub repo_url: String,
    /// The manifests branch the clusters follow.
    pub branch: String,
    /// Namespace of the objects. Default: `argocd` for Argo CD, `flux-system` for Flux.
    pub namespace: Option<String>,
    /// Argo CD project. Default: `default`.
    pub project: String,
    /// Argo CD's name for a cluster (`argocd cluster add`), by cluster name, when one Argo CD
    /// manages several clusters. Default: the cluster Argo CD runs in.
    pub destinations: BTreeMap<String, String>,
    /// Flux: how often each app is reconciled (drift correction). Default: `10m`.
    pub interval: String,
    /// Flux: how soon a failed apply is retried. Default: `2m`.
    pub retry_interval: String,
    /// Flux: how long an app may take to become ready. Default: `5m`.
    pub timeout: String,
    /// Flux: per-app timeouts (app → duration), for apps slower than `timeout`.
    pub timeouts: BTreeMap<String, String>,
}

impl GitOps {
    /// Argo CD following `branch` of `repo_url`.
    pub fn argo_cd(repo_url: &str, branch: &str) -> Self {
        GitOps::new(Engine::ArgoCd, repo_url, branch)
    }

    /// Flux following `branch` of `repo_url`.
    pub fn flux(repo_url: &str, branch: &str) -> Self {
        GitOps::new(Engine::Flux, repo_url, branch)
    }

    fn new(engine: Engine, repo_url: &str, branch: &str) -> Self {
        GitOps {
            engine,
            repo_url: repo_url.to_owned(),
            branch: branch.to_owned(),
            namespace: None,
            project: "default".to_owned(),
            destinations: BTreeMap::new(),
            interval: "10m".to_owned(),
            retry_interval: "2m".to_owned(),
            timeout: "5m".to_owned(),
            timeouts: BTreeMap::new(),
        }
    }

    /// The same, for `engine`.
    #[must_use]
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// Sends `cluster`'s apps to the cluster Argo CD knows as `destination`.
    #[must_use]
    pub fn destination(mut self, cluster: &str, destination: &str) -> Self {
        self.destinations
            .insert(cluster.to_owned(), destination.to_owned());
        self
    }

    /// Gives `app` `timeout` to become ready (Flux).
    #[must_use]
    pub fn app_timeout(mut self, app: &str, timeout: &str) -> Self {
        self.timeouts.insert(app.to_owned(), timeout.to_owned());
        self
    }

    fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(match self.engine {
            Engine::ArgoCd => "argocd",
            Engine::Flux => "flux-system",
        })
    }
}

/// Where on the branch one cluster's apps are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// The cluster.
    pub cluster: &'a str,
    /// Whether the branch has a folder per cluster (`<cluster>/<app>/`) rather than the apps
    /// at the top.
    pub per_cluster: bool,
}

impl Target<'_> {
    /// `<cluster>/<path>`, or `<path>` with the apps at the top.
    fn path(&self, path: &str) -> String {
        if self.per_cluster {
            format!("{}/{path}", self.cluster)
        } else {
            path.to_owned()
        }
    }

    /// `homelab-<cluster>`, or `homelab` with the apps at the top: the root's name.
    fn root_name(&self) -> String {
        if self.per_cluster {
            format!("homelab-{}", self.cluster)
        } else {
            "homelab".to_owned()
        }
    }
}

/// The objects published on the branch, as an app named [`BRANCH_FOLDER`]: synthesize it
/// with the cluster's apps.
pub fn branch_app(gitops: &GitOps, target: Target<'_>, rollout: &RolloutGraph) -> BuiltApp {
    let mut app = App::new(BRANCH_FOLDER);
    let namespace = gitops.namespace();
    app.namespace_made_elsewhere(
        namespace,
        "installed with the GitOps controller, before anything follows the branch",
    );
    let mut chart = app.chart("gitops", ChartProps::namespace(namespace));
    match gitops.engine {
        Engine::ArgoCd => {
            chart.add_untyped("application-set", application_set(gitops, target, rollout));
        }
        Engine::Flux => {
            for name in rollout.waves().iter().flatten() {
                chart.add_untyped(
                    &format!("app-{name}"),
                    app_kustomization(gitops, target, name, &rollout.dependencies_of(name)),
                );
            }
        }
    }
    BuiltApp {
        app,
        category: "gitops".to_owned(),
    }
}

/// The root objects `synth bootstrap` prints for `target`, synthesized and validated like
/// any app. They depend on `gitops`, `target` and `secret` only, never on the apps: a cluster
/// applies them once, and apps added or removed later reach it through [`BRANCH_FOLDER`].
pub fn root_documents(
    gitops: &GitOps,
    target: Target<'_>,
    secret: Option<&str>,
) -> Result<Vec<Value>, SynthError> {
    let mut app = App::new("bootstrap");
    build_root(&mut app, gitops, target, secret);
    let set = synthesize_owned(
        vec![BuiltApp {
            app,
            category: "bootstrap".into(),
        }],
        &MemoryFiles::new(),
    )?;
    Ok(set
        .apps
        .into_iter()
        // built in code, nothing rendered: no CRD schema is kept apart from a body
        .flat_map(|app| app.documents.into_iter().map(|document| document.body()))
        .collect())
}

/// The root objects of `target` (applied once): they follow [`BRANCH_FOLDER`]. `secret`
/// names the Secret with the repository's credentials (Flux `secretRef`).
pub fn build_root(app: &mut App, gitops: &GitOps, target: Target<'_>, secret: Option<&str>) {
    let namespace = gitops.namespace();
    app.namespace_made_elsewhere(namespace, "installed with the GitOps controller");
    let mut chart = app.chart("root", ChartProps::namespace(namespace));
    let name = target.root_name();
    let folder = target.path(BRANCH_FOLDER);
    match gitops.engine {
        Engine::ArgoCd => {
            chart.add_untyped(
                "root",
                Untyped::new(
                    "argoproj.io/v1alpha1",
                    "Application",
                    json!({
                        "metadata": {"name": name},
                        "spec": {
                            "project": gitops.project,
                            "source": {
                                "repoURL": gitops.repo_url,
                                "targetRevision": gitops.branch,
                                "path": folder,
                            },
                            // the ApplicationSet lives beside Argo CD
                            "destination": {"server": "https://kubernetes.default.svc"},
                            "syncPolicy": {
                                "automated": {"prune": true, "selfHeal": true},
                                "retry": retry(),
                            },
                        },
                    }),
                ),
            );
        }
        Engine::Flux => {
            let mut source = json!({
                "metadata": {"name": name},
                "spec": {
                    "interval": "1m",
                    "timeout": "60s",
                    "url": gitops.repo_url,
                    "ref": {"branch": gitops.branch},
                },
            });
            if let Some(secret) = secret {
                source["spec"]["secretRef"] = json!({"name": secret});
            }
            let source = chart.add_untyped(
                "source",
                Untyped::new("source.toolkit.fluxcd.io/v1", "GitRepository", source),
            );
            let root = chart.add_untyped(
                "root",
                Untyped::new(
                    "kustomize.toolkit.fluxcd.io/v1",
                    "Kustomization",
                    json!({
                        "metadata": {"name": name},
                        "spec": {
                            "interval": gitops.interval,
                            "retryInterval": gitops.retry_interval,
                            "timeout": gitops.timeout,
                            "path": format!("./{folder}"),
                            "prune": true,
                            // each app's Kustomization reports its own readiness
                            "wait": false,
                            "sourceRef": {"kind": "GitRepository", "name": name},
                        },
                    }),
                ),
            );
            chart.depend(root, source);
        }
    }
}

/// Retry with backoff: 10 s, doubling, at most 5 minutes apart, 10 times.
fn retry() -> Value {
    json!({
        "limit": 10,
        "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
    })
}

fn application_set(gitops: &GitOps, target: Target<'_>, rollout: &RolloutGraph) -> Untyped {
    // unique across clusters, so one Argo CD can hold the Applications of several
    let application_name = if target.per_cluster {
        format!("{}-{{{{.path.basename}}}}", target.cluster)
    } else {
        "{{.path.basename}}".to_owned()
    };
    let destination = match gitops.destinations.get(target.cluster) {
        Some(cluster) => json!({"name": cluster}),
        None => json!({"server": "https://kubernetes.default.svc"}),
    };
    let mut body = json!({
        "metadata": {
            "name": target.root_name(),
            // the root never prunes or deletes the set (which would delete every app)
            "annotations": {"argocd.argoproj.io/sync-options": "Prune=false,Delete=false"},
        },
        "spec": {
            "goTemplate": true,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"git": {
                "repoURL": gitops.repo_url,
                "revision": gitops.branch,
                "directories": [
                    {"path": target.path("*")},
                    {"path": target.path(BRANCH_FOLDER), "exclude": true},
                ],
            }}],
            "template": {
                "metadata": {
                    "name": application_name,
                    "labels": {APP_LABEL: "{{.path.basename}}"},
                    // deleting the Application deletes its resources
                    "finalizers": [RESOURCES_FINALIZER],
                },
                "spec": {
                    "project": gitops.project,
                    "source": {
                        "repoURL": gitops.repo_url,
                        "targetRevision": gitops.branch,
                        "path": "{{.path.path}}",
                    },
                    "destination": destination,
                    "syncPolicy": {
                        "automated": {"prune": true, "selfHeal": true},
                        "syncOptions": ["ServerSideApply=true"],
                        "retry": retry(),
                    },
                },
            },
        },
    });
    let waves = rollout.waves();
    if waves.len() > 1 {
        let mut steps: Vec<Value> = waves
            .iter()
            .map(|wave| {
                json!({"matchExpressions": [
                    {"key": APP_LABEL, "operator": "In", "values": wave},
                ]})
            })
            .collect();
        // every app not named above (one added before this version of the set arrives)
        let named: Vec<&str> = waves.iter().flatten().map(String::as_str).collect();
        steps.push(json!({"matchExpressions": [
            {"key": APP_LABEL, "operator": "NotIn", "values": named},
        ]}));
        body["spec"]["strategy"] = json!({
            "type": "RollingSync",
            "deletionOrder": "Reverse",
            "rollingSync": {"steps": steps},
        });
    }
    Untyped::new("argoproj.io/v1alpha1", "ApplicationSet", body)
}

fn app_kustomization(gitops: &GitOps, target: Target<'_>, app: &str, needs: &[&str]) -> Untyped {
    let mut spec: Value = json!({
        "interval": gitops.interval,
        "retryInterval": gitops.retry_interval,
        "timeout": gitops.timeouts.get(app).unwrap_or(&gitops.timeout),
        "path": format!("./{}", target.path(app)),
        "prune": true,
        "wait": true,
        "sourceRef": {"kind": "GitRepository", "name": target.root_name()},
    });
    if !needs.is_empty() {
        // Flux waits for each dependency to be ready (its own `wait` health checks) first
        spec["dependsOn"] = needs.iter().map(|need| json!({"name": need})).collect();
    }
    Untyped::new(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        json!({"metadata": {"name": app}, "spec": spec}),
    )
}
