//! The kustomize renderer against the real kubectl, real git archives and a real HTTP server
//! on 127.0.0.1: remote bases two levels deep from a mirror, digests, unlocked references, no
//! network during a render, the render cache, a plain-file URL, Kubeflow from the shared
//! offline copies, and a rendered CRD through synthesis (its schema kept as text).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use homelab_synth_core::kustomization::{
    KustomizeError, KustomizeRenderer, KustomizeRequest, Kustomized,
};
use homelab_synth_core::output;
use homelab_synth_core::{
    App, BuiltApp, ChartProps, JsonPatch, KustomizeProps, MemoryFiles, SynthInputs, synthesize_with,
};
use homelab_synth_kustomize::binary::KustomizeBinary;
use homelab_synth_kustomize::{
    KustomizeCli, KustomizeConfig, KustomizeLock, Tool, lock_kustomizations,
};
use serde_json::Value;

// the git helpers the publish and CLI tests share (git with a fixed identity)
#[path = "../../publish/tests/support/git.rs"]
mod git_support;

use git_support::git;

/// The repository root (two levels above this crate).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real kubectl: `KUBECTL`, else `target/tools/kubectl` as `scripts/install-kubectl`
/// installs it. Never skipped: a missing kubectl fails the test, saying what to run.
fn kubectl() -> PathBuf {
    let path = std::env::var_os("KUBECTL")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/tools/kubectl"));
    assert!(
        path.is_file(),
        "kubectl is needed for these tests and was not found at {}: run \
         `export KUBECTL=$(scripts/install-kubectl)` (scripts/test does)",
        path.display()
    );
    path
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A real git repository with `files`, tagged `tag`, archived as GitHub does (one top folder,
/// the commit in the pax header) into `mirror/<name>`; returns the commit.
fn archived_repo(
    scratch: &Path,
    name: &str,
    tag: &str,
    files: &[(&str, &str)],
    mirror: &Path,
    archive: &str,
) -> String {
    let repo = scratch.join(format!("repo-{name}"));
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    for (path, text) in files {
        write(&repo.join(path), text);
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "content"]);
    git(&repo, &["tag", tag]);
    std::fs::create_dir_all(mirror).unwrap();
    git(
        &repo,
        &[
            "archive",
            "--format=tar.gz",
            &format!("--prefix={name}-{tag}/"),
            "-o",
            &mirror.join(archive).display().to_string(),
            tag,
        ],
    );
    git(&repo, &["rev-parse", "HEAD"])
}

fn config_map(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n")
}

fn kustomization(resources: &[&str]) -> String {
    let mut text =
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n".to_owned();
    for resource in resources {
        text.push_str(&format!("- {resource}\n"));
    }
    text
}

/// A workspace whose kustomization `k/` reaches `github.com/example/base-a` (a mirror
/// archive), whose base reaches `github.com/example/base-b`: two levels of remote bases.
struct TwoLevels {
    _scratch: tempfile::TempDir,
    workspace: PathBuf,
    mirror: PathBuf,
    cache: PathBuf,
    commit_a: String,
}

fn two_levels() -> TwoLevels {
    let scratch = tempfile::tempdir().unwrap();
    let mirror = scratch.path().join("mirror");
    let commit_a = archived_repo(
        scratch.path(),
        "base-a",
        "v1",
        &[
            (
                "deploy/kustomization.yaml",
                &kustomization(&["cm.yaml", "https://github.com/example/base-b/config?ref=v2"]),
            ),
            ("deploy/cm.yaml", &config_map("from-a")),
        ],
        &mirror,
        "base-a-v1.tar.gz",
    );
    // base-b's mirror copy holds part of the repository under a longer name, like
    // argo-workflows-v3.7.3-manifests.tar.gz
    archived_repo(
        scratch.path(),
        "base-b",
        "v2",
        &[
            ("config/kustomization.yaml", &kustomization(&["cm.yaml"])),
            ("config/cm.yaml", &config_map("from-b")),
        ],
        &mirror,
        "base-b-v2-config.tar.gz",
    );
    let workspace = scratch.path().join("workspace");
    write(
        &workspace.join("k/kustomization.yaml"),
        &(kustomization(&["github.com/example/base-a//deploy?ref=v1", "local.yaml"])
            + "namespace: demo\n"),
    );
    write(&workspace.join("k/local.yaml"), &config_map("local"));
    TwoLevels {
        cache: scratch.path().join("cache"),
        _scratch: scratch,
        workspace,
        mirror,
        commit_a,
    }
}

fn config(workspace: &Path, cache: &Path, mirror: &Path) -> KustomizeConfig {
    KustomizeConfig {
        workspace: workspace.to_path_buf(),
        lock_file: workspace.join("kustomize.lock"),
        cache_dir: cache.to_path_buf(),
        mirrors: vec![mirror.display().to_string()],
        tool: Some(Tool::Kubectl(kubectl())),
        offline: true,
        timeout: Duration::from_secs(120),
    }
}

fn render(cli: &KustomizeCli, kustomization: &str) -> Result<Kustomized, KustomizeError> {
    cli.render(&[KustomizeRequest {
        path: "app/chart/k".into(),
        kustomization: kustomization.into(),
    }])
    .pop()
    .unwrap()
}

/// The documents of a render, whole, split here if the renderer handed back text.
fn documents(rendered: &Kustomized) -> Vec<Value> {
    let documents = rendered.output.clone().into_documents().unwrap();
    documents
        .into_iter()
        .map(|document| document.into_whole().unwrap())
        .collect()
}

/// The sorted `metadata.name`s of a render's objects.
fn names(rendered: &Kustomized) -> Vec<String> {
    let mut names: Vec<String> = documents(rendered)
        .iter()
        .filter_map(|object| object["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// A render's objects as one JSON text, to look for a value in.
fn text(rendered: &Kustomized) -> String {
    Value::Array(documents(rendered)).to_string()
}

#[test]
fn a_remote_base_two_levels_deep_is_locked_and_rendered_from_a_mirror() {
    let t = two_levels();
    let config = config(&t.workspace, &t.cache, &t.mirror);
    let lock = lock_kustomizations(&config, &["k".into()], Vec::new(), false).unwrap();
    assert_eq!(lock.sources.len(), 2, "{lock:?}");
    let a = &lock.sources[0];
    assert_eq!(
        (a.url.as_str(), a.reference.as_str(), a.file.as_str()),
        ("github.com/example/base-a", "v1", "base-a-v1.tar.gz")
    );
    assert_eq!(a.commit.as_deref(), Some(t.commit_a.as_str()));
    assert_eq!(lock.sources[1].file, "base-b-v2-config.tar.gz");
    assert!(lock.sources.iter().all(|s| s.sha256.starts_with("sha256:")));
    lock.write(&config.lock_file).unwrap();

    let cli = KustomizeCli::new(config);
    let rendered = render(&cli, "k").unwrap();
    assert_eq!(names(&rendered), ["from-a", "from-b", "local"]);
    assert!(
        documents(&rendered)
            .iter()
            .any(|object| object["metadata"]["namespace"] == "demo")
    );
    assert!(rendered.version.starts_with("v5."), "{}", rendered.version);
}

#[test]
fn an_unlocked_reference_is_an_error_naming_the_file_and_the_reference() {
    let t = two_levels();
    let config = config(&t.workspace, &t.cache, &t.mirror);
    let cli = KustomizeCli::new(config.clone());
    let error = render(&cli, "k").unwrap_err();
    assert_eq!(
        error.to_string(),
        "k/kustomization.yaml: remote reference `github.com/example/base-a//deploy?ref=v1` is \
         not in kustomize.lock: run `synth charts lock` to resolve and pin it"
    );
    assert!(error.is_missing_input());

    // the second level: base-a locked, base-b not
    let mut lock = lock_kustomizations(&config, &["k".into()], Vec::new(), false).unwrap();
    lock.sources.retain(|s| s.url.ends_with("base-a"));
    lock.write(&config.lock_file).unwrap();
    let error = render(&KustomizeCli::new(config), "k").unwrap_err();
    assert_eq!(
        error.to_string(),
        "github.com/example/base-a?ref=v1: deploy/kustomization.yaml: remote reference \
         `https://github.com/example/base-b/config?ref=v2` is not in kustomize.lock: run \
         `synth charts lock` to resolve and pin it"
    );
}

#[test]
fn a_digest_mismatch_is_an_error_naming_the_file_and_the_reference() {
    let t = two_levels();
    let config = config(&t.workspace, &t.cache, &t.mirror);
    let mut lock = lock_kustomizations(&config, &["k".into()], Vec::new(), false).unwrap();
    let locked = lock.sources[1].sha256.clone();
    lock.sources[1].sha256 = format!("sha256:{}", "0".repeat(64));
    lock.write(&config.lock_file).unwrap();
    let error = render(&KustomizeCli::new(config), "k").unwrap_err();
    let KustomizeError::DigestMismatch {
        file,
        reference,
        actual,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        file,
        "github.com/example/base-a?ref=v1: deploy/kustomization.yaml"
    );
    assert_eq!(reference, "https://github.com/example/base-b/config?ref=v2");
    assert_eq!(*actual, locked);
    assert!(
        error.to_string().contains("synth charts lock --refresh"),
        "{error}"
    );
}

#[test]
fn a_warm_render_runs_kustomize_zero_times_and_a_damaged_entry_is_rendered_again() {
    let t = two_levels();
    let config = config(&t.workspace, &t.cache, &t.mirror);
    lock_kustomizations(&config, &["k".into()], Vec::new(), false)
        .unwrap()
        .write(&config.lock_file)
        .unwrap();
    let cold = KustomizeCli::new(config.clone());
    let first = render(&cold, "k").unwrap();
    // the version (once per binary) and the build
    assert_eq!((cold.invocations(), cold.cache_hits()), (2, 0));

    let warm = KustomizeCli::new(config.clone());
    assert_eq!(render(&warm, "k").unwrap(), first);
    assert_eq!((warm.invocations(), warm.cache_hits()), (0, 1));

    // a workspace file changed: a miss
    write(&t.workspace.join("k/local.yaml"), &config_map("local-2"));
    let changed = KustomizeCli::new(config.clone());
    assert!(text(&render(&changed, "k").unwrap()).contains("local-2"));
    assert_eq!((changed.invocations(), changed.cache_hits()), (1, 0));

    // an entry edited since it was written: a miss, with a warning naming the file
    let renders = t.cache.join("renders");
    for entry in std::fs::read_dir(&renders).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("local-2", "evil")).unwrap();
    }
    let damaged = KustomizeCli::new(config);
    let again = render(&damaged, "k").unwrap();
    assert!(text(&again).contains("local-2") && !text(&again).contains("evil"));
    assert_eq!((damaged.invocations(), damaged.cache_hits()), (1, 0));
    let warnings = damaged.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("does not match the digest"),
        "{warnings:?}"
    );
}

#[test]
fn kustomize_cannot_reach_the_network_and_needs_not() {
    let t = two_levels();
    let config = config(&t.workspace, &t.cache, &t.mirror);
    lock_kustomizations(&config, &["k".into()], Vec::new(), false)
        .unwrap()
        .write(&config.lock_file)
        .unwrap();
    // the same tool, run on the kustomization as written (not localized): its remote base
    // must go through the unroutable proxy synth gives it, and fails
    let cache = homelab_synth_helm::cache::Cache::new(&t.cache);
    let binary = KustomizeBinary::find(
        config.tool.as_ref(),
        &t.workspace,
        &cache,
        Duration::from_secs(60),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let error = binary
        .build(&t.workspace.join("k"), home.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("127.0.0.1 port 9"), "{error}");
    // localized, the same kustomization renders
    let rendered = render(&KustomizeCli::new(config), "k").unwrap();
    assert_eq!(names(&rendered), ["from-a", "from-b", "local"]);
}

/// Serves `body` at every path on 127.0.0.1 until the test ends; the URL of `path`.
fn serve(path: &str, body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            // the request line and headers
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/{path}")
}

#[test]
fn a_plain_file_url_is_downloaded_once_pinned_and_rendered() {
    let scratch = tempfile::tempdir().unwrap();
    let url = serve("releases/download/v1/app.yaml", config_map("served"));
    let workspace = scratch.path().join("workspace");
    write(
        &workspace.join("k/kustomization.yaml"),
        &kustomization(&[&url]),
    );
    let mut config = config(
        &workspace,
        &scratch.path().join("cache"),
        &scratch.path().join("none"),
    );
    config.offline = false;
    let lock = lock_kustomizations(&config, &["k".into()], Vec::new(), false).unwrap();
    assert_eq!(lock.sources.len(), 1);
    assert_eq!(
        (
            lock.sources[0].url.as_str(),
            lock.sources[0].reference.as_str()
        ),
        (url.as_str(), "")
    );
    assert_eq!(lock.sources[0].commit, None);
    lock.write(&config.lock_file).unwrap();
    // offline from now on: the file comes from the cache
    config.offline = true;
    let rendered = render(&KustomizeCli::new(config), "k").unwrap();
    assert_eq!(names(&rendered), ["served"]);
}

#[test]
fn kubeflow_renders_offline_from_the_shared_copies() {
    let root = repo_root();
    let lock = KustomizeLock::read(&root.join("kustomize.lock")).unwrap();
    assert!(
        lock.sources.len() >= 3,
        "kustomize.lock pins Kubeflow's sources: {lock:?}"
    );
    let scratch = tempfile::tempdir().unwrap();
    let config = KustomizeConfig {
        workspace: root.clone(),
        lock_file: root.join("kustomize.lock"),
        cache_dir: scratch.path().join("cache"),
        mirrors: Vec::new(),
        tool: Some(Tool::Kubectl(kubectl())),
        offline: true,
        timeout: Duration::from_secs(300),
    };
    let rendered = render(&KustomizeCli::new(config), "apps/ai/kubeflow/kustomization").unwrap();
    assert_eq!(documents(&rendered).len(), 319);
}

/// A CRD whose Widgets' `spec.size` must be an integer.
const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, description: how big}
";

/// The app `widgets`: the kustomization `k` (the CRD and a Widget of `size`), with `patch`
/// aimed at the CRD when given.
fn widgets(workspace: &Path, size: &str, patch: Option<JsonPatch>) -> BuiltApp {
    write(&workspace.join("k/crd.yaml"), WIDGET_CRD);
    write(
        &workspace.join("k/widget.yaml"),
        &format!(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: {size}\n"
        ),
    );
    write(
        &workspace.join("k/kustomization.yaml"),
        &kustomization(&["crd.yaml", "widget.yaml"]),
    );
    let mut app = App::new("widgets");
    app.namespace_made_elsewhere("widgets", "made by the test");
    let mut chart = app.chart("main", ChartProps::namespace("widgets"));
    let rendered = chart.kustomize("k", KustomizeProps::new("k"));
    if let Some(patch) = patch {
        chart.patch_rendered(
            rendered,
            "CustomResourceDefinition",
            "widgets.example.com",
            patch,
        );
    }
    BuiltApp {
        app,
        category: "test".into(),
    }
}

#[test]
fn a_rendered_crd_keeps_its_schema_as_text_yet_checks_patches_and_writes_it_whole() {
    let scratch = tempfile::tempdir().unwrap();
    let workspace = scratch.path().join("ws");
    let cache = scratch.path().join("cache");
    let config = config(&workspace, &cache, &scratch.path().join("mirror"));
    let files = MemoryFiles::new();
    let synthesize = |app: BuiltApp| {
        let cli = KustomizeCli::new(config.clone());
        let set = synthesize_with(&[app], &SynthInputs::new(&files).with_kustomize(&cli));
        (set, cli.cache_hits())
    };
    widgets(&workspace, "1", None);
    lock_kustomizations(&config, &["k".into()], Vec::new(), false)
        .unwrap()
        .write(&config.lock_file)
        .unwrap();

    // a Widget the schema refuses, checked against the schema kept as text, cold and warm
    for expected_hits in [0, 1] {
        let (set, hits) = synthesize(widgets(&workspace, "big", None));
        assert_eq!(hits, expected_hits);
        let errors: Vec<String> = set
            .unwrap_err()
            .errors
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            errors.len() == 1 && errors[0].contains("Widget") && errors[0].contains("size"),
            "{errors:?}"
        );
    }

    // a valid one: the CRD is written whole, the same from a cold and a warm render
    let (set, _) = synthesize(widgets(&workspace, "3", None));
    let set = set.unwrap();
    let crd = set.apps[0]
        .documents
        .iter()
        .find(|document| document.kind() == "CustomResourceDefinition")
        .unwrap();
    assert!(!crd.schemas.is_empty(), "the schema is kept apart");
    assert_eq!(
        crd.body()["spec"]["versions"][0]["schema"],
        serde_json::json!({})
    );
    let whole = crd.whole_body().unwrap();
    assert_eq!(
        whole.pointer("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/size"),
        Some(&serde_json::json!({"type": "integer", "description": "how big"}))
    );
    let warm = output::render(&set).unwrap();
    let crd_file = "widgets/CustomResourceDefinition.widgets.example.com.yaml";
    let written = String::from_utf8(warm[crd_file].clone()).unwrap();
    assert!(written.contains("description: how big"), "{written}");
    std::fs::remove_dir_all(&cache).unwrap();
    let (cold, hits) = synthesize(widgets(&workspace, "3", None));
    assert_eq!(hits, 0);
    assert_eq!(output::render(&cold.unwrap()).unwrap(), warm);

    // a patch aimed into the schema: the schema goes back into the CRD before it applies
    let patch = JsonPatch::replace(
        "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/size/description",
        serde_json::json!("patched"),
    );
    let (set, hits) = synthesize(widgets(&workspace, "3", Some(patch)));
    assert_eq!(hits, 1);
    let files = output::render(&set.unwrap()).unwrap();
    let written = String::from_utf8(files[crd_file].clone()).unwrap();
    assert!(
        written.contains("description: patched") && !written.contains("how big"),
        "{written}"
    );
}
