//! `synth charts lock`: resolves every chart version the apps use and writes `charts.lock` at
//! the workspace root (repository, name, version, sha256 of the package), downloading the
//! packages into the chart cache, and every remote kustomize source the kustomizations reach
//! in `kustomize.lock`.

use std::path::Path;

use anyhow::Context;
use homelab_synth_core::helm_release::chart_pins;
use homelab_synth_core::{BuiltApp, ClusterSettings, Workspace};

use crate::cmd::select::SelectArgs;
use homelab_synth_helm::{HelmConfig, lock_charts};
use homelab_synth_kustomize::{KustomizeConfig, lock_kustomizations};

/// Manage the Helm charts the apps render.
#[derive(clap::Args, Debug)]
pub struct ChartsArgs {
    #[command(subcommand)]
    pub command: ChartsCommand,
    #[command(flatten)]
    pub(crate) select: SelectArgs,
}

/// `synth charts` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ChartsCommand {
    /// Resolve every chart version the apps use and write charts.lock, and every remote
    /// kustomize source their kustomizations reach and write kustomize.lock (existing entries
    /// are kept unless --refresh).
    Lock(LockArgs),
}

/// Flags of `synth charts lock`.
#[derive(clap::Args, Debug)]
pub struct LockArgs {
    /// A folder (relative to the workspace) or URL holding packaged charts and an index.yaml,
    /// consulted before the charts' own repositories and recorded in the lock so that
    /// synthesis finds the packages offline (repeatable). Default: the lock's mirrors.
    #[arg(long = "mirror", value_name = "DIR|URL")]
    pub mirrors: Vec<String>,
    /// Resolve every chart again instead of keeping the locked digests.
    #[arg(long)]
    pub refresh: bool,
    /// Never contact the charts' own repositories.
    #[arg(long)]
    pub offline: bool,
}

/// Runs `synth charts ...` for the workspace's apps on every selected cluster; `root` is the
/// workspace's folder.
pub fn run<S: ClusterSettings + Default>(
    args: &ChartsArgs,
    workspace: &Workspace<S>,
    select: &SelectArgs,
    root: &Path,
) -> anyhow::Result<()> {
    match &args.command {
        ChartsCommand::Lock(lock) => {
            let built = crate::cmd::fleet::build_all(workspace, &select.selection())?;
            let apps: Vec<BuiltApp> = built.apps().cloned().collect();
            let mut config = HelmConfig::from_env(root);
            config.offline |= lock.offline;
            let pins = chart_pins(&apps);
            let file = lock_charts(&config, &pins, lock.mirrors.clone(), lock.refresh)
                .context("cannot lock the charts")?;
            file.write(&config.lock_file)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("cannot write {}", config.lock_file.display()))?;
            for chart in &file.charts {
                println!(
                    "{} {} {} {}",
                    chart.name, chart.version, chart.digest, chart.repository
                );
            }
            println!(
                "synth: locked {} chart(s) in {}",
                file.charts.len(),
                config.lock_file.display()
            );
            lock_kustomize(lock, &apps, root)
        }
    }
}

/// The kustomize half of `synth charts lock`: `kustomize.lock`.
fn lock_kustomize(lock: &LockArgs, apps: &[BuiltApp], workspace: &Path) -> anyhow::Result<()> {
    let kustomizations = homelab_synth_core::kustomization::kustomizations(apps);
    let mut config = KustomizeConfig::from_env(workspace);
    config.offline |= lock.offline;
    // --mirror names chart mirrors; kustomize mirrors stay those of kustomize.lock
    let file = lock_kustomizations(&config, &kustomizations, Vec::new(), lock.refresh)
        .context("cannot lock the kustomize sources")?;
    file.write(&config.lock_file)
        .with_context(|| format!("cannot write {}", config.lock_file.display()))?;
    for source in &file.sources {
        println!("{} {} {}", source.url, source.reference, source.sha256);
    }
    println!(
        "synth: locked {} kustomize source(s) in {}",
        file.sources.len(),
        config.lock_file.display()
    );
    Ok(())
}
