//! Publishing against real git repositories: bare repositories on disk, a server-side hook
//! that rejects, racing publishers, and a smart-HTTP server with basic auth for the token.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use homelab_synth_publish::{
    AllowDelete, Credentials, Identity, PublishError, PublishOutcome, PublishRequest, SourceCommit,
    publish, read_source, source_commit_of,
};

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

/// A source repository with `count` linear commits; returns it and the commit ids in order.
fn source_repo(count: usize) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(
        dir.path(),
        &["remote", "add", "origin", "https://example.com/homelab.git"],
    );
    let mut commits = Vec::new();
    for index in 0..count {
        std::fs::write(dir.path().join("version"), format!("{index}\n")).unwrap();
        git(dir.path(), &["add", "version"]);
        git(
            dir.path(),
            &["commit", "-q", "-m", &format!("change {index}")],
        );
        commits.push(git(dir.path(), &["rev-parse", "HEAD"]));
    }
    (dir, commits)
}

fn bare_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare"]);
    dir
}

/// A synthesized tree: `apps` each with two files whose content names `variant`.
fn tree(apps: &[&str], variant: &str) -> BTreeMap<String, Vec<u8>> {
    apps.iter()
        .flat_map(|app| {
            [
                (
                    format!("{app}/Deployment.{app}.yaml"),
                    format!("kind: Deployment # {variant}\n"),
                ),
                (
                    format!("{app}/Service.{app}.yaml"),
                    "kind: Service\n".to_owned(),
                ),
            ]
        })
        .map(|(path, content)| (path, content.into_bytes()))
        .collect()
}

fn source_at(repo: &Path, sha: &str) -> SourceCommit {
    SourceCommit {
        sha: sha.to_owned(),
        ..read_source(repo).unwrap()
    }
}

struct Setup {
    files: BTreeMap<String, Vec<u8>>,
    source: SourceCommit,
    source_repo: PathBuf,
    remote: String,
    allow_delete: AllowDelete,
    dry_run: bool,
    credentials: Option<Credentials>,
    max_attempts: usize,
}

impl Setup {
    fn new(source_repo: &Path, sha: &str, remote: &str, files: BTreeMap<String, Vec<u8>>) -> Self {
        Setup {
            files,
            source: source_at(source_repo, sha),
            source_repo: source_repo.to_path_buf(),
            remote: remote.to_owned(),
            allow_delete: AllowDelete::Nothing,
            dry_run: false,
            credentials: None,
            max_attempts: 5,
        }
    }

    fn run(&self) -> Result<PublishOutcome, PublishError> {
        let scratch = tempfile::tempdir().unwrap();
        let identity = Identity {
            name: "synth".into(),
            email: "synth@example.com".into(),
        };
        publish(&PublishRequest {
            files: &self.files,
            source: &self.source,
            source_repo: &self.source_repo,
            remote: &self.remote,
            branch: "main-manifests",
            author: identity.clone(),
            committer: identity,
            allow_delete: self.allow_delete.clone(),
            dry_run: self.dry_run,
            max_attempts: self.max_attempts,
            credentials: self.credentials.clone(),
            scratch: scratch.path(),
        })
    }
}

fn branch_tree(remote: &Path) -> BTreeMap<String, Vec<u8>> {
    let listing = git(remote, &["ls-tree", "-r", "--name-only", "main-manifests"]);
    listing
        .lines()
        .map(|path| {
            let content = git(remote, &["show", &format!("main-manifests:{path}")]);
            (path.to_owned(), format!("{content}\n").into_bytes())
        })
        .collect()
}

fn expect_published(
    outcome: Result<PublishOutcome, PublishError>,
) -> (String, homelab_synth_publish::AppChanges) {
    match outcome {
        Ok(PublishOutcome::Published {
            commit, changes, ..
        }) => (commit, changes),
        other => panic!("expected a publish, got {other:?}"),
    }
}

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
        "refusing to delete app(s) b, c: removing an app directory deletes its Argo CD Application and every resource in it; allow it with --allow-delete NAME (or --allow-delete-all)"
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
fn a_rejecting_pre_receive_hook_is_reported_and_the_branch_is_unchanged() {
    // hooks run in git receive-pack, so this goes through the smart-HTTP server
    let server = HttpServer::start("x-access-token", "token");
    let (source, commits) = source_repo(1);
    let bare = server.root.path().join("manifests.git");
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'protected branch: manifests are frozen' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut setup = Setup::new(source.path(), &commits[0], &server.url(), tree(&["a"], "v"));
    setup.credentials = Some(Credentials {
        username: "x-access-token".into(),
        token: "token".into(),
    });
    match setup.run() {
        Err(PublishError::Rejected { reference, message }) => {
            assert_eq!(reference, "refs/heads/main-manifests");
            assert!(message.contains("hook declined"), "{message}");
            assert!(
                message.contains("protected branch: manifests are frozen"),
                "{message}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        git(&bare, &["branch", "--list"]),
        "",
        "the branch was not created"
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

struct HttpServer {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl HttpServer {
    fn start(user: &str, password: &str) -> Self {
        let root = tempfile::tempdir().unwrap();
        git(
            &root.path().join(""),
            &["init", "-q", "--bare", "manifests.git"],
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/git_http_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(root.path())
            .arg(user)
            .arg(password)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the git HTTP server (python3)");
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("server prints its port");
        HttpServer { child, port, root }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/manifests.git", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("requests.log")).unwrap_or_default()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let bare = server.root.path().join("manifests.git");
    assert_eq!(git(&bare, &["rev-parse", "main-manifests"]), commit);
    right.source = source_at(source.path(), &commits[1]);
    assert!(matches!(right.run(), Ok(PublishOutcome::Unchanged { .. })));
}
