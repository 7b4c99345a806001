//! Publishing against real git repositories: bare repositories on disk, racing publishers,
//! a smart-HTTP server with basic auth for the token, the branch name check, app removals
//! and the scratch folders of killed publishes.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{
    HttpServer, Setup, bare_repo, branch_tree, expect_published, git, source_at, source_repo, tree,
};
use homelab_synth_publish::{
    AllowDelete, Credentials, PublishError, PublishOutcome, SCRATCH_PREFIX, source_commit_of,
};

#[test]
fn first_publish_creates_an_orphan_commit_holding_exactly_the_tree_and_metadata() {
    let (source, commits) = source_repo(1);
    let remote = bare_repo();
    let files = tree(&["alpha", "beta"], "v1");
    let setup = Setup::new(
        source.path(),
        &commits[0],
        remote.path().to_str().unwrap(),
        files.clone(),
    );
    let (commit, changes) = expect_published(setup.run());
    assert_eq!(changes.added, ["alpha", "beta"]);
    assert_eq!(git(remote.path(), &["rev-parse", "main-manifests"]), commit);
    assert_eq!(
        git(remote.path(), &["rev-list", "--count", "main-manifests"]),
        "1",
        "orphan"
    );

    let published = branch_tree(remote.path());
    let mut expected = files;
    expected.insert(
        "hydrator.metadata".into(),
        format!(
            "{{\n  \"author\": \"Dev <dev@example.com>\",\n  \"drySha\": \"{}\",\n  \"repoURL\": \"https://example.com/homelab.git\",\n  \"subject\": \"change 0\"\n}}\n",
            commits[0]
        )
        .into_bytes(),
    );
    assert_eq!(published, expected);
    let message = git(
        remote.path(),
        &["log", "-1", "--format=%B", "main-manifests"],
    );
    assert!(
        message.starts_with(&format!(
            "synth: publish {} (2 apps changed)",
            &commits[0][..12]
        )),
        "{message}"
    );
    assert!(message.contains("Added: alpha, beta"), "{message}");
    assert_eq!(source_commit_of(&message), Some(commits[0].clone()));
    assert_eq!(
        git(
            remote.path(),
            &["log", "-1", "--format=%an <%ae>", "main-manifests"]
        ),
        "synth <synth@example.com>"
    );
}

#[test]
fn an_unchanged_tree_is_a_no_op_and_changes_are_named() {
    let (source, commits) = source_repo(3);
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    let (first, _) = expect_published(
        Setup::new(source.path(), &commits[0], url, tree(&["a", "b"], "v1")).run(),
    );
    // a newer source commit with the same output publishes nothing
    let again = Setup::new(source.path(), &commits[1], url, tree(&["a", "b"], "v1")).run();
    assert_eq!(again, Ok(PublishOutcome::Unchanged { tip: first.clone() }));

    let mut changed = tree(&["a", "b", "c"], "v1");
    changed.insert(
        "a/Deployment.a.yaml".into(),
        b"kind: Deployment # v2\n".to_vec(),
    );
    let (second, changes) =
        expect_published(Setup::new(source.path(), &commits[2], url, changed).run());
    assert_eq!(changes.added, ["c"]);
    assert_eq!(changes.changed, ["a"]);
    assert!(changes.removed.is_empty());
    assert_eq!(
        git(remote.path(), &["rev-parse", &format!("{second}^")]),
        first,
        "fast-forward on the tip"
    );
}

#[test]
fn never_publishes_backwards_or_over_an_unknown_source() {
    let (source, commits) = source_repo(2);
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    let (tip, _) =
        expect_published(Setup::new(source.path(), &commits[1], url, tree(&["a"], "new")).run());
    let older = Setup::new(source.path(), &commits[0], url, tree(&["a"], "old")).run();
    assert_eq!(
        older,
        Ok(PublishOutcome::Backwards {
            published_source: commits[1].clone()
        })
    );

    // a source repository that does not know the published commit cannot prove it is older
    let (other, other_commits) = source_repo(1);
    let unrelated = Setup::new(other.path(), &other_commits[0], url, tree(&["a"], "x")).run();
    assert_eq!(
        unrelated,
        Ok(PublishOutcome::Backwards {
            published_source: commits[1].clone()
        })
    );
    assert_eq!(
        git(remote.path(), &["rev-parse", "main-manifests"]),
        tip,
        "nothing pushed"
    );
}

#[test]
fn removing_an_app_needs_an_explicit_allowance() {
    let (source, commits) = source_repo(4);
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    expect_published(
        Setup::new(source.path(), &commits[0], url, tree(&["a", "b", "c"], "v")).run(),
    );
    let tip = git(remote.path(), &["rev-parse", "main-manifests"]);

    let mut setup = Setup::new(source.path(), &commits[1], url, tree(&["a"], "v"));
    assert_eq!(
        setup.run(),
        Err(PublishError::MassDeletion {
            apps: vec!["b".into(), "c".into()]
        })
    );
    assert_eq!(
        setup.run().unwrap_err().to_string(),
        "refusing to delete app(s) b, c: removing an app directory deletes its Argo CD Application and every resource in it; allow it with --allow-delete NAME (the app's name, for every cluster, or `<cluster>/<app>` as listed here, for one) or --allow-delete-all"
    );
    setup.allow_delete = AllowDelete::Apps(BTreeSet::from(["b".to_owned()]));
    assert_eq!(
        setup.run(),
        Err(PublishError::MassDeletion {
            apps: vec!["c".into()]
        })
    );
    assert_eq!(
        git(remote.path(), &["rev-parse", "main-manifests"]),
        tip,
        "nothing pushed"
    );

    setup.allow_delete = AllowDelete::Apps(BTreeSet::from(["b".to_owned(), "c".to_owned()]));
    let (_, changes) = expect_published(setup.run());
    assert_eq!(changes.removed, ["b", "c"]);

    let mut all = Setup::new(source.path(), &commits[2], url, tree(&["z"], "v"));
    all.allow_delete = AllowDelete::All;
    assert_eq!(expect_published(all.run()).1.removed, ["a"]);
}

#[test]
fn an_app_to_delete_is_named_alone_for_every_cluster_or_with_its_cluster() {
    let (source, commits) = source_repo(3);
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    // the same apps on two clusters
    let fleet = |apps: &[&str]| {
        let mut files = BTreeMap::new();
        for cluster in ["main", "staging"] {
            for (path, content) in tree(apps, "v") {
                files.insert(format!("{cluster}/{path}"), content);
            }
        }
        files
    };
    expect_published(
        Setup::new(
            source.path(),
            &commits[0],
            url,
            fleet(&["comfyui", "grafana", "loki"]),
        )
        .run(),
    );

    // `comfyui` is the app on every cluster
    let mut setup = Setup::new(source.path(), &commits[1], url, fleet(&["loki"]));
    setup.allow_delete = AllowDelete::Apps(BTreeSet::from(["comfyui".to_owned()]));
    assert_eq!(
        setup.run(),
        Err(PublishError::MassDeletion {
            apps: vec!["main/grafana".into(), "staging/grafana".into()]
        })
    );
    // `main/grafana` is that app on one cluster only
    setup.allow_delete = AllowDelete::Apps(BTreeSet::from([
        "comfyui".to_owned(),
        "main/grafana".to_owned(),
    ]));
    assert_eq!(
        setup.run(),
        Err(PublishError::MassDeletion {
            apps: vec!["staging/grafana".into()]
        })
    );
    setup.allow_delete =
        AllowDelete::Apps(BTreeSet::from(["comfyui".to_owned(), "grafana".to_owned()]));
    let (_, changes) = expect_published(setup.run());
    assert_eq!(
        changes.removed,
        [
            "main/comfyui",
            "main/grafana",
            "staging/comfyui",
            "staging/grafana"
        ]
    );
}

#[test]
fn invalid_branch_names_are_refused_before_the_remote_is_touched() {
    let (source, commits) = source_repo(1);
    let remote = bare_repo();
    for branch in ["../x", "HEAD", "refs/heads/x", "a..b", "x.lock", "-x", ""] {
        let mut setup = Setup::new(
            source.path(),
            &commits[0],
            remote.path().to_str().unwrap(),
            tree(&["a"], "v"),
        );
        setup.branch = branch.to_owned();
        match setup.run() {
            Err(error @ PublishError::InvalidBranch { .. }) => {
                assert!(
                    error
                        .to_string()
                        .starts_with(&format!("invalid branch name `{branch}`: ")),
                    "{error}"
                );
            }
            other => panic!("`{branch}`: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(
        git(remote.path(), &["for-each-ref"]),
        "",
        "no reference was created"
    );
}

#[test]
fn the_scratch_repository_of_a_killed_publish_is_removed_by_the_next_one() {
    let (source, commits) = source_repo(1);
    let remote = bare_repo();
    let setup = Setup::new(
        source.path(),
        &commits[0],
        remote.path().to_str().unwrap(),
        tree(&["a"], "v"),
    );
    // what a publish killed with SIGKILL leaves: its folder, a lock file nobody holds
    let killed = setup.scratch.path().join(format!("{SCRATCH_PREFIX}killed"));
    git(
        setup.scratch.path(),
        &["init", "-q", "--bare", killed.to_str().unwrap()],
    );
    std::fs::write(killed.join("owner.lock"), "").unwrap();
    // a publish still running elsewhere holds its lock
    let running = setup
        .scratch
        .path()
        .join(format!("{SCRATCH_PREFIX}running"));
    std::fs::create_dir(&running).unwrap();
    let lock = std::fs::File::create(running.join("owner.lock")).unwrap();
    lock.lock().unwrap();

    expect_published(setup.run());
    let left: Vec<String> = std::fs::read_dir(setup.scratch.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        [format!("{SCRATCH_PREFIX}running")],
        "only the running one is left"
    );
}

#[test]
fn dry_run_pushes_nothing_and_says_what_it_would_commit() {
    let (source, commits) = source_repo(1);
    let remote = bare_repo();
    let mut setup = Setup::new(
        source.path(),
        &commits[0],
        remote.path().to_str().unwrap(),
        tree(&["a"], "v"),
    );
    setup.dry_run = true;
    match setup.run() {
        Ok(PublishOutcome::DryRun {
            message,
            changes,
            files,
        }) => {
            assert_eq!(files, 3);
            assert_eq!(changes.added, ["a"]);
            assert!(
                message.ends_with(&format!("Source-Commit: {}\n", commits[0])),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        git(remote.path(), &["branch", "--list"]),
        "",
        "no branch created"
    );
}

#[test]
fn racing_publishers_leave_a_linear_history_with_the_newest_source_on_top() {
    const PUBLISHERS: usize = 12;
    let (source, commits) = source_repo(PUBLISHERS);
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap().to_owned();
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = commits
            .iter()
            .enumerate()
            .map(|(index, sha)| {
                let url = url.clone();
                let source = source.path().to_path_buf();
                scope.spawn(move || {
                    let mut setup =
                        Setup::new(&source, sha, &url, tree(&["a", "b"], &format!("v{index}")));
                    setup.max_attempts = 50;
                    setup.run()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for outcome in &outcomes {
        assert!(
            matches!(
                outcome,
                Ok(PublishOutcome::Published { .. } | PublishOutcome::Backwards { .. })
            ),
            "{outcome:?}"
        );
    }
    // the newest source won, its tree is complete, and every commit has at most one parent
    let tip_message = git(
        remote.path(),
        &["log", "-1", "--format=%B", "main-manifests"],
    );
    assert_eq!(
        source_commit_of(&tip_message).as_deref(),
        Some(commits[PUBLISHERS - 1].as_str())
    );
    let published = branch_tree(remote.path());
    let mut expected = tree(&["a", "b"], &format!("v{}", PUBLISHERS - 1));
    expected.insert(
        "hydrator.metadata".into(),
        published["hydrator.metadata"].clone(),
    );
    assert_eq!(published, expected);
    let merges = git(
        remote.path(),
        &["rev-list", "--min-parents=2", "main-manifests"],
    );
    assert_eq!(merges, "", "linear history");
    // each commit's source is newer than its parent's: sources only move forward
    let history = git(
        remote.path(),
        &["log", "--reverse", "--format=%H", "main-manifests"],
    );
    let mut last = 0;
    for commit in history.lines() {
        let message = git(remote.path(), &["log", "-1", "--format=%B", commit]);
        let source_commit = source_commit_of(&message).unwrap();
        let position = commits.iter().position(|c| *c == source_commit).unwrap();
        assert!(position >= last, "source went backwards in {commit}");
        last = position;
    }
    git(remote.path(), &["fsck", "--strict"]);
}

#[test]
fn over_http_the_token_is_sent_once_and_never_shown() {
    const TOKEN: &str = "ghp_s3cr3t-t0ken";
    let server = HttpServer::start("x-access-token", TOKEN);
    let (source, commits) = source_repo(2);

    // no token: a clear authentication error
    let anonymous = Setup::new(source.path(), &commits[0], &server.url(), tree(&["a"], "v")).run();
    assert!(
        matches!(anonymous, Err(PublishError::Auth { .. })),
        "{anonymous:?}"
    );

    // a wrong token: one attempt, an error, no loop, no secret in the message
    let mut wrong = Setup::new(source.path(), &commits[0], &server.url(), tree(&["a"], "v"));
    wrong.credentials = Some(Credentials {
        username: "x-access-token".into(),
        token: "wrong-token-value".into(),
    });
    let before = server.log().lines().filter(|l| l.ends_with(" bad")).count();
    let error = wrong.run().unwrap_err();
    let bad_attempts = server.log().lines().filter(|l| l.ends_with(" bad")).count() - before;
    assert_eq!(
        bad_attempts,
        1,
        "exactly one attempt with the wrong token:\n{}",
        server.log()
    );
    assert!(matches!(error, PublishError::Auth { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-token-value"));

    // the right token publishes, and the branch is readable through the server
    let mut right = Setup::new(source.path(), &commits[0], &server.url(), tree(&["a"], "v"));
    right.credentials = Some(Credentials {
        username: "x-access-token".into(),
        token: TOKEN.into(),
    });
    let (commit, _) = expect_published(right.run());
    assert!(!format!("{:?}", right.credentials).contains(TOKEN));
    let bare = server.bare();
    assert_eq!(git(&bare, &["rev-parse", "main-manifests"]), commit);
    right.source = source_at(source.path(), &commits[1]);
    assert!(matches!(right.run(), Ok(PublishOutcome::Unchanged { .. })));
}
