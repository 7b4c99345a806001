//! `synth init` creates a workspace that builds, synthesizes, is formatted and passes its own
//! tests, depending on this repository by path and building offline; `synth new app` adds an
//! app (a Deployment with its Service and route, or a locked Helm chart) that synthesizes and
//! passes validation there.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{synth, synth_in, text, workspace};

/// The new workspace's target folder, kept between test runs. Its own crates are named like
/// this repository's, so it cannot share ours; on first use it is seeded with the
/// dependencies this workspace's tests have already built, as `synth diff`'s worktree is.
fn init_target() -> std::path::PathBuf {
    let target = workspace().join("target/init-test");
    if !target.exists() {
        homelab_synth_cli::seed::seed_dependency_builds(
            &workspace(),
            &workspace().join("target/debug"),
            &target,
        )
        .expect("seed the new workspace's target folder");
    }
    target
}

/// Runs cargo in the new workspace, offline, in its own target folder.
fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(args);
    // what builds needs nothing from the network: the library's lock was copied
    if args[0] != "fmt" {
        command.arg("--offline");
    }
    command.env("SYNTH_CHART_MIRRORS", workspace().join("../shared/charts"));
    let output = command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", init_target())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo {args:?} in the new workspace: {:?}",
        text(&output)
    );
    output
}

/// The new workspace's own `synth`, built by `cargo run` before.
fn own_synth(dir: &Path, args: &[&str]) -> std::process::Output {
    let binary = workspace().join("target/init-test/debug/synth");
    let mut command = Command::new(binary);
    command.args(args).current_dir(dir);
    // the charts come from the offline mirror, as this repository's do
    command.env("SYNTH_CHART_MIRRORS", workspace().join("../shared/charts"));
    // the target folder `synth diff` puts its worktree's beside
    command.env("CARGO_TARGET_DIR", init_target());
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the new synth");
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while child.try_wait().expect("wait").is_none() {
        assert!(std::time::Instant::now() < deadline, "synth {args:?} hangs");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Commits everything in `lab` (a git repository from the first call on).
fn commit_all(lab: &Path, message: &str) {
    if !lab.join(".git").exists() {
        git(lab, &["init", "--quiet"]);
    }
    git(lab, &["add", "--all"]);
    git(
        lab,
        &[
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "commit",
            "--quiet",
            "--message",
            message,
        ],
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

/// `synth diff REVISION app` in `lab`: its report, and the crates cargo compiled for the
/// revision (the worktree takes over the lab's builds of crates whose sources it shares).
fn diff_against(lab: &Path, revision: &str) -> (String, Vec<String>) {
    let output = own_synth(lab, &["diff", revision, "app", "--color", "never"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("synth: built and synthesized {revision} in ")),
        "{stderr}"
    );
    let compiled = stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect();
    (stdout, compiled)
}

/// Commits the new workspace to a new git repository, then `synth diff HEAD app`: the
/// revision is built in a worktree below the target folder, from where the relative path to
/// the library `synth init` wrote names nothing unless synth anchors it. The worktree's target
/// folder takes over the new workspace's builds of its dependencies, so the library is not
/// compiled again, and of its own crates, all unchanged: only the binary, whose build script
/// fingerprints the checkout it is built in, is compiled.
fn diff_of_head_is_empty(lab: &Path) {
    commit_all(lab, "init");
    let (stdout, compiled) = diff_against(lab, "HEAD");
    assert_eq!(stdout, "no changes\n");
    assert_eq!(compiled, ["synth"]);
}

/// Makes `lab` share what this repository's test build compiled, as far as a workspace at
/// another path can: the dependencies (registry crates) this test build made are taken when
/// cargo names them the same, and the library's own crates, which it names by their absolute
/// path from the lab, are at least cheap to build. Both take most of this test's time
/// otherwise (it was the last test to finish a fresh `scripts/test`: 201 s).
///
/// - The dependency features this repository's test build turns on (serde-saphyr, the
///   emitter's test oracle, turns on the defaults of `serde_core` and `base64`; insta,
///   similar's `inline`: the block the root `Cargo.toml` asks for the same reason), asked for
///   by the lab's binary: cargo builds a crate and every crate above it again for each
///   feature set, and `serde_core` is below nearly everything.
/// - The library's crates unoptimized, by a cargo config file beside the lab's manifest
///   (committed with it, so `synth diff`'s worktree builds the same units). The template
///   builds them at `opt-level = 1`, for a user's edit loop; this lab's runs are tiny.
fn share_this_repository_builds(lab: &Path) {
    let manifest = lab.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    let parity = "[dependencies]\nserde_core = \"1\"\n\
                  base64 = { version = \"0.23\", features = [\"simd-unsafe\"] }\n\
                  similar = { version = \"2.7\", features = [\"inline\"] }\n";
    assert!(text.contains("\n[dependencies]\n"), "{text}");
    fs::write(&manifest, text.replacen("[dependencies]\n", parity, 1)).unwrap();

    let output = cargo(lab, &["metadata", "--format-version", "1"]);
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("metadata");
    let library = workspace();
    let mut config = String::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let manifest = Path::new(package["manifest_path"].as_str().expect("manifest path"));
        if manifest.starts_with(&library) {
            let name = package["name"].as_str().expect("name");
            config.push_str(&format!("[profile.dev.package.{name}]\nopt-level = 0\n"));
        }
    }
    assert!(config.contains("homelab-synth-core"), "{config}");
    fs::create_dir_all(lab.join(".cargo")).unwrap();
    fs::write(lab.join(".cargo/config.toml"), config).unwrap();
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn init_makes_a_workspace_that_builds_and_tests_and_new_app_adds_apps_that_validate() {
    let temp = tempfile::tempdir().unwrap();
    let lab = temp.path().join("lab");
    let lab_arg = lab.to_str().unwrap();
    let library = workspace();
    let run = synth(&["init", lab_arg, "--library-path", library.to_str().unwrap()]);
    assert!(run.status.success(), "{:?}", text(&run));
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "README.md",
        ".gitignore",
        ".ci/run",
        ".github/workflows/publish.yml",
        ".github/workflows/pull-request.yml",
        "src/main.rs",
        "src/lib.rs",
        "clusters/lib.rs",
        "apps/web/lib.rs",
        "apps/web/gateway.rs",
        "apps/web/hello.rs",
    ] {
        assert!(lab.join(file).is_file(), "{file} is missing");
    }
    assert_eq!(
        fs::read_to_string(lab.join("src/main.rs"))
            .unwrap()
            .lines()
            .count(),
        3,
        "main.rs is the library's command line run on the workspace"
    );
    // a folder with something in it is refused, and left as it is
    let again = synth(&["init", lab_arg, "--library-path", library.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{:?}", text(&again));
    assert!(
        text(&again).1.contains("is not empty"),
        "{:?}",
        text(&again)
    );

    share_this_repository_builds(&lab);
    // the README's two commands, and the formatting its CI checks
    cargo(&lab, &["run", "-p", "synth"]);
    assert_eq!(
        files_of(&lab.join("app/hello")),
        [
            "Deployment.hello.yaml",
            "HTTPRoute.hello.yaml",
            "Namespace.hello.yaml",
            "Service.hello.yaml"
        ]
    );
    assert!(
        lab.join("app/_gitops").is_dir(),
        "the branch objects are written"
    );
    cargo(&lab, &["fmt", "--all", "--", "--check"]);
    cargo(&lab, &["test"]);
    diff_of_head_is_empty(&lab);

    // a new app: one file and one registration line, then it synthesizes and validates
    let added = own_synth(&lab, &["new", "app", "web/blog"]);
    assert!(added.status.success(), "{:?}", text(&added));
    assert!(text(&added).0.contains("cargo run -p synth -- --app blog"));
    let lib = fs::read_to_string(lab.join("apps/web/lib.rs")).unwrap();
    assert!(lib.contains("mod blog;"), "{lib}");
    // the binary knows it was built before the new app: it says so instead of silently
    // synthesizing its old sources
    let stale = own_synth(&lab, &["--check"]);
    assert!(
        text(&stale)
            .1
            .contains("this synth was built from other sources than"),
        "{:?}",
        text(&stale)
    );
    assert!(
        lib.contains(r#"apps.add("blog", blog::blog).depends_on(&["gateway"]);"#),
        "{lib}"
    );
    // the same name again, or a category that does not exist, is refused
    let twice = own_synth(&lab, &["new", "app", "web/blog"]);
    assert_eq!(twice.status.code(), Some(2), "{:?}", text(&twice));
    let nowhere = own_synth(&lab, &["new", "app", "nowhere/x"]);
    assert!(
        text(&nowhere).1.contains("no category `nowhere`") && text(&nowhere).1.contains("web"),
        "{:?}",
        text(&nowhere)
    );
    // a Helm app from the offline mirror: its chart is locked
    let helm = own_synth(
        &lab,
        &[
            "new",
            "app",
            "web/reloader",
            "--helm",
            "https://stakater.github.io/stakater-charts",
            "reloader",
            "2.2.12",
        ],
    );
    assert!(helm.status.success(), "{:?}", text(&helm));
    let lock = fs::read_to_string(lab.join("charts.lock")).unwrap();
    assert!(
        lock.contains("name: reloader") && lock.contains("sha256:"),
        "{lock}"
    );

    cargo(&lab, &["run", "-p", "synth"]);
    assert_eq!(
        files_of(&lab.join("app/blog")),
        [
            "Deployment.blog.yaml",
            "HTTPRoute.blog.yaml",
            "Namespace.blog.yaml",
            "Service.blog.yaml"
        ]
    );
    assert!(lab.join("app/reloader/Namespace.reloader.yaml").is_file());
    assert!(
        files_of(&lab.join("app/reloader"))
            .iter()
            .any(|file| file.starts_with("Deployment.")),
        "the chart rendered"
    );
    cargo(&lab, &["fmt", "--all", "--", "--check"]);

    // HEAD's side of a diff is built from HEAD's sources: the lab's build of the web crate,
    // whose sources now hold the blog, is not taken over (the worktree's own is used)
    let (stdout, compiled) = diff_against(&lab, "HEAD");
    assert!(stdout.contains("+ Deployment.apps blog/blog\n"), "{stdout}");
    assert!(
        !compiled.iter().any(|name| name.contains("web")),
        "{compiled:?}"
    );
    // committed, HEAD is what the lab built: every crate is taken over again
    commit_all(&lab, "blog and reloader");
    let (stdout, compiled) = diff_against(&lab, "HEAD");
    assert_eq!(stdout, "no changes\n");
    assert_eq!(compiled, ["synth"]);
    // the revision before differs from the lab's build in the web crate: compiled again
    let (stdout, compiled) = diff_against(&lab, "HEAD~1");
    assert!(stdout.contains("+ Deployment.apps blog/blog\n"), "{stdout}");
    assert!(
        compiled.iter().any(|name| name.contains("web")),
        "{compiled:?}"
    );

    // `synth init` outside a checkout of the library is refused
    let elsewhere = synth_in(
        temp.path(),
        &[
            "init",
            "other",
            "--library-path",
            temp.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(elsewhere.status.code(), Some(2), "{:?}", text(&elsewhere));
    assert!(!temp.path().join("other/Cargo.toml").exists());
}
