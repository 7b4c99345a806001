//! `synth bootstrap`: the Argo CD and Flux objects validate against the real CRDs of
//! `../shared/crds`, and carry the settings that keep a cluster safe.

use homelab_synth::bootstrap::{BootstrapProps, Engine};
use homelab_synth::crd_schema::to_json_schema;
use homelab_synth::rollout::RolloutGraph;
use homelab_synth::yaml::read_documents;
use homelab_synth::{App, BuiltApp, MemoryFiles, synthesize};
use serde_json::Value;

use crate::support::{synth, text, workspace};

/// The schema of `kind` at `api_version` from the shared CRD corpus (read once, only the
/// files of the groups bootstrap uses).
fn crd_schema(api_version: &str, kind: &str) -> Value {
    static SCHEMAS: std::sync::OnceLock<Vec<(String, String, Value)>> = std::sync::OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        let crds = workspace().join("../shared/crds");
        let mut schemas = Vec::new();
        for file in [
            "argoproj.io_applicationsets.yaml",
            "source.toolkit.fluxcd.io_gitrepositories.yaml",
            "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
        ] {
            let text = std::fs::read_to_string(crds.join(file)).expect("shared CRD");
            for crd in read_documents(&text).expect("CRD YAML") {
                for served in crd["spec"]["versions"].as_array().expect("versions") {
                    schemas.push((
                        format!(
                            "{}/{}",
                            crd["spec"]["group"].as_str().unwrap(),
                            served["name"].as_str().unwrap()
                        ),
                        crd["spec"]["names"]["kind"].as_str().unwrap().to_owned(),
                        // strict: a field the CRD does not define is an error too
                        to_json_schema(&served["schema"]["openAPIV3Schema"]),
                    ));
                }
            }
        }
        schemas
    });
    schemas
        .iter()
        .find(|(version, found, _)| version == api_version && found == kind)
        .map(|(_, _, schema)| schema.clone())
        .unwrap_or_else(|| panic!("no CRD for {api_version} {kind}"))
}

fn bootstrap(engine: &str) -> Vec<Value> {
    bootstrap_with(engine, &["--cluster", "main"])
}

/// `synth bootstrap --engine <engine> <extra>` for a fixed repository and branch; every
/// object printed is checked against its CRD.
fn bootstrap_with(engine: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "bootstrap",
        "--engine",
        engine,
        "--repo",
        "https://git.example.com/homelab.git",
        "--branch",
        "main-manifests",
    ];
    args.extend_from_slice(extra);
    let run = synth(&args);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let documents = read_documents(&stdout).expect("bootstrap prints YAML");
    for document in &documents {
        let schema = crd_schema(
            document["apiVersion"].as_str().unwrap(),
            document["kind"].as_str().unwrap(),
        );
        let validator = jsonschema::validator_for(&schema).expect("CRD schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} {}: {errors:#?}",
            document["kind"],
            document["metadata"]["name"]
        );
    }
    documents
}

#[test]
fn argocd_application_set_follows_every_app_directory_safely() {
    let documents = bootstrap("argocd");
    assert_eq!(documents.len(), 1);
    let set = &documents[0];
    assert_eq!(set["kind"], "ApplicationSet");
    assert_eq!(set["metadata"]["namespace"], "argocd");
    assert_eq!(set["metadata"]["name"], "homelab-main");
    let spec = &set["spec"];
    assert_eq!(
        spec["generators"][0]["git"]["directories"],
        serde_json::json!([{"path": "main/*"}]),
        "the main cluster's folder on the branch"
    );
    assert_eq!(spec["generators"][0]["git"]["revision"], "main-manifests");
    assert_eq!(spec["syncPolicy"]["preserveResourcesOnDeletion"], true);
    let policy = &spec["template"]["spec"]["syncPolicy"];
    assert_eq!(
        policy["automated"],
        serde_json::json!({"prune": true, "selfHeal": true})
    );
    assert_eq!(
        policy["syncOptions"],
        serde_json::json!(["ServerSideApply=true"])
    );
    assert_eq!(
        spec["template"]["spec"]["destination"],
        serde_json::json!({"server": "https://kubernetes.default.svc"}),
        "no namespace named after the app (apps declare theirs)"
    );
}

#[test]
fn flux_gets_one_kustomization_per_app_or_one_parent() {
    let documents = bootstrap("flux");
    assert_eq!(documents[0]["kind"], "GitRepository");
    assert_eq!(documents[0]["spec"]["ref"]["branch"], "main-manifests");
    let main = &synth::clusters().expect("fleet")[0];
    let registry = synth::homelab();
    let apps: Vec<&str> = registry.apps_on(main).map(|a| a.name.as_str()).collect();
    let kustomizations: Vec<&Value> = documents
        .iter()
        .filter(|d| d["kind"] == "Kustomization")
        .collect();
    assert_eq!(kustomizations.len(), apps.len());
    for kustomization in kustomizations {
        let name = kustomization["metadata"]["name"].as_str().unwrap();
        assert!(apps.contains(&name), "{name}");
        assert_eq!(kustomization["spec"]["path"], format!("./main/{name}"));
        assert_eq!(kustomization["spec"]["prune"], true);
        assert_eq!(kustomization["spec"]["wait"], true);
    }

    // the schema check has teeth: a wrong type, a missing required field and a misspelt
    // field are caught
    let mut broken = documents[1].clone();
    broken["spec"]["prune"] = Value::String("yes".into());
    broken["spec"].as_object_mut().unwrap().remove("sourceRef");
    broken["spec"]["dependOn"] = serde_json::json!([{"name": "longhorn"}]);
    let schema = crd_schema("kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert_eq!(validator.iter_errors(&broken).count(), 3);

    let parent = bootstrap("flux-app-of-apps");
    assert_eq!(parent.len(), 2);
    assert_eq!(parent[1]["spec"]["path"], "./main");
}

#[test]
fn the_rollout_order_becomes_argo_cd_steps_and_flux_depends_on() {
    let main = &synth::clusters().expect("fleet")[0];
    let graph = synth::homelab()
        .rollout_on(main)
        .expect("the homelab has a rollout order");
    assert!(graph.waves().len() >= 3, "{:?}", graph.waves());

    let set = &bootstrap("argocd")[0];
    assert_eq!(set["spec"]["strategy"]["type"], "RollingSync");
    let steps = set["spec"]["strategy"]["rollingSync"]["steps"]
        .as_array()
        .expect("steps");
    assert_eq!(steps.len(), graph.waves().len());
    for (step, wave) in steps.iter().zip(graph.waves()) {
        assert_eq!(
            step["matchExpressions"],
            serde_json::json!([{"key": "homelab-synth.dev/app", "operator": "In", "values": wave}])
        );
    }
    assert_eq!(
        set["spec"]["template"]["metadata"]["labels"]["homelab-synth.dev/app"],
        "{{.path.basename}}",
        "every generated Application carries the label the steps select on"
    );

    let flux = bootstrap("flux");
    let by_name = |name: &str| {
        flux.iter()
            .find(|d| d["kind"] == "Kustomization" && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no Kustomization {name}"))
    };
    assert_eq!(
        by_name("grafana")["spec"]["dependsOn"],
        serde_json::json!([
            {"name": "csi-driver"}, {"name": "gateway"}, {"name": "longhorn"},
            {"name": "openbao"}, {"name": "victoria-logs"}, {"name": "victoria-metrics"}
        ])
    );
    assert!(by_name("reloader")["spec"].get("dependsOn").is_none());
    for app in graph.waves().iter().flatten() {
        let depends_on: Vec<&str> = by_name(app)["spec"]["dependsOn"]
            .as_array()
            .map(|list| list.iter().filter_map(|d| d["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(depends_on, graph.dependencies_of(app), "{app}");
    }
}

#[test]
fn with_several_clusters_bootstrap_names_one_and_follows_its_folder() {
    let run = synth(&[
        "bootstrap",
        "--repo",
        "https://git.example.com/homelab.git",
        "--branch",
        "main-manifests",
    ]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr,
        "synth: error: the homelab has clusters main, staging; name the one to bootstrap with \
         --cluster\n"
    );
    let run = synth(&[
        "bootstrap",
        "--engine",
        "flux",
        "--repo",
        "https://git.example.com/homelab.git",
        "--branch",
        "main-manifests",
        "--cluster",
        "staging",
    ]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let documents = read_documents(&stdout).expect("YAML");
    let paths: Vec<&str> = documents
        .iter()
        .filter(|d| d["kind"] == "Kustomization")
        .filter_map(|d| d["spec"]["path"].as_str())
        .collect();
    assert!(paths.contains(&"./staging/headlamp"), "{paths:?}");
    assert!(
        !paths.iter().any(|path| path.ends_with("/ollama")),
        "staging runs no GPU apps: {paths:?}"
    );
}

/// The bootstrap objects of a workspace with one cluster (no cluster folder on the branch),
/// synthesized by the library as the binary does, each checked against its CRD.
fn single_cluster_bootstrap(engine: Engine, apps: &[(&str, &[&str])]) -> Vec<Value> {
    let owned: Vec<(String, Vec<String>)> = apps
        .iter()
        .map(|(name, needs)| {
            let needs = needs.iter().map(|need| (*need).to_owned()).collect();
            ((*name).to_owned(), needs)
        })
        .collect();
    let graph =
        RolloutGraph::new(owned.iter().map(|(n, d)| (n.as_str(), d.as_slice()))).expect("acyclic");
    let mut app = App::new("bootstrap");
    homelab_synth::bootstrap::build(
        &mut app,
        &BootstrapProps {
            engine,
            repo_url: "https://git.example.com/homelab.git".into(),
            branch: "main-manifests".into(),
            namespace: None,
            name: None,
            project: None,
            interval: None,
            apps: graph,
            folder: None,
            destination: None,
        },
    );
    let built = [BuiltApp {
        app,
        category: "bootstrap".into(),
    }];
    let set = synthesize(&built, &MemoryFiles::new()).expect("bootstrap objects synthesize");
    let documents: Vec<Value> = set.apps[0]
        .documents
        .iter()
        .map(|document| document.body.clone())
        .collect();
    for document in &documents {
        let schema = crd_schema(
            document["apiVersion"].as_str().unwrap(),
            document["kind"].as_str().unwrap(),
        );
        let validator = jsonschema::validator_for(&schema).expect("CRD schema compiles");
        assert!(validator.is_valid(document), "{document:#}");
    }
    documents
}

#[test]
fn a_single_cluster_workspace_keeps_its_apps_at_the_top_of_the_branch() {
    let set = single_cluster_bootstrap(Engine::ArgoCd, &[("grafana", &[]), ("reloader", &[])]);
    assert_eq!(set[0]["metadata"]["name"], "homelab");
    assert_eq!(
        set[0]["spec"]["template"]["metadata"]["name"],
        "{{.path.basename}}"
    );
    let spec = &set[0]["spec"];
    assert_eq!(
        spec["generators"][0]["git"]["directories"],
        serde_json::json!([{"path": "*"}])
    );
    assert!(
        spec.get("strategy").is_none(),
        "one wave needs no progressive sync: {spec:#}"
    );

    let set = single_cluster_bootstrap(
        Engine::ArgoCd,
        &[
            ("grafana", &["victoria-metrics"]),
            ("victoria-metrics", &[]),
        ],
    );
    assert_eq!(
        set[0]["spec"]["strategy"]["rollingSync"]["steps"][1]["matchExpressions"][0]["values"],
        serde_json::json!(["grafana"])
    );

    let flux = single_cluster_bootstrap(
        Engine::Flux,
        &[
            ("grafana", &["victoria-metrics"]),
            ("victoria-metrics", &[]),
        ],
    );
    let grafana = flux
        .iter()
        .find(|d| d["kind"] == "Kustomization" && d["metadata"]["name"] == "grafana")
        .expect("grafana's Kustomization");
    assert_eq!(grafana["spec"]["path"], "./grafana");
    assert_eq!(
        grafana["spec"]["dependsOn"],
        serde_json::json!([{"name": "victoria-metrics"}])
    );

    let parent = single_cluster_bootstrap(Engine::FluxAppOfApps, &[("grafana", &[])]);
    assert_eq!(parent[1]["spec"]["path"], "./");
}

#[test]
fn one_argo_cd_can_follow_every_cluster_without_name_clashes() {
    let sets: Vec<Value> = ["main", "staging"]
        .iter()
        .map(|cluster| {
            bootstrap_with("argocd", &["--cluster", cluster, "--destination", cluster]).remove(0)
        })
        .collect();
    let names: Vec<&Value> = sets.iter().map(|set| &set["metadata"]["name"]).collect();
    assert_eq!(names, ["homelab-main", "homelab-staging"]);
    let template = |set: &Value| set["spec"]["template"].clone();
    assert_eq!(
        template(&sets[1])["metadata"]["name"],
        "staging-{{.path.basename}}",
        "Application names carry the cluster"
    );
    assert_eq!(
        template(&sets[1])["metadata"]["labels"]["homelab-synth.dev/app"],
        "{{.path.basename}}",
        "rollout steps still select on the app"
    );
    assert_eq!(
        template(&sets[1])["spec"]["destination"],
        serde_json::json!({"name": "staging"})
    );

    let run = synth(&[
        "bootstrap",
        "--engine",
        "flux",
        "--cluster",
        "main",
        "--destination",
        "main",
        "--repo",
        "https://git.example.com/homelab.git",
    ]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr,
        "synth: error: --destination names an Argo CD cluster; Flux applies to the cluster it \
         runs in\n"
    );
}
