//! `synth`: synthesizes the homelab's apps into `app/<name>/`. A thin binary: it parses flags,
//! registers every category crate's apps and calls the library.
//!
//! Exit codes: 0 success; 1 validation errors, or differences found by `--check`; 2 usage or
//! I/O errors.

mod cmd;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use homelab_synth::output::{WriteOutcome, compare_tree, read_tree, write_tree};

pub(crate) use cmd::fleet::{Synthesized, synthesize_all};

/// Synthesize typed Rust apps into Kubernetes manifests, one folder per app.
#[derive(Parser, Debug)]
#[command(name = "synth", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    synth: SynthArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct SynthArgs {
    /// Output folder (must be inside the workspace). Default: `<workspace>/app`.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Synthesize only this app (repeatable). Default: every app.
    #[arg(long = "app", value_name = "NAME")]
    pub(crate) apps: Vec<String>,
    /// Write nothing; exit 1 and list what would change if the output is not up to date.
    #[arg(long)]
    pub(crate) check: bool,
    /// Synthesize only this cluster (repeatable; with several clusters the output is
    /// `<out>/<cluster>/<app>/`). Default: every cluster.
    #[arg(long = "cluster", value_name = "NAME", global = true)]
    pub(crate) clusters: Vec<String>,
    /// Workspace root: included files are read relative to it and the output must stay inside
    /// it. Default: the nearest folder above the current one whose Cargo.toml has a
    /// `[workspace]` table.
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) workspace: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the apps with their category, namespaces and object counts.
    List {
        /// Print the rollout order instead: waves of apps, each with its dependencies.
        #[arg(long, conflicts_with = "dot")]
        graph: bool,
        /// Print the dependency graph as Graphviz DOT (`synth list --dot | dot -Tsvg`).
        #[arg(long)]
        dot: bool,
    },
    /// Print, check (`--check`) or rewrite (`-w`) YAML and JSON documents in synth's canonical
    /// YAML (stdin when no file is given).
    Fmt(cmd::fmt::FmtArgs),
    /// Synthesize every app and commit the tree to the manifests branch.
    Publish(cmd::publish::PublishArgs),
    /// Compare two synthesized trees (folders or git revisions) object by object.
    Diff(cmd::diff::DiffArgs),
    /// Print the objects a cluster needs to follow the manifests branch (Argo CD or Flux).
    Bootstrap(cmd::bootstrap::BootstrapArgs),
    /// Manage the Helm charts the apps render (`synth charts lock`).
    Charts(cmd::charts::ChartsArgs),
    /// Generate typed Rust bindings from CustomResourceDefinition YAML files or folders.
    Import(cmd::import::ImportArgs),
}

/// A failure that has already been reported and maps to an exit code.
#[derive(Debug)]
pub(crate) struct Reported(pub(crate) u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(Reported(code)) = error.downcast_ref::<Reported>() {
                return ExitCode::from(*code);
            }
            eprintln!("synth: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Fmt(args)) => cmd::fmt::run(&args),
        Some(Command::Publish(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::publish::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Diff(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::diff::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Import(args)) => cmd::import::run(&args),
        Some(Command::Charts(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::charts::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Bootstrap(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::bootstrap::run(&args, &cli.synth, &workspace)
        }
        Some(Command::List { graph, dot }) if graph || dot => cmd::graph::run(&cli.synth, dot),
        Some(Command::List { .. }) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            let synthesized = synthesize_all(&cli.synth, &workspace)?;
            print_list(&synthesized)
        }
        None => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            let synthesized = synthesize_all(&cli.synth, &workspace)?;
            let written = write_output(&cli.synth, &workspace, &synthesized);
            // the process ends right after: leave the freeing to the operating system
            std::mem::forget(synthesized);
            written
        }
    }
}

fn write_output(
    args: &SynthArgs,
    workspace: &Path,
    synthesized: &Synthesized,
) -> anyhow::Result<()> {
    let out = args.out.clone().unwrap_or_else(|| workspace.join("app"));
    let mut files = synthesized.files()?;
    if !args.apps.is_empty() || !args.clusters.is_empty() {
        // only the selected clusters and apps are replaced; the other files stay as they are
        let selected = |path: &str| {
            let mut parts = path.split('/');
            let cluster = if synthesized.per_cluster {
                parts.next().unwrap_or_default()
            } else {
                ""
            };
            let app = parts.next().unwrap_or_default();
            (args.clusters.is_empty() || args.clusters.iter().any(|name| name == cluster))
                && (args.apps.is_empty() || args.apps.iter().any(|name| name == app))
        };
        let existing =
            read_tree(&out, workspace).with_context(|| format!("cannot read {}", out.display()))?;
        files.extend(existing.into_iter().filter(|(path, _)| !selected(path)));
    }
    let objects = synthesized.objects();
    let apps: usize = synthesized
        .clusters
        .iter()
        .map(|(_, set)| set.apps.len())
        .sum();
    if args.check {
        let changes = compare_tree(&files, &out, workspace)
            .with_context(|| format!("cannot compare with {}", out.display()))?;
        if changes.is_empty() {
            println!("synth: {} is up to date ({objects} objects)", out.display());
            return Ok(());
        }
        for (sign, paths) in [
            ("+", &changes.added),
            ("~", &changes.changed),
            ("-", &changes.removed),
        ] {
            for path in paths {
                println!("{sign} {path}");
            }
        }
        eprintln!(
            "synth: {} is not up to date: {} added, {} changed, {} removed; run `cargo run -p synth`",
            out.display(),
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len()
        );
        return Err(Reported(1).into());
    }
    let outcome = write_tree(&files, &out, workspace)
        .with_context(|| format!("cannot write {}", out.display()))?;
    std::mem::forget(files);
    match outcome {
        WriteOutcome::Unchanged => {
            println!("synth: {} is up to date ({objects} objects)", out.display())
        }
        WriteOutcome::Replaced(changes) => println!(
            "synth: wrote {objects} objects of {apps} app(s) to {} ({} added, {} changed, {} removed)",
            out.display(),
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len()
        ),
    }
    Ok(())
}

fn print_list(synthesized: &Synthesized) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let cluster_column = |name: &str| {
        if synthesized.per_cluster {
            format!("{name:<12} ")
        } else {
            String::new()
        }
    };
    writeln!(
        stdout,
        "{}{:<24} {:<16} {:<32} {:>7}",
        cluster_column("CLUSTER"),
        "APP",
        "CATEGORY",
        "NAMESPACES",
        "OBJECTS"
    )?;
    for (cluster, set) in &synthesized.clusters {
        for app in &set.apps {
            let namespaces = if app.namespaces.is_empty() {
                "-".to_owned()
            } else {
                app.namespaces.join(",")
            };
            writeln!(
                stdout,
                "{}{:<24} {:<16} {:<32} {:>7}",
                cluster_column(&cluster.name),
                app.name,
                app.category,
                namespaces,
                app.documents.len()
            )?;
        }
    }
    Ok(())
}

/// The workspace root: `--workspace`, or the nearest folder above the current one whose
/// `Cargo.toml` declares a `[workspace]`.
fn workspace_root(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return path
            .canonicalize()
            .with_context(|| format!("workspace {} does not exist", path.display()));
    }
    let current = std::env::current_dir().context("cannot read the current folder")?;
    for folder in current.ancestors() {
        let manifest = folder.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest)
            && text.lines().any(|line| line.trim() == "[workspace]")
        {
            return Ok(folder.to_path_buf());
        }
    }
    bail!(
        "no Cargo workspace found above {}: run synth inside the workspace or pass --workspace",
        current.display()
    )
}
