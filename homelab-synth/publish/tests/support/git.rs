//! Git helpers shared by test binaries: git run with a fixed identity, a source repository
//! with linear history, bare repositories and hooks. Only git and `tempfile`: other crates'
//! tests include this file as a `#[path]` module without depending on the publisher.
// each test binary uses a part of these
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Runs git with `args` in `dir` (author and committer `Dev`); its trimmed standard output.
/// Panics with git's standard error when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
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
pub fn source_repo(count: usize) -> (tempfile::TempDir, Vec<String>) {
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

pub fn bare_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare"]);
    dir
}

/// Installs `script` as the executable hook `name` of the repository whose git folder is
/// `git_dir`.
pub fn write_hook(git_dir: &Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let hooks = git_dir.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join(name);
    std::fs::write(&hook, script).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}
