//! Kustomize through the binary: Kubeflow renders offline and byte-identically, a warm run
//! runs kustomize zero times (counted by a wrapper around the real kubectl), and a missing
//! tool exits 2 with one error per cluster and none of the findings it would cause.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{text, workspace};

/// The real kubectl: `KUBECTL`, else `target/tools/kubectl` (`scripts/install-kubectl`).
fn kubectl() -> PathBuf {
    let path = std::env::var_os("KUBECTL")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/tools/kubectl"));
    assert!(
        path.is_file(),
        "kubectl is needed and was not found at {}: run `export KUBECTL=$(scripts/install-kubectl)`",
        path.display()
    );
    path
}

/// `synth args` in the workspace with the kustomize cache in `cache` and `kubectl` as the tool.
fn synth_with(args: &[&str], cache: &Path, kubectl: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(args)
        .current_dir(workspace())
        .env("SYNTH_KUSTOMIZE_CACHE", cache)
        .env("KUBECTL", kubectl)
        .env_remove("KUSTOMIZE")
        .env("SYNTH_OFFLINE", "1")
        .output()
        .expect("run synth")
}

#[test]
fn kubeflow_renders_offline_identically_and_a_warm_run_runs_kustomize_zero_times() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("invocations");
    let wrapper = scratch.path().join("kubectl");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            kubectl().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache = scratch.path().join("cache");
    let count = || {
        std::fs::read_to_string(&log)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };

    let cold = synth_with(&["--app", "kubeflow", "--stdout"], &cache, &wrapper);
    let (stdout, stderr) = text(&cold);
    assert!(cold.status.success(), "{stderr}");
    // the version once, one build: the second cluster's render is a cache hit
    assert_eq!(count(), 2, "{:?}", std::fs::read_to_string(&log));
    let objects = stdout
        .lines()
        .filter(|l| l.starts_with("# Source: main/kubeflow/"))
        .count();
    assert_eq!(
        objects, 325,
        "319 from the kustomization, the route and the controller's 5"
    );

    let warm = synth_with(&["--app", "kubeflow", "--stdout"], &cache, &wrapper);
    assert!(warm.status.success(), "{}", text(&warm).1);
    assert_eq!(count(), 2, "a warm run runs kustomize zero times");
    assert_eq!(warm.stdout, cold.stdout, "byte-identical across runs");
}

#[test]
fn a_missing_kustomize_exits_2_naming_the_kustomization_once() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("no-kubectl");
    let run = synth_with(&["--app", "kubeflow", "--check"], scratch.path(), &missing);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(
        errors.len(),
        1,
        "one for the cause, whatever the clusters, no follow-on findings: {stderr}"
    );
    for error in errors {
        assert!(
            error.contains("apps/ai/kubeflow/kustomization/kustomization.yaml")
                && error.contains("kustomize was not found (KUBECTL is ")
                && error.contains("scripts/install-kubectl"),
            "{error}"
        );
    }
}
