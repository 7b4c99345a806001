//! Seed parity: the homelab's published manifests (`../shared/seed-output`, seed v0.1.6) against
//! the main cluster's output, through synth's own migration diff and the committed ledger
//! `migration/seed-v0.1.6.toml`. Every difference must be listed there, every entry must
//! still match a difference, and putting back any of the regressions the parity issue found
//! makes the check fail. The seed's Kubeflow build (`kubeflow/kubeflow-manifests.yaml`) is in
//! no public copy of its tree; its reference here is the kustomize build of the seed's
//! kustomization (`apps/ai/kubeflow/kustomization`) over the offline copies of its remote
//! bases (`../shared/kustomize`, pinned in `kustomize.lock`), as the seed's CI built it.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;

use homelab_synth::yaml::read_documents;
use homelab_synth_diff::{Acceptance, Ledger, Tree, accept, migration_differences};
use serde_json::{Value, json};

use crate::homelab::rendered_tree;
use crate::support::{synth, temp_in_workspace, text, workspace};

const LEDGER: &str = "migration/seed-v0.1.6.toml";

/// The seed's published tree, `<app>/<file>` → content, read from its tarball.
fn seed_files() -> BTreeMap<String, Vec<u8>> {
    let archive = workspace().join("../shared/seed-output/seed-v0.1.6-manifests.tar.gz");
    let file = std::fs::File::open(&archive)
        .unwrap_or_else(|error| panic!("{} must exist: {error}", archive.display()));
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in tar.entries().expect("read the seed tarball") {
        let mut entry = entry.expect("tar entry");
        let path = entry
            .path()
            .expect("entry path")
            .to_string_lossy()
            .into_owned();
        let Some(relative) = path.strip_prefix("v0.1.6/") else {
            continue;
        };
        if entry.header().entry_type().is_file() {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read entry");
            files.insert(relative.to_owned(), content);
        }
    }
    assert!(files.len() >= 532, "the seed holds 532 objects");
    files.insert(
        "kubeflow/kubeflow-manifests.yaml".to_owned(),
        kubeflow_reference().into_bytes(),
    );
    files
}

/// The seed's Kubeflow build: its kustomization over the pinned offline copies.
fn kubeflow_reference() -> String {
    use homelab_synth::kustomization::{KustomizeRenderer, KustomizeRequest};
    let kustomize = homelab_synth_kustomize::KustomizeCli::from_env(workspace());
    let request = KustomizeRequest {
        path: "kubeflow".into(),
        kustomization: "apps/ai/kubeflow/kustomization".into(),
    };
    match kustomize.render(&[request]).pop() {
        Some(Ok(rendered)) => {
            let documents = rendered
                .output
                .into_documents()
                .expect("the build reads as YAML");
            let objects: Vec<_> = documents
                .into_iter()
                .map(|d| d.into_whole().expect("the schemas go back"))
                .collect();
            homelab_synth::yaml::emit::to_yaml_stream(&objects).expect("the objects render")
        }
        other => panic!("the seed's Kubeflow kustomization must build: {other:?}"),
    }
}

/// The main cluster's files, `<app>/<file>` → content.
fn main_files() -> BTreeMap<String, Vec<u8>> {
    rendered_tree()
        .into_iter()
        .filter_map(|(path, bytes)| Some((path.strip_prefix("main/")?.to_owned(), bytes)))
        .collect()
}

fn ledger() -> Ledger {
    let text = std::fs::read_to_string(workspace().join(LEDGER)).expect("read the ledger");
    Ledger::parse(&text, LEDGER).expect("the ledger parses")
}

/// The seed's tree and ours, read once per test process.
fn trees() -> &'static (Tree, Tree) {
    static TREES: std::sync::OnceLock<(Tree, Tree)> = std::sync::OnceLock::new();
    TREES.get_or_init(|| {
        (
            Tree::from_files(&seed_files()).expect("the seed reads"),
            Tree::from_files(&main_files()).expect("our output reads"),
        )
    })
}

fn check(ours: &Tree) -> Acceptance {
    let ledger = ledger();
    accept(
        &ledger,
        &migration_differences(&trees().0, ours, &ledger.renames()),
    )
}

#[test]
fn the_seed_differs_from_main_only_as_the_ledger_says() {
    let acceptance = check(&trees().1);
    let lines = |items: Vec<String>| items.join("\n");
    assert!(
        acceptance.unaccepted.is_empty(),
        "differences not in {LEDGER}:\n{}",
        lines(
            acceptance
                .unaccepted
                .iter()
                .map(ToString::to_string)
                .collect()
        )
    );
    assert!(
        acceptance.stale.is_empty(),
        "stale entries of {LEDGER}:\n{}",
        lines(acceptance.stale.clone())
    );
}

/// Our main output with one object's value edited (`object` as `synth diff` names it).
fn edited(object: &str, edit: impl FnOnce(&mut Value)) -> Tree {
    let mut tree = trees().1.clone();
    let value = tree
        .values
        .iter_mut()
        .find(|(key, _)| key.to_string() == object)
        .unwrap_or_else(|| panic!("{object} is in our output"))
        .1;
    edit(value);
    tree
}

fn container<'a>(document: &'a mut Value, list: &str, name: &str) -> &'a mut Value {
    document["spec"]["template"]["spec"][list]
        .as_array_mut()
        .expect("a container list")
        .iter_mut()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("container {name}"))
}

fn env<'a>(container: &'a mut Value, name: &str) -> &'a mut Value {
    container["env"]
        .as_array_mut()
        .expect("env")
        .iter_mut()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("env {name}"))
}

#[test]
fn putting_back_any_regression_the_parity_issue_found_fails_the_check() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let netbird = "StatefulSet.apps netbird/netbird-peer";
    let regressions: Vec<(&str, &str, Edit)> = vec![
        (
            netbird,
            "/spec/template/spec/initContainers[name=setup-iptables]/args",
            Box::new(|d| {
                container(d, "initContainers", "setup-iptables")["args"] = json!([
                    "-c",
                    "iptables -t nat -C POSTROUTING -o wt0 -j MASQUERADE 2>/dev/null || \
                     iptables -t nat -A POSTROUTING -o wt0 -j MASQUERADE"
                ])
            }),
        ),
        (
            netbird,
            "/spec/template/spec/containers[name=netbird]/volumeMounts[name=netbird-config]/mountPath",
            Box::new(|d| {
                container(d, "containers", "netbird")["volumeMounts"][0]["mountPath"] =
                    json!("/etc/netbird")
            }),
        ),
        (
            netbird,
            "/spec/template/spec/containers[name=netbird]/env[name=NB_HOSTNAME]/value",
            Box::new(|d| {
                env(container(d, "containers", "netbird"), "NB_HOSTNAME")["value"] =
                    json!("homelab-k8s")
            }),
        ),
        (
            "Deployment.apps n8n/n8n",
            "/spec/template/spec/containers[name=n8n]/resources",
            Box::new(|d| {
                container(d, "containers", "n8n")
                    .as_object_mut()
                    .expect("container")
                    .remove("resources");
            }),
        ),
        (
            "Cluster.postgresql.cnpg.io n8n/n8n-pg",
            "/spec/resources/limits/memory",
            Box::new(|d| d["spec"]["resources"]["limits"]["memory"] = json!("1Gi")),
        ),
        (
            "Deployment.apps grafana/grafana",
            "/spec/template/spec/containers[name=grafana]/resources",
            Box::new(|d| {
                container(d, "containers", "grafana")
                    .as_object_mut()
                    .expect("container")
                    .remove("resources");
            }),
        ),
        (
            "Deployment.apps comfyui/comfyui",
            "/spec/template/spec/containers[name=comfyui]/resources/requests",
            Box::new(|d| {
                container(d, "containers", "comfyui")["resources"]
                    .as_object_mut()
                    .expect("resources")
                    .remove("requests");
            }),
        ),
        (
            "Deployment.apps comfyui/comfyui",
            "/spec/template/spec/containers[name=comfyui]/volumeMounts[name=data]/mountPath",
            Box::new(|d| {
                container(d, "containers", "comfyui")["volumeMounts"][0]["mountPath"] =
                    json!("/root")
            }),
        ),
        (
            "Deployment.apps falco/falco-falcosidekick",
            "/spec/template/spec/containers[name=falcosidekick]/resources/limits/cpu",
            Box::new(|d| {
                container(d, "containers", "falcosidekick")["resources"]["limits"]
                    .as_object_mut()
                    .expect("limits")
                    .remove("cpu");
            }),
        ),
        (
            "Deployment.apps headlamp/headlamp",
            "/spec/template/spec/containers[name=headlamp]/resources/limits/memory",
            Box::new(|d| {
                container(d, "containers", "headlamp")["resources"]["limits"]["memory"] =
                    json!("256Mi")
            }),
        ),
        (
            "Deployment.apps kubeflow/notebook-gateway-controller",
            "/spec/template/spec/containers[name=controller]/resources/requests/cpu",
            Box::new(|d| {
                container(d, "containers", "controller")["resources"]["requests"]["cpu"] =
                    json!("50m")
            }),
        ),
    ];
    for (object, path, edit) in regressions {
        let acceptance = check(&edited(object, edit));
        let unaccepted: Vec<String> = acceptance
            .unaccepted
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            unaccepted.iter().any(|line| line.contains(path)),
            "editing {path} of {object} must be reported; reported: {unaccepted:#?}"
        );
    }
}

#[test]
fn synth_diff_accepts_the_seed_with_the_ledger_and_counts_by_class() {
    let dir = temp_in_workspace();
    for (name, files) in [("seed", seed_files()), ("main", main_files())] {
        for (path, bytes) in files {
            let file = dir.path().join(name).join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("create folder");
            std::fs::write(file, bytes).expect("write file");
        }
    }
    let seed = dir.path().join("seed");
    let main = dir.path().join("main");
    let args = |ledger: &str| {
        vec![
            "diff".to_owned(),
            seed.display().to_string(),
            main.display().to_string(),
            "--accept".to_owned(),
            ledger.to_owned(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        synth(&args)
    };
    let output = run(args(LEDGER));
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let summary = stdout.lines().last().expect("a summary line");
    assert!(
        summary.starts_with("synth: accepted ")
            && summary.contains(" defect-fixed, ")
            && summary.contains(" decided, ")
            && summary.contains(" renamed, "),
        "{stdout}"
    );

    // a ledger without its last entry: the differences it listed are printed, exit 1
    let text_of_ledger = std::fs::read_to_string(workspace().join(LEDGER)).expect("ledger");
    let cut = text_of_ledger.rfind("[[change]]").expect("a change entry");
    let shorter = dir.path().join("shorter.toml");
    std::fs::write(&shorter, &text_of_ledger[..cut]).expect("write ledger");
    let output = run(args(&shorter.display().to_string()));
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("not in the ledger ("), "{stdout}");
    assert!(stderr.contains("not in "), "{stderr}");
}

/// The notebook gateway controller's routes, as its script builds them: run the script's
/// `route_for` with Python on a notebook, a volume viewer and a tensorboard.
#[test]
fn the_notebook_gateway_routes_keep_the_seed_behaviour() {
    let files = main_files();
    let config_map = read_documents(&String::from_utf8_lossy(
        &files["kubeflow/ConfigMap.notebook-gateway-controller-script.yaml"],
    ))
    .expect("read the ConfigMap")
    .remove(0);
    let script = config_map["data"]["controller.py"]
        .as_str()
        .expect("the script");
    // everything before the endless loop at the bottom
    let definitions = &script[..script.rfind("\nwhile True:").expect("the main loop")];
    let harness = format!(
        "import os, json\nos.environ['KUBEFLOW_HOSTNAME'] = 'kubeflow.example.com'\n\
         {definitions}\n\
         out = []\n\
         for group, version, plural, route, segment, kind, prefix, strip in WATCHED:\n    \
             owner = {{'apiVersion': group + '/' + version, 'kind': kind,\n             \
             'metadata': {{'namespace': 'alice', 'name': 'nb', 'uid': 'u1'}}}}\n    \
             out.append(route_for(route, segment, prefix, strip, owner))\n\
         print(json.dumps(out))\n"
    );
    let output = Command::new("python3")
        .args(["-c", &harness])
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let routes: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON routes");
    let summary: Vec<(String, String, String, bool, bool)> = routes
        .iter()
        .map(|route| {
            let rule = &route["spec"]["rules"][0];
            let filters = rule["filters"].as_array().expect("filters");
            let header = filters.iter().any(|filter| {
                filter["requestHeaderModifier"]["set"][0]
                    == json!({"name": "kubeflow-userid", "value": "user@example.com"})
            });
            let rewrite = filters.iter().any(|filter| {
                filter["urlRewrite"]["path"]
                    == json!({"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"})
            });
            (
                route["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                rule["matches"][0]["path"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                rule["backendRefs"][0]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                header,
                rewrite,
            )
        })
        .collect();
    let expected = |name: &str, path: &str, service: &str, rewrite: bool| {
        (
            name.to_owned(),
            path.to_owned(),
            service.to_owned(),
            true,
            rewrite,
        )
    };
    assert_eq!(
        summary,
        [
            expected("notebook-nb", "/notebook/alice/nb/", "nb", false),
            expected(
                "pvcviewer-nb",
                "/pvcviewers/alice/nb/",
                "pvcviewer-nb",
                true
            ),
            expected("tensorboard-nb", "/tensorboard/alice/nb/", "nb", true),
        ]
    );
}
