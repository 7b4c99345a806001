//! Talking to the manifests remote: fetching the branch tip and pushing the new commit, with
//! credentials given once through the credentials callback (libgit2 ignores
//! `http.extraHeader`), and a classification of push results into success, lost race and
//! rejection.

use std::cell::Cell;

use git2::{Cred, CredentialType, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository};

use crate::error::PublishError;
use crate::redact::{Redactor, sanitize_url};

/// A token for HTTPS remotes, offered once as `username:token` basic auth.
#[derive(Clone)]
pub struct Credentials {
    /// User name sent with the token (`x-access-token` for GitHub tokens).
    pub username: String,
    /// The token; never printed.
    pub token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("token", &"***")
            .finish()
    }
}

/// Result of one push attempt.
pub(crate) enum Pushed {
    /// The branch now points at the new commit.
    Done,
    /// The branch moved since it was fetched; fetch again and retry.
    Moved,
}

/// Remote operations against one URL or path.
pub(crate) struct Remote<'a> {
    pub(crate) url: &'a str,
    pub(crate) credentials: Option<&'a Credentials>,
    pub(crate) redactor: &'a Redactor,
}

impl Remote<'_> {
    fn callbacks<'cb>(&'cb self, asked: &'cb Cell<u32>) -> RemoteCallbacks<'cb> {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |_url, _username, allowed| {
            asked.set(asked.get() + 1);
            match self.credentials {
                // one attempt only: a rejected token is an error, never a loop
                Some(credentials)
                    if asked.get() == 1
                        && allowed.contains(CredentialType::USER_PASS_PLAINTEXT) =>
                {
                    Cred::userpass_plaintext(&credentials.username, &credentials.token)
                }
                _ => Err(git2::Error::from_str("credentials were not accepted")),
            }
        });
        callbacks
    }

    fn auth_or_git(&self, action: &str, error: &git2::Error, asked: u32) -> PublishError {
        let message = self.redactor.clean(error.message());
        if asked > 0 || error.code() == git2::ErrorCode::Auth {
            let message = match (self.credentials, asked) {
                (None, _) => format!(
                    "{message} (the remote asked for credentials; set the token environment variable)"
                ),
                (Some(_), _) => format!("{message} (the token was rejected)"),
            };
            return PublishError::Auth {
                remote: sanitize_url(self.url),
                message,
            };
        }
        PublishError::Git {
            action: format!("{action} {}", sanitize_url(self.url)),
            message,
        }
    }

    /// Whether the remote is a folder on this machine (a path or `file://` URL).
    pub(crate) fn is_local(&self) -> bool {
        local_path(self.url).is_some()
    }

    /// The repository commits are built in: a local remote itself, or a new bare repository
    /// in `scratch` that fetches from and pushes to a network remote.
    pub(crate) fn repository(&self, scratch: &std::path::Path) -> Result<Repository, PublishError> {
        let opened = match local_path(self.url) {
            Some(path) => Repository::open_bare(path),
            None => Repository::init_bare(scratch),
        };
        opened.map_err(|e| self.auth_or_git("open the repository for", &e, 0))
    }

    /// Fetches `branch` into `repo`; returns its tip, or `None` when the branch does not
    /// exist yet. A local remote is read directly.
    pub(crate) fn fetch_tip(
        &self,
        repo: &Repository,
        branch: &str,
    ) -> Result<Option<Oid>, PublishError> {
        if self.is_local() {
            return Ok(repo
                .find_reference(&format!("refs/heads/{branch}"))
                .ok()
                .and_then(|reference| reference.target()));
        }
        let tracking = format!("refs/remotes/target/{branch}");
        if let Ok(mut stale) = repo.find_reference(&tracking) {
            let _ = stale.delete();
        }
        let asked = Cell::new(0);
        let mut remote = repo
            .remote_anonymous(self.url)
            .map_err(|e| self.auth_or_git("open remote", &e, 0))?;
        let mut options = FetchOptions::new();
        options.remote_callbacks(self.callbacks(&asked));
        remote
            .fetch(
                &[format!("+refs/heads/{branch}:{tracking}")],
                Some(&mut options),
                None,
            )
            .map_err(|e| self.auth_or_git("fetch from", &e, asked.get()))?;
        Ok(repo
            .find_reference(&tracking)
            .ok()
            .and_then(|reference| reference.target()))
    }

    /// Moves the remote `branch` from `expected` (or from not existing) to `commit`.
    ///
    /// Servers (git receive-pack) check the old value atomically; a network remote gets a
    /// fast-forward push of the scratch repository's branch. libgit2's transport for local
    /// paths does not check it, so a local remote is not pushed to: the commit was built in
    /// that repository itself (see [`Remote::repository`]) and the branch moves with a
    /// compare-and-swap.
    pub(crate) fn push(
        &self,
        repo: &Repository,
        branch: &str,
        expected: Option<Oid>,
        commit: Oid,
    ) -> Result<Pushed, PublishError> {
        let reference = format!("refs/heads/{branch}");
        if !self.is_local() {
            repo.reference(&reference, commit, true, "synth publish")
                .map_err(|e| self.auth_or_git("stage the commit in", &e, 0))?;
            return self.push_refspec(repo, &format!("{reference}:{reference}"), &reference);
        }
        let swapped = match expected {
            Some(old) => repo.reference_matching(&reference, commit, true, old, "synth publish"),
            None => repo.reference(&reference, commit, false, "synth publish"),
        };
        match swapped {
            Ok(_) => Ok(Pushed::Done),
            Err(error)
                if is_moved(error.message())
                    || matches!(
                        error.code(),
                        git2::ErrorCode::Exists
                            | git2::ErrorCode::Modified
                            | git2::ErrorCode::Locked
                    ) =>
            {
                Ok(Pushed::Moved)
            }
            Err(error) => Err(PublishError::Rejected {
                reference,
                message: self.redactor.clean(error.message()),
            }),
        }
    }

    fn push_refspec(
        &self,
        repo: &Repository,
        refspec: &str,
        reference: &str,
    ) -> Result<Pushed, PublishError> {
        let reference = reference.to_owned();
        let asked = Cell::new(0);
        let rejection: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
        let mut remote = repo
            .remote_anonymous(self.url)
            .map_err(|e| self.auth_or_git("open remote", &e, 0))?;
        let remote_says = std::cell::RefCell::new(String::new());
        let mut callbacks = self.callbacks(&asked);
        // what the server prints (hook output) arrives on the side band
        callbacks.sideband_progress(|data| {
            remote_says
                .borrow_mut()
                .push_str(&String::from_utf8_lossy(data));
            true
        });
        callbacks.push_update_reference(|_name, status| {
            if let Some(status) = status {
                *rejection.borrow_mut() = Some(status.to_owned());
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        let result = remote.push(&[refspec], Some(&mut options));
        drop(options);
        let remote_says = remote_says.into_inner();
        let explained = |message: String| {
            let said = remote_says.trim();
            if said.is_empty() {
                message
            } else {
                format!(
                    "{message} (remote said: {})",
                    self.redactor.clean(&said.replace('\n', "; "))
                )
            }
        };
        if let Err(error) = result {
            if is_moved(error.message()) || error.code() == git2::ErrorCode::NotFastForward {
                return Ok(Pushed::Moved);
            }
            let message = self.redactor.clean(error.message());
            if message.contains("hook declined") || message.contains("rejected") {
                return Err(PublishError::Rejected {
                    reference,
                    message: explained(message),
                });
            }
            return Err(self.auth_or_git("push to", &error, asked.get()));
        }
        match rejection.into_inner() {
            None => Ok(Pushed::Done),
            Some(status) if is_moved(&status) => Ok(Pushed::Moved),
            Some(status) => Err(PublishError::Rejected {
                reference,
                message: explained(self.redactor.clean(&status)),
            }),
        }
    }
}

/// The folder of a remote given as a path or `file://` URL; `None` for network remotes.
fn local_path(url: &str) -> Option<&str> {
    if let Some(path) = url.strip_prefix("file://") {
        return Some(path);
    }
    (!url.contains("://") && !url.contains('@')).then_some(url)
}

/// Whether a push error or status means another commit got there first.
fn is_moved(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "non-fast-forward",
        "non-fastforward",
        "fetch first",
        "failed to lock",
        "cannot lock ref",
        "already exists",
        "locked file",
        "old reference value does not match",
        "changed since",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}
