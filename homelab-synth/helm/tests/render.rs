//! The renderer end to end with the real helm: real charts of `../shared/charts` served by a
//! local HTTP chart repository, and small charts written by the tests for the edge cases
//! (CRDs, hooks, random values, schema, subcharts). Helm runs are counted through a wrapper
//! script set as the helm binary.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use homelab_synth_core::helm_release::{
    ChartSource, HelmProps, HookAction, HookPolicy, chart_pins,
};
use homelab_synth_core::{
    App, BuiltApp, ChartProps, JsonPatch, ManifestSet, MemoryFiles, SynthError, SynthInputs,
    synthesize_with,
};
use homelab_synth_helm::{HelmCli, HelmConfig, LockFile, lock_charts};
use serde_json::{Value, json};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real helm: `HELM`, else `target/tools/helm` (run `scripts/install-helm`).
fn real_helm() -> PathBuf {
    if let Some(helm) = std::env::var_os("HELM").filter(|h| !h.is_empty()) {
        return PathBuf::from(helm);
    }
    let local = workspace_root().join("target/tools/helm");
    assert!(
        local.is_file(),
        "these tests need the real helm: run scripts/install-helm or set HELM"
    );
    local
}

/// A folder with a helm wrapper that logs each run, and the log.
struct Counted {
    dir: tempfile::TempDir,
}

impl Counted {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            dir.path().join("calls.log").display(),
            real_helm().display()
        );
        let wrapper = dir.path().join("helm");
        std::fs::write(&wrapper, script).unwrap();
        std::os::unix::fs::PermissionsExt::set_mode(
            &mut std::fs::metadata(&wrapper).unwrap().permissions(),
            0o755,
        );
        let mut permissions = std::fs::metadata(&wrapper).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&wrapper, permissions).unwrap();
        Counted { dir }
    }
    fn path(&self) -> PathBuf {
        self.dir.path().join("helm")
    }
    fn calls(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("calls.log"))
            .map(|log| log.lines().count())
            .unwrap_or(0)
    }
}

/// Serves the files of `root` over HTTP on 127.0.0.1 until the process ends.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1000) {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let file = root.join(path.trim_start_matches('/'));
            let response = match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    format!("http://{address}")
}

fn shared_charts() -> PathBuf {
    workspace_root().join("../shared/charts")
}

/// A workspace folder (for the lock file) and a cache folder.
struct Setup {
    workspace: tempfile::TempDir,
    cache: tempfile::TempDir,
    helm: Counted,
}

impl Setup {
    fn new() -> Self {
        Setup {
            workspace: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
            helm: Counted::new(),
        }
    }
    fn config(&self, mirrors: Vec<String>) -> HelmConfig {
        HelmConfig {
            workspace: self.workspace.path().to_path_buf(),
            lock_file: self.workspace.path().join("charts.lock"),
            cache_dir: self.cache.path().to_path_buf(),
            mirrors,
            helm: Some(self.helm.path()),
            offline: false,
            jobs: 4,
            progress: false,
        }
    }
    fn lock(&self, apps: &[BuiltApp], mirrors: Vec<String>) -> LockFile {
        let config = self.config(Vec::new());
        let lock = lock_charts(&config, &chart_pins(apps), mirrors, false).expect("lock");
        lock.write(&config.lock_file).unwrap();
        lock
    }
}

fn built(name: &str, build: impl FnOnce(&mut App)) -> BuiltApp {
    let mut app = App::new(name);
    build(&mut app);
    BuiltApp {
        app,
        category: "test".into(),
    }
}

fn synth(apps: &[BuiltApp], helm: &HelmCli) -> Result<ManifestSet, SynthError> {
    let files = MemoryFiles::new();
    synthesize_with(apps, &SynthInputs::new(&files).with_helm(helm))
}

/// The inputs synthesis could not read (one message per cause), then the errors.
fn errors(result: Result<ManifestSet, SynthError>) -> Vec<String> {
    match result {
        Ok(_) => panic!("synthesis should fail"),
        Err(error) => (error.unavailable.iter().cloned())
            .chain(error.errors.iter().map(ToString::to_string))
            .collect(),
    }
}

fn document(set: &ManifestSet, kind: &str, name: &str) -> Value {
    set.apps
        .iter()
        .flat_map(|app| &app.documents)
        .find(|d| d.kind() == kind && d.name() == name)
        .map(|d| d.body())
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

#[test]
fn shared_charts_from_a_local_http_repository_render_once_then_come_from_the_cache() {
    let repository = serve(shared_charts());
    let setup = Setup::new();
    let apps = vec![
        built("reloader", |app| {
            let mut chart = app.chart("reloader", ChartProps::namespace("reloader"));
            chart.helm(
                "reloader",
                HelmProps::new(ChartSource::repo(&repository, "reloader"), "2.2.12"),
            );
        }),
        built("metrics-server", |app| {
            let mut chart = app.chart("metrics-server", ChartProps::namespace("kube-system"));
            chart.helm(
                "metrics-server",
                HelmProps::new(ChartSource::repo(&repository, "metrics-server"), "3.13.0")
                    .values(json!({"args": ["--kubelet-insecure-tls"]})),
            );
        }),
    ];
    let lock = setup.lock(&apps, Vec::new());
    assert_eq!(lock.charts.len(), 2);
    let index = std::fs::read_to_string(shared_charts().join("index.yaml")).unwrap();
    for chart in &lock.charts {
        assert!(
            index.contains(chart.digest.trim_start_matches("sha256:")),
            "{chart:?}"
        );
    }

    let cold = HelmCli::new(setup.config(Vec::new()));
    let first = synth(&apps, &cold).expect("renders");
    // helm version once, then each release rendered twice (randomness check)
    assert_eq!(setup.helm.calls(), 1 + 2 * 2);
    assert_eq!(cold.helm_invocations(), 5);
    let deployment = document(&first, "Deployment", "metrics-server");
    assert_eq!(deployment["metadata"]["namespace"], "kube-system");
    assert!(
        deployment["spec"]["template"]["spec"]["containers"][0]["args"]
            .as_array()
            .unwrap()
            .contains(&json!("--kubelet-insecure-tls"))
    );
    let cluster_role = document(&first, "ClusterRole", "system:metrics-server");
    assert!(cluster_role["metadata"].get("namespace").is_none());

    // a second synthesis with nothing changed: zero helm runs, the same manifests
    let warm = HelmCli::new(setup.config(Vec::new()));
    let second = synth(&apps, &warm).expect("renders");
    assert_eq!(
        setup.helm.calls(),
        5,
        "a warm synthesis runs helm zero times"
    );
    assert_eq!(warm.helm_invocations(), 0);
    assert_eq!(warm.cache_hits(), 2);
    assert_eq!(first, second);

    // changed values: one new render (twice), the other release still from the cache
    let mut changed = apps.clone();
    changed[1] = built("metrics-server", |app| {
        let mut chart = app.chart("metrics-server", ChartProps::namespace("kube-system"));
        chart.helm(
            "metrics-server",
            HelmProps::new(ChartSource::repo(&repository, "metrics-server"), "3.13.0")
                .values(json!({"args": ["--kubelet-insecure-tls", "--v=2"]})),
        );
    });
    synth(&changed, &HelmCli::new(setup.config(Vec::new()))).expect("renders");
    assert_eq!(setup.helm.calls(), 7);
}

#[test]
fn an_edited_cached_render_is_rendered_again_with_a_warning_naming_the_file() {
    let setup = with_chart(EDGE_CHART);
    let apps = edge_app(|props| props, |_, _| {});
    let image = |set: &ManifestSet| {
        document(set, "Job", "migrate")["spec"]["template"]["spec"]["containers"][0]["image"]
            .clone()
    };
    let first = synth(&apps, &HelmCli::new(setup.config(Vec::new()))).expect("renders");
    assert_eq!(image(&first), "busybox:1.36");
    let renders: Vec<PathBuf> = std::fs::read_dir(setup.cache.path().join("renders"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(renders.len(), 1, "{renders:?}");
    // still valid JSON, another image
    let text = std::fs::read_to_string(&renders[0]).unwrap();
    let edited = text.replace("busybox:1.36", "registry.example/evil:1");
    assert_ne!(text, edited);
    std::fs::write(&renders[0], edited).unwrap();
    let calls = setup.helm.calls();

    let cli = HelmCli::new(setup.config(Vec::new()));
    let second = synth(&apps, &cli).expect("renders");
    assert_eq!(
        image(&second),
        "busybox:1.36",
        "the edited entry was not used"
    );
    assert!(setup.helm.calls() > calls, "rendered again");
    assert_eq!(cli.cache_hits(), 0);
    let warnings = cli.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&renders[0].display().to_string())
            && warnings[0].contains("does not match the digest"),
        "{warnings:?}"
    );
    assert_eq!(cli.take_warnings(), Vec::<String>::new(), "taken once");

    // the entry was written again: the next synthesis uses it, silently
    let again = HelmCli::new(setup.config(Vec::new()));
    assert_eq!(
        image(&synth(&apps, &again).expect("renders")),
        "busybox:1.36"
    );
    assert_eq!(again.cache_hits(), 1);
    assert_eq!(again.take_warnings(), Vec::<String>::new());
}

/// Writes chart `name` 0.1.0 with `files` and packages it into `out` (plus `index.yaml`).
fn package_chart(out: &Path, name: &str, files: &[(&str, &str)]) {
    let source = tempfile::tempdir().unwrap();
    let root = source.path().join(name);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    for (path, text) in files {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    std::fs::create_dir_all(out).unwrap();
    for args in [
        vec![
            "package".to_owned(),
            root.display().to_string(),
            "-d".into(),
            out.display().to_string(),
        ],
        vec!["repo".into(), "index".into(), out.display().to_string()],
    ] {
        let status = std::process::Command::new(real_helm())
            .args(&args)
            .env("HELM_CACHE_HOME", source.path().join("h"))
            .env("HELM_CONFIG_HOME", source.path().join("h"))
            .env("HELM_DATA_HOME", source.path().join("h"))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
}

const EDGE_CHART: &[(&str, &str)] = &[
    (
        "values.yaml",
        "replicas: 1\npodAnnotations: {}\nimage:\n  tag: \"1.0\"\nsub:\n  enabled: true\n",
    ),
    (
        "crds/widget.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n",
    ),
    (
        "templates/objects.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  replicas: {{ .Values.replicas | quote }}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}-role\n  namespace: {{ .Release.Namespace }}\nrules: []\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {size: 1}\n",
    ),
    (
        "templates/hooks.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-1\"\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: \"busybox:1.36\"}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: cleanup\n  annotations:\n    helm.sh/hook: pre-delete\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: \"busybox:1.36\"}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: test-connection\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers: [{name: t, image: \"busybox:1.36\"}]\n",
    ),
    (
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
    ),
    ("charts/sub/values.yaml", "enabled: true\nport: 80\n"),
    (
        "charts/sub/templates/svc.yaml",
        "{{ if .Values.enabled }}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub-{{ .Values.port }}\n{{ end }}\n",
    ),
];

fn edge_app(
    props: impl FnOnce(HelmProps) -> HelmProps,
    then: impl FnOnce(&mut homelab_synth_core::Chart<'_>, homelab_synth_core::HelmRef),
) -> Vec<BuiltApp> {
    vec![built("edge", |app| {
        let mut chart = app.chart("edge", ChartProps::namespace("edge"));
        let helm = chart.helm(
            "demo",
            props(HelmProps::new(
                ChartSource::repo("https://charts.example.invalid", "demo"),
                "0.1.0",
            )),
        );
        then(&mut chart, helm);
    })]
}

/// A setup whose lock holds chart `demo` (files `files`) from the mirror folder `mirror`.
fn with_chart(files: &[(&str, &str)]) -> Setup {
    let setup = Setup::new();
    package_chart(&setup.workspace.path().join("mirror"), "demo", files);
    setup.lock(&edge_app(|p| p, |_, _| {}), vec!["mirror".into()]);
    setup
}

#[test]
fn crds_hooks_namespaces_subcharts_and_patches_of_a_chart_written_by_the_test() {
    let setup = with_chart(EDGE_CHART);
    let cli = HelmCli::new(setup.config(Vec::new()));
    let apps = edge_app(
        |props| {
            props
                .release("rel")
                .values(json!({"replicas": 3, "podAnnotations": {"a": "b"}, "sub": {"port": 8080}}))
        },
        |_, _| {},
    );
    let set = synth(&apps, &cli).expect("renders");

    let crd = document(&set, "CustomResourceDefinition", "widgets.example.com");
    assert!(
        crd["metadata"].get("namespace").is_none(),
        "CRDs are cluster-scoped"
    );
    let config = document(&set, "ConfigMap", "rel-config");
    assert_eq!(config["metadata"]["namespace"], "edge", "release namespace");
    assert_eq!(config["data"]["replicas"], "3");
    let role = document(&set, "ClusterRole", "rel-role");
    assert!(role["metadata"].get("namespace").is_none());
    let widget = document(&set, "Widget", "w");
    assert_eq!(
        widget["metadata"]["namespace"], "edge",
        "scope from the chart's CRD"
    );
    document(&set, "ConfigMap", "sub-8080");
    let migrate = document(&set, "Job", "migrate");
    assert_eq!(
        migrate["metadata"]["annotations"],
        json!({"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/sync-wave": "-1",
               "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation"})
    );
    let kinds: Vec<String> = set.apps[0]
        .documents
        .iter()
        .map(|d| format!("{}/{}", d.kind(), d.name()))
        .collect();
    assert!(!kinds.contains(&"Job/cleanup".to_owned()), "{kinds:?}");
    assert!(
        !kinds.contains(&"Pod/test-connection".to_owned()),
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.starts_with("CustomResourceDefinition/"))
            .count(),
        1,
        "the CRD once"
    );
    assert!(
        set.apps[0]
            .documents
            .iter()
            .any(|d| d.path == "edge/edge/demo/CustomResourceDefinition/widgets.example.com")
    );

    // patches reach rendered objects by kind and name; one aimed at nothing is an error
    let patched = edge_app(
        |props| props.release("rel"),
        |chart, helm| {
            chart.patch_rendered(
                helm,
                "ConfigMap",
                "rel-config",
                JsonPatch::add("/data/extra", json!("yes")),
            );
        },
    );
    let set = synth(&patched, &cli).expect("renders");
    assert_eq!(
        document(&set, "ConfigMap", "rel-config")["data"]["extra"],
        "yes"
    );
    let missing = edge_app(
        |props| props.release("rel"),
        |chart, helm| {
            chart.patch_rendered(helm, "ConfigMap", "missing", JsonPatch::remove("/data"))
        },
    );
    let problems = errors(synth(&missing, &cli));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("ConfigMap `missing`"), "{problems:?}");

    // drop instead of Argo CD: a warning per hook
    let dropping = edge_app(
        |props| {
            props.release("rel").hooks(HookPolicy {
                install_upgrade: HookAction::Drop,
                ..HookPolicy::default()
            })
        },
        |_, _| {},
    );
    let set = synth(&dropping, &cli).expect("renders");
    let warnings: Vec<String> = set.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("Job/migrate") && warnings[0].contains("pre-install"));
}

#[test]
fn values_the_chart_does_not_declare_are_errors_and_the_schema_is_checked() {
    let mut files = EDGE_CHART.to_vec();
    files.push((
        "values.schema.json",
        r#"{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1}, "image": {"type": "object", "properties": {"tag": {"type": "string"}}}}}"#,
    ));
    let setup = with_chart(&files);
    let cli = HelmCli::new(setup.config(Vec::new()));
    let unknown = edge_app(
        |props| {
            props.values(json!({"persistence": {"size": "1Gi"}, "sub": {"nope": 1, "port": 81}, "podAnnotations": {"x": "y"}}))
        },
        |_, _| {},
    );
    let problems = errors(synth(&unknown, &cli));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`persistence` is not a value of chart demo 0.1.0"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("`sub.nope` is not a value of chart demo 0.1.0"),
        "{problems:?}"
    );
    let allowed = edge_app(
        |props| {
            props
                .values(json!({"persistence": {"size": "1Gi"}}))
                .allow_value("persistence")
        },
        |_, _| {},
    );
    synth(&allowed, &cli).expect("allowed explicitly");

    let calls = setup.helm.calls();
    let invalid = edge_app(
        |props| props.values(json!({"replicas": 0, "image": {"tag": 2}})),
        |_, _| {},
    );
    let problems = errors(synth(&invalid, &cli));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`image.tag`") && problems[0].contains("values.schema.json"),
        "{problems:?}"
    );
    assert!(problems[1].contains("`replicas`"), "{problems:?}");
    assert_eq!(
        setup.helm.calls(),
        calls,
        "helm does not run for values the schema refuses"
    );
}

#[test]
fn an_overlay_layers_over_the_values_before_they_are_checked_and_rendered() {
    let setup = with_chart(EDGE_CHART);
    let cli = HelmCli::new(setup.config(Vec::new()));
    let layered = edge_app(
        |props| {
            props
                .values(json!({"replicas": 3, "podAnnotations": {"a": "1"}}))
                .overlay(json!({"replicas": 1, "podAnnotations": {"b": "2"}}))
        },
        |_, _| {},
    );
    let set = synth(&layered, &cli).expect("layered values render");
    assert_eq!(
        document(&set, "ConfigMap", "demo-config")["data"]["replicas"],
        "1",
        "the overlay wins"
    );
    let typo = edge_app(
        |props| {
            props
                .values(json!({"replicas": 3}))
                .overlay(json!({"replcas": 1}))
        },
        |_, _| {},
    );
    let problems = errors(synth(&typo, &cli));
    assert!(
        problems.len() == 1 && problems[0].contains("`replcas` is not a value of chart demo"),
        "{problems:?}"
    );
}

#[test]
fn random_values_fail_the_synthesis_unless_accepted_for_that_object() {
    let setup = with_chart(&[
        ("values.yaml", "existingSecret: \"\"\n"),
        (
            "templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: generated\nstringData:\n  password: {{ randAlphaNum 16 | quote }}\n",
        ),
    ]);
    let cli = HelmCli::new(setup.config(Vec::new()));
    let problems = errors(synth(&edge_app(|p| p, |_, _| {}), &cli));
    let random: Vec<&String> = problems
        .iter()
        .filter(|p| p.contains("differs between two renders"))
        .collect();
    assert_eq!(random.len(), 1, "{problems:?}");
    assert!(
        random[0].contains("Secret/generated") && random[0].contains("`stringData.password`"),
        "{random:?}"
    );
    assert!(
        random[0].contains("`existingSecret`"),
        "suggests the chart's existing-secret value: {random:?}"
    );

    // accepted (and the plaintext secret allowed): the first render is kept, also from the cache
    let accepted = edge_app(
        |p| p.accept_nondeterministic("Secret/generated", "test fixture"),
        |chart, helm| {
            chart.allow_rendered(
                helm,
                "Secret",
                "generated",
                homelab_synth_core::Allow::SecretData,
                "test fixture",
            )
        },
    );
    let first = synth(&accepted, &cli).expect("accepted");
    let again = synth(&accepted, &HelmCli::new(setup.config(Vec::new()))).expect("accepted");
    assert_eq!(first, again, "the cached render is reused");
}

#[test]
fn an_omitted_object_is_left_out_and_nulls_the_templates_leave_are_dropped() {
    let setup = with_chart(&[
        ("values.yaml", "annotations: null\n"),
        (
            "templates/objects.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: generated\nstringData:\n  password: {{ randAlphaNum 16 | quote }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\n  annotations: {{ .Values.annotations }}\ndata:\n  a: \"1\"\n  b: null\n",
        ),
    ]);
    let cli = HelmCli::new(setup.config(Vec::new()));
    let omitting =
        |reason: &'static str| edge_app(move |p| p.omit("Secret/generated", reason), |_, _| {});
    let set = synth(&omitting("nothing reads it"), &cli).expect("omitted");
    let kinds: Vec<&str> = set.apps[0].documents.iter().map(|d| d.kind()).collect();
    assert_eq!(
        kinds,
        ["ConfigMap"],
        "the random Secret is gone, not only accepted"
    );
    assert_eq!(
        document(&set, "ConfigMap", "kept"),
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kept", "namespace": "edge"}, "data": {"a": "1"}})
    );

    let problems = errors(synth(&omitting(" "), &cli));
    assert_eq!(
        problems,
        [
            "error: app `edge`: `edge/edge/demo`: leaving Secret/generated out of chart demo 0.1.0 \
          needs a reason"
        ]
    );
    let wrong = edge_app(|p| p.omit("Secret/other", "typo"), |_, _| {});
    let problems = errors(synth(&wrong, &cli));
    assert!(
        problems.iter().any(|p| p
            .ends_with("Secret/other is to be left out, but chart demo 0.1.0 did not render it")),
        "{problems:#?}"
    );
}

#[test]
fn missing_helm_unavailable_charts_and_digest_mismatches_are_clear_errors() {
    let setup = with_chart(EDGE_CHART);
    let apps = edge_app(|p| p, |_, _| {});

    let mut config = setup.config(Vec::new());
    config.helm = Some(PathBuf::from("/nonexistent/helm"));
    let problems = errors(synth(&apps, &HelmCli::new(config)));
    assert!(
        problems[0].contains("helm was not found") && problems[0].contains("scripts/install-helm"),
        "{problems:?}"
    );

    // offline, nothing cached, no mirror: which chart, and how to provide it
    let offline = Setup::new();
    std::fs::write(
        offline.workspace.path().join("charts.lock"),
        std::fs::read_to_string(setup.workspace.path().join("charts.lock"))
            .unwrap()
            .replace("mirrors:\n- mirror\n", ""),
    )
    .unwrap();
    let mut config = offline.config(Vec::new());
    config.offline = true;
    let problems = errors(synth(&apps, &HelmCli::new(config)));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("chart demo 0.1.0") && problems[0].contains("is not available"),
        "{problems:?}"
    );
    assert!(problems[0].contains("SYNTH_CHART_MIRRORS"), "{problems:?}");

    // not locked
    let unlocked = Setup::new();
    let problems = errors(synth(&apps, &HelmCli::new(unlocked.config(Vec::new()))));
    assert!(
        problems[0].contains("is not in") && problems[0].contains("synth charts lock"),
        "{problems:?}"
    );

    // the mirror holds another build than the lock says
    let tampered = Setup::new();
    let text = std::fs::read_to_string(setup.workspace.path().join("charts.lock")).unwrap();
    let digest = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("- digest: "))
        .unwrap()
        .to_owned();
    std::fs::write(
        tampered.workspace.path().join("charts.lock"),
        text.replace(&digest, &format!("sha256:{}", "0".repeat(64)))
            .replace(
                "- mirror",
                &format!("- {}", setup.workspace.path().join("mirror").display()),
            ),
    )
    .unwrap();
    let problems = errors(synth(&apps, &HelmCli::new(tampered.config(Vec::new()))));
    assert!(
        problems[0].contains("has digest") && problems[0].contains("but the lock says"),
        "{problems:?}"
    );
}
