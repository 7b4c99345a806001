//! `synth publish` end to end: the real binary, a source repository on disk and a bare
//! manifests repository; including `kill -9` at random moments during a publish, a publish
//! killed while the server's hook runs, and a hook that never ends.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use homelab_synth_publish::SCRATCH_PREFIX;

use crate::git_support::{bare_repo, git, write_hook};
use crate::support::{synth_in, text, workspace};

/// A source workspace: a git repository holding what the homelab reads at synth time (the
/// workspace marker and the included gateway file), committed on `main`.
fn source_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
    std::fs::copy(workspace().join("charts.lock"), root.join("charts.lock")).unwrap();
    let files = root.join("apps/networking/files");
    std::fs::create_dir_all(&files).unwrap();
    for gateway in ["homelab-gateway.yaml", "staging-gateway.yaml"] {
        std::fs::copy(
            workspace().join("apps/networking/files").join(gateway),
            files.join(gateway),
        )
        .unwrap();
    }
    // Kubeflow's kustomization and the lock of its remote bases (found through
    // SYNTH_KUSTOMIZE_MIRRORS, which scripts/test sets)
    std::fs::copy(
        workspace().join("kustomize.lock"),
        root.join("kustomize.lock"),
    )
    .unwrap();
    let kustomization = root.join("apps/ai/kubeflow/kustomization");
    std::fs::create_dir_all(&kustomization).unwrap();
    for file in ["kustomization.yaml", "stub-istio-crds.yaml"] {
        std::fs::copy(
            workspace()
                .join("apps/ai/kubeflow/kustomization")
                .join(file),
            kustomization.join(file),
        )
        .unwrap();
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "homelab"]);
    dir
}

/// Changes the included gateway file and commits, so the gateway app's output changes.
fn change_gateway(root: &Path, marker: &str) {
    let path = root.join("apps/networking/files/homelab-gateway.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replace(
        "cert-manager.io/cluster-issuer: letsencrypt-prod",
        &format!(
            "cert-manager.io/cluster-issuer: letsencrypt-prod\n    example.com/marker: {marker}"
        ),
    );
    assert_ne!(text, changed);
    std::fs::write(&path, changed).unwrap();
    git(root, &["commit", "-q", "-am", &format!("gateway {marker}")]);
}

fn publish_args<'a>(source: &'a str, remote: &'a str) -> Vec<&'a str> {
    vec!["publish", "--workspace", source, "--repo", remote]
}

#[test]
fn publish_dry_run_then_publish_then_no_op() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );

    let mut dry = publish_args(src, dst);
    dry.push("--dry-run");
    let run = synth_in(source.path(), &dry, None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(stdout.contains("dry run: would commit"), "{stdout}");
    assert!(stdout.contains("+ main/comfyui/\n"), "{stdout}");
    assert!(stdout.contains("+ staging/headlamp/\n"), "{stdout}");
    assert_eq!(git(remote.path(), &["branch", "--list"]), "");

    let run = synth_in(source.path(), &publish_args(src, dst), None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(stdout.starts_with("synth: published "), "{stdout}");
    assert!(
        stdout.contains(" main-manifests: "),
        "default branch is <source-branch>-manifests: {stdout}"
    );
    let files = git(
        remote.path(),
        &["ls-tree", "-r", "--name-only", "main-manifests"],
    );
    assert!(files.lines().any(|f| f == "hydrator.metadata"));
    assert!(
        files
            .lines()
            .any(|f| f == "main/gateway/Gateway.homelab-gateway.yaml")
    );

    let again = synth_in(source.path(), &publish_args(src, dst), None);
    assert!(again.status.success());
    assert!(
        text(&again).0.contains("nothing to publish"),
        "{:?}",
        text(&again)
    );
}

#[test]
fn publish_refuses_a_dirty_work_tree_and_removing_apps() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    std::fs::write(source.path().join("Cargo.toml"), "[workspace]\n# edited\n").unwrap();
    let dirty = synth_in(source.path(), &publish_args(src, dst), None);
    assert_eq!(dirty.status.code(), Some(2));
    assert!(
        text(&dirty).1.contains("uncommitted changes (Cargo.toml)"),
        "{:?}",
        text(&dirty)
    );
    git(source.path(), &["commit", "-q", "-am", "edit"]);

    push_retired_app(source.path(), src, dst);

    let refused = synth_in(source.path(), &publish_args(src, dst), None);
    let (_, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refusing to delete app(s) staging/retired:"),
        "{stderr}"
    );
    // the app's name alone allows it on every cluster
    let mut allowed = publish_args(src, dst);
    allowed.extend(["--allow-delete", "retired"]);
    let run = synth_in(source.path(), &allowed, None);
    assert!(run.status.success(), "{:?}", text(&run));
    assert!(text(&run).0.contains("1 removed"), "{:?}", text(&run));
}

/// Publishes the source, then adds an app this homelab no longer has to the branch (as if a
/// later source commit had removed it).
fn push_retired_app(source: &std::path::Path, src: &str, dst: &str) {
    assert!(
        synth_in(source, &publish_args(src, dst), None)
            .status
            .success()
    );
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &["clone", "-q", "-b", "main-manifests", dst, "."],
    );
    // an app of a cluster folder counts as an app, not the folder
    std::fs::create_dir(clone.path().join("staging/retired")).unwrap();
    std::fs::write(
        clone.path().join("staging/retired/ConfigMap.x.yaml"),
        "kind: ConfigMap\n",
    )
    .unwrap();
    let head = git(source, &["rev-parse", "HEAD"]);
    git(clone.path(), &["add", "."]);
    git(
        clone.path(),
        &[
            "commit",
            "-q",
            "-m",
            &format!("old app\n\nSource-Commit: {head}"),
        ],
    );
    git(clone.path(), &["push", "-q", "origin", "main-manifests"]);
}

#[test]
fn a_reviewed_allow_delete_trailer_in_the_source_commit_allows_the_deletion_in_ci() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    push_retired_app(source.path(), src, dst);
    // a trailer naming another app allows nothing
    git(
        source.path(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "drop x\n\nAllow-Delete: other",
        ],
    );
    let refused = synth_in(source.path(), &publish_args(src, dst), None);
    assert_eq!(refused.status.code(), Some(1), "{:?}", text(&refused));
    // the merge commit of the pull request that removed the app says so
    git(
        source.path(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Remove the retired app (#42)\n\nAllow-Delete: retired",
        ],
    );
    let run = synth_in(source.path(), &publish_args(src, dst), None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 removed"), "{stdout}");
    assert!(
        stderr.contains("Allow-Delete: retired"),
        "the trailer is named: {stderr}"
    );
}

#[test]
fn kill_9_during_publish_leaves_the_remote_unchanged_or_fully_updated() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    assert!(
        synth_in(source.path(), &publish_args(src, dst), None)
            .status
            .success()
    );
    let old_tip = git(remote.path(), &["rev-parse", "main-manifests"]);
    let old_files = git(remote.path(), &["ls-tree", "-r", "main-manifests"]);

    change_gateway(source.path(), "v2");
    // the complete new tree, published once to a separate repository
    let reference = bare_repo();
    let reference_path = reference.path().to_str().unwrap();
    assert!(
        synth_in(source.path(), &publish_args(src, reference_path), None)
            .status
            .success()
    );
    let new_files = git(reference.path(), &["ls-tree", "-r", "main-manifests"]);
    assert_ne!(old_files, new_files);

    let binary = env!("CARGO_BIN_EXE_synth");
    let mut outcomes = (0, 0);
    for iteration in 0..24u64 {
        let mut child = Command::new(binary)
            .args(publish_args(src, dst))
            .current_dir(source.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(iteration * 7 % 160));
        let _ = child.kill();
        let _ = child.wait();
        let tip = git(remote.path(), &["rev-parse", "main-manifests"]);
        let files = git(remote.path(), &["ls-tree", "-r", "main-manifests"]);
        if tip == old_tip {
            assert_eq!(files, old_files);
            outcomes.0 += 1;
        } else {
            assert_eq!(
                files, new_files,
                "iteration {iteration}: a partial tree was published"
            );
            assert_eq!(
                git(remote.path(), &["rev-parse", "main-manifests^"]),
                old_tip
            );
            outcomes.1 += 1;
            git(
                remote.path(),
                &["update-ref", "refs/heads/main-manifests", &old_tip],
            );
        }
        git(remote.path(), &["fsck", "--connectivity-only"]);
    }
    assert!(
        outcomes.0 > 0,
        "some publishes were killed before the push: {outcomes:?}"
    );
}

#[test]
fn publish_refuses_a_cluster_selection_which_would_delete_the_other_clusters() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    let mut one_cluster = publish_args(src, dst);
    one_cluster.extend(["--cluster", "main"]);
    let run = synth_in(source.path(), &one_cluster, None);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.starts_with("synth: publish commits every cluster's folder at once:"),
        "{stderr}"
    );
    assert_eq!(git(remote.path(), &["for-each-ref"]), "", "nothing pushed");
}

#[test]
fn publish_to_a_path_runs_its_hook_and_stops_one_that_hangs_after_the_timeout() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    write_hook(remote.path(), "pre-receive", "#!/bin/sh\nexec sleep 120\n");
    let mut args = publish_args(src, dst);
    args.extend(["--timeout", "1"]);
    let run = synth_in(source.path(), &args, None);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "synth: timed out after 1 s waiting for {dst} to answer a push"
        )),
        "{stderr}"
    );
    assert_eq!(git(remote.path(), &["for-each-ref"]), "", "nothing pushed");
}

#[test]
fn publish_refuses_bad_branch_names_before_synthesizing() {
    let source = source_workspace();
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    for branch in ["../x", "HEAD", "refs/heads/x"] {
        let mut args = publish_args(src, dst);
        args.extend(["--branch", branch]);
        let run = synth_in(source.path(), &args, None);
        let (stdout, stderr) = text(&run);
        assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
        assert!(
            stderr.starts_with(&format!("synth: invalid branch name `{branch}`: ")),
            "{stderr}"
        );
    }
    assert_eq!(git(remote.path(), &["for-each-ref"]), "", "nothing pushed");
}

/// The scratch folders in `tmp`.
fn scratch_folders(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(SCRATCH_PREFIX))
        .collect()
}

#[test]
fn the_scratch_repository_of_a_publish_killed_in_a_hook_is_removed_by_the_next_publish() {
    let source = source_workspace();
    let remote = bare_repo();
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );
    let entered = remote.path().join("hook-entered");
    let release = remote.path().join("hook-release");
    // waits (at most 2 minutes) until the test lets it go, then refuses
    write_hook(
        remote.path(),
        "pre-receive",
        &format!(
            "#!/bin/sh\n: > '{}'\ni=0\nwhile [ ! -e '{}' ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done\nexit 1\n",
            entered.display(),
            release.display()
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(publish_args(src, dst))
        .current_dir(source.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // an upper bound for the synthesis before the push, not a timing assertion
    let mut waited = 0;
    while !entered.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "publish ended without running the target's pre-receive hook"
        );
        assert!(
            waited < 6000,
            "publish did not reach the push in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        scratch_folders(tmp.path()).len(),
        1,
        "the killed publish's folder"
    );
    std::fs::write(&release, "").unwrap();
    std::fs::remove_file(remote.path().join("hooks/pre-receive")).unwrap();

    let run = Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(publish_args(src, dst))
        .current_dir(source.path())
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{:?}", text(&run));
    assert_eq!(scratch_folders(tmp.path()), Vec::<String>::new());
}

/// A checkout of this binary's package (`[package] name = "synth"`) whose sources are not
/// the ones the binary was built from: a binary built at an older commit, run in a newer
/// checkout.
fn newer_checkout() -> tempfile::TempDir {
    let source = source_workspace();
    let root = source.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\n\n[package]\nname = \"synth\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        "fn main() { /* a newer homelab */ }\n",
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "a newer homelab"]);
    source
}

#[test]
fn publish_refuses_a_binary_built_from_other_sources_than_the_checkout() {
    use homelab_synth_fingerprint::{fingerprint, short};
    let built = env!("SYNTH_BUILD_FINGERPRINT");
    let source = newer_checkout();
    let checkout = fingerprint(source.path()).unwrap().digest;
    assert_ne!(built, checkout);
    let remote = bare_repo();
    let (src, dst) = (
        source.path().to_str().unwrap(),
        remote.path().to_str().unwrap(),
    );

    let run = synth_in(source.path(), &publish_args(src, dst), None);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "build fingerprint {}, checkout fingerprint {}",
            short(built),
            short(&checkout)
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("rebuild it and publish with `cargo run -p synth -- publish`"),
        "{stderr}"
    );
    assert_eq!(
        git(remote.path(), &["branch", "--list"]),
        "",
        "nothing pushed"
    );
    // --allow-dirty is about the work tree, not the binary
    let mut dirty = publish_args(src, dst);
    dirty.push("--allow-dirty");
    assert_eq!(synth_in(source.path(), &dirty, None).status.code(), Some(2));

    // synth itself warns and goes on
    let run = synth_in(source.path(), &["--workspace", src, "--stdout"], None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(stdout.contains("# Source: main/comfyui/"), "synthesized");
    assert!(
        stderr.contains(&format!(
            "synth: warning: this synth was built from other sources than {} holds \
             (build fingerprint {}, checkout fingerprint {})",
            source.path().canonicalize().unwrap().display(),
            short(built),
            short(&checkout)
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("rebuild it (`cargo run -p synth`)"),
        "{stderr}"
    );
}

#[test]
fn the_checkout_a_binary_was_built_from_gets_no_warning() {
    let built = env!("SYNTH_BUILD_FINGERPRINT");
    let checkout = homelab_synth_fingerprint::fingerprint(&workspace()).unwrap();
    assert_eq!(
        built,
        checkout.digest,
        "the test binary was built from this checkout: {} files",
        checkout.files.len()
    );
    let run = crate::support::synth(&["--stdout", "--app", "headlamp"]);
    let (_, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("built from other sources"), "{stderr}");
}
