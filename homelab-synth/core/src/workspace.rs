//! The synthesis run of a whole workspace: its [`Registry`] of apps, its fleet of clusters and
//! how the clusters follow the manifests branch ([`GitOps`]), synthesized for a [`Selection`]
//! of clusters and apps. The command line, `publish`, `diff`, `bootstrap`, `charts lock` and
//! the tests all call [`Workspace::synthesize`]; whether a build is whole ([`Extent`]) is
//! decided here and nowhere else.
//!
//! With one cluster the rendered tree is `<app>/<file>`; with several,
//! `<cluster>/<app>/<file>`. A whole build also synthesizes the `_gitops` branch app of each
//! cluster (the objects that follow the branch) and checks that every Helm values layer of the
//! cluster's settings is read by some release.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::fmt;

use crate::bootstrap::{BRANCH_FOLDER, GitOps, Target, branch_app};
use crate::cluster::{Cluster, Fleet};
use crate::crd_catalog::CrdCatalog;
use crate::finding::Finding;
use crate::helm_release::ValueLayers;
use crate::helm_release::check_read;
pub use crate::manifest::Extent;
use crate::manifest::ManifestSet;
use crate::output::parallel::map_owned_in_parallel;
use crate::output::{CompareError, ComparedTree, RenderError, RenderedFiles, render};
use crate::registry::Registry;
use crate::rollout::RolloutGraph;
use crate::synth::{
    BuiltApp, BuiltApps, SynthError, SynthInputs, build_cluster_apps, synthesize_owned_with,
};

/// What the run reads from a cluster's settings, beyond what apps read themselves.
pub trait ClusterSettings {
    /// The cluster's Helm values layers, each of which a whole build checks is read by some
    /// release. Settings without layers keep the default.
    fn helm_layers(&self) -> Option<&ValueLayers> {
        None
    }
}

impl ClusterSettings for () {}

/// A workspace: every registered app, the clusters they run on, and how those clusters
/// follow the manifests branch.
pub struct Workspace<S = ()> {
    registry: Registry<S>,
    fleet: Fleet<S>,
    gitops: Option<GitOps>,
    build: BuildInfo,
    crds: Option<&'static dyn CrdCatalog>,
}

/// What the binary holding a workspace was built from, so the command line can tell a binary
/// built from other sources than the checkout it runs in (`publish` refuses it). Made by
/// [`build_info!`](crate::build_info) in the binary's package; [`BuildInfo::default`] knows
/// nothing and checks nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The binary's package: the workspace root's `[package]`, whose checkouts the binary
    /// compares itself with. Default: empty.
    pub package: &'static str,
    /// The fingerprint of the workspace's sources when the binary was built (the package's
    /// build script calls `homelab_synth_fingerprint::build_script`). Default: none, unknown.
    pub fingerprint: Option<&'static str>,
}

/// The [`BuildInfo`] of the package this is expanded in: its name, and the source fingerprint
/// its build script handed to the compiler (none without the build script).
#[macro_export]
macro_rules! build_info {
    () => {
        $crate::BuildInfo {
            package: env!("CARGO_PKG_NAME"),
            fingerprint: option_env!("SYNTH_BUILD_FINGERPRINT"),
        }
    };
}

/// Which clusters and apps a run covers; empty lists mean all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Cluster names (`--cluster`).
    pub clusters: Vec<String>,
    /// App names (`--app`).
    pub apps: Vec<String>,
}

impl Selection {
    /// Every cluster and every app.
    pub fn all() -> Self {
        Selection::default()
    }

    /// Whether the selection covers every app of the clusters it selects.
    pub fn extent(&self) -> Extent {
        if self.apps.is_empty() {
            Extent::Whole
        } else {
            Extent::Partial
        }
    }

    /// Whether `path` of a rendered tree (`[<cluster>/]<app>/<file>`) belongs to the
    /// selection.
    pub fn covers(&self, path: &str, per_cluster: bool) -> bool {
        let mut parts = path.split('/');
        let cluster = if per_cluster {
            parts.next().unwrap_or_default()
        } else {
            ""
        };
        let app = parts.next().unwrap_or_default();
        (self.clusters.is_empty() || self.clusters.iter().any(|name| name == cluster))
            && (self.apps.is_empty() || self.apps.iter().any(|name| name == app))
    }
}

/// The result of a step of a run.
pub type Result<T, E = RunError> = std::result::Result<T, E>;

/// A run that cannot go on. Every message is complete; the command line prints each on its
/// own line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The selection or the workspace itself is wrong (unknown cluster or app, a fleet or
    /// registry problem, a values layer nobody reads): a usage error.
    #[error("{}", .0.join("\n"))]
    Usage(Vec<String>),
    /// An input could not be read at all (the Helm binary, a chart's package, a lock entry):
    /// one message per cause, the errors found before the checks across objects, and how
    /// many errors those checks found, which may only follow from what was not rendered and
    /// so are not reported.
    #[error("{}", .problems.join("\n"))]
    Unavailable {
        /// One message per cause.
        problems: Vec<String>,
        /// Errors of the apps themselves (constructs, includes, patches), labelled.
        findings: Vec<ClusterFinding>,
        /// Errors of the checks across objects, not reported.
        skipped: usize,
    },
    /// Synthesis found errors; the findings (warnings too) are labelled with their cluster.
    #[error("synthesis found {errors} error(s)")]
    Findings {
        /// Every finding, in cluster order.
        findings: Vec<ClusterFinding>,
        /// How many of them are errors.
        errors: usize,
    },
}

/// A finding with the cluster it was found on (named when the fleet has several).
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterFinding {
    /// The cluster's name when the fleet has several clusters.
    pub cluster: Option<String>,
    /// The finding.
    pub finding: Finding,
}

impl fmt::Display for ClusterFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cluster {
            Some(cluster) => write!(f, "cluster `{cluster}`: {}", self.finding),
            None => write!(f, "{}", self.finding),
        }
    }
}

/// The apps of every selected cluster, built but not yet synthesized.
pub struct Built<S> {
    /// Each selected cluster with its built apps (the branch app last on a whole build).
    pub clusters: Vec<(Cluster<S>, BuiltApps)>,
    /// Whether the fleet has several clusters (output under `<cluster>/`).
    pub per_cluster: bool,
    /// Whole or partial.
    pub extent: Extent,
}

impl<S> Built<S> {
    /// Every built app of every cluster.
    pub fn apps(&self) -> impl Iterator<Item = &BuiltApp> {
        self.clusters.iter().flat_map(|(_, built)| &built.apps)
    }
}

/// What one run synthesized.
pub struct Synthesis<S> {
    /// Each selected cluster with its manifests, in fleet order.
    pub clusters: Vec<(Cluster<S>, ManifestSet)>,
    /// Whether the fleet has several clusters (output under `<cluster>/`).
    pub per_cluster: bool,
    /// Whole or partial.
    pub extent: Extent,
    /// Warnings, labelled with their cluster.
    pub warnings: Vec<ClusterFinding>,
}

impl<S> Synthesis<S> {
    /// The rendered tree of every selected cluster.
    pub fn files(&self) -> Result<RenderedFiles, RenderError> {
        let mut files = RenderedFiles::new();
        for (cluster, set) in &self.clusters {
            for (path, bytes) in render(set)? {
                files.insert(prefixed(self.per_cluster, &cluster.name, &path), bytes);
            }
        }
        Ok(files)
    }

    /// Renders every cluster into `tree`, consuming the synthesis: each app's documents are
    /// freed once rendered, and each file's bytes once found equal to the file on disk
    /// ([`ComparedTree`]).
    pub fn render_into(self, tree: &mut ComparedTree) -> Result<(), CompareError> {
        for (cluster, set) in self.clusters {
            let prefix = prefixed(self.per_cluster, &cluster.name, "");
            tree.render(set, &prefix)?;
        }
        Ok(())
    }

    /// Objects of every selected cluster.
    pub fn objects(&self) -> usize {
        self.clusters
            .iter()
            .flat_map(|(_, set)| &set.apps)
            .map(|app| app.documents.len())
            .sum()
    }

    /// Distinct apps synthesized (an app on two clusters counts once; the branch folder is
    /// not an app).
    pub fn app_names(&self) -> BTreeSet<&str> {
        self.clusters
            .iter()
            .flat_map(|(_, set)| set.apps.iter().map(|app| app.name.as_str()))
            .filter(|name| *name != BRANCH_FOLDER)
            .collect()
    }
}

/// `path` under the cluster's folder when the fleet has several clusters.
pub fn prefixed(per_cluster: bool, cluster: &str, path: &str) -> String {
    if per_cluster {
        format!("{cluster}/{path}")
    } else {
        path.to_owned()
    }
}

impl<S: ClusterSettings + Default> Workspace<S> {
    /// A workspace of `registry`'s apps on `fleet`'s clusters.
    pub fn new(registry: Registry<S>, fleet: Fleet<S>) -> Self {
        Workspace {
            registry,
            fleet,
            gitops: None,
            build: BuildInfo::default(),
            crds: None,
        }
    }

    /// The same workspace, checking custom resources against the CRDs of `crds` too (the
    /// CRDs its typed bindings were generated from), unless the run's [`SynthInputs`] name
    /// their own.
    #[must_use]
    pub fn with_crds(mut self, crds: &'static dyn CrdCatalog) -> Self {
        self.crds = Some(crds);
        self
    }

    /// The same workspace, knowing what its binary was built from (`build_info!()`).
    #[must_use]
    pub fn with_build(mut self, build: BuildInfo) -> Self {
        self.build = build;
        self
    }

    /// What the binary was built from, if the workspace says.
    pub fn build_info(&self) -> &BuildInfo {
        &self.build
    }

    /// The same workspace, its clusters following the manifests branch as `gitops` says: a
    /// whole build then publishes each cluster's `_gitops` branch objects with its apps.
    #[must_use]
    pub fn with_gitops(mut self, gitops: GitOps) -> Self {
        self.gitops = Some(gitops);
        self
    }

    /// Every registered app.
    pub fn registry(&self) -> &Registry<S> {
        &self.registry
    }

    /// How the clusters follow the manifests branch, if the workspace says.
    pub fn gitops(&self) -> Option<&GitOps> {
        self.gitops.as_ref()
    }

    /// Every cluster of the fleet, settings layered.
    pub fn clusters(&self) -> Result<Vec<Cluster<S>>> {
        self.fleet.resolve().map_err(|problems| {
            RunError::Usage(
                problems
                    .iter()
                    .map(|problem| format!("error: {problem}"))
                    .collect(),
            )
        })
    }

    /// The selected clusters, and whether the fleet has several. An unknown cluster name is
    /// a usage error listing the known ones.
    pub fn selected_clusters(&self, selection: &Selection) -> Result<(Vec<Cluster<S>>, bool)> {
        let all = self.clusters()?;
        let per_cluster = all.len() > 1;
        let known: Vec<&str> = all.iter().map(|cluster| cluster.name.as_str()).collect();
        let unknown: Vec<String> = selection
            .clusters
            .iter()
            .filter(|name| !known.contains(&name.as_str()))
            .map(|name| {
                format!(
                    "error: no cluster named `{name}`; clusters are: {}",
                    known.join(", ")
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(RunError::Usage(unknown));
        }
        let selected = all
            .into_iter()
            .filter(|cluster| {
                selection.clusters.is_empty() || selection.clusters.contains(&cluster.name)
            })
            .collect();
        Ok((selected, per_cluster))
    }

    /// The rollout graph of the apps on `cluster`.
    pub fn rollout_on(&self, cluster: &Cluster<S>) -> Result<RolloutGraph> {
        self.registry.rollout_on(cluster).map_err(|problems| {
            RunError::Usage(problems.iter().map(|p| format!("error: {p}")).collect())
        })
    }

    /// Builds the apps of every selected cluster. Without clusters in the selection, an app
    /// means the app on every cluster that runs it (an app no cluster runs is an error); with
    /// clusters, each named app must run on each named cluster. An unknown app is one error
    /// whatever the number of clusters, with the closest name suggested.
    pub fn build(&self, selection: &Selection) -> Result<Built<S>> {
        let (clusters, per_cluster) = self.selected_clusters(selection)?;
        let extent = selection.extent();
        let registry = &self.registry;
        let registered = |name: &str| registry.apps().iter().any(|spec| spec.name == name);
        let unknown: Vec<String> = selection
            .apps
            .iter()
            .filter(|name| !registered(name))
            .map(|name| self.unknown_app(name))
            .collect();
        if !unknown.is_empty() {
            return Err(RunError::Usage(unknown));
        }
        let runs_on =
            |name: &str, cluster: &Cluster<S>| registry.apps_on(cluster).any(|s| s.name == name);
        let mut problems = Vec::new();
        if selection.clusters.is_empty() {
            for name in &selection.apps {
                if !clusters.iter().any(|cluster| runs_on(name, cluster)) {
                    problems.push(format!("error: app `{name}` runs on no cluster"));
                }
            }
        }
        let mut built = Vec::new();
        for cluster in clusters {
            let label = cluster_label(per_cluster, &cluster.name);
            let only: Vec<String> = if selection.clusters.is_empty() {
                let on_cluster = |name: &&String| runs_on(name, &cluster);
                selection.apps.iter().filter(on_cluster).cloned().collect()
            } else {
                selection.apps.clone()
            };
            if !selection.apps.is_empty() && only.is_empty() {
                continue;
            }
            match build_cluster_apps(registry, &cluster, &only) {
                Ok(mut built_apps) => {
                    let apps = &mut built_apps.apps;
                    if extent == Extent::Whole {
                        if let Some(gitops) = &self.gitops {
                            let target = Target {
                                cluster: &cluster.name,
                                per_cluster,
                            };
                            let rollout = self.rollout_on(&cluster)?;
                            apps.push(branch_app(gitops, target, &rollout));
                        }
                        // a Helm values layer nobody reads would be a silent no-op; only a
                        // build of every app can tell
                        if let Some(layers) = cluster.settings.helm_layers() {
                            let apps_built = apps.iter().map(|built| &built.app);
                            problems.extend(
                                check_read(layers, apps_built)
                                    .into_iter()
                                    .map(|problem| format!("{label}error: {problem}")),
                            );
                        }
                    }
                    built.push((cluster, built_apps));
                }
                Err(SynthError { errors, .. }) => {
                    problems.extend(errors.iter().map(|finding| format!("{label}{finding}")));
                }
            }
        }
        if !problems.is_empty() {
            return Err(RunError::Usage(problems));
        }
        Ok(Built {
            clusters: built,
            per_cluster,
            extent,
        })
    }

    /// Builds and synthesizes every selected cluster with `inputs`. Every finding of every
    /// cluster is collected before the run fails, so one run reports them all.
    pub fn synthesize(
        &self,
        selection: &Selection,
        inputs: &SynthInputs<'_>,
    ) -> Result<Synthesis<S>> {
        let built = self.build(selection)?;
        let mut inputs = *inputs;
        if inputs.crds.is_none() {
            inputs.crds = self.crds;
        }
        synthesize_built(built, &inputs)
    }

    /// "no app named `x` (did you mean `y`?); apps are: ...".
    fn unknown_app(&self, name: &str) -> String {
        let mut known: Vec<&str> = self
            .registry
            .apps()
            .iter()
            .map(|spec| spec.name.as_str())
            .collect();
        known.sort_unstable();
        let suggestion = known
            .iter()
            .map(|candidate| (strsim::jaro_winkler(name, candidate), *candidate))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
            .unwrap_or_default();
        format!(
            "error: no app named `{name}`{suggestion}; apps are: {}",
            known.join(", ")
        )
    }
}

/// Synthesizes apps already built by [`Workspace::build`].
pub fn synthesize_built<S>(built: Built<S>, inputs: &SynthInputs<'_>) -> Result<Synthesis<S>> {
    let Built {
        clusters: built,
        per_cluster,
        extent,
    } = built;
    let mut clusters = Vec::new();
    let mut findings = Vec::new();
    let mut errors = 0;
    let mut unavailable = BTreeSet::new();
    let mut skipped = 0;
    let label = |cluster: &Cluster<S>| per_cluster.then(|| cluster.name.clone());
    // clusters are independent: each is synthesized on its own core, and the results are
    // taken in fleet order, as a sequential loop would
    let (fleet, built): (Vec<Cluster<S>>, Vec<BuiltApps>) = built.into_iter().unzip();
    let Ok(results) = map_owned_in_parallel(
        built,
        |BuiltApps { apps, provenance }| -> Result<_, Infallible> {
            Ok(synthesize_owned_with(
                apps,
                &inputs.with_provenance(&provenance),
            ))
        },
    );
    for (cluster, result) in fleet.into_iter().zip(results) {
        let labelled = |finding: &Finding| ClusterFinding {
            cluster: label(&cluster),
            finding: finding.clone(),
        };
        match result {
            Ok(set) => {
                findings.extend(set.warnings.iter().map(labelled));
                clusters.push((cluster, set));
            }
            Err(SynthError {
                errors: found,
                warnings,
                unavailable: missing,
                unchecked,
            }) => {
                findings.extend(warnings.iter().chain(&found).map(labelled));
                errors += found.len();
                unavailable.extend(missing);
                skipped += unchecked;
            }
        }
    }
    if !unavailable.is_empty() {
        return Err(RunError::Unavailable {
            problems: unavailable.into_iter().collect(),
            findings,
            skipped,
        });
    }
    if errors > 0 {
        return Err(RunError::Findings { findings, errors });
    }
    Ok(Synthesis {
        clusters,
        per_cluster,
        extent,
        warnings: findings,
    })
}

/// The label a problem of `cluster` is printed with: the cluster's name when there are
/// several.
fn cluster_label(per_cluster: bool, cluster: &str) -> String {
    if per_cluster {
        format!("cluster `{cluster}`: ")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{Extent, RunError, Selection, Workspace, prefixed};
    use crate::cluster::{ClusterSpec, Fleet};
    use crate::{App, ChartProps, MemoryFiles, Registry, SynthInputs};
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn settings(name: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        }
    }

    #[test]
    fn every_finding_names_the_rule_that_found_it() {
        let mut registry = Registry::new();
        registry.category("test").add("twice", |app: &mut App| {
            let mut chart = app.chart("config", ChartProps::namespace("nowhere"));
            chart.add("first", settings("same"));
            chart.add("second", settings("same"));
        });
        let fleet = Fleet::new()
            .environment("production", |_| {})
            .cluster(ClusterSpec::new("lab", "production", "example.com"));
        let workspace = Workspace::new(registry, fleet);
        let sources = MemoryFiles::new();
        let result = workspace.synthesize(&Selection::all(), &SynthInputs::new(&sources));
        let Err(RunError::Findings { findings, errors }) = result else {
            panic!(
                "a duplicate object and an undeclared namespace are errors: {:?}",
                result.map(|synthesis| synthesis.warnings)
            );
        };
        assert_eq!(errors, findings.len());
        let rules: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.finding.rule).collect();
        assert_eq!(
            rules,
            ["identity", "namespaces"].into_iter().collect(),
            "{findings:#?}"
        );
        // one cluster: findings are not labelled with it
        assert!(findings.iter().all(|f| f.cluster.is_none()));
    }

    #[test]
    fn one_cluster_keeps_the_app_layout_and_several_get_cluster_folders() {
        assert_eq!(prefixed(false, "main", "grafana/X.yaml"), "grafana/X.yaml");
        assert_eq!(
            prefixed(true, "main", "grafana/X.yaml"),
            "main/grafana/X.yaml"
        );
    }

    #[test]
    fn naming_apps_makes_a_build_partial_and_a_selection_covers_its_paths() {
        assert_eq!(Selection::all().extent(), Extent::Whole);
        let apps = Selection {
            apps: vec!["n8n".into()],
            ..Selection::default()
        };
        assert_eq!(apps.extent(), Extent::Partial);
        assert!(apps.covers("n8n/Deployment.yaml", false));
        assert!(!apps.covers("grafana/Deployment.yaml", false));
        let cluster = Selection {
            clusters: vec!["lab".into()],
            ..Selection::default()
        };
        assert_eq!(
            cluster.extent(),
            Extent::Whole,
            "each cluster is built whole"
        );
        assert!(cluster.covers("lab/n8n/Deployment.yaml", true));
        assert!(!cluster.covers("main/n8n/Deployment.yaml", true));
    }
}
