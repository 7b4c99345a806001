//! How publish reads what a real git server answers, over smart HTTP and for a local path
//! (both go through `git-receive-pack`, so hooks run): a branch moved during the push is a
//! race to retry, a hook's or the server's refusal stops with the server's last lines, a held
//! lock file is named, a missing repository is "not found".

use std::path::Path;

use crate::support::{
    BRANCH, HttpServer, Setup, bare_repo, branch_tree, expect_published, git, source_repo, tree,
    write_hook,
};
use homelab_synth_publish::{Credentials, KEPT_LINES, PublishError, PublishOutcome};

const TOKEN: &str = "token-s3cr3t";

fn with_token(mut setup: Setup) -> Setup {
    setup.credentials = Some(Credentials {
        username: "x-access-token".into(),
        token: TOKEN.into(),
    });
    setup
}

/// Publishes a first commit, then makes another publisher's commit `Y` on top of it and
/// puts the branch back, with a pre-receive hook that moves the branch to `Y` during the next
/// push, once. That push must fetch `Y` and publish on top of it.
fn branch_moved_during_the_push(bare: &Path, url: &str, token: bool) {
    let (source, commits) = source_repo(3);
    let setup = |index: usize, variant: &str| {
        let setup = Setup::new(
            source.path(),
            &commits[index],
            url,
            tree(&["a", "b"], variant),
        );
        if token { with_token(setup) } else { setup }
    };
    let (first, _) = expect_published(setup(0, "v0").run());
    let (other, _) = expect_published(setup(1, "v1").run());
    git(bare, &["update-ref", "refs/keep/other", &other]);
    git(
        bare,
        &["update-ref", &format!("refs/heads/{BRANCH}"), &first],
    );
    let marker = bare.join("moved-once");
    write_hook(
        bare,
        "pre-receive",
        &format!(
            "#!/bin/sh\ncat >/dev/null\nif [ ! -e '{marker}' ]; then\n  : > '{marker}'\n  unset GIT_QUARANTINE_PATH\n  git update-ref refs/heads/{BRANCH} {other}\n  echo 'another publisher moved the branch'\nfi\nexit 0\n",
            marker = marker.display()
        ),
    );

    match setup(2, "v2").run() {
        Ok(PublishOutcome::Published {
            commit, attempts, ..
        }) => {
            assert_eq!(attempts, 2, "the lost race was retried once");
            assert_eq!(git(bare, &["rev-parse", BRANCH]), commit);
            assert_eq!(
                git(bare, &["rev-parse", &format!("{commit}^")]),
                other,
                "published on top of the other publisher's commit"
            );
        }
        other => panic!("expected a publish after one lost race, got {other:?}"),
    }
    assert!(marker.exists(), "the hook ran");
    let published = branch_tree(bare);
    assert_eq!(
        published["a/Deployment.a.yaml"],
        b"kind: Deployment # v2\n".to_vec()
    );
}

#[test]
fn a_branch_moved_during_the_push_of_a_local_path_is_fetched_and_published_again() {
    let remote = bare_repo();
    branch_moved_during_the_push(remote.path(), remote.path().to_str().unwrap(), false);
}

#[test]
fn a_branch_moved_during_the_push_over_http_is_fetched_and_published_again() {
    let server = HttpServer::start("x-access-token", TOKEN);
    branch_moved_during_the_push(&server.bare(), &server.url(), true);
}

#[test]
fn a_local_path_runs_its_hooks_and_a_rejection_stops_with_the_servers_words() {
    let remote = bare_repo();
    write_hook(
        remote.path(),
        "pre-receive",
        "#!/bin/sh\necho 'protected branch: manifests are frozen' >&2\nexit 1\n",
    );
    let (source, commits) = source_repo(1);
    let setup = Setup::new(
        source.path(),
        &commits[0],
        remote.path().to_str().unwrap(),
        tree(&["a"], "v"),
    );
    match setup.run() {
        Err(PublishError::Rejected {
            reference,
            reason,
            output,
        }) => {
            assert_eq!(reference, format!("refs/heads/{BRANCH}"));
            assert_eq!(reason, "pre-receive hook declined");
            assert_eq!(output.lines, ["protected branch: manifests are frozen"]);
        }
        other => panic!("expected the hook's rejection, got {other:?}"),
    }
    assert_eq!(git(remote.path(), &["for-each-ref"]), "", "nothing pushed");
}

#[test]
fn a_rejecting_hook_over_http_shows_its_last_lines_one_per_line_without_the_token() {
    let server = HttpServer::start("x-access-token", TOKEN);
    write_hook(
        &server.bare(),
        "pre-receive",
        &format!(
            "#!/bin/sh\nfor i in $(seq 1 30); do echo \"check $i: token {TOKEN} refused\"; done\nexit 1\n"
        ),
    );
    let (source, commits) = source_repo(1);
    let setup = with_token(Setup::new(
        source.path(),
        &commits[0],
        &server.url(),
        tree(&["a"], "v"),
    ));
    let error = setup.run().unwrap_err();
    let PublishError::Rejected { reason, output, .. } = &error else {
        panic!("expected a rejection, got {error:?}");
    };
    assert_eq!(reason, "pre-receive hook declined");
    assert_eq!(output.lines.len(), KEPT_LINES);
    assert_eq!(output.omitted, 30 - KEPT_LINES);
    assert_eq!(output.lines[0], "check 11: token *** refused");
    assert_eq!(output.lines[KEPT_LINES - 1], "check 30: token *** refused");
    let shown = error.to_string();
    assert!(!shown.contains(TOKEN), "{shown}");
    let mut lines = shown.lines();
    assert_eq!(
        lines.next(),
        Some(
            "the remote rejected refs/heads/main-manifests: pre-receive hook declined; the server said:"
        )
    );
    assert_eq!(
        lines.next(),
        Some("  remote: [10 earlier line(s) left out]")
    );
    assert_eq!(lines.next(), Some("  remote: check 11: token *** refused"));
    assert_eq!(lines.count(), KEPT_LINES - 1);
    assert_eq!(git(&server.bare(), &["for-each-ref"]), "", "nothing pushed");
}

#[test]
fn the_checked_out_branch_of_a_non_bare_target_is_not_moved() {
    let target = tempfile::tempdir().unwrap();
    git(target.path(), &["init", "-q", "-b", BRANCH]);
    std::fs::write(target.path().join("notes"), "mine\n").unwrap();
    git(target.path(), &["add", "notes"]);
    git(target.path(), &["commit", "-q", "-m", "work tree"]);
    let head = git(target.path(), &["rev-parse", "HEAD"]);
    let (source, commits) = source_repo(1);
    // its work tree, or its git folder, which libgit2 once opened as a bare repository
    for path in [target.path().to_path_buf(), target.path().join(".git")] {
        let setup = Setup::new(
            source.path(),
            &commits[0],
            path.to_str().unwrap(),
            tree(&["a"], "v"),
        );
        match setup.run() {
            Err(PublishError::Rejected { reason, .. }) => {
                assert_eq!(reason, "branch is currently checked out")
            }
            other => panic!(
                "{}: expected receive.denyCurrentBranch, got {other:?}",
                path.display()
            ),
        }
    }
    assert_eq!(git(target.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(git(target.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_lock_file_left_on_the_branch_is_named_not_reported_as_a_race() {
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    let (source, commits) = source_repo(2);
    let (tip, _) =
        expect_published(Setup::new(source.path(), &commits[0], url, tree(&["a"], "v0")).run());
    let lock = remote.path().join(format!("refs/heads/{BRANCH}.lock"));
    std::fs::write(&lock, "").unwrap();
    let mut setup = Setup::new(source.path(), &commits[1], url, tree(&["a"], "v1"));
    setup.max_attempts = 2;
    let error = setup.run().unwrap_err();
    match &error {
        PublishError::StaleLock {
            reference,
            lock: named,
        } => {
            assert_eq!(reference, &format!("refs/heads/{BRANCH}"));
            assert_eq!(Path::new(named), lock);
        }
        other => panic!("expected the lock file to be named, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("remove that file and publish again"),
        "{error}"
    );
    assert_eq!(git(remote.path(), &["rev-parse", BRANCH]), tip);
}

#[test]
fn a_missing_repository_is_not_found_not_a_rejected_token() {
    let server = HttpServer::start("x-access-token", TOKEN);
    let (source, commits) = source_repo(1);
    let missing_url = server.url_of("missing.git");
    let setup = with_token(Setup::new(
        source.path(),
        &commits[0],
        &missing_url,
        tree(&["a"], "v"),
    ));
    let error = setup.run().unwrap_err();
    assert_eq!(
        error,
        PublishError::NotFound {
            remote: missing_url.clone()
        }
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("repository {missing_url} not found")),
        "{error}"
    );
    assert!(
        server.log().lines().any(|line| line.starts_with("404 ")),
        "the server answered 404:\n{}",
        server.log()
    );

    let gone = tempfile::tempdir().unwrap();
    let path = gone.path().join("nothing-here.git");
    let local = Setup::new(
        source.path(),
        &commits[0],
        path.to_str().unwrap(),
        tree(&["a"], "v"),
    );
    assert_eq!(
        local.run(),
        Err(PublishError::NotFound {
            remote: path.display().to_string()
        })
    );
}
