//! Why a publish failed. Messages never contain the token (see [`crate::redact`]).

/// A failed publish.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    /// The source repository could not be read.
    #[error("cannot read the source repository at `{path}`: {message}")]
    Source { path: String, message: String },
    /// A git operation failed.
    #[error("cannot {action}: {message}")]
    Git { action: String, message: String },
    /// The remote asked for credentials and none were accepted.
    #[error("authentication to {remote} failed: {message}")]
    Auth { remote: String, message: String },
    /// The server refused the update (a hook, a protected branch...).
    #[error("the remote rejected {reference}: {message}")]
    Rejected { reference: String, message: String },
    /// Whole app directories would disappear and were not allowed.
    #[error(
        "refusing to delete app(s) {}: removing an app directory deletes its Argo CD Application and every resource in it; allow it with --allow-delete NAME (or --allow-delete-all)",
        apps.join(", ")
    )]
    MassDeletion { apps: Vec<String> },
    /// Other publishers kept moving the branch.
    #[error("the branch moved during each of {attempts} attempts; giving up (nothing was pushed)")]
    RaceLost { attempts: usize },
}
