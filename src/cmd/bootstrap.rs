//! `synth bootstrap`: prints what a cluster needs to follow the manifests branch (an Argo CD
//! ApplicationSet, or Flux objects), built and validated like every other app.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use homelab_synth::bootstrap::{BootstrapProps, Engine, build};
use homelab_synth::{App, BuiltApp, MemoryFiles, synthesize_owned, yaml};

use crate::SynthArgs;
use crate::cmd::fleet::selected_clusters;
use crate::cmd::graph::rollout_on;
use crate::cmd::publish::{default_branch, default_remote};

/// Which controller follows the branch.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EngineChoice {
    /// An Argo CD ApplicationSet (git directory generator: one Application per app).
    Argocd,
    /// A Flux GitRepository plus one Kustomization per app.
    Flux,
    /// A Flux GitRepository plus one parent Kustomization over every app.
    FluxAppOfApps,
}

/// Options of `synth bootstrap`.
#[derive(clap::Args, Debug)]
pub(crate) struct BootstrapArgs {
    /// Controller that follows the branch.
    #[arg(long, value_enum, default_value = "argocd")]
    engine: EngineChoice,
    /// Manifests repository URL. Default: the source repository's `origin`.
    #[arg(long, value_name = "URL")]
    repo: Option<String>,
    /// Manifests branch. Default: `<source-branch>-manifests`.
    #[arg(long, value_name = "NAME")]
    branch: Option<String>,
    /// Namespace of the bootstrap objects. Default: `argocd` or `flux-system`.
    #[arg(long)]
    namespace: Option<String>,
    /// Name of the ApplicationSet, GitRepository and parent Kustomization. Default: `homelab`
    /// (`homelab-<cluster>` when the homelab has several clusters).
    #[arg(long)]
    name: Option<String>,
    /// Argo CD's name for the cluster the apps go to, when one Argo CD manages several
    /// clusters. Default: the cluster Argo CD runs in.
    #[arg(long, value_name = "CLUSTER")]
    destination: Option<String>,
    /// Argo CD project. Default: `default`.
    #[arg(long)]
    project: Option<String>,
    /// Flux reconciliation interval. Default: `10m`.
    #[arg(long)]
    interval: Option<String>,
}

pub(crate) fn run(args: &BootstrapArgs, synth: &SynthArgs, workspace: &Path) -> anyhow::Result<()> {
    let (clusters, per_cluster) = selected_clusters(synth)?;
    let [cluster] = clusters.as_slice() else {
        let names: Vec<&str> = clusters
            .iter()
            .map(|cluster| cluster.name.as_str())
            .collect();
        eprintln!(
            "synth: error: the homelab has clusters {}; name the one to bootstrap with --cluster",
            names.join(", ")
        );
        return Err(crate::Reported(2).into());
    };
    if args.destination.is_some() && args.engine != EngineChoice::Argocd {
        eprintln!(
            "synth: error: --destination names an Argo CD cluster; Flux applies to the cluster \
             it runs in"
        );
        return Err(crate::Reported(2).into());
    }
    let source = homelab_synth_publish::read_source(workspace).ok();
    let repo_url = match &args.repo {
        Some(repo) => repo.clone(),
        None => default_remote(source.as_ref())?,
    };
    let branch = match &args.branch {
        Some(branch) => branch.clone(),
        None => default_branch(source.as_ref())?,
    };
    let props = BootstrapProps {
        engine: match args.engine {
            EngineChoice::Argocd => Engine::ArgoCd,
            EngineChoice::Flux => Engine::Flux,
            EngineChoice::FluxAppOfApps => Engine::FluxAppOfApps,
        },
        repo_url,
        branch,
        namespace: args.namespace.clone(),
        name: args.name.clone(),
        project: args.project.clone(),
        interval: args.interval.clone(),
        apps: rollout_on(cluster)?,
        folder: per_cluster.then(|| cluster.name.clone()),
        destination: args.destination.clone(),
    };
    let mut app = App::new("bootstrap");
    build(&mut app, &props);
    let set = match synthesize_owned(
        vec![BuiltApp {
            app,
            category: "bootstrap".into(),
        }],
        &MemoryFiles::new(),
    ) {
        Ok(set) => set,
        Err(error) => {
            for finding in &error.errors {
                eprintln!("synth: {finding}");
            }
            return Err(crate::Reported(1).into());
        }
    };
    let documents: Vec<serde_json::Value> = set
        .apps
        .iter()
        .flat_map(|app| app.documents.iter().map(|document| document.body.clone()))
        .collect();
    let text =
        yaml::emit::to_yaml_stream(&documents).context("cannot render the bootstrap objects")?;
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}
