//! Why a publish failed. Messages never contain the token (see [`crate::redact`]).

use crate::server_output::ServerOutput;

/// A failed publish.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    /// The source repository could not be read.
    #[error("cannot read the source repository at `{path}`: {message}")]
    Source {
        /// The folder the repository was looked for from (the workspace).
        path: String,
        /// What git reported.
        message: String,
    },
    /// The branch name is not one git accepts for a branch (checked before anything runs).
    #[error("invalid branch name `{branch}`: {reason}")]
    InvalidBranch {
        /// The branch name, as given.
        branch: String,
        /// Which rule of git's it breaks.
        reason: String,
    },
    /// The scratch folder the commit is built in could not be made.
    #[error("cannot prepare a scratch repository in `{path}`: {message}")]
    Scratch {
        /// The parent folder the scratch folder was to be made in.
        path: String,
        /// What creating or locking the folder reported.
        message: String,
    },
    /// A git operation failed.
    #[error("cannot {action}: {message}")]
    Git {
        /// What was being done, completing "cannot ..." (`read the fetched branch`).
        action: String,
        /// What git reported, token masked.
        message: String,
    },
    /// The remote asked for credentials and none were accepted.
    #[error("authentication to {remote} failed: {message}")]
    Auth {
        /// The remote, as given (never with credentials).
        remote: String,
        /// What git reported, token masked.
        message: String,
    },
    /// The remote answered that there is no such repository.
    #[error(
        "repository {remote} not found (check --repo; a private repository the token cannot read looks the same)"
    )]
    NotFound {
        /// The remote, as given (never with credentials).
        remote: String,
    },
    /// A git process did not finish in time and was stopped.
    #[error(
        "timed out after {seconds} s waiting for {remote} to {action} (a pre-receive hook still running, or a server that accepts connections and never answers); raise the limit with --timeout SECS if the server is only slow"
    )]
    Timeout {
        /// What was being waited for (`answer a push`).
        action: String,
        /// The remote, as given (never with credentials).
        remote: String,
        /// The limit that passed.
        seconds: u64,
    },
    /// The server refused the update (a hook, a protected branch, a checked-out branch...).
    #[error("the remote rejected {reference}: {reason}{output}")]
    Rejected {
        /// The full name of the branch being updated (`refs/heads/...`).
        reference: String,
        /// What git reported for the reference, token masked.
        reason: String,
        /// The server's last lines (hook output), shown after the reason.
        output: ServerOutput,
    },
    /// The branch's lock file on the server stayed in place across every attempt.
    #[error(
        "the remote could not lock {reference}: its lock file `{lock}` exists; if no git process is running on that repository, a git process that died left it: remove that file and publish again (nothing was pushed)"
    )]
    StaleLock {
        /// The full name of the branch (`refs/heads/...`).
        reference: String,
        /// The lock file's path on the server, as the server named it.
        lock: String,
    },
    /// Whole app directories would disappear and were not allowed.
    #[error(
        "refusing to delete app(s) {}: removing an app directory deletes its Argo CD Application and every resource in it; allow it with --allow-delete NAME (the app's name, for every cluster, or `<cluster>/<app>` as listed here, for one) or --allow-delete-all",
        apps.join(", ")
    )]
    MassDeletion {
        /// The refused apps, as `<cluster>/<app>`.
        apps: Vec<String>,
    },
    /// Other publishers kept moving the branch.
    #[error("the branch moved during each of {attempts} attempts; giving up (nothing was pushed)")]
    RaceLost {
        /// How many times a commit was built and pushed.
        attempts: usize,
    },
}
