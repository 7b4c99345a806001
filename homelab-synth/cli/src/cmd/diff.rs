//! `synth diff`: compares two synthesized trees semantically. Each side is a folder, or a git
//! revision synthesized with that revision's own code in the persistent diff worktree
//! ([`Revisions`]); the new side defaults to the current workspace, synthesized in process.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use homelab_synth_diff::{
    COMMENT_LIMIT, Ledger, SUMMARY_LIMIT, Tree, accept, compare, draft, json, markdown_noting,
    migration_differences, terminal,
};

use homelab_synth_core::{ClusterSettings, Workspace};

use crate::cmd::revision::{Revisions, resolve};
use crate::cmd::select::SelectArgs;
use crate::{Reported, synthesize_all};

/// Output format of `synth diff`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Lines per object and unified diffs, colored on a terminal.
    Terminal,
    /// A Markdown report for pull requests (summary table, one collapsible section per app).
    Markdown,
    /// JSON for scripts: deleted apps, and per app the objects added, changed and removed.
    Json,
}

/// When to color terminal output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Options of `synth diff`.
#[derive(clap::Args, Debug)]
pub(crate) struct DiffArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// The old tree: a folder of synthesized output, or a git revision to synthesize.
    old: String,
    /// The new tree: a folder or a git revision. Default: the current workspace.
    new: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    format: Format,
    /// Color for the terminal format.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Largest Markdown report in characters (a pull request comment takes 65,536).
    #[arg(long, default_value_t = COMMENT_LIMIT)]
    limit: usize,
    /// Also write the Markdown report to this file (for example `$GITHUB_STEP_SUMMARY`; the
    /// report is appended), up to 1,000,000 bytes (GitHub drops a summary over 1 MiB); a cut
    /// report says what it left out, and the comment points to it only when it is whole.
    #[arg(long, value_name = "FILE")]
    summary_file: Option<PathBuf>,
    /// Exit 1 when the trees differ.
    #[arg(long)]
    exit_code: bool,
    /// Compare for a migration, field by field: differences this ledger lists are counted as
    /// accepted by class, the rest are printed; exit 1 when a difference is not in the ledger
    /// or a ledger entry matches no difference.
    #[arg(long, value_name = "LEDGER", conflicts_with_all = ["format", "summary_file", "exit_code"])]
    accept: Option<PathBuf>,
    /// With `--accept`: print a draft ledger (TOML) for the differences it does not list.
    #[arg(long, requires = "accept")]
    draft_ledger: bool,
    /// Seconds that building and synthesizing a revision may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    build_timeout: u64,
}

pub(crate) fn run<S: ClusterSettings + Default>(
    args: &DiffArgs,
    homelab: &Workspace<S>,
    select: &SelectArgs,
    workspace: &Path,
) -> anyhow::Result<()> {
    // the package whose `cargo run` synthesizes a revision: this binary's
    let package = match homelab.build_info().package {
        "" => "synth",
        package => package,
    };
    let build_timeout = Duration::from_secs(args.build_timeout);
    let mut revisions = None;
    let old = load(&args.old, workspace, package, build_timeout, &mut revisions)?;
    let new = match &args.new {
        Some(side) => load(side, workspace, package, build_timeout, &mut revisions)?,
        None => {
            crate::cmd::stale::warn(homelab.build_info(), workspace)?;
            let synthesized = synthesize_all(homelab, &select.selection(), workspace)?;
            Tree::from_files(&synthesized.files()?)?
        }
    };
    if let Some(ledger) = &args.accept {
        return accept_ledger(&old, &new, ledger, args.draft_ledger);
    }
    let report = compare(&old, &new);
    // the job summary, capped below what GitHub shows; the comment points to it only when
    // it holds the whole diff
    let summary = args
        .summary_file
        .as_ref()
        .map(|_| markdown_noting(&report, Some(SUMMARY_LIMIT), None));
    let summary_is_whole = summary
        .as_ref()
        .is_some_and(|text| !text.contains("> **Truncated:** "));
    let text = match args.format {
        Format::Markdown => markdown_noting(
            &report,
            Some(args.limit),
            summary_is_whole.then_some("the job summary"),
        ),
        Format::Json => format!("{:#}\n", json(&report)),
        Format::Terminal => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            terminal(&report, color)
        }
    };
    std::io::stdout().write_all(text.as_bytes())?;
    if let (Some(file), Some(summary)) = (&args.summary_file, summary) {
        let mut summary_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .with_context(|| format!("cannot open {}", file.display()))?;
        summary_file
            .write_all(summary.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    if args.exit_code && !report.is_empty() {
        return Err(Reported(1).into());
    }
    Ok(())
}

/// `synth diff OLD NEW --accept LEDGER`: the migration comparison against a ledger.
fn accept_ledger(old: &Tree, new: &Tree, file: &Path, draft_only: bool) -> anyhow::Result<()> {
    // a ledger that does not exist yet is empty, so `--draft-ledger` can start one
    let text = match std::fs::read_to_string(file) {
        Err(error) if draft_only && error.kind() == std::io::ErrorKind::NotFound => String::new(),
        read => read.with_context(|| format!("cannot read {}", file.display()))?,
    };
    let ledger = Ledger::parse(&text, &file.display().to_string())?;
    let differences = migration_differences(old, new, &ledger.renames());
    let acceptance = accept(&ledger, &differences);
    let mut stdout = std::io::stdout().lock();
    if draft_only {
        stdout.write_all(draft(&acceptance.unaccepted).as_bytes())?;
        return Ok(());
    }
    if !acceptance.unaccepted.is_empty() {
        writeln!(
            stdout,
            "not in the ledger ({}):",
            acceptance.unaccepted.len()
        )?;
        for difference in &acceptance.unaccepted {
            writeln!(stdout, "  {difference}")?;
        }
    }
    if !acceptance.stale.is_empty() {
        writeln!(
            stdout,
            "ledger entries that match no difference ({}):",
            acceptance.stale.len()
        )?;
        for entry in &acceptance.stale {
            writeln!(stdout, "  {entry}")?;
        }
    }
    writeln!(stdout, "synth: {}", acceptance.summary())?;
    if !acceptance.is_clean() {
        eprintln!(
            "synth: {} difference(s) not in {}; {} of its entries match no difference",
            acceptance.unaccepted.len(),
            file.display(),
            acceptance.stale.len()
        );
        return Err(Reported(1).into());
    }
    Ok(())
}

/// A side of the diff: a folder as it is, or a revision synthesized by its own code in the
/// persistent diff worktree (opened once per diff, locked while it runs).
fn load(
    side: &str,
    workspace: &Path,
    package: &str,
    build_timeout: Duration,
    revisions: &mut Option<Revisions>,
) -> anyhow::Result<Tree> {
    let path = Path::new(side);
    if path.is_dir() {
        return Ok(Tree::from_dir(path)?);
    }
    // named before the worktree is locked or seeded
    let Some(commit) = resolve(workspace, side)? else {
        bail!("`{side}` is neither a folder nor a git revision");
    };
    let revisions = match revisions {
        Some(revisions) => revisions,
        None => revisions.insert(Revisions::open(workspace, package, build_timeout)?),
    };
    revisions.synthesize(side, &commit)
}
