//! Synthesis of every selected cluster: the homelab's apps built and synthesized once per
//! cluster, rendered into one tree. With one cluster the tree is `<app>/<file>`; with several,
//! `<cluster>/<app>/<file>`, and `--cluster NAME` selects which clusters are (re)written.

use std::path::Path;

use homelab_synth::bootstrap::{Target, branch_app};
use homelab_synth::helm::check_read;
use homelab_synth::output::{Rendered, render};
use homelab_synth::{BuiltApp, synthesize_owned_with};
use homelab_synth::{ManifestSet, SynthError, SynthInputs, WorkspaceFiles, build_cluster_apps};

use crate::{Reported, SynthArgs, cmd};

/// Each selected cluster with its built apps.
pub(crate) type ClusterApps = Vec<(synth::Cluster, Vec<BuiltApp>)>;

/// What one run synthesized.
pub(crate) struct Synthesized {
    /// Each selected cluster with its manifests, in fleet order.
    pub(crate) clusters: Vec<(synth::Cluster, ManifestSet)>,
    /// Whether the fleet has more than one cluster (output under `<cluster>/`).
    pub(crate) per_cluster: bool,
}

impl Synthesized {
    /// The rendered tree of every selected cluster.
    pub(crate) fn files(&self) -> anyhow::Result<Rendered> {
        let mut files = Rendered::new();
        for (cluster, set) in &self.clusters {
            for (path, bytes) in render(set)? {
                files.insert(prefixed(self.per_cluster, &cluster.name, &path), bytes);
            }
        }
        Ok(files)
    }

    /// Objects of every selected cluster.
    pub(crate) fn objects(&self) -> usize {
        self.clusters
            .iter()
            .flat_map(|(_, set)| &set.apps)
            .map(|app| app.documents.len())
            .sum()
    }
}

/// `path` under the cluster's folder when the fleet has several clusters.
pub(crate) fn prefixed(per_cluster: bool, cluster: &str, path: &str) -> String {
    if per_cluster {
        format!("{cluster}/{path}")
    } else {
        path.to_owned()
    }
}

/// The clusters of the homelab, and those `--cluster` selects (all when none is named).
pub(crate) fn selected_clusters(args: &SynthArgs) -> anyhow::Result<(Vec<synth::Cluster>, bool)> {
    let all = match synth::clusters() {
        Ok(all) => all,
        Err(problems) => {
            for problem in &problems {
                eprintln!("synth: error: {problem}");
            }
            return Err(Reported(2).into());
        }
    };
    let per_cluster = all.len() > 1;
    let mut unknown = false;
    for name in &args.clusters {
        if !all.iter().any(|cluster| cluster.name == *name) {
            let known: Vec<&str> = all.iter().map(|cluster| cluster.name.as_str()).collect();
            eprintln!(
                "synth: error: no cluster named `{name}`; clusters are: {}",
                known.join(", ")
            );
            unknown = true;
        }
    }
    if unknown {
        return Err(Reported(2).into());
    }
    let selected = all
        .into_iter()
        .filter(|cluster| args.clusters.is_empty() || args.clusters.contains(&cluster.name))
        .collect();
    Ok((selected, per_cluster))
}

/// The label a finding of `cluster` is printed with: the cluster's name when there are
/// several.
fn context(per_cluster: bool, cluster: &str) -> String {
    if per_cluster {
        format!("cluster `{cluster}`: ")
    } else {
        String::new()
    }
}

/// Builds the apps of every selected cluster (usage errors: exit 2). Without `--cluster`,
/// `--app NAME` means the app on every cluster that runs it (an app no cluster runs is an
/// error); with `--cluster`, each named app must run on each named cluster.
pub(crate) fn build_all(args: &SynthArgs) -> anyhow::Result<(ClusterApps, bool)> {
    let (clusters, per_cluster) = selected_clusters(args)?;
    let registry = synth::homelab();
    let mut built = Vec::new();
    let mut failed = false;
    let runs_on = |name: &str, cluster: &synth::Cluster| {
        registry.apps_on(cluster).any(|spec| spec.name == name)
    };
    let registered = |name: &str| registry.apps().iter().any(|spec| spec.name == name);
    // an unknown app is one error, whatever the number of clusters
    for name in args.apps.iter().filter(|name| !registered(name)) {
        let mut known: Vec<&str> = registry
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
        eprintln!(
            "synth: error: no app named `{name}`{suggestion}; apps are: {}",
            known.join(", ")
        );
        failed = true;
    }
    if failed {
        return Err(Reported(2).into());
    }
    if args.clusters.is_empty() {
        for name in &args.apps {
            if registered(name) && !clusters.iter().any(|cluster| runs_on(name, cluster)) {
                eprintln!("synth: error: app `{name}` runs on no cluster");
                failed = true;
            }
        }
    }
    for cluster in clusters {
        let only: Vec<String> = if args.clusters.is_empty() {
            args.apps
                .iter()
                .filter(|name| runs_on(name, &cluster))
                .cloned()
                .collect()
        } else {
            args.apps.clone()
        };
        if !args.apps.is_empty() && only.is_empty() {
            continue;
        }
        match build_cluster_apps(&registry, &cluster, &only) {
            Ok(mut apps) => {
                // a Helm values layer nobody reads would be a silent no-op; only a build of
                // every app can tell
                if args.apps.is_empty() {
                    // the objects that follow the branch, published with the apps
                    let target = Target {
                        cluster: &cluster.name,
                        per_cluster,
                    };
                    let rollout = cmd::graph::rollout_on(&cluster)?;
                    apps.push(branch_app(&synth::gitops(), target, &rollout));
                    let apps_built = apps.iter().map(|built| &built.app);
                    for problem in check_read(&cluster.settings.helm, apps_built) {
                        eprintln!(
                            "synth: {}error: {problem}",
                            context(per_cluster, &cluster.name)
                        );
                        failed = true;
                    }
                }
                built.push((cluster, apps));
            }
            Err(SynthError { errors, .. }) => {
                for finding in &errors {
                    eprintln!("synth: {}{finding}", context(per_cluster, &cluster.name));
                }
                failed = true;
            }
        }
    }
    if failed {
        return Err(Reported(2).into());
    }
    Ok((built, per_cluster))
}

/// Synthesizes every selected cluster; findings are printed (with the cluster when there
/// are several), errors exit 1 and nothing is written.
pub(crate) fn synthesize_all(args: &SynthArgs, workspace: &Path) -> anyhow::Result<Synthesized> {
    let (built, per_cluster) = build_all(args)?;
    let sources = WorkspaceFiles::new(workspace);
    let helm = cmd::charts::renderer(workspace);
    let kustomize = cmd::charts::kustomize_renderer(workspace);
    let inputs = SynthInputs::new(&sources)
        .with_helm(&helm)
        .with_kustomize(&kustomize);
    let mut clusters = Vec::new();
    let mut errors = 0;
    for (cluster, apps) in built {
        let label = context(per_cluster, &cluster.name);
        match synthesize_owned_with(apps, &inputs) {
            Ok(set) => {
                for warning in &set.warnings {
                    eprintln!("synth: {label}{warning}");
                }
                clusters.push((cluster, set));
            }
            Err(SynthError {
                errors: found,
                warnings,
            }) => {
                for finding in warnings.iter().chain(&found) {
                    eprintln!("synth: {label}{finding}");
                }
                errors += found.len();
            }
        }
    }
    // cache entries that were not used: the renders themselves are fine
    for warning in helm.take_warnings() {
        eprintln!("synth: warning: {warning}");
    }
    for warning in kustomize.take_warnings() {
        eprintln!("synth: warning: {warning}");
    }
    if errors > 0 {
        eprintln!("synth: {errors} error(s); nothing was written");
        // a missing tool or source is an input problem, like an unreadable file
        return Err(Reported(if kustomize.missing_input() { 2 } else { 1 }).into());
    }
    Ok(Synthesized {
        clusters,
        per_cluster,
    })
}

#[cfg(test)]
mod tests {
    use super::prefixed;

    #[test]
    fn one_cluster_keeps_the_app_layout_and_several_get_cluster_folders() {
        assert_eq!(prefixed(false, "main", "grafana/X.yaml"), "grafana/X.yaml");
        assert_eq!(
            prefixed(true, "main", "grafana/X.yaml"),
            "main/grafana/X.yaml"
        );
    }
}
