//! Why a publish failed. Messages never contain the token (see [`crate::redact`]).

use crate::server_output::ServerOutput;

/// A failed publish.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    /// The source repository could not be read.
    #[error("cannot read the source repository at `{path}`: {message}")]
    Source { path: String, message: String },
    /// The branch name is not one git accepts for a branch (checked before anything runs).
    #[error("invalid branch name `{branch}`: {reason}")]
    InvalidBranch { branch: String, reason: String },
    /// The scratch folder the commit is built in could not be made.
    #[error("cannot prepare a scratch repository in `{path}`: {message}")]
    Scratch { path: String, message: String },
    /// A git operation failed.
    #[error("cannot {action}: {message}")]
    Git { action: String, message: String },
    /// The remote asked for credentials and none were accepted.
    #[error("authentication to {remote} failed: {message}")]
    Auth { remote: String, message: String },
    /// The remote answered that there is no such repository.
    #[error(
        "repository {remote} not found (check --repo; a private repository the token cannot read looks the same)"
    )]
    NotFound { remote: String },
    /// A git process did not finish in time and was stopped.
    #[error(
        "timed out after {seconds} s waiting for {remote} to {action} (a pre-receive hook still running, or a server that accepts connections and never answers); raise the limit with --timeout SECS if the server is only slow"
    )]
    Timeout {
        action: String,
        remote: String,
        seconds: u64,
    },
    /// The server refused the update (a hook, a protected branch, a checked-out branch...).
    #[error("the remote rejected {reference}: {reason}{output}")]
    Rejected {
        reference: String,
        reason: String,
        output: ServerOutput,
    },
    /// The branch's lock file on the server stayed in place across every attempt.
    #[error(
        "the remote could not lock {reference}: its lock file `{lock}` exists; if no git process is running on that repository, a git process that died left it: remove that file and publish again (nothing was pushed)"
    )]
    StaleLock { reference: String, lock: String },
    /// Whole app directories would disappear and were not allowed.
    #[error(
        "refusing to delete app(s) {}: removing an app directory deletes its Argo CD Application and every resource in it; allow it with --allow-delete NAME (the app's name, for every cluster, or `<cluster>/<app>` as listed here, for one) or --allow-delete-all",
        apps.join(", ")
    )]
    MassDeletion { apps: Vec<String> },
    /// Other publishers kept moving the branch.
    #[error("the branch moved during each of {attempts} attempts; giving up (nothing was pushed)")]
    RaceLost { attempts: usize },
}
