//! `synth publish`: synthesize the whole homelab from the committed source and commit the
//! tree to the manifests branch. It never publishes a tree read from disk, so a stale or
//! partial `app/` cannot reach the branch.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use homelab_synth_publish::{
    AllowDelete, Credentials, Identity, PublishError, PublishOutcome, PublishRequest, SourceCommit,
    check_branch, publish, read_source,
};

use homelab_synth_core::{ClusterSettings, Workspace};

use crate::cmd::select::{ClusterArgs, SelectArgs};
use crate::{Reported, synthesize_all};

/// Options of `synth publish`.
#[derive(clap::Args, Debug)]
pub(crate) struct PublishArgs {
    /// `--cluster` is taken only to explain why publish refuses it.
    #[command(flatten)]
    pub(crate) clusters: ClusterArgs,
    /// Manifests repository, a URL or a path. Default: the source repository's `origin`.
    #[arg(long, value_name = "PATH|URL")]
    repo: Option<String>,
    /// Manifests branch. Default: `<source-branch>-manifests` (the source branch from `HEAD`,
    /// or `GITHUB_REF_NAME` on a detached head).
    #[arg(long, value_name = "NAME")]
    branch: Option<String>,
    /// Allow the removal of this app's directory (repeatable): the app's name (`comfyui`, on
    /// every cluster) or its directory (`main/comfyui`, on one cluster).
    #[arg(long = "allow-delete", value_name = "NAME")]
    allow_delete: Vec<String>,
    /// Allow the removal of any app directory.
    #[arg(long)]
    allow_delete_all: bool,
    /// Author of the manifests commit, `Name <email>`.
    #[arg(
        long,
        default_value = "homelab-synth <homelab-synth@users.noreply.github.com>"
    )]
    author: String,
    /// Committer of the manifests commit, `Name <email>`. Default: the author.
    #[arg(long)]
    committer: Option<String>,
    /// Environment variable holding the token for HTTPS remotes.
    #[arg(long, default_value = "GITHUB_TOKEN", value_name = "VAR")]
    token_env: String,
    /// User name sent with the token.
    #[arg(long, default_value = "x-access-token")]
    token_user: String,
    /// Fetch-and-push attempts before giving up when other publishers move the branch.
    #[arg(long, default_value_t = 5)]
    max_attempts: usize,
    /// Seconds each fetch or push may take before it is stopped (a server that never
    /// answers, a hook that hangs).
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Publish even though the work tree has uncommitted changes (the output would not match
    /// the source commit named in the manifests commit).
    #[arg(long)]
    allow_dirty: bool,
    /// Print what would be committed; push nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(crate) fn run<S: ClusterSettings + Default>(
    args: &PublishArgs,
    homelab: &Workspace<S>,
    select: &SelectArgs,
    workspace: &Path,
) -> anyhow::Result<()> {
    if !select.clusters.clusters.is_empty() {
        bail!(
            "publish commits every cluster's folder at once: with --cluster the other clusters' \
             folders would be missing from the commit, and so deleted from the branch; run it \
             without --cluster"
        );
    }
    let source = read_source(workspace)?;
    if !args.allow_dirty {
        ensure_clean(workspace)?;
    }
    // the binary's code is what gets published under the source commit
    crate::cmd::stale::refuse(homelab.build_info(), workspace)?;
    let branch = match &args.branch {
        Some(branch) => branch.clone(),
        None => default_branch(Some(&source))?,
    };
    // before the synthesis, which takes a while
    check_branch(&branch)?;
    let remote = match &args.repo {
        Some(repo) => repo.clone(),
        None => default_remote(Some(&source))?,
    };
    let credentials = std::env::var(&args.token_env)
        .ok()
        .filter(|token| !token.is_empty())
        .map(|token| Credentials {
            username: args.token_user.clone(),
            token,
        });
    let synthesized = synthesize_all(homelab, &select.selection(), workspace)?;
    let files = synthesized.files()?;
    let scratch = std::env::temp_dir();
    let author = identity(&args.author)?;
    // --allow-delete, and the source commit's reviewed `Allow-Delete:` trailers (CI)
    let mut allowed: BTreeSet<String> = args.allow_delete.iter().cloned().collect();
    for app in &source.allow_delete {
        eprintln!(
            "synth: the source commit allows deleting `{app}` ({}: {app})",
            homelab_synth_publish::ALLOW_DELETE_TRAILER
        );
        allowed.insert(app.clone());
    }
    let request = PublishRequest {
        files: &files,
        source: &source,
        source_repo: workspace,
        remote: &remote,
        branch: &branch,
        committer: match &args.committer {
            Some(committer) => identity(committer)?,
            None => author.clone(),
        },
        author,
        allow_delete: if args.allow_delete_all {
            AllowDelete::All
        } else if allowed.is_empty() {
            AllowDelete::Nothing
        } else {
            AllowDelete::Apps(allowed)
        },
        dry_run: args.dry_run,
        max_attempts: args.max_attempts,
        credentials,
        timeout: Duration::from_secs(args.timeout),
        scratch: &scratch,
    };
    let target = format!("{} {branch}", homelab_synth_publish::sanitize_url(&remote));
    match publish(&request) {
        Ok(PublishOutcome::Published {
            commit,
            changes,
            attempts,
        }) => {
            println!(
                "synth: published {} to {target}: {} added, {} changed, {} removed (attempt {attempts})",
                &commit[..12],
                changes.added.len(),
                changes.changed.len(),
                changes.removed.len()
            );
            Ok(())
        }
        Ok(PublishOutcome::Unchanged { tip }) => {
            println!(
                "synth: {target} already holds this output ({}); nothing to publish",
                &tip[..12]
            );
            Ok(())
        }
        Ok(PublishOutcome::Backwards { published_source }) => {
            println!(
                "synth: {target} holds output of source commit {published_source}, which is newer than \
                 (or unrelated to) {}; not publishing backwards",
                source.sha
            );
            Ok(())
        }
        Ok(PublishOutcome::DryRun {
            message,
            changes,
            files,
        }) => {
            println!("synth: dry run: would commit {files} files to {target}:\n");
            println!("{message}");
            for (sign, apps) in [
                ("+", &changes.added),
                ("~", &changes.changed),
                ("-", &changes.removed),
            ] {
                for app in apps {
                    println!("{sign} {app}/");
                }
            }
            Ok(())
        }
        Err(error @ PublishError::MassDeletion { .. }) => {
            eprintln!("synth: {error}");
            Err(Reported(1).into())
        }
        Err(error) => Err(error.into()),
    }
}

/// `<source-branch>-manifests`: the source branch from `HEAD`, or `GITHUB_REF_NAME` on a
/// detached head.
pub(crate) fn default_branch(source: Option<&SourceCommit>) -> anyhow::Result<String> {
    let source_branch = source
        .and_then(|source| source.branch.clone())
        .or_else(|| std::env::var("GITHUB_REF_NAME").ok())
        .context("HEAD is detached or there is no source repository: pass --branch")?;
    Ok(format!("{source_branch}-manifests"))
}

/// The source repository's `origin` URL.
pub(crate) fn default_remote(source: Option<&SourceCommit>) -> anyhow::Result<String> {
    source
        .and_then(|source| source.repo_url.clone())
        .context("the source repository has no `origin` remote: pass --repo")
}

/// `Name <email>` parsed.
fn identity(text: &str) -> anyhow::Result<Identity> {
    let (name, rest) = text
        .split_once('<')
        .with_context(|| format!("`{text}` is not `Name <email>`"))?;
    let email = rest
        .strip_suffix('>')
        .with_context(|| format!("`{text}` is not `Name <email>`"))?;
    Ok(Identity {
        name: name.trim().to_owned(),
        email: email.trim().to_owned(),
    })
}

/// Refuses a work tree with uncommitted changes to tracked files.
fn ensure_clean(workspace: &Path) -> anyhow::Result<()> {
    let repo =
        git2::Repository::discover(workspace).context("cannot open the source repository")?;
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let statuses = repo
        .statuses(Some(&mut options))
        .context("cannot read the work tree status")?;
    let dirty: Vec<String> = statuses
        .iter()
        .filter(|entry| entry.status() != git2::Status::CURRENT)
        .filter_map(|entry| entry.path().ok().map(str::to_owned))
        .collect();
    if dirty.is_empty() {
        return Ok(());
    }
    bail!(
        "the work tree has uncommitted changes ({}): the published output would not match \
         the source commit; commit them, or pass --allow-dirty",
        dirty.join(", ")
    )
}
