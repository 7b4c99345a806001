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
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    synth: SynthArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct SynthArgs {
    /// Output folder (must be inside the workspace). Default: `<workspace>/app`. `-` prints
    /// to standard output, as `--stdout` does.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Print the synthesized objects to standard output as one YAML stream, each document
    /// preceded by `# Source: <cluster>/<app>/<file>` (for kubeconform, `kubectl diff -f -`,
    /// grep); write nothing.
    #[arg(long, conflicts_with_all = ["out", "check"])]
    pub(crate) stdout: bool,
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
        /// Output format: a table, or JSON (an array of apps with cluster, name, category,
        /// namespaces and object count).
        #[arg(short = 'o', long = "output", value_enum, default_value = "table", conflicts_with_all = ["graph", "dot"])]
        output: ListFormat,
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
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(cmd::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
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
            // the reader went away (`synth man | head`): nothing to report
            let closed = error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if closed {
                return ExitCode::SUCCESS;
            }
            eprintln!("synth: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Fmt(args)) => cmd::fmt::run(&args),
        Some(Command::Completions(args)) => cmd::completions::completions(&args),
        Some(Command::Man) => cmd::completions::man(),
        Some(Command::Publish(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::publish::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Diff(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::diff::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Import(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref()).ok();
            cmd::import::run(&args, workspace.as_deref())
        }
        Some(Command::Charts(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::charts::run(&args, &cli.synth, &workspace)
        }
        Some(Command::Bootstrap(args)) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            cmd::bootstrap::run(&args, &cli.synth, &workspace)
        }
        Some(Command::List { graph, dot, .. }) if graph || dot => cmd::graph::run(&cli.synth, dot),
        Some(Command::List { output, .. }) => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            let synthesized = synthesize_all(&cli.synth, &workspace)?;
            match output {
                ListFormat::Table => print_list(&synthesized),
                ListFormat::Json => print_list_json(&synthesized),
            }
        }
        None => {
            let workspace = workspace_root(cli.synth.workspace.as_deref())?;
            if cli.synth.check && cli.synth.out.as_deref() == Some(Path::new("-")) {
                bail!("--check compares with an output folder; --out - prints instead");
            }
            let synthesized = synthesize_all(&cli.synth, &workspace)?;
            if cli.synth.stdout || cli.synth.out.as_deref() == Some(Path::new("-")) {
                return print_stream(&synthesized);
            }
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
    // "24 apps on 2 clusters": distinct apps, not app × cluster
    let apps: std::collections::BTreeSet<&str> = synthesized
        .clusters
        .iter()
        .flat_map(|(_, set)| set.apps.iter().map(|app| app.name.as_str()))
        .filter(|name| *name != homelab_synth::bootstrap::BRANCH_FOLDER)
        .collect();
    let apps = match synthesized.clusters.len() {
        1 => format!(
            "{} app{}",
            apps.len(),
            if apps.len() == 1 { "" } else { "s" }
        ),
        clusters => format!("{} apps on {clusters} clusters", apps.len()),
    };
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
            "synth: wrote {objects} objects of {apps} to {} ({} added, {} changed, {} removed)",
            out.display(),
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len()
        ),
    }
    Ok(())
}

/// Every synthesized file as one YAML stream on standard output, each document preceded by
/// `# Source: <cluster>/<app>/<file>`.
fn print_stream(synthesized: &Synthesized) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let only_cluster = synthesized
        .clusters
        .first()
        .map(|(cluster, _)| cluster.name.clone())
        .unwrap_or_default();
    for (index, (path, bytes)) in synthesized.files()?.iter().enumerate() {
        if index > 0 {
            stdout.write_all(b"---\n")?;
        }
        let source = if synthesized.per_cluster {
            path.clone()
        } else {
            format!("{only_cluster}/{path}")
        };
        writeln!(stdout, "# Source: {source}")?;
        stdout.write_all(bytes)?;
    }
    stdout.flush()?;
    Ok(())
}

/// How `synth list` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    /// Aligned columns.
    Table,
    /// A JSON array, one object per app and cluster.
    Json,
}

/// `synth list -o json`.
fn print_list_json(synthesized: &Synthesized) -> anyhow::Result<()> {
    let apps: Vec<serde_json::Value> = synthesized
        .clusters
        .iter()
        .flat_map(|(cluster, set)| {
            set.apps
                .iter()
                .filter(|app| app.name != homelab_synth::bootstrap::BRANCH_FOLDER)
                .map(move |app| {
                    serde_json::json!({
                        "cluster": cluster.name,
                        "app": app.name,
                        "category": app.category,
                        "namespaces": app.namespaces,
                        "objects": app.documents.len(),
                    })
                })
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &apps)?;
    writeln!(stdout)?;
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
        // the branch folder is not an app
        for app in set
            .apps
            .iter()
            .filter(|app| app.name != homelab_synth::bootstrap::BRANCH_FOLDER)
        {
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
