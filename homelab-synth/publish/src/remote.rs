//! Talking to the manifests remote through the real `git` transport, for URLs and local
//! paths alike (a path is pushed through `git-receive-pack`, so the target's hooks run and
//! `receive.denyCurrentBranch` holds): fetching the branch tip into the scratch repository,
//! and pushing the new commit with a lease on the tip that was read. Each git process has a
//! deadline. The token reaches git through a credential helper that reads it from the child's
//! environment: never an argument, a URL or a file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Oid, Repository};

use crate::error::PublishError;
use crate::git_process::{Finished, Unfinished, run_git};
use crate::push_answer::{Answer, classify};
use crate::redact::{Redactor, sanitize_url};
use crate::server_output::ServerOutput;

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
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The branch now points at the new commit.
    Done,
    /// The branch moved since it was fetched; fetch again and retry.
    Moved,
    /// The server could not take the branch's lock file `lock`; retry, it may be stale.
    Locked { lock: String },
}

/// The environment variables the credential helper reads.
const USERNAME_VARIABLE: &str = "SYNTH_PUBLISH_USERNAME";
const TOKEN_VARIABLE: &str = "SYNTH_PUBLISH_TOKEN";

/// A git credential helper answering `get` with the user name and token from its environment.
const CREDENTIAL_HELPER: &str = "!f() { test \"$1\" = get || exit 0; printf 'username=%s\\npassword=%s\\n' \"$SYNTH_PUBLISH_USERNAME\" \"$SYNTH_PUBLISH_TOKEN\"; }; f";

/// Remote operations against one URL or path.
pub(crate) struct Remote<'a> {
    /// What git is given: the URL, or the absolute path of a local remote.
    pub(crate) url: String,
    pub(crate) credentials: Option<&'a Credentials>,
    pub(crate) redactor: &'a Redactor,
    pub(crate) timeout: Duration,
}

impl<'a> Remote<'a> {
    /// The remote at `url` (a URL, a `file://` URL or a path, made absolute).
    pub(crate) fn new(
        url: &str,
        credentials: Option<&'a Credentials>,
        redactor: &'a Redactor,
        timeout: Duration,
    ) -> Self {
        let url = if url.contains("://") || scp_like(url) {
            url.to_owned()
        } else {
            std::path::absolute(url)
                .unwrap_or_else(|_| PathBuf::from(url))
                .display()
                .to_string()
        };
        Remote {
            url,
            credentials,
            redactor,
            timeout,
        }
    }

    /// The remote as it may be shown.
    fn shown(&self) -> String {
        sanitize_url(&self.url)
    }

    /// The new bare repository in `scratch` where commits are built and fetched into.
    pub(crate) fn scratch_repository(&self, scratch: &Path) -> Result<Repository, PublishError> {
        Repository::init_bare(scratch).map_err(|error| PublishError::Git {
            action: format!("create a scratch repository in {}", scratch.display()),
            message: self.redactor.clean(error.message()),
        })
    }

    /// Runs git in `repo` with the settings every transport call gets; `action` completes
    /// "waiting for <remote> to ..." in a timeout.
    fn git(&self, repo: &Path, action: &str, args: &[&str]) -> Result<Finished, PublishError> {
        let seconds = self.timeout.as_secs().max(1);
        let mut config = vec![
            // only our helper answers, and only when there is a token
            "credential.helper=".to_owned(),
            "core.askPass=".to_owned(),
            // curl gives up on a stalled transfer by itself too, even if we were killed
            "http.lowSpeedLimit=1".to_owned(),
            format!("http.lowSpeedTime={seconds}"),
            "gc.auto=0".to_owned(),
            "maintenance.auto=false".to_owned(),
            "push.gpgSign=false".to_owned(),
            "push.useForceIfIncludes=false".to_owned(),
        ];
        let mut env = Vec::new();
        if let Some(credentials) = self.credentials {
            config.push(format!("credential.helper={CREDENTIAL_HELPER}"));
            env.push((USERNAME_VARIABLE, credentials.username.as_str()));
            env.push((TOKEN_VARIABLE, credentials.token.as_str()));
        }
        match run_git(repo, &config, args, &env, self.timeout) {
            Ok(finished) => Ok(finished),
            Err(Unfinished::TimedOut) => Err(PublishError::Timeout {
                action: action.to_owned(),
                remote: self.shown(),
                seconds: self.timeout.as_secs(),
            }),
            Err(Unfinished::Spawn(error)) => Err(PublishError::Git {
                action: "run git".to_owned(),
                message: format!("{error} (publishing needs the git command on PATH)"),
            }),
        }
    }

    /// Fetches `branch` into `repo`; returns its tip, or `None` when the branch does not
    /// exist yet.
    pub(crate) fn fetch_tip(
        &self,
        repo: &Repository,
        branch: &str,
    ) -> Result<Option<Oid>, PublishError> {
        let tracking = format!("refs/remotes/target/{branch}");
        let refspec = format!("+refs/heads/{branch}:{tracking}");
        let finished = self.git(
            repo.path(),
            "answer a fetch",
            &[
                "fetch",
                "--no-tags",
                "--no-write-fetch-head",
                "--",
                &self.url,
                &refspec,
            ],
        )?;
        if !finished.success {
            if finished.stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(self.failure("fetch from", &finished.stderr));
        }
        // git wrote the ref and the objects; read them through a fresh handle
        let fresh = Repository::open_bare(repo.path()).map_err(|error| PublishError::Git {
            action: "read the fetched branch".into(),
            message: error.message().to_owned(),
        })?;
        Ok(fresh
            .find_reference(&tracking)
            .ok()
            .and_then(|reference| reference.target()))
    }

    /// Moves the remote `branch` from `expected` (or from not existing) to `commit`, which
    /// must be in `repo`. The lease makes the server compare the old value atomically.
    pub(crate) fn push(
        &self,
        repo: &Repository,
        branch: &str,
        expected: Option<Oid>,
        commit: Oid,
    ) -> Result<Pushed, PublishError> {
        let reference = format!("refs/heads/{branch}");
        let lease = format!(
            "--force-with-lease={reference}:{}",
            expected.map(|oid| oid.to_string()).unwrap_or_default()
        );
        let refspec = format!("{commit}:{reference}");
        let finished = self.git(
            repo.path(),
            "answer a push",
            &[
                "push",
                "--porcelain",
                "--no-verify",
                &lease,
                "--",
                &self.url,
                &refspec,
            ],
        )?;
        let server = ServerOutput::from_stderr(&finished.stderr, self.redactor);
        // `<flag>\t<from>:<to>\t<summary>` for our ref, in the porcelain output
        let status = finished.stdout.lines().find_map(|line| {
            let mut fields = line.split('\t');
            let flag = fields.next()?;
            let (_, to) = fields.next()?.split_once(':')?;
            (to == reference).then(|| (flag.to_owned(), fields.next().unwrap_or("").to_owned()))
        });
        match status {
            Some((flag, _)) if finished.success && flag != "!" => Ok(Pushed::Done),
            Some((flag, summary)) if flag == "!" => match classify(&summary, &server.lines) {
                Answer::Moved => Ok(Pushed::Moved),
                Answer::Locked { lock } => Ok(Pushed::Locked { lock }),
                Answer::Rejected { reason } => Err(PublishError::Rejected {
                    reference,
                    reason: self.redactor.clean(&reason),
                    output: server,
                }),
            },
            _ => Err(self.failure("push to", &finished.stderr)),
        }
    }

    /// What a failed fetch or push means: no credentials, a rejected token, no such
    /// repository, or another failure with git's own words.
    fn failure(&self, action: &str, stderr: &str) -> PublishError {
        let said: Vec<String> = stderr
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("remote:"))
            .map(|line| self.redactor.clean(line))
            .collect();
        let lower = stderr.to_ascii_lowercase();
        let message = said
            .iter()
            .rev()
            .take(crate::server_output::KEPT_LINES)
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        let auth = |message: String| PublishError::Auth {
            remote: self.shown(),
            message,
        };
        if lower.contains("could not read username") || lower.contains("could not read password") {
            return auth(match self.credentials {
                None => "the remote asked for credentials; set the token environment variable"
                    .to_owned(),
                Some(_) => "the remote asked for credentials again".to_owned(),
            });
        }
        if lower.contains("authentication failed") || lower.contains("error: 401") {
            return auth("the token was rejected".to_owned());
        }
        if lower.contains("error: 403") || lower.contains("permission denied (publickey") {
            return auth(format!("permission denied ({message})"));
        }
        if (lower.contains("repository '") && lower.contains("' not found"))
            || lower.contains("repository not found")
            || lower.contains("does not appear to be a git repository")
            || lower.contains("error: 404")
        {
            return PublishError::NotFound {
                remote: self.shown(),
            };
        }
        PublishError::Git {
            action: format!("{action} {}", self.shown()),
            message,
        }
    }
}

/// `host:path` (git's scp-like ssh syntax): a `:` before any `/`.
fn scp_like(url: &str) -> bool {
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_absolute_and_urls_stay() {
        let redactor = Redactor::default();
        let remote = |url: &str| Remote::new(url, None, &redactor, Duration::from_secs(1)).url;
        assert!(remote("manifests.git").starts_with('/'));
        assert_eq!(remote("/srv/m.git"), "/srv/m.git");
        assert_eq!(remote("file:///srv/m.git"), "file:///srv/m.git");
        assert_eq!(remote("git@github.com:o/r.git"), "git@github.com:o/r.git");
        assert_eq!(remote("https://h/o/r.git"), "https://h/o/r.git");
    }
}
