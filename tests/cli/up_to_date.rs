//! A write with nothing changed since the last one is skipped, its lines printed again, and
//! any changed input or output means a full run.
//!
//! Each test works on a copy of this checkout (what the binary was built from, so its
//! fingerprint matches) with its own caches. After the first write the chart cache is made
//! unusable (a file where the folder was): from then on a full run of a selection with a Helm
//! chart fails, so a run that succeeds was skipped, and one that fails was not.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{text, workspace};

/// The apps every run selects: one includes a YAML file of the workspace, one renders a chart.
const SELECTION: [&str; 4] = ["--app", "gateway", "--app", "headlamp"];

/// The included file of the `gateway` app on the main cluster.
const INCLUDED: &str = "apps/networking/files/homelab-gateway.yaml";

/// A copy of this checkout with its own caches.
struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_sources(&workspace(), &dir.path().join("ws"), true);
        let checkout = Checkout { dir };
        assert_eq!(
            homelab_synth_fingerprint::fingerprint(&checkout.root())
                .unwrap()
                .digest,
            env!("SYNTH_BUILD_FINGERPRINT"),
            "the copy holds the sources the binary was built from"
        );
        checkout
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn chart_cache(&self) -> PathBuf {
        self.dir.path().join("charts")
    }

    /// Runs synth in the copy with `args` and the test's caches, plus `env`.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_synth"));
        command
            .args(args)
            .current_dir(self.root())
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("SYNTH_CHART_CACHE", self.chart_cache())
            .env("SYNTH_KUSTOMIZE_CACHE", self.dir.path().join("kustomize"))
            .env_remove("NO_COLOR")
            .env_remove("SYNTH_OFFLINE")
            .stdin(std::process::Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().expect("run synth")
    }

    /// Runs the selection, which must succeed.
    fn write(&self, extra: &[&str]) -> (String, String) {
        let args = [&SELECTION[..], extra].concat();
        let run = self.run(&args, &[]);
        let (stdout, stderr) = text(&run);
        assert!(run.status.success(), "{args:?}: {stdout}{stderr}");
        (stdout, stderr)
    }

    /// From now on a full run of the selection fails: the chart cache is a file.
    fn break_synthesis(&self) {
        std::fs::remove_dir_all(self.chart_cache()).unwrap();
        std::fs::write(self.chart_cache(), "not a folder\n").unwrap();
    }

    /// Full runs work again.
    fn repair_synthesis(&self) {
        std::fs::remove_file(self.chart_cache()).unwrap();
    }

    /// Asserts that `args` with `env` was not skipped: it tried to synthesize and failed on
    /// the broken chart cache.
    fn assert_full_run(&self, args: &[&str], env: &[(&str, &str)], what: &str) {
        let run = self.run(args, env);
        let (stdout, stderr) = text(&run);
        assert!(
            !run.status.success() && stderr.contains("charts/packages: Not a directory"),
            "{what}: a full run, which fails: {stdout}{stderr}"
        );
        assert!(!stdout.contains("up to date"), "{what}: {stdout}");
    }

    /// Asserts that the selection was skipped: it succeeds with synthesis broken.
    fn assert_skipped(&self, what: &str) -> (String, String) {
        let run = self.run(&SELECTION, &[]);
        let (stdout, stderr) = text(&run);
        assert!(run.status.success(), "{what}: skipped: {stdout}{stderr}");
        (stdout, stderr)
    }

    fn file(&self, path: &str) -> PathBuf {
        self.root().join(path)
    }
}

/// Copies the checkout's files as the fingerprint sees them: no hidden entries, no `target`
/// or output folder; the root's `tests/` (snapshots, not built into the binary) is left out.
fn copy_sources(from: &Path, to: &Path, top: bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let skipped = name.starts_with('.')
            || name == "target"
            || (top && matches!(name.as_str(), "tests" | "app"));
        if skipped {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            if path.join("CACHEDIR.TAG").exists() {
                continue;
            }
            copy_sources(&path, &to.join(&name), false);
        } else if path.is_file() {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// An image without a tag in the included file: a warning, and still a successful write.
fn with_a_warning(checkout: &Checkout) {
    let file = checkout.file(INCLUDED);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(
        "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: up-to-date-test\n  \
         namespace: kube-system\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      \
         containers:\n        - name: main\n          image: busybox\n",
    );
    std::fs::write(&file, text).unwrap();
}

#[test]
fn a_write_with_nothing_changed_is_skipped_and_prints_what_a_full_run_prints() {
    let checkout = Checkout::new();
    with_a_warning(&checkout);
    let (first, first_errors) = checkout.write(&[]);
    assert!(first.starts_with("synth: wrote "), "{first}");
    assert!(
        first_errors.contains("synth: cluster `main`: warning: app `gateway`")
            && first_errors.contains("image `busybox` has no tag"),
        "{first_errors}"
    );
    checkout.break_synthesis();
    let (stdout, stderr) = checkout.assert_skipped("nothing changed");
    let objects = first
        .split_whitespace()
        .nth(2)
        .expect("synth: wrote N objects");
    assert_eq!(
        stdout,
        format!(
            "synth: {} is up to date ({objects} objects)\n",
            checkout.root().join("app").display()
        )
    );
    assert_eq!(stderr, first_errors, "the same findings");
    // and again: a skipped run leaves the stamp as it was
    assert_eq!(
        checkout.assert_skipped("twice"),
        (stdout.clone(), stderr.clone())
    );
    checkout.assert_full_run(&[&SELECTION[..], &["--no-skip"]].concat(), &[], "--no-skip");
    checkout.repair_synthesis();
    assert_eq!(
        checkout.write(&["--no-skip"]),
        (stdout, stderr),
        "a full run prints what the skipped one printed"
    );
}

#[test]
fn findings_as_json_lines_are_replayed_as_they_were_printed() {
    let checkout = Checkout::new();
    with_a_warning(&checkout);
    let json = ["--message-format", "json"];
    let (_, printed) = checkout.write(&json);
    assert!(printed.contains(r#""severity":"warning""#), "{printed}");
    assert!(printed.contains("busybox"), "{printed}");
    checkout.break_synthesis();
    let run = checkout.run(&[&SELECTION[..], &json].concat(), &[]);
    let (_, replayed) = text(&run);
    assert!(run.status.success(), "skipped: {replayed}");
    assert_eq!(replayed, printed);
}

#[test]
fn any_changed_input_or_output_means_a_full_run() {
    let checkout = Checkout::new();
    checkout.write(&[]);
    checkout.break_synthesis();
    checkout.assert_skipped("nothing changed");

    // an included file
    let included = checkout.file(INCLUDED);
    let original = std::fs::read(&included).unwrap();
    let mut edited = original.clone();
    edited.extend_from_slice(b"# edited\n");
    std::fs::write(&included, &edited).unwrap();
    checkout.assert_full_run(&SELECTION, &[], "an included file edited");
    std::fs::write(&included, &original).unwrap();
    checkout.assert_skipped("the included file as it was");

    // any other file of the workspace, new or edited
    let notes = checkout.file("apps/networking/files/notes.md");
    std::fs::write(&notes, "notes\n").unwrap();
    checkout.assert_full_run(&SELECTION, &[], "a new file");
    std::fs::remove_file(&notes).unwrap();
    let lock = checkout.file("charts.lock");
    let original_lock = std::fs::read(&lock).unwrap();
    std::fs::write(&lock, [&original_lock[..], b"\n"].concat()).unwrap();
    checkout.assert_full_run(&SELECTION, &[], "charts.lock edited");
    std::fs::write(&lock, &original_lock).unwrap();
    // a link to a folder, whose files the digest does not follow
    let link = checkout.file("apps/networking/files/linked");
    std::os::unix::fs::symlink(checkout.dir.path().join("cache"), &link).unwrap();
    checkout.assert_full_run(&SELECTION, &[], "a link to a folder");
    std::fs::remove_file(&link).unwrap();
    checkout.assert_skipped("the workspace as it was");

    // the output folder: a file edited, deleted, added
    let app = checkout.file("app");
    let written = first_file(&app);
    let content = std::fs::read(&written).unwrap();
    std::fs::write(&written, [&content[..], b"# edited\n"].concat()).unwrap();
    checkout.assert_full_run(&SELECTION, &[], "an output file edited");
    std::fs::remove_file(&written).unwrap();
    checkout.assert_full_run(&SELECTION, &[], "an output file deleted");
    std::fs::write(&written, &content).unwrap();
    let extra = written.with_file_name("Extra.yaml");
    std::fs::write(&extra, "kind: Extra\n").unwrap();
    checkout.assert_full_run(&SELECTION, &[], "an output file added");
    std::fs::remove_file(&extra).unwrap();
    checkout.assert_skipped("the output as it was written");

    // the environment
    for env in [
        ("SYNTH_OFFLINE", "1"),
        ("NO_COLOR", "1"),
        ("SYNTH_KUSTOMIZE_TIMEOUT", "30"),
        ("HELM_DEBUG", "1"),
    ] {
        checkout.assert_full_run(&SELECTION, &[env], env.0);
    }

    // the arguments
    checkout.assert_full_run(&["--app", "headlamp"], &[], "another selection");
    checkout.assert_full_run(
        &[&SELECTION[..], &["--message-format", "json"]].concat(),
        &[],
        "another message format",
    );
    checkout.assert_skipped("the same arguments");

    // the helm binary: the same path, a newer file
    let helm = checkout.dir.path().join("helm");
    std::fs::copy(real_helm(), &helm).unwrap();
    let helm_env = [("HELM", helm.to_str().unwrap())];
    checkout.repair_synthesis();
    let run = checkout.run(&SELECTION, &helm_env);
    assert!(run.status.success(), "{:?}", text(&run));
    checkout.break_synthesis();
    let run = checkout.run(&SELECTION, &helm_env);
    assert!(
        run.status.success(),
        "the same helm: skipped: {:?}",
        text(&run)
    );
    std::fs::File::options()
        .append(true)
        .open(&helm)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    checkout.assert_full_run(&SELECTION, &helm_env, "helm replaced");
}

/// The helm the tests run: `HELM`, else `target/tools/helm` (`scripts/install-helm`).
fn real_helm() -> PathBuf {
    if let Some(helm) = std::env::var_os("HELM").filter(|helm| !helm.is_empty()) {
        return PathBuf::from(helm);
    }
    let local = workspace().join("target/tools/helm");
    assert!(local.is_file(), "run scripts/install-helm or set HELM");
    local
}

#[test]
fn a_checkout_the_binary_was_not_built_from_is_never_skipped() {
    let checkout = Checkout::new();
    let main = checkout.file("src/main.rs");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text.push_str("// a newer homelab\n");
    std::fs::write(&main, text).unwrap();
    let (_, stderr) = checkout.write(&[]);
    assert!(
        stderr.contains("this synth was built from other sources"),
        "{stderr}"
    );
    checkout.break_synthesis();
    checkout.assert_full_run(&SELECTION, &[], "a stale binary");
}

fn first_file(folder: &Path) -> PathBuf {
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_file() {
                return path;
            }
            pending.push(path);
        }
    }
    panic!("no file in {}", folder.display());
}
