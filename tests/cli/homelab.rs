//! The whole example homelab, on every cluster: a snapshot per cluster and app, Kubernetes
//! reads every emitted file back as the object we meant, two processes write byte-identical
//! trees, none of the seed's defects is in the output, and kubernetes-validate (strict) and
//! the CRD schemas accept all of it.

use std::collections::BTreeMap;

use homelab_synth::output::render;
use homelab_synth::test_support::decode_paths;
use homelab_synth::{ManifestSet, Selection, SynthInputs, WorkspaceFiles, build_cluster_apps};
use homelab_synth_helm::HelmCli;
use homelab_synth_kustomize::KustomizeCli;

use crate::support::{read_tree, synth, temp_in_workspace, text, workspace};

/// The homelab's manifests per cluster, synthesized once per test process (every test
/// reads them).
fn homelab_manifests() -> &'static [(synth::Cluster, ManifestSet)] {
    static SETS: std::sync::OnceLock<Vec<(synth::Cluster, ManifestSet)>> =
        std::sync::OnceLock::new();
    SETS.get_or_init(synthesize_homelab)
}

fn synthesize_homelab() -> Vec<(synth::Cluster, ManifestSet)> {
    let sources = WorkspaceFiles::new(workspace());
    let helm = HelmCli::from_env(workspace());
    let kustomize = KustomizeCli::from_env(workspace());
    let inputs = SynthInputs::new(&sources)
        .with_helm(&helm)
        .with_kustomize(&kustomize);
    // the run the binary does: every cluster, with the objects that follow the branch
    match synth::workspace().synthesize(&Selection::all(), &inputs) {
        Ok(synthesis) => {
            assert_eq!(synthesis.clusters.len(), 2, "main and staging");
            assert!(synthesis.per_cluster);
            synthesis.clusters
        }
        Err(error) => panic!("the example homelab must synthesize: {error:#?}"),
    }
}

/// The whole tree as the binary writes it: `<cluster>/<app>/<file>`.
pub(crate) fn rendered_tree() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (cluster, set) in homelab_manifests() {
        for (path, bytes) in render(set).expect("render") {
            files.insert(format!("{}/{path}", cluster.name), bytes);
        }
    }
    files
}

/// Every app of every cluster.
fn all_apps() -> impl Iterator<Item = &'static homelab_synth::AppManifest> {
    homelab_manifests().iter().flat_map(|(_, set)| &set.apps)
}

/// Every document with its file in the tree.
fn documents() -> Vec<(String, &'static homelab_synth::Document)> {
    homelab_manifests()
        .iter()
        .flat_map(|(cluster, set)| {
            set.apps.iter().flat_map(move |app| {
                app.documents.iter().map(move |document| {
                    (
                        format!("{}/{}/{}", cluster.name, app.name, document.file_name),
                        document,
                    )
                })
            })
        })
        .collect()
}

#[test]
fn every_app_matches_its_snapshot_on_every_cluster() {
    let files = rendered_tree();
    for (cluster, set) in homelab_manifests() {
        assert!(set.apps.len() >= 6, "at least six apps on {}", cluster.name);
        for app in &set.apps {
            let folder = format!("{}/{}/", cluster.name, app.name);
            let mut whole = String::new();
            for (path, content) in files.range(folder.clone()..) {
                if !path.starts_with(&folder) {
                    break;
                }
                whole.push_str(&format!("# {path}\n"));
                whole.push_str(std::str::from_utf8(content).expect("UTF-8 output"));
            }
            insta::assert_snapshot!(format!("{}-{}", cluster.name, app.name), whole);
        }
    }
}

#[test]
fn staging_differs_in_replicas_hostnames_and_apps() {
    let sets = homelab_manifests();
    let (main, staging) = (&sets[0].1, &sets[1].1);
    let names = |set: &ManifestSet| set.apps.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    assert!(names(main).contains(&"ollama".to_owned()));
    assert!(
        !names(staging).contains(&"ollama".to_owned()),
        "no GPU role, no ollama"
    );
    let body = |set: &ManifestSet, app: &str, kind: &str| {
        set.apps
            .iter()
            .find(|a| a.name == app)
            .and_then(|a| a.documents.iter().find(|d| d.kind() == kind))
            .map(|d| d.body())
            .unwrap_or_else(|| panic!("{app} {kind}"))
    };
    assert_eq!(body(main, "headlamp", "Deployment")["spec"]["replicas"], 2);
    assert_eq!(
        body(staging, "headlamp", "Deployment")["spec"]["replicas"],
        1
    );
    assert_eq!(
        body(main, "headlamp", "HTTPRoute")["spec"]["hostnames"],
        serde_json::json!(["headlamp.madhan.app"])
    );
    assert_eq!(
        body(staging, "headlamp", "HTTPRoute")["spec"]["hostnames"],
        serde_json::json!(["headlamp.staging.madhan.app"])
    );
    assert_eq!(
        body(staging, "gateway", "Gateway")["spec"]["listeners"][1]["hostname"],
        "*.staging.madhan.app"
    );
    // Helm values layered by environment: production's metrics-server is highly available
    assert_eq!(
        body(main, "metrics-server", "Deployment")["spec"]["replicas"],
        2
    );
    assert_eq!(
        body(main, "metrics-server", "PodDisruptionBudget")["spec"]["minAvailable"],
        1
    );
    assert_eq!(
        body(staging, "metrics-server", "Deployment")["spec"]["replicas"],
        1
    );
    let kinds = |set: &ManifestSet| -> Vec<String> {
        let app = set.apps.iter().find(|a| a.name == "metrics-server");
        app.map(|a| a.documents.iter().map(|d| d.kind().to_owned()).collect())
            .unwrap_or_default()
    };
    assert!(!kinds(staging).contains(&"PodDisruptionBudget".to_owned()));
}

#[test]
fn every_layered_helm_release_is_read_and_a_misspelt_one_is_an_error() {
    let registry = synth::homelab();
    for mut cluster in synth::clusters().expect("the fleet resolves") {
        let apps = build_cluster_apps(&registry, &cluster, &[])
            .expect("apps build")
            .apps;
        let read = |cluster: &synth::Cluster| {
            homelab_synth::helm_release::check_read(
                &cluster.settings.helm,
                apps.iter().map(|b| &b.app),
            )
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
        };
        assert_eq!(read(&cluster), Vec::<String>::new(), "{}", cluster.name);
        cluster
            .settings
            .helm
            .set("metrics-servr", serde_json::json!({"replicas": 3}));
        assert_eq!(
            read(&cluster),
            [
                "the cluster's layers set Helm values for release `metrics-servr`, which no app \
              on the cluster renders or reads with `HelmProps::layered`; layered releases \
              read: metrics-server"
            ]
        );
    }
}

#[test]
fn the_homelab_has_no_warnings() {
    for (cluster, set) in homelab_manifests() {
        let warnings: Vec<String> = set.warnings.iter().map(ToString::to_string).collect();
        assert!(warnings.is_empty(), "{}: {warnings:#?}", cluster.name);
    }
}

#[test]
fn kubernetes_reads_every_emitted_file_as_the_object_we_meant() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let written = synth(&["--out", out.to_str().expect("UTF-8 path")]);
    assert!(written.status.success(), "{:?}", text(&written));

    let decoded = decode_paths(std::slice::from_ref(&out));
    let documents = documents();
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
        let whole = document.whole_body().expect("a CRD's schemas go back");
        assert_eq!(json.as_ref(), Ok(&whole), "{relative}");
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
    assert_eq!(
        first,
        rendered_tree(),
        "the binary writes exactly what the library renders, one folder per cluster"
    );
}

#[test]
fn a_warm_run_takes_unchanged_crds_from_disk_and_puts_back_edited_ones() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let out_arg = out.to_str().expect("UTF-8 path");
    let write = || {
        // --no-skip: a full run each time, which reads the CRDs it emitted before by digest
        let run = synth(&["--out", out_arg, "--no-skip"]);
        assert!(run.status.success(), "{:?}", text(&run));
    };
    write();
    write();
    let expected = rendered_tree();
    assert_eq!(read_tree(&out), expected);
    let crds: Vec<&String> = expected
        .keys()
        .filter(|path| path.contains("/CustomResourceDefinition."))
        .collect();
    assert!(crds.len() > 10, "the homelab renders CRDs: {crds:?}");
    // one edited, one removed, one emptied: each is emitted again, the others stay
    std::fs::write(out.join(crds[0]), "edited: by hand\n").unwrap();
    std::fs::remove_file(out.join(crds[1])).unwrap();
    std::fs::write(out.join(crds[crds.len() - 1]), "").unwrap();
    write();
    assert_eq!(read_tree(&out), expected);
}

#[test]
fn no_cluster_scoped_object_has_a_namespace_and_no_name_is_too_long() {
    for app in all_apps() {
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
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|row| row.first() == Some(&"main"))
        .filter_map(|row| row.get(1).copied())
        .collect();
    for app in PORTED {
        assert!(listed.contains(&app), "`synth list` lacks {app}:\n{stdout}");
    }
    // and exactly the apps the registry runs on the cluster: adding an app touches no list
    let workspace = synth::workspace();
    let main = &workspace.clusters().expect("fleet")[0];
    let mut registered: Vec<&str> = workspace
        .registry()
        .apps_on(main)
        .map(|spec| spec.name.as_str())
        .collect();
    registered.sort_unstable();
    let mut listed = listed;
    listed.sort_unstable();
    assert_eq!(listed, registered, "{stdout}");
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
    let mut cluster_scoped_with_namespace = Vec::new();
    let mut helm_hooks = Vec::new();
    let mut plain_pods_and_jobs = Vec::new();
    let mut secrets_with_data = Vec::new();
    let mut long_names = Vec::new();
    let mut cluster_scoped = 0;
    for app in all_apps() {
        for document in &app.documents {
            let at = format!("{}/{}", app.name, document.file_name);
            if document.scope == homelab_synth::Scope::Cluster {
                cluster_scoped += 1;
                if document.namespace().is_some() {
                    cluster_scoped_with_namespace.push(at.clone());
                }
            }
            let body = document.body();
            let annotations = body.pointer("/metadata/annotations");
            let helm_hook = annotations
                .and_then(serde_json::Value::as_object)
                .is_some_and(|map| map.keys().any(|key| key.starts_with("helm.sh/hook")));
            if helm_hook {
                helm_hooks.push(at.clone());
            }
            let argo_hook = annotation(&body, "argocd.argoproj.io/hook").is_some();
            if matches!(document.kind(), "Pod" | "Job") && !argo_hook {
                plain_pods_and_jobs.push(at.clone());
            }
            if document.kind() == "Secret" {
                let filled = ["data", "stringData"].iter().any(|field| {
                    document
                        .body()
                        .get(field)
                        .is_some_and(|value| value.as_object().is_none_or(|map| !map.is_empty()))
                });
                // only where the app allows it for this object, with a reason in review
                // (Kubeflow's upstream default credentials)
                let allowed = document
                    .allowance(homelab_synth::Allow::SecretData)
                    .is_some_and(|reason| !reason.trim().is_empty());
                if filled && !allowed {
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
fn every_stateful_set_writes_its_claim_templates_as_the_api_returns_them() {
    // kit-built (netbird), Helm-rendered (harbor, openbao, ...) and operator CRs alike: a
    // claim template without these fields shows the StatefulSet OutOfSync in Argo CD
    let mut stateful_sets = 0;
    let mut incomplete = Vec::new();
    for app in all_apps() {
        for document in app.documents.iter().filter(|d| d.kind() == "StatefulSet") {
            stateful_sets += 1;
            let templates = document.body()["spec"]["volumeClaimTemplates"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for template in templates {
                let full = template["apiVersion"] == "v1"
                    && template["kind"] == "PersistentVolumeClaim"
                    && template["spec"]["volumeMode"].is_string();
                if !full {
                    incomplete.push(format!("{}/{}", app.name, document.file_name));
                }
            }
        }
    }
    assert!(stateful_sets >= 7, "{stateful_sets} StatefulSets");
    assert_eq!(incomplete, Vec::<String>::new());
}

#[test]
fn every_custom_resource_has_a_crd_schema_and_matches_it() {
    let mut checked = 0;
    let mut without_schema = Vec::new();
    for (_, set) in homelab_manifests() {
        let schemas = homelab_synth::schemas_for_apps(&set.apps, homelab_synth::imported_crds());
        for app in &set.apps {
            for document in &app.documents {
                let builtin = BUILT_IN_GROUPS.contains(&document.group());
                match schemas.validate_document(document) {
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
