//! The whole example homelab: a snapshot per app, Kubernetes reads every emitted file back as
//! the object we meant, two processes write byte-identical trees, none of the seed's defects
//! is in the output, and kubernetes-validate (strict) and the CRD schemas accept all of it.

use homelab_synth::output::render;
use homelab_synth::test_support::decode_paths;
use homelab_synth::{ManifestSet, SynthInputs, WorkspaceFiles, build_apps, synthesize_with};
use homelab_synth_helm::HelmCli;

use crate::support::{read_tree, synth, temp_in_workspace, text, workspace};

/// The homelab's manifests, synthesized once per test process (every test reads them).
fn homelab_manifests() -> &'static ManifestSet {
    static SET: std::sync::OnceLock<ManifestSet> = std::sync::OnceLock::new();
    SET.get_or_init(synthesize_homelab)
}

fn synthesize_homelab() -> ManifestSet {
    let apps = build_apps(&synth::homelab(), &[]).expect("apps build");
    let sources = WorkspaceFiles::new(workspace());
    let helm = HelmCli::from_env(workspace());
    match synthesize_with(&apps, &SynthInputs::new(&sources).with_helm(&helm)) {
        Ok(set) => set,
        Err(error) => panic!(
            "the example homelab must synthesize: {:#?}",
            error
                .errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ),
    }
}

#[test]
fn every_app_matches_its_snapshot() {
    let set = homelab_manifests();
    let files = render(set).expect("render");
    assert!(set.apps.len() >= 6, "at least six example apps");
    for app in &set.apps {
        let mut whole = String::new();
        for (path, content) in files.range(format!("{}/", app.name)..) {
            if !path.starts_with(&format!("{}/", app.name)) {
                break;
            }
            whole.push_str(&format!("# {path}\n"));
            whole.push_str(std::str::from_utf8(content).expect("UTF-8 output"));
        }
        insta::assert_snapshot!(format!("app-{}", app.name), whole);
    }
}

#[test]
fn the_homelab_has_no_warnings() {
    let set = homelab_manifests();
    let warnings: Vec<String> = set.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn kubernetes_reads_every_emitted_file_as_the_object_we_meant() {
    let set = homelab_manifests();
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let written = synth(&["--out", out.to_str().expect("UTF-8 path")]);
    assert!(written.status.success(), "{:?}", text(&written));

    let decoded = decode_paths(std::slice::from_ref(&out));
    let documents: Vec<_> = set
        .apps
        .iter()
        .flat_map(|app| {
            app.documents
                .iter()
                .map(move |document| (format!("{}/{}", app.name, document.file_name), document))
        })
        .collect();
    assert_eq!(decoded.len(), documents.len(), "one document per file");
    for (file, index, json) in decoded {
        assert_eq!(index, 0, "one document per file: {file}");
        let relative = file
            .strip_prefix(&format!("{}/", out.display()))
            .expect("file below the output folder");
        let (_, document) = documents
            .iter()
            .find(|(name, _)| name == relative)
            .unwrap_or_else(|| panic!("unexpected file {relative}"));
        assert_eq!(json.as_ref(), Ok(&document.body), "{relative}");
    }
}

#[test]
fn two_processes_write_byte_identical_trees() {
    let dir = temp_in_workspace();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    for out in [&first, &second] {
        let run = synth(&["--out", out.to_str().expect("UTF-8 path")]);
        assert!(run.status.success(), "{:?}", text(&run));
    }
    let first = read_tree(&first);
    assert!(!first.is_empty());
    assert_eq!(first, read_tree(&second));
    let in_process = render(homelab_manifests()).expect("render");
    assert_eq!(
        first, in_process,
        "the binary writes exactly what the library renders"
    );
}

#[test]
fn no_cluster_scoped_object_has_a_namespace_and_no_name_is_too_long() {
    let set = homelab_manifests();
    for app in &set.apps {
        for document in &app.documents {
            if document.scope == homelab_synth::Scope::Cluster {
                assert_eq!(document.namespace(), None, "{}", document.path);
            } else {
                assert!(document.namespace().is_some(), "{}", document.path);
            }
            assert!(document.name().len() <= 63, "{}", document.path);
        }
    }
}

/// The 22 apps of the homelab this project ports (`../shared/homelab-reference.md`); the
/// homelab adds the gateway they all route through and the monitoring CRDs.
const PORTED: [&str; 22] = [
    "argocd-monitor",
    "cnpg-operator",
    "comfyui",
    "csi-driver",
    "falco",
    "grafana",
    "harbor",
    "headlamp",
    "kubeflow",
    "kyverno",
    "longhorn",
    "metrics-server",
    "n8n",
    "netbird",
    "nvidia-gpu-operator",
    "ollama",
    "openbao",
    "opentelemetry",
    "reloader",
    "trivy",
    "victoria-logs",
    "victoria-metrics",
];

#[test]
fn synth_list_shows_every_ported_app() {
    let run = synth(&["list"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let listed: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    for app in PORTED {
        assert!(listed.contains(&app), "`synth list` lacks {app}:\n{stdout}");
    }
    assert_eq!(
        listed.len(),
        PORTED.len() + 2,
        "the 22, the gateway and the monitoring CRDs:\n{stdout}"
    );
}

fn annotation<'a>(body: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    body.pointer("/metadata/annotations")
        .and_then(|annotations| annotations.get(key))
        .and_then(serde_json::Value::as_str)
}

/// The seed's published output had a namespace on all 197 cluster-scoped objects, 29 Helm
/// hooks emitted as plain objects (every Pod and Job in it), 10 Secrets with plaintext data,
/// a 64-character name and 9 files that changed on every publish. Ours has none of them
/// (byte-identical synths are `two_processes_write_byte_identical_trees`).
#[test]
fn the_output_has_none_of_the_seeds_defects() {
    let set = homelab_manifests();
    let mut cluster_scoped_with_namespace = Vec::new();
    let mut helm_hooks = Vec::new();
    let mut plain_pods_and_jobs = Vec::new();
    let mut secrets_with_data = Vec::new();
    let mut long_names = Vec::new();
    let mut cluster_scoped = 0;
    for app in &set.apps {
        for document in &app.documents {
            let at = format!("{}/{}", app.name, document.file_name);
            if document.scope == homelab_synth::Scope::Cluster {
                cluster_scoped += 1;
                if document.namespace().is_some() {
                    cluster_scoped_with_namespace.push(at.clone());
                }
            }
            let annotations = document.body.pointer("/metadata/annotations");
            let helm_hook = annotations
                .and_then(serde_json::Value::as_object)
                .is_some_and(|map| map.keys().any(|key| key.starts_with("helm.sh/hook")));
            if helm_hook {
                helm_hooks.push(at.clone());
            }
            let argo_hook = annotation(&document.body, "argocd.argoproj.io/hook").is_some();
            if matches!(document.kind(), "Pod" | "Job") && !argo_hook {
                plain_pods_and_jobs.push(at.clone());
            }
            if document.kind() == "Secret" {
                let filled = ["data", "stringData"].iter().any(|field| {
                    document
                        .body
                        .get(field)
                        .is_some_and(|value| value.as_object().is_none_or(|map| !map.is_empty()))
                });
                if filled {
                    secrets_with_data.push(at.clone());
                }
            }
            if document.name().len() > 63 {
                long_names.push(at.clone());
            }
        }
    }
    assert!(
        cluster_scoped > 150,
        "the CRDs, RBAC and webhooks are there: {cluster_scoped}"
    );
    assert_eq!(cluster_scoped_with_namespace, Vec::<String>::new());
    assert_eq!(helm_hooks, Vec::<String>::new());
    assert_eq!(
        plain_pods_and_jobs,
        Vec::<String>::new(),
        "a Pod or Job is only ever a deliberate Argo CD hook"
    );
    assert_eq!(secrets_with_data, Vec::<String>::new());
    assert_eq!(long_names, Vec::<String>::new());
}

/// The API groups Kubernetes serves itself (the others come from CRDs).
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// Every custom resource in the output has a schema to be checked against (a CRD the
/// homelab installs, or an imported one), and synthesis checked it: a CR without a schema
/// would be a kind the cluster may not know.
#[test]
fn every_custom_resource_has_a_crd_schema_and_matches_it() {
    let set = homelab_manifests();
    let crds = set.apps.iter().flat_map(|app| {
        app.documents
            .iter()
            .filter(|document| document.kind() == "CustomResourceDefinition")
            .map(move |document| (app.name.as_str(), &document.body))
    });
    let schemas = homelab_synth::crd_schema::schemas_for(crds);
    let mut checked = 0;
    let mut without_schema = Vec::new();
    for app in &set.apps {
        for document in &app.documents {
            let builtin = BUILT_IN_GROUPS.contains(&document.group());
            match schemas.validate(&document.body) {
                Some(violations) => {
                    assert_eq!(violations, [], "{}/{}", app.name, document.file_name);
                    checked += 1;
                }
                None if !builtin => {
                    without_schema.push(format!("{}/{}", app.name, document.file_name))
                }
                None => {}
            }
        }
    }
    assert_eq!(without_schema, Vec::<String>::new());
    assert!(
        checked > 80,
        "VMRules, scrapes, routes, monitors...: {checked}"
    );
}

/// kubernetes-validate (PyPI), strict, for the Kubernetes version k8s-openapi is pinned to:
/// every built-in object passes; it has no schema for custom resources, which the test
/// above covers.
#[test]
fn kubernetes_validate_accepts_the_whole_output_in_strict_mode() {
    let tool = std::env::var("KUBERNETES_VALIDATE")
        .expect("KUBERNETES_VALIDATE is set by scripts/install-tools (run scripts/test)");
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let written = synth(&["--out", out.to_str().expect("UTF-8 path")]);
    assert!(written.status.success(), "{:?}", text(&written));
    let files: Vec<String> = read_tree(&out)
        .keys()
        .map(|file| out.join(file).display().to_string())
        .collect();
    assert!(files.len() > 500, "{}", files.len());
    let run = std::process::Command::new(&tool)
        .args(["--strict", "--kubernetes-version", "1.35.0"])
        .args(&files)
        .output()
        .expect("kubernetes-validate runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let mut valid = 0;
    for line in stdout.lines().chain(stderr.lines()) {
        if line.starts_with("INFO") && line.contains(" passed for resource ") {
            valid += 1;
        } else {
            assert!(
                line.starts_with("WARN") && line.contains("Couldn't find schema for kind"),
                "{line}"
            );
        }
    }
    assert!(valid > 250, "built-in objects checked: {valid}\n{stdout}");
}
