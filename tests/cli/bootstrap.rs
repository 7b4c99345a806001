//! GitOps objects: the root `synth bootstrap` prints and the objects published in the
//! branch's `_gitops/` folder validate against the real CRDs of `../shared/crds` (strict),
//! carry the settings that keep a cluster safe, and follow a change of apps with no manual
//! step.

use homelab_synth::bootstrap::{BRANCH_FOLDER, Engine, GitOps, Target, branch_app, build_root};
use homelab_synth::crd_schema::to_json_schema;
use homelab_synth::rollout::RolloutGraph;
use homelab_synth::yaml::read_documents;
use homelab_synth::{App, BuiltApp, MemoryFiles, synthesize};
use serde_json::Value;

use crate::support::{read_tree, synth, temp_in_workspace, text, workspace};

/// The schema of `kind` at `api_version` from the shared CRD corpus (read once, only the
/// files of the groups bootstrap uses).
fn crd_schema(api_version: &str, kind: &str) -> Value {
    static SCHEMAS: std::sync::OnceLock<Vec<(String, String, Value)>> = std::sync::OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        let crds = workspace().join("../shared/crds");
        let mut schemas = Vec::new();
        for file in [
            "argoproj.io_applicationsets.yaml",
            "argoproj.io_applications.yaml",
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

/// Every document checked against its CRD (strict: an unknown field is an error too).
fn check_against_crds(documents: &[Value]) {
    for document in documents {
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
}

/// The objects of one app, synthesized and checked against their CRDs.
fn synthesized(app: BuiltApp) -> Vec<Value> {
    let set = synthesize(&[app], &MemoryFiles::new()).expect("GitOps objects synthesize");
    let documents: Vec<Value> = set.apps[0]
        .documents
        .iter()
        .map(|document| document.body.clone())
        .collect();
    check_against_crds(&documents);
    documents
}

fn graph(apps: &[(&str, &[&str])]) -> RolloutGraph {
    let owned: Vec<(String, Vec<String>)> = apps
        .iter()
        .map(|(name, needs)| {
            let needs = needs.iter().map(|need| (*need).to_owned()).collect();
            ((*name).to_owned(), needs)
        })
        .collect();
    RolloutGraph::new(owned.iter().map(|(n, d)| (n.as_str(), d.as_slice()))).expect("acyclic")
}

fn gitops(engine: Engine) -> GitOps {
    GitOps::argo_cd("https://git.example.com/homelab.git", "main-manifests")
        .with_engine(engine)
        .app_timeout("db", "15m")
}

const MAIN: Target<'static> = Target {
    cluster: "main",
    per_cluster: true,
};

fn root(engine: Engine, secret: Option<&str>) -> Vec<Value> {
    let mut app = App::new("bootstrap");
    build_root(&mut app, &gitops(engine), MAIN, secret);
    synthesized(BuiltApp {
        app,
        category: "bootstrap".into(),
    })
}

#[test]
fn bootstrap_prints_one_root_application_that_follows_the_branch_folder() {
    let run = synth(&["bootstrap", "--cluster", "main"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let documents = read_documents(&stdout).expect("bootstrap prints YAML");
    check_against_crds(&documents);
    let [root] = documents.as_slice() else {
        panic!("one root object: {stdout}");
    };
    assert_eq!(root["kind"], "Application");
    assert_eq!(root["metadata"]["name"], "homelab-main");
    assert_eq!(
        root["spec"]["source"]["path"],
        format!("main/{BRANCH_FOLDER}")
    );
    assert_eq!(
        root["spec"]["syncPolicy"]["automated"],
        serde_json::json!({"prune": true, "selfHeal": true})
    );
    assert_eq!(root["spec"]["syncPolicy"]["retry"]["limit"], 10);
    // the root has no resources finalizer: deleting it leaves the apps running
    assert!(root["metadata"].get("finalizers").is_none());

    let several = synth(&["bootstrap"]);
    assert_eq!(several.status.code(), Some(2));
    assert!(
        text(&several)
            .1
            .contains("name the one to bootstrap with --cluster")
    );
    let secret = synth(&["bootstrap", "--cluster", "main", "--secret", "repo"]);
    assert_eq!(secret.status.code(), Some(2), "--secret is Flux's");
}

#[test]
fn the_published_application_set_deletes_removed_apps_and_rolls_out_in_waves() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let run = synth(&["--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{:?}", text(&run));
    let tree = read_tree(&out);
    let set = read_documents(&String::from_utf8_lossy(
        &tree[&format!("main/{BRANCH_FOLDER}/ApplicationSet.homelab-main.yaml")],
    ))
    .expect("YAML")
    .remove(0);
    check_against_crds(std::slice::from_ref(&set));
    let spec = &set["spec"];
    assert_eq!(
        spec["generators"][0]["git"]["directories"],
        serde_json::json!([
            {"path": "main/*"},
            {"path": "main/_gitops", "exclude": true},
        ])
    );
    assert_eq!(
        set["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
        "Prune=false,Delete=false"
    );
    // deleting an app from the code deletes it from the cluster
    assert!(
        spec["syncPolicy"]
            .get("preserveResourcesOnDeletion")
            .is_none()
    );
    assert_eq!(
        spec["template"]["metadata"]["finalizers"],
        serde_json::json!(["resources-finalizer.argocd.argoproj.io"])
    );
    assert_eq!(spec["template"]["spec"]["syncPolicy"]["retry"]["limit"], 10);
    assert_eq!(spec["strategy"]["deletionOrder"], "Reverse");
    let steps = spec["strategy"]["rollingSync"]["steps"]
        .as_array()
        .expect("steps");
    let first: Vec<&str> = steps[0]["matchExpressions"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    assert!(first.contains(&"monitoring-crds"), "CRDs first: {first:?}");
    let last = &steps.last().unwrap()["matchExpressions"][0];
    assert_eq!(last["operator"], "NotIn", "a catch-all step comes last");
    // staging has its own folder and set
    assert!(tree.contains_key(&format!(
        "staging/{BRANCH_FOLDER}/ApplicationSet.homelab-staging.yaml"
    )));
}

#[test]
fn flux_gets_a_root_with_secret_and_one_kustomization_per_app_with_retries_and_timeouts() {
    let root = root(Engine::Flux, Some("manifests-repo"));
    let kinds: Vec<&str> = root.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["GitRepository", "Kustomization"]);
    assert_eq!(root[0]["spec"]["secretRef"]["name"], "manifests-repo");
    assert_eq!(root[1]["spec"]["path"], "./main/_gitops");
    assert_eq!(root[1]["spec"]["prune"], true);

    let rollout = graph(&[("db", &[]), ("web", &["db"])]);
    let branch = synthesized(branch_app(&gitops(Engine::Flux), MAIN, &rollout));
    let by_name = |name: &str| {
        branch
            .iter()
            .find(|d| d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let web = &by_name("web")["spec"];
    assert_eq!(web["dependsOn"], serde_json::json!([{"name": "db"}]));
    assert_eq!(web["path"], "./main/web");
    assert_eq!(web["sourceRef"]["name"], "homelab-main");
    assert_eq!(web["retryInterval"], "2m");
    assert_eq!(web["timeout"], "5m");
    assert_eq!(web["wait"], true);
    assert_eq!(web["prune"], true);
    assert_eq!(by_name("db")["spec"]["timeout"], "15m", "per-app timeout");
}

/// Which RollingSync step of `set` selects an Application of `app`, as Argo CD evaluates
/// `In`/`NotIn` expressions on the app label.
fn step_of(set: &Value, app: &str) -> Option<usize> {
    set["spec"]["strategy"]["rollingSync"]["steps"]
        .as_array()?
        .iter()
        .position(|step| {
            step["matchExpressions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|expression| {
                    let listed = expression["values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|value| value == app);
                    match expression["operator"].as_str().unwrap() {
                        "In" => listed,
                        "NotIn" => !listed,
                        other => panic!("operator {other}"),
                    }
                })
        })
}

#[test]
fn an_app_added_later_is_picked_up_with_no_bootstrap_change() {
    for engine in [Engine::ArgoCd, Engine::Flux] {
        let before = graph(&[("crds", &[]), ("web", &["crds"])]);
        let after = graph(&[("crds", &[]), ("web", &["crds"]), ("cache", &["crds"])]);
        let old = synthesized(branch_app(&gitops(engine), MAIN, &before));
        let new = synthesized(branch_app(&gitops(engine), MAIN, &after));
        // the root applied once is the same whatever the apps
        assert_eq!(root(engine, None), root(engine, None));
        match engine {
            Engine::ArgoCd => {
                // the new version of the set, published with the app, places it in its wave
                assert_eq!(step_of(&new[0], "cache"), Some(1));
                assert_eq!(step_of(&new[0], "web"), Some(1));
                // the old version, still applied when the new Application appears, selects
                // it in its last step instead of leaving it out of the rollout
                assert_eq!(step_of(&old[0], "cache"), Some(2));
                assert_eq!(step_of(&old[0], "crds"), Some(0));
            }
            Engine::Flux => {
                assert!(!old.iter().any(|d| d["metadata"]["name"] == "cache"));
                let cache = new
                    .iter()
                    .find(|d| d["metadata"]["name"] == "cache")
                    .expect("a Kustomization for the new app");
                assert_eq!(
                    cache["spec"]["dependsOn"],
                    serde_json::json!([{"name": "crds"}])
                );
            }
        }
    }
}

#[test]
fn a_single_cluster_workspace_keeps_its_apps_at_the_top_of_the_branch() {
    let top = Target {
        cluster: "default",
        per_cluster: false,
    };
    let set = synthesized(branch_app(
        &gitops(Engine::ArgoCd),
        top,
        &graph(&[("web", &[])]),
    ))
    .remove(0);
    assert_eq!(set["metadata"]["name"], "homelab");
    assert_eq!(
        set["spec"]["generators"][0]["git"]["directories"],
        serde_json::json!([{"path": "*"}, {"path": "_gitops", "exclude": true}])
    );
    assert_eq!(
        set["spec"]["template"]["metadata"]["name"],
        "{{.path.basename}}"
    );
    assert!(set["spec"].get("strategy").is_none(), "one wave: no steps");
    let mut app = App::new("bootstrap");
    build_root(&mut app, &gitops(Engine::ArgoCd), top, None);
    let root = synthesized(BuiltApp {
        app,
        category: "bootstrap".into(),
    });
    assert_eq!(root[0]["spec"]["source"]["path"], "_gitops");
}

#[test]
fn one_argo_cd_can_follow_every_cluster_without_name_clashes() {
    let gitops = gitops(Engine::ArgoCd).destination("staging", "staging-cluster");
    let rollout = graph(&[("web", &[])]);
    let names: Vec<Value> = ["main", "staging"]
        .into_iter()
        .map(|cluster| {
            let target = Target {
                cluster,
                per_cluster: true,
            };
            synthesized(branch_app(&gitops, target, &rollout)).remove(0)
        })
        .map(|set| {
            serde_json::json!([
                set["metadata"]["name"],
                set["spec"]["template"]["metadata"]["name"],
                set["spec"]["template"]["spec"]["destination"],
            ])
        })
        .collect();
    assert_eq!(
        names,
        [
            serde_json::json!([
                "homelab-main",
                "main-{{.path.basename}}",
                {"server": "https://kubernetes.default.svc"}
            ]),
            serde_json::json!(["homelab-staging", "staging-{{.path.basename}}", {"name": "staging-cluster"}]),
        ]
    );
}
