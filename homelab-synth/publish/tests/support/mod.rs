//! Helpers shared by the publish tests and the command line's tests: real git repositories
//! (a source repository with linear history, bare manifests repositories, hooks), publish
//! requests, and servers on 127.0.0.1 (git's smart HTTP through `git http-backend`, and a
//! listener that never answers).
// each test binary including them uses a part of these
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use homelab_synth_publish::{
    AllowDelete, AppChanges, Credentials, Identity, PublishError, PublishOutcome, PublishRequest,
    SourceCommit, publish, read_source,
};

mod git;

// each test binary uses a part of these
#[allow(unused_imports)]
pub use git::{bare_repo, git, source_repo, write_hook};

pub const BRANCH: &str = "main-manifests";

/// A synthesized tree: `apps` each with two files whose content names `variant`.
pub fn tree(apps: &[&str], variant: &str) -> BTreeMap<String, Vec<u8>> {
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

pub fn source_at(repo: &Path, sha: &str) -> SourceCommit {
    SourceCommit {
        sha: sha.to_owned(),
        ..read_source(repo).unwrap()
    }
}

/// One publish request, with the scratch folder it leaves (empty after each run).
pub struct Setup {
    pub files: BTreeMap<String, Vec<u8>>,
    pub source: SourceCommit,
    pub source_repo: PathBuf,
    pub remote: String,
    pub branch: String,
    pub allow_delete: AllowDelete,
    pub dry_run: bool,
    pub credentials: Option<Credentials>,
    pub max_attempts: usize,
    pub timeout: Duration,
    pub scratch: tempfile::TempDir,
}

impl Setup {
    pub fn new(
        source_repo: &Path,
        sha: &str,
        remote: &str,
        files: BTreeMap<String, Vec<u8>>,
    ) -> Self {
        Setup {
            files,
            source: source_at(source_repo, sha),
            source_repo: source_repo.to_path_buf(),
            remote: remote.to_owned(),
            branch: BRANCH.to_owned(),
            allow_delete: AllowDelete::Nothing,
            dry_run: false,
            credentials: None,
            max_attempts: 5,
            // an upper bound against hangs, never reached by a passing test
            timeout: Duration::from_secs(120),
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    pub fn run(&self) -> Result<PublishOutcome, PublishError> {
        let identity = Identity {
            name: "synth".into(),
            email: "synth@example.com".into(),
        };
        publish(&PublishRequest {
            files: &self.files,
            source: &self.source,
            source_repo: &self.source_repo,
            remote: &self.remote,
            branch: &self.branch,
            author: identity.clone(),
            committer: identity,
            allow_delete: self.allow_delete.clone(),
            dry_run: self.dry_run,
            max_attempts: self.max_attempts,
            credentials: self.credentials.clone(),
            timeout: self.timeout,
            scratch: self.scratch.path(),
        })
    }
}

pub fn branch_tree(remote: &Path) -> BTreeMap<String, Vec<u8>> {
    let listing = git(remote, &["ls-tree", "-r", "--name-only", BRANCH]);
    listing
        .lines()
        .map(|path| {
            let content = git(remote, &["show", &format!("{BRANCH}:{path}")]);
            (path.to_owned(), format!("{content}\n").into_bytes())
        })
        .collect()
}

pub fn expect_published(outcome: Result<PublishOutcome, PublishError>) -> (String, AppChanges) {
    match outcome {
        Ok(PublishOutcome::Published {
            commit, changes, ..
        }) => (commit, changes),
        other => panic!("expected a publish, got {other:?}"),
    }
}

/// `git http-backend` behind HTTP basic auth on 127.0.0.1 (`support/git_http_server.py`),
/// serving `manifests.git` from a fresh folder.
pub struct HttpServer {
    child: Child,
    port: u16,
    pub root: tempfile::TempDir,
}

impl HttpServer {
    pub fn start(user: &str, password: &str) -> Self {
        let root = tempfile::tempdir().unwrap();
        git(root.path(), &["init", "-q", "--bare", "manifests.git"]);
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

    pub fn url(&self) -> String {
        self.url_of("manifests.git")
    }

    pub fn url_of(&self, repository: &str) -> String {
        format!("http://127.0.0.1:{}/{repository}", self.port)
    }

    pub fn bare(&self) -> PathBuf {
        self.root.path().join("manifests.git")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("requests.log")).unwrap_or_default()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A listener on 127.0.0.1 that accepts connections and never answers; returns its
/// address. Its thread holds up to 16 connections and ends after `lifetime`.
pub fn silent_server(lifetime: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = std::time::Instant::now() + lifetime;
        let mut held = Vec::new();
        while std::time::Instant::now() < end && held.len() < 16 {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        std::thread::sleep(end.saturating_duration_since(std::time::Instant::now()));
    });
    address.to_string()
}
