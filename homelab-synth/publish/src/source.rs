//! The source side of a publish: the commit the output was synthesized from, read from the
//! workspace's git repository, and whether one source commit precedes another.

use std::path::Path;

use git2::{Oid, Repository};

use crate::error::PublishError;
use crate::redact::sanitize_url;

/// The commit a tree was synthesized from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceCommit {
    /// Full commit id.
    pub sha: String,
    /// Branch checked out, if any (detached heads have none).
    pub branch: Option<String>,
    /// URL of the `origin` remote, without credentials.
    pub repo_url: Option<String>,
    /// First line of the commit message.
    pub subject: String,
    /// `Name <email>` of the commit author.
    pub author: String,
    /// Apps the commit message allows publish to delete, one `Allow-Delete: NAME` trailer
    /// each (a pull request's merge commit, reviewed with the diff that flags the deletion).
    pub allow_delete: Vec<String>,
}

/// The trailer a source commit allows an app's deletion with.
pub const ALLOW_DELETE_TRAILER: &str = "Allow-Delete";

/// Reads `HEAD` of the repository containing `workspace`.
pub fn read_source(workspace: &Path) -> Result<SourceCommit, PublishError> {
    let error = |message: String| PublishError::Source {
        path: workspace.display().to_string(),
        message,
    };
    let repo = Repository::discover(workspace).map_err(|e| error(e.message().to_owned()))?;
    let head = repo.head().map_err(|e| error(e.message().to_owned()))?;
    let commit = head
        .peel_to_commit()
        .map_err(|e| error(e.message().to_owned()))?;
    let branch = if head.is_branch() {
        head.shorthand().ok().map(str::to_owned)
    } else {
        None
    };
    let repo_url = repo
        .find_remote("origin")
        .ok()
        .and_then(|remote| remote.url().ok().map(sanitize_url));
    let author = commit.author();
    let allow_delete = commit
        .message()
        .ok()
        .and_then(|message| git2::message_trailers_strs(message).ok())
        .map(|trailers| {
            trailers
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(ALLOW_DELETE_TRAILER))
                .flat_map(|(_, value)| value.split([',', ' ']).map(str::to_owned))
                .filter(|app| !app.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(SourceCommit {
        allow_delete,
        sha: commit.id().to_string(),
        branch,
        repo_url,
        subject: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or_default(),
            author.email().unwrap_or_default()
        ),
    })
}

/// Whether `earlier` is `later` or one of its ancestors in the repository at `repo_path`;
/// `None` when either commit is unknown there.
pub(crate) fn precedes(repo_path: &Path, earlier: &str, later: &str) -> Option<bool> {
    let repo = Repository::discover(repo_path).ok()?;
    let earlier = repo.find_commit(Oid::from_str(earlier).ok()?).ok()?.id();
    let later = repo.find_commit(Oid::from_str(later).ok()?).ok()?.id();
    if earlier == later {
        return Some(true);
    }
    repo.graph_descendant_of(later, earlier).ok()
}
