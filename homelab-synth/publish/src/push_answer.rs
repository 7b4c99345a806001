//! What a server's answer to a push means: the branch moved under us (a race: fetch and try
//! again), the branch's lock file is held (retry; stale if it stays), or a policy rejection
//! (stop). Servers word a lost race many ways; every wording seen from git, libgit2 and the
//! hosting services is a race here, and only the reason git reports for the ref decides, so
//! that a hook's own output can never turn a rejection into a retry loop.

/// The meaning of a rejected push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Another commit got there first.
    Moved,
    /// The server could not take the branch's lock: `lock` is the file it named.
    Locked { lock: String },
    /// A policy refused the update; `reason` is what git reported for the ref.
    Rejected { reason: String },
}

/// Reasons that mean "the ref is not where you said it was".
const MOVED: &[&str] = &[
    "stale info",
    "fetch first",
    "non-fast-forward",
    "non-fastforward",
    "not a fast-forward",
    "cannot lock ref",
    "failed to lock",
    "but expected",
    "already exists",
    "changed since",
    "old reference value does not match",
    "incorrect old value",
    "does not point to expected",
    "expected old",
    "ref has changed",
];

/// Reasons that say only that the update failed; the server's error lines tell why.
const GENERIC: &[&str] = &[
    "failed to update ref",
    "failed to update",
    "unable to update",
];

/// Classifies the rejection of one ref: `summary` is git's porcelain summary for it
/// (`[remote rejected] (failed to update ref)`), `server` the lines the server printed.
pub(crate) fn classify(summary: &str, server: &[String]) -> Answer {
    let reason = reason_of(summary);
    let lower = reason.to_ascii_lowercase();
    let generic = GENERIC.iter().any(|word| lower.contains(word));
    // receive-pack reports a failed ref transaction generically and prints the cause as an
    // `error:` line; a hook's output is not consulted for any other reason
    let causes: Vec<&str> = std::iter::once(reason.as_str())
        .chain(
            server
                .iter()
                .filter(|_| generic)
                .filter_map(|line| line.strip_prefix("error:"))
                .map(str::trim),
        )
        .collect();
    if let Some(lock) = causes.iter().find_map(|cause| lock_file(cause)) {
        return Answer::Locked { lock };
    }
    let moved = causes.iter().any(|cause| {
        let cause = cause.to_ascii_lowercase();
        MOVED.iter().any(|word| cause.contains(word))
    });
    if moved {
        Answer::Moved
    } else {
        Answer::Rejected { reason }
    }
}

/// `failed to update ref` from `[remote rejected] (failed to update ref)`.
fn reason_of(summary: &str) -> String {
    let summary = summary.trim();
    match (summary.find('('), summary.rfind(')')) {
        (Some(open), Some(close)) if open < close => summary[open + 1..close].trim().to_owned(),
        _ => summary.to_owned(),
    }
}

/// The lock file named by `Unable to create '<path>.lock': File exists.`
fn lock_file(cause: &str) -> Option<String> {
    let start = cause.find("Unable to create '")? + "Unable to create '".len();
    let rest = &cause[start..];
    let end = rest.find("': File exists")?;
    let path = &rest[..end];
    path.ends_with(".lock").then(|| path.replace("/./", "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|line| (*line).to_owned()).collect()
    }

    #[test]
    fn every_wording_of_a_moved_ref_is_a_race() {
        for summary in [
            "[rejected] (stale info)",
            "[rejected] (fetch first)",
            "[rejected] (non-fast-forward)",
            "[remote rejected] (cannot lock ref 'refs/heads/m': is at 3bba589 but expected 8025296)",
            "[remote rejected] (cannot lock ref 'refs/heads/m': reference already exists)",
            "[remote rejected] (failed to lock)",
            "[remote rejected] (incorrect old value provided)",
            "[remote rejected] (reference does not point to expected object)",
        ] {
            assert_eq!(classify(summary, &[]), Answer::Moved, "{summary}");
        }
        // git's receive-pack: a generic reason, the cause on an error line
        let server = lines(&[
            "hook ran",
            "error: cannot lock ref 'refs/heads/m': is at 3bba5899 but expected 802529ff",
        ]);
        assert_eq!(
            classify("[remote rejected] (failed to update ref)", &server),
            Answer::Moved
        );
    }

    #[test]
    fn a_held_lock_file_is_named() {
        let server = lines(&[
            "error: cannot lock ref 'refs/heads/m': Unable to create '/srv/r.git/./refs/heads/m.lock': File exists.",
            "",
            "Another git process seems to be running in this repository, e.g.",
        ]);
        assert_eq!(
            classify("[remote rejected] (failed to update ref)", &server),
            Answer::Locked {
                lock: "/srv/r.git/refs/heads/m.lock".into()
            }
        );
    }

    #[test]
    fn policy_rejections_stop_whatever_the_hook_printed() {
        let server = lines(&["error: cannot lock ref: this branch is frozen, fetch first"]);
        assert_eq!(
            classify("[remote rejected] (pre-receive hook declined)", &server),
            Answer::Rejected {
                reason: "pre-receive hook declined".into()
            }
        );
        assert_eq!(
            classify("[remote rejected] (branch is currently checked out)", &[]),
            Answer::Rejected {
                reason: "branch is currently checked out".into()
            }
        );
        assert_eq!(
            classify(
                "[remote rejected] (failed to update ref)",
                &lines(&["error: unable to write: No space left on device"])
            ),
            Answer::Rejected {
                reason: "failed to update ref".into()
            }
        );
    }
}
