//! The publish loop: fetch the branch, refuse to go backwards, build the commit, guard
//! against mass deletion, push as a fast-forward, and retry when another publisher moved the
//! branch in between.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use git2::{Oid, Repository, Signature};

use crate::branch::check_branch;
use crate::changes::AppChanges;
use crate::error::PublishError;
use crate::metadata::{SOURCE_COMMIT_TRAILER, hydrator_metadata, source_commit_of};
use crate::redact::Redactor;
use crate::remote::{Credentials, Pushed, Remote};
use crate::scratch::Scratch;
use crate::source::{SourceCommit, precedes};
use crate::tree::{app_trees, write_tree};

/// The file beside the app directories that names the source commit.
const METADATA_FILE: &str = "hydrator.metadata";

/// Which app directories may disappear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AllowDelete {
    /// None: removing an app is refused.
    #[default]
    Nothing,
    /// Only these apps: an app's name (`comfyui`: that app on every cluster) or its
    /// directory (`main/comfyui`: on one cluster).
    Apps(BTreeSet<String>),
    /// Any app.
    All,
}

/// Name and email for the author or committer of manifests commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// Everything one publish needs.
#[derive(Debug)]
pub struct PublishRequest<'a> {
    /// The synthesized tree: `<app>/<file>` → content.
    pub files: &'a BTreeMap<String, Vec<u8>>,
    /// The commit the tree was synthesized from.
    pub source: &'a SourceCommit,
    /// The source repository, to tell whether one source commit precedes another.
    pub source_repo: &'a Path,
    /// Manifests repository: a URL or a path (pushed through `git-receive-pack` like any
    /// remote, so its hooks run).
    pub remote: &'a str,
    /// Manifests branch.
    pub branch: &'a str,
    /// Author of the commit.
    pub author: Identity,
    /// Committer of the commit.
    pub committer: Identity,
    /// Which app removals are allowed.
    pub allow_delete: AllowDelete,
    /// Build the commit but push nothing.
    pub dry_run: bool,
    /// How many times to fetch and push before giving up on a moving branch.
    pub max_attempts: usize,
    /// Token for HTTPS remotes.
    pub credentials: Option<Credentials>,
    /// Where each git process talking to the remote is stopped.
    pub timeout: Duration,
    /// The folder (usually the system's temporary folder) in which the scratch repository
    /// that builds the commit is made, and where scratch repositories of killed publishes
    /// are removed.
    pub scratch: &'a Path,
}

/// What a publish did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishOutcome {
    /// A new commit was pushed.
    Published {
        /// Its id.
        commit: String,
        /// Apps it added, changed and removed.
        changes: AppChanges,
        /// Attempts it took (more than 1 after lost races).
        attempts: usize,
    },
    /// The branch already holds exactly this output.
    Unchanged {
        /// The branch tip.
        tip: String,
    },
    /// The branch holds output of a newer (or unrelated) source commit; nothing was pushed.
    Backwards {
        /// Source commit of the branch tip.
        published_source: String,
    },
    /// `dry_run`: what would have been committed.
    DryRun {
        /// The commit message.
        message: String,
        /// Apps it would add, change and remove.
        changes: AppChanges,
        /// Number of files in the tree (apps' files plus the metadata file).
        files: usize,
    },
}

/// Publishes `request.files` to `request.branch` of `request.remote`.
pub fn publish(request: &PublishRequest<'_>) -> Result<PublishOutcome, PublishError> {
    check_branch(request.branch)?;
    let redactor = Redactor::new(request.credentials.as_ref().map(|c| c.token.as_str()));
    let git = |action: &str| {
        let redactor = redactor.clone();
        let action = action.to_owned();
        move |error: git2::Error| PublishError::Git {
            action,
            message: redactor.clean(error.message()),
        }
    };
    let remote = Remote::new(
        request.remote,
        request.credentials.as_ref(),
        &redactor,
        request.timeout,
    );
    let scratch = Scratch::create(request.scratch)?;
    let repo = remote.scratch_repository(&scratch.repository())?;
    let mut files = request.files.clone();
    files.insert(METADATA_FILE.to_owned(), hydrator_metadata(request.source));
    let tree = write_tree(&repo, &files).map_err(git("write the tree"))?;
    let new_apps = app_trees(&repo, tree).map_err(git("read the new tree"))?;

    let attempts = request.max_attempts.max(1);
    let mut held_lock = None;
    for attempt in 1..=attempts {
        let tip = remote.fetch_tip(&repo, request.branch)?;
        let old_apps = match tip {
            Some(tip) => {
                let commit = repo.find_commit(tip).map_err(git("read the branch tip"))?;
                if let Some(published) = source_commit_of(commit.message().unwrap_or_default())
                    && precedes(request.source_repo, &published, &request.source.sha) != Some(true)
                {
                    return Ok(PublishOutcome::Backwards {
                        published_source: published,
                    });
                }
                app_trees(&repo, commit.tree_id()).map_err(git("read the branch tree"))?
            }
            None => BTreeMap::new(),
        };
        let changes = AppChanges::between(&old_apps, &new_apps);
        if let (Some(tip), true) = (tip, changes.is_empty()) {
            return Ok(PublishOutcome::Unchanged {
                tip: tip.to_string(),
            });
        }
        check_deletions(&changes, &request.allow_delete)?;
        let message = commit_message(request.source, &changes);
        if request.dry_run {
            return Ok(PublishOutcome::DryRun {
                message,
                changes,
                files: files.len(),
            });
        }
        let commit =
            make_commit(&repo, request, tree, tip, &message).map_err(git("create the commit"))?;
        match remote.push(&repo, request.branch, tip, commit)? {
            Pushed::Done => {
                return Ok(PublishOutcome::Published {
                    commit: commit.to_string(),
                    changes,
                    attempts: attempt,
                });
            }
            Pushed::Moved => held_lock = None,
            Pushed::Locked { lock } => {
                // another receive-pack may hold it for a moment; a lock that stays is stale
                held_lock = Some(lock);
                if attempt < attempts {
                    std::thread::sleep(Duration::from_millis(100 * attempt as u64));
                }
            }
        }
    }
    Err(match held_lock {
        Some(lock) => PublishError::StaleLock {
            reference: format!("refs/heads/{}", request.branch),
            lock,
        },
        None => PublishError::RaceLost { attempts },
    })
}

fn check_deletions(changes: &AppChanges, allow: &AllowDelete) -> Result<(), PublishError> {
    let refused: Vec<String> = changes
        .removed
        .iter()
        .filter(|app| match allow {
            AllowDelete::All => false,
            AllowDelete::Apps(apps) => !allows(apps, app),
            AllowDelete::Nothing => true,
        })
        .cloned()
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(PublishError::MassDeletion { apps: refused })
    }
}

/// Whether `allowed` names the app directory `app` (`main/comfyui`) by its path or by its
/// app name (`comfyui`).
fn allows(allowed: &BTreeSet<String>, app: &str) -> bool {
    let name = app.rsplit('/').next().unwrap_or(app);
    allowed.contains(app) || allowed.contains(name)
}

fn make_commit(
    repo: &Repository,
    request: &PublishRequest<'_>,
    tree: Oid,
    parent: Option<Oid>,
    message: &str,
) -> Result<Oid, git2::Error> {
    let author = Signature::now(&request.author.name, &request.author.email)?;
    let committer = Signature::now(&request.committer.name, &request.committer.email)?;
    let tree = repo.find_tree(tree)?;
    let parents = match parent {
        Some(parent) => vec![repo.find_commit(parent)?],
        None => Vec::new(),
    };
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &author, &committer, message, &tree, &parents)
}

/// `synth: publish <short sha>` with the apps that changed and the source trailer.
pub(crate) fn commit_message(source: &SourceCommit, changes: &AppChanges) -> String {
    let short = &source.sha[..source.sha.len().min(12)];
    let mut message = format!(
        "synth: publish {short} ({} app{} changed)\n\n",
        changes.count(),
        if changes.count() == 1 { "" } else { "s" }
    );
    for (label, apps) in [
        ("Added", &changes.added),
        ("Changed", &changes.changed),
        ("Removed", &changes.removed),
    ] {
        if !apps.is_empty() {
            message.push_str(&format!("{label}: {}\n", apps.join(", ")));
        }
    }
    message.push_str(&format!(
        "\nSource: {}\n\n{SOURCE_COMMIT_TRAILER}: {}\n",
        source.subject, source.sha
    ));
    message
}
