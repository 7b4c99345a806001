//! The GitHub Actions workflows pass actionlint and zizmor (installed by
//! `scripts/install-tools`, which `scripts/test` runs); both linters are first shown to
//! catch a bad workflow, so a passing run means something.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::workspace;

fn workflows() -> Vec<PathBuf> {
    let dir = workspace().join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect(".github/workflows")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "publish and pull-request workflows");
    files
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(workspace())
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run {program} ({error}): install the tools with scripts/install-tools")
        })
}

fn actionlint(files: &[PathBuf]) -> Output {
    let script = workspace().join("scripts/actionlint.mjs");
    let mut args = vec![script.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let output = run("node", &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("Cannot find module"),
        "actionlint is not installed: run scripts/install-tools\n{stderr}"
    );
    output
}

fn zizmor(files: &[PathBuf]) -> Output {
    let mut args = vec![std::ffi::OsStr::new("--offline")];
    args.extend(files.iter().map(|f| f.as_os_str()));
    run("zizmor", &args)
}

const BAD_WORKFLOW: &str = "on: pull_request_target\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo ${{ github.event.pull_request.title }}\n";

#[test]
fn the_linters_catch_a_bad_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, BAD_WORKFLOW).unwrap();
    let linted = actionlint(std::slice::from_ref(&bad));
    assert_eq!(
        linted.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&linted.stdout)
    );
    assert!(String::from_utf8_lossy(&linted.stdout).contains("potentially untrusted"));
    let audited = zizmor(std::slice::from_ref(&bad));
    assert_ne!(
        audited.status.code(),
        Some(0),
        "zizmor flags the bad workflow"
    );
}

#[test]
fn workflows_pass_actionlint_and_zizmor() {
    let files = workflows();
    let linted = actionlint(&files);
    assert!(
        linted.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&linted.stdout),
        String::from_utf8_lossy(&linted.stderr)
    );
    let audited = zizmor(&files);
    assert!(
        audited.status.success(),
        "zizmor:\n{}{}",
        String::from_utf8_lossy(&audited.stdout),
        String::from_utf8_lossy(&audited.stderr)
    );
}
