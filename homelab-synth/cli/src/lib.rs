//! The `synth` command line as a library: a workspace's `src/main.rs` is
//! `fn main() -> ExitCode { homelab_synth_cli::run(my_homelab::workspace()) }`, and everything
//! else (flags, subcommands, printing findings, exit codes) lives here.
//!
//! Exit codes: 0 success; 1 validation errors, or differences found by `--check`; 2 usage or
//! I/O errors.

mod cmd;
pub mod seed;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use homelab_synth_core::BRANCH_FOLDER;
use homelab_synth_core::output::{ComparedTree, WriteOutcome};
use homelab_synth_core::{ClusterSettings, Synthesis, Workspace};

pub(crate) use cmd::fleet::synthesize_all;
use cmd::select::{SelectArgs, Takes};
use cmd::up_to_date::Probe;

/// Synthesize typed Rust apps into Kubernetes manifests, one folder per app.
#[derive(Parser, Debug)]
#[command(name = "synth", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    synth: SynthArgs,
}

/// Flags of synthesis itself (`synth` without a subcommand); the selection flags also apply to
/// the subcommands that take them.
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
    /// Write nothing; exit 1 and list what would change if the output is not up to date.
    #[arg(long)]
    pub(crate) check: bool,
    /// How findings are printed on standard error: for people, or one JSON object per line
    /// (`cluster`, `app`, `path`, `files`, `rule`, `severity`, `message`) for scripts and CI.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "human")]
    pub(crate) message_format: cmd::fleet::MessageFormat,
    /// Synthesize even when nothing changed since the last write of this output folder. A
    /// write is otherwise skipped, its lines printed again, when the binary, every file of the
    /// workspace, the arguments, the environment, helm, kubectl and the output folder are as
    /// they were after the last successful write.
    #[arg(long, conflicts_with_all = ["stdout", "check"])]
    pub(crate) no_skip: bool,
    #[command(flatten)]
    pub(crate) select: SelectArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the apps with their category, namespaces and object counts.
    List {
        #[command(flatten)]
        select: SelectArgs,
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
    /// Create a new workspace that depends on this library.
    Init(cmd::init::InitArgs),
    /// Add something to the workspace (`synth new app <category>/<name>`).
    New(cmd::new_app::NewArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(cmd::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

impl Command {
    /// The subcommand's name, for messages.
    fn name(&self) -> &'static str {
        match self {
            Command::List { .. } => "list",
            Command::Fmt(_) => "fmt",
            Command::Publish(_) => "publish",
            Command::Diff(_) => "diff",
            Command::Bootstrap(_) => "bootstrap",
            Command::Charts(_) => "charts",
            Command::Import(_) => "import",
            Command::Init(_) => "init",
            Command::New(_) => "new",
            Command::Completions(_) => "completions",
            Command::Man => "man",
        }
    }
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

/// Synthesizes the `selection` of `workspace`, whose folder is `root`, with what the command
/// line reads and renders with (the workspace's files, Helm and kustomize as configured by
/// the environment): what a workspace's tests check.
pub fn synthesize<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    root: &Path,
    selection: &homelab_synth_core::Selection,
) -> Result<Synthesis<S>, homelab_synth_core::RunError> {
    cmd::fleet::Edge::at(root).synthesize(workspace, selection)
}

/// Runs the `synth` command line on `workspace` with the process's arguments, and returns the
/// exit code.
pub fn run<S: ClusterSettings + Default>(workspace: Workspace<S>) -> ExitCode {
    let cli = Cli::parse();
    match run_cli(cli, &workspace) {
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

fn run_cli<S: ClusterSettings + Default>(cli: Cli, workspace: &Workspace<S>) -> anyhow::Result<()> {
    let Cli { command, synth } = cli;
    let Some(command) = command else {
        return synthesize_and_write(workspace, &synth);
    };
    let name = command.name();
    // synthesis' own flags mean nothing to a subcommand (`synth --check list`)
    for (flag, given) in [
        ("--check", synth.check),
        (
            "--message-format",
            synth.message_format != cmd::fleet::MessageFormat::Human,
        ),
        ("--no-skip", synth.no_skip),
        ("--out", synth.out.is_some()),
        ("--stdout", synth.stdout),
    ] {
        if given {
            bail!("`{flag}` applies to `synth` itself, not to `synth {name}`");
        }
    }
    let before = &synth.select;
    match command {
        Command::Fmt(args) => {
            before.merged(SelectArgs::default(), name, Takes::Nothing)?;
            cmd::fmt::run(&args)
        }
        Command::Completions(args) => {
            before.merged(SelectArgs::default(), name, Takes::Nothing)?;
            cmd::completions::completions(&args)
        }
        Command::Init(args) => {
            before.merged(SelectArgs::default(), name, Takes::Nothing)?;
            cmd::init::run(&args)
        }
        Command::New(args) => {
            let select = before.merged(args.workspace().into(), name, Takes::Workspace)?;
            let root = workspace_root(select.workspace())?;
            cmd::new_app::run(&args, workspace, &root)
        }
        Command::Man => {
            before.merged(SelectArgs::default(), name, Takes::Nothing)?;
            cmd::completions::man()
        }
        Command::Publish(args) => {
            let select = before.merged(args.clusters.clone().into(), name, Takes::Clusters)?;
            let root = workspace_root(select.workspace())?;
            cmd::publish::run(&args, workspace, &select, &root)
        }
        Command::Diff(args) => {
            let select = before.merged(args.select.clone(), name, Takes::Apps)?;
            let root = workspace_root(select.workspace())?;
            cmd::diff::run(&args, workspace, &select, &root)
        }
        Command::Import(args) => {
            let select = before.merged(args.workspace.clone().into(), name, Takes::Workspace)?;
            let root = workspace_root(select.workspace()).ok();
            cmd::import::run(&args, root.as_deref())
        }
        Command::Charts(args) => {
            let select = before.merged(args.select.clone(), name, Takes::Apps)?;
            let root = workspace_root(select.workspace())?;
            cmd::charts::run(&args, workspace, &select, &root)
        }
        Command::Bootstrap(args) => {
            let select = before.merged(args.clusters.clone().into(), name, Takes::Clusters)?;
            cmd::bootstrap::run(&args, workspace, &select)
        }
        Command::List {
            select,
            graph,
            dot,
            output,
        } => {
            let select = before.merged(select, name, Takes::Apps)?;
            if graph || dot {
                return cmd::graph::run(workspace, &select, dot);
            }
            let root = workspace_root(select.workspace())?;
            let synthesized = synthesize_all(workspace, &select.selection(), &root)?;
            match output {
                ListFormat::Table => print_list(&synthesized),
                ListFormat::Json => print_list_json(&synthesized),
            }
        }
    }
}

/// `synth` without a subcommand: synthesize, then write, check or print. A write whose inputs
/// did not change since the last one is skipped (`cmd::up_to_date`).
fn synthesize_and_write<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    synth: &SynthArgs,
) -> anyhow::Result<()> {
    let root = workspace_root(synth.select.workspace())?;
    if synth.check && synth.out.as_deref() == Some(Path::new("-")) {
        bail!("--check compares with an output folder; --out - prints instead");
    }
    let printing = synth.stdout || synth.out.as_deref() == Some(Path::new("-"));
    let out = synth.out.clone().unwrap_or_else(|| root.join("app"));
    let mut inputs = None;
    if printing || synth.check {
        cmd::stale::warn(workspace.build_info(), &root)?;
    } else {
        match cmd::up_to_date::probe(workspace.build_info(), &root, synth, &out)? {
            Probe::Unknown => {}
            Probe::Stale(stale) => stale.warn(&root),
            Probe::Known(known) => {
                if !synth.no_skip && known.replay(&out, &root) {
                    return Ok(());
                }
                inputs = Some(known);
            }
        }
    }
    let (synthesized, printed) = cmd::fleet::synthesize_printing(
        workspace,
        &synth.select.selection(),
        &root,
        synth.message_format,
    )?;
    if printing {
        return print_stream(&synthesized);
    }
    let written = write_output(synth, &root, &out, synthesized);
    if let (Ok(Written { tree, summary }), Some(inputs)) = (&written, &inputs)
        && !printed.cache_warnings
    {
        // a later run with the same inputs finds the tree as written and prints what a full
        // run would: the same findings, and that the folder is up to date
        let summary = summary.up_to_date();
        inputs.record(tree, &summary, &printed.findings);
    }
    // The process ends right after: freeing the written files would take longer than the
    // write; the operating system reclaims the memory at exit. Forgetting leaks nothing past
    // the process.
    written.map(std::mem::forget)
}

/// What a write left in the output folder, and its summary.
struct Written {
    tree: ComparedTree,
    summary: Summary,
}

/// The summary line of a write.
struct Summary {
    /// The output folder as given.
    out: String,
    objects: usize,
}

impl Summary {
    /// `synth: <out> is up to date (<n> objects)`, with its line end.
    fn up_to_date(&self) -> String {
        format!(
            "synth: {} is up to date ({} objects)\n",
            self.out, self.objects
        )
    }
}

fn write_output<S>(
    args: &SynthArgs,
    workspace: &Path,
    out: &Path,
    synthesized: Synthesis<S>,
) -> anyhow::Result<Written> {
    let out = out.to_path_buf();
    let objects = synthesized.objects();
    let summary = Summary {
        out: out.display().to_string(),
        objects,
    };
    // "24 apps on 2 clusters": distinct apps, not app × cluster
    let apps = synthesized.app_names();
    let apps = match synthesized.clusters.len() {
        1 => format!(
            "{} app{}",
            apps.len(),
            if apps.len() == 1 { "" } else { "s" }
        ),
        clusters => format!("{} apps on {clusters} clusters", apps.len()),
    };
    let per_cluster = synthesized.per_cluster;
    // what the run was asked to do names a refused output folder: "cannot write" it
    let action = if args.check {
        "cannot compare with"
    } else {
        "cannot write"
    };
    let mut tree = ComparedTree::new(&out, workspace)
        .with_context(|| format!("{action} {}", out.display()))?;
    // the CRDs this binary emitted before are found on disk by their YAML's digest
    let memo = cmd::crd_memo::CrdMemo::open();
    if let Some(memo) = &memo {
        tree = memo.apply(tree);
    }
    // each app's documents are freed as it is rendered, and its files' bytes as soon as
    // they are found equal to the files on disk
    synthesized.render_into(&mut tree)?;
    if let Some(memo) = &memo {
        memo.record(&tree);
    }
    if !args.select.apps.is_empty() || !args.select.clusters.clusters.is_empty() {
        // only the selected clusters and apps are replaced; the other files stay as they are
        let selection = args.select.selection();
        tree.keep_existing(|path| !selection.covers(path, per_cluster))
            .with_context(|| format!("cannot read {}", out.display()))?;
    }
    if args.check {
        let changes = tree.changes();
        if changes.is_empty() {
            print!("{}", summary.up_to_date());
            return Ok(Written { tree, summary });
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
    let outcome = tree
        .write()
        .with_context(|| format!("cannot write {}", out.display()))?;
    match outcome {
        WriteOutcome::Unchanged => print!("{}", summary.up_to_date()),
        WriteOutcome::Replaced(changes) => println!(
            "synth: wrote {objects} objects of {apps} to {} ({} added, {} changed, {} removed)",
            out.display(),
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len()
        ),
    }
    Ok(Written { tree, summary })
}

/// Every synthesized file as one YAML stream on standard output, each document preceded by
/// `# Source: <cluster>/<app>/<file>`.
fn print_stream<S>(synthesized: &Synthesis<S>) -> anyhow::Result<()> {
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
fn print_list_json<S>(synthesized: &Synthesis<S>) -> anyhow::Result<()> {
    let apps: Vec<serde_json::Value> = synthesized
        .clusters
        .iter()
        .flat_map(|(cluster, set)| {
            set.apps
                .iter()
                .filter(|app| app.name != BRANCH_FOLDER)
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

fn print_list<S>(synthesized: &Synthesis<S>) -> anyhow::Result<()> {
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
        for app in set.apps.iter().filter(|app| app.name != BRANCH_FOLDER) {
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
        let root = path
            .canonicalize()
            .with_context(|| format!("workspace {} does not exist", path.display()))?;
        if !is_workspace(&root) {
            bail!(
                "{} is not a workspace: it has no Cargo.toml with a [workspace] table",
                path.display()
            );
        }
        return Ok(root);
    }
    let current = std::env::current_dir().context("cannot read the current folder")?;
    if let Some(folder) = current.ancestors().find(|folder| is_workspace(folder)) {
        return Ok(folder.to_path_buf());
    }
    bail!(
        "no Cargo workspace found above {}: run synth inside the workspace or pass --workspace",
        current.display()
    )
}

/// Whether `folder` holds a `Cargo.toml` with a `[workspace]` table.
fn is_workspace(folder: &Path) -> bool {
    std::fs::read_to_string(folder.join("Cargo.toml"))
        .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
}
