//! `synth bootstrap`: prints the one root object (per engine) a cluster applies once to
//! follow the manifests branch: it follows the branch's `_gitops/` folder, where the
//! ApplicationSet or per-app Kustomizations are published with the apps (see
//! `homelab_synth_core::bootstrap`). Built and validated like every other app.

use std::io::Write;

use anyhow::Context;
use homelab_synth_core::{ClusterSettings, Workspace, yaml};
use homelab_synth_core::{Engine, Target, root_documents};

use crate::cmd::fleet::reported;
use crate::cmd::select::{ClusterArgs, SelectArgs};

/// Options of `synth bootstrap`.
#[derive(clap::Args, Debug)]
pub(crate) struct BootstrapArgs {
    /// Secret holding the manifests repository's credentials (Flux `secretRef`; create it
    /// with `flux create secret git`). Argo CD reads repository credentials from its own
    /// repository Secrets.
    #[arg(long, value_name = "NAME")]
    secret: Option<String>,
    #[command(flatten)]
    pub(crate) clusters: ClusterArgs,
}

pub(crate) fn run<S: ClusterSettings + Default>(
    args: &BootstrapArgs,
    workspace: &Workspace<S>,
    select: &SelectArgs,
) -> anyhow::Result<()> {
    let Some(gitops) = workspace.gitops() else {
        eprintln!(
            "synth: error: the workspace says nothing about GitOps: give its Workspace a GitOps \
             with `with_gitops` (engine, repository, branch)"
        );
        return Err(crate::Reported(2).into());
    };
    let (clusters, per_cluster) = workspace
        .selected_clusters(&select.selection())
        .map_err(reported)?;
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
    if args.secret.is_some() && gitops.engine != Engine::Flux {
        eprintln!(
            "synth: error: --secret is Flux's secretRef; Argo CD reads repository credentials \
             from its repository Secrets"
        );
        return Err(crate::Reported(2).into());
    }
    let target = Target {
        cluster: &cluster.name,
        per_cluster,
    };
    let documents = match root_documents(gitops, target, args.secret.as_deref()) {
        Ok(documents) => documents,
        Err(error) => {
            for finding in &error.errors {
                eprintln!("synth: {finding}");
            }
            return Err(crate::Reported(1).into());
        }
    };
    let text =
        yaml::emit::to_yaml_stream(&documents).context("cannot render the bootstrap objects")?;
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}
