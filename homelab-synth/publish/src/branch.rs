//! The manifests branch name, checked locally before anything runs: what `git check-ref-format
//! --branch` accepts, without the spellings that name something else (`HEAD`, a full
//! `refs/...` name, an option).

use crate::error::PublishError;

/// Accepts a branch name git would create as `refs/heads/<branch>`.
pub fn check_branch(branch: &str) -> Result<(), PublishError> {
    let reason = if branch.is_empty() {
        Some("it is empty".to_owned())
    } else if branch == "HEAD" || branch == "@" {
        Some(format!(
            "`{branch}` names the checked-out commit, not a branch"
        ))
    } else if branch.starts_with("refs/") {
        Some(format!(
            "give the branch name without `refs/heads/` (`{}`)",
            branch.trim_start_matches("refs/heads/")
        ))
    } else if branch.starts_with('-') {
        Some("a branch name cannot start with `-`".to_owned())
    } else if !git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
        Some(
            "git refuses it as a branch name (no `..`, `@{`, `//`, spaces, control characters, \
             `~^:?*[\\`, a leading `.` or `/`, a trailing `/`, `.` or `.lock`; see git check-ref-format)"
                .to_owned(),
        )
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(PublishError::InvalidBranch {
            branch: branch.to_owned(),
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the real `git check-ref-format --branch` accepts `name`.
    fn git_accepts(name: &str) -> bool {
        std::process::Command::new("git")
            .args(["check-ref-format", "--branch", name])
            .current_dir(std::env::temp_dir())
            .output()
            .expect("run git check-ref-format")
            .status
            .success()
    }

    #[test]
    fn agrees_with_git_and_refuses_names_of_other_things() {
        for name in [
            "main-manifests",
            "manifests/prod",
            "a.b",
            "a@b",
            "../x",
            "a..b",
            "x/",
            "/x",
            ".x",
            "x/.y",
            "x.lock",
            "x y",
            "x~1",
            "x^",
            "x:y",
            "x?",
            "x*",
            "x[",
            "x\\y",
            "a//b",
            "x.",
            "a@{b",
            "tab\there",
        ] {
            assert_eq!(
                check_branch(name).is_ok(),
                git_accepts(name),
                "`{name}`: {:?}",
                check_branch(name)
            );
        }
        for name in ["HEAD", "refs/heads/x", "-x", "", "@"] {
            assert!(check_branch(name).is_err(), "{name}");
        }
        assert_eq!(
            check_branch("refs/heads/x").unwrap_err().to_string(),
            "invalid branch name `refs/heads/x`: give the branch name without `refs/heads/` (`x`)"
        );
    }
}
