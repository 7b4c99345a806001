//! GitOps objects: the root `synth bootstrap` prints and the objects published in the
//! branch's `_gitops/` folder validate against the real CRDs of `../shared/crds` (strict),
//! carry the settings that keep a cluster safe, and follow a change of apps with no manual
//! step.

use homelab_synth::RolloutGraph;
use homelab_synth::to_json_schema;
use homelab_synth::yaml::read_documents;
use homelab_synth::{App, BuiltApp, MemoryFiles, SynthInputs, imported_crds, synthesize_with};
use homelab_synth::{BRANCH_FOLDER, Engine, GitOps, Target, branch_app, build_root};
use serde_json::Value;

use crate::git_support::{bare_repo, git};
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
    let files = MemoryFiles::new();
    let inputs = SynthInputs::new(&files).with_crds(imported_crds());
    let set = synthesize_with(&[app], &inputs).expect("GitOps objects synthesize");
    let documents: Vec<Value> = set.apps[0]
        .documents
        .iter()
        .map(|document| document.body())
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

/// An app of one ConfigMap in a namespace of its own.
fn config_app(app: &mut App, name: &str) {
    app.namespace_made_elsewhere(name, "made when the cluster is installed");
    app.chart(name, homelab_synth::ChartProps::namespace(name))
        .add_untyped(
            "settings",
            homelab_synth::Untyped::new(
                "v1",
                "ConfigMap",
                serde_json::json!({"metadata": {"name": "settings"}, "data": {"app": name}}),
            ),
        );
}

fn crds_app(app: &mut App) {
    config_app(app, "crds");
}

fn web_app(app: &mut App) {
    config_app(app, "web");
}

fn cache_app(app: &mut App) {
    config_app(app, "cache");
}

/// A two-cluster workspace of `crds` and `web` (after `crds`), and `cache` (after `crds`)
/// once it is added.
fn small_workspace(engine: Engine, with_cache: bool) -> homelab_synth::Workspace {
    use homelab_synth::{ClusterSpec, Fleet};
    let mut registry = homelab_synth::Registry::<()>::new();
    {
        let mut demo = registry.category("demo");
        demo.add("crds", crds_app);
        demo.add("web", web_app).depends_on(&["crds"]);
        if with_cache {
            demo.add("cache", cache_app).depends_on(&["crds"]);
        }
    }
    let fleet = Fleet::<()>::new()
        .environment("production", |_| {})
        .cluster(ClusterSpec::new("main", "production", "example.com"))
        .cluster(ClusterSpec::new("edge", "production", "edge.example.com"));
    homelab_synth::Workspace::new(registry, fleet).with_gitops(gitops(engine))
}

/// What `synth bootstrap --cluster main` prints for `workspace`.
fn bootstrap_text(workspace: &homelab_synth::Workspace) -> String {
    let documents = build_root_of(workspace);
    homelab_synth::yaml::emit::to_yaml_stream(&documents).expect("render the root")
}

fn build_root_of(workspace: &homelab_synth::Workspace) -> Vec<Value> {
    homelab_synth::root_documents(workspace.gitops().expect("gitops"), MAIN, None)
        .expect("the root synthesizes")
}

/// Synthesizes `workspace` and publishes it, as the commit `source` holds, to `remote`.
fn publish_small(workspace: &homelab_synth::Workspace, source: &std::path::Path, remote: &str) {
    use homelab_synth_publish::{AllowDelete, Identity, PublishOutcome, PublishRequest};
    let reader = MemoryFiles::new();
    let synthesis = workspace
        .synthesize(
            &homelab_synth::Selection::all(),
            &homelab_synth::SynthInputs::new(&reader),
        )
        .unwrap_or_else(|error| panic!("the small workspace synthesizes: {error:?}"));
    let files = synthesis.files().expect("render");
    let commit = homelab_synth_publish::read_source(source).expect("source commit");
    let identity = Identity {
        name: "synth".into(),
        email: "synth@example.com".into(),
    };
    let scratch = tempfile::tempdir().unwrap();
    let outcome = homelab_synth_publish::publish(&PublishRequest {
        files: &files,
        source: &commit,
        source_repo: source,
        remote,
        branch: "main-manifests",
        author: identity.clone(),
        committer: identity,
        allow_delete: AllowDelete::Nothing,
        dry_run: false,
        max_attempts: 3,
        credentials: None,
        timeout: std::time::Duration::from_secs(60),
        scratch: scratch.path(),
    })
    .expect("publish");
    assert!(
        matches!(outcome, PublishOutcome::Published { .. }),
        "{outcome:?}"
    );
}

/// The app folders Argo CD's git directory generator of `set` makes Applications for in a
/// tree whose folders are `folders`: `<dir>/*` minus the excluded paths.
fn generated_folders(set: &Value, folders: &[String]) -> Vec<String> {
    let directories = set["spec"]["generators"][0]["git"]["directories"]
        .as_array()
        .expect("a git directory generator");
    folders
        .iter()
        .filter(|folder| {
            let matches = |pattern: &str| match pattern.strip_suffix("/*") {
                Some(parent) => folder
                    .strip_prefix(parent)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| !name.contains('/')),
                None => folder.as_str() == pattern,
            };
            let included = directories.iter().any(|directory| {
                directory.get("exclude") != Some(&Value::Bool(true))
                    && matches(directory["path"].as_str().unwrap())
            });
            let excluded = directories.iter().any(|directory| {
                directory.get("exclude") == Some(&Value::Bool(true))
                    && matches(directory["path"].as_str().unwrap())
            });
            included && !excluded
        })
        .cloned()
        .collect()
}

/// The documents of every file below `folder` at `revision` of `repo`.
fn documents_at(repo: &std::path::Path, revision: &str, folder: &str) -> Vec<Value> {
    let files = git(
        repo,
        &["ls-tree", "-r", "--name-only", revision, "--", folder],
    );
    files
        .lines()
        .flat_map(|file| {
            let text = git(repo, &["show", &format!("{revision}:{file}")]);
            read_documents(&text).expect("published YAML")
        })
        .collect()
}

#[test]
fn an_app_added_in_a_later_source_commit_is_published_and_followed_with_no_bootstrap_change() {
    for engine in [Engine::ArgoCd, Engine::Flux] {
        // the source repository: the workspace, then a commit adding the `cache` app
        let source = tempfile::tempdir().unwrap();
        std::fs::write(source.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        git(source.path(), &["init", "-q", "-b", "main"]);
        git(source.path(), &["add", "."]);
        git(source.path(), &["commit", "-q", "-m", "crds and web"]);
        let remote = bare_repo();
        let remote_path = remote.path().to_str().unwrap();

        let before = small_workspace(engine, false);
        publish_small(&before, source.path(), remote_path);
        std::fs::write(source.path().join("cache.txt"), "the cache app\n").unwrap();
        git(source.path(), &["add", "."]);
        git(source.path(), &["commit", "-q", "-m", "add the cache app"]);
        let after = small_workspace(engine, true);
        publish_small(&after, source.path(), remote_path);

        // what `synth bootstrap` prints, applied once, is the same before and after
        assert_eq!(bootstrap_text(&before), bootstrap_text(&after));
        // Argo CD's root Application, or Flux's root Kustomization (beside its GitRepository)
        let root = build_root_of(&after)
            .into_iter()
            .find(|root| root["kind"] == "Application" || root["kind"] == "Kustomization")
            .expect("the root that follows the branch folder");
        let followed = match engine {
            Engine::ArgoCd => root["spec"]["source"]["path"].as_str().unwrap().to_owned(),
            Engine::Flux => root["spec"]["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_owned(),
        };
        assert_eq!(followed, format!("main/{BRANCH_FOLDER}"));

        // the manifests branch: two commits, the second adds the app and changes only the
        // branch objects besides it
        let branch = "main-manifests";
        let log = git(remote.path(), &["log", "--format=%s", branch]);
        assert_eq!(log.lines().count(), 2, "{log}");
        let changed = git(
            remote.path(),
            &["diff", "--name-only", &format!("{branch}~1"), branch],
        );
        for path in changed.lines() {
            assert!(
                path.starts_with("main/cache/")
                    || path.starts_with("edge/cache/")
                    || path.starts_with(&format!("main/{BRANCH_FOLDER}/"))
                    || path.starts_with(&format!("edge/{BRANCH_FOLDER}/"))
                    || path == "hydrator.metadata",
                "{path} changed: {changed}"
            );
        }
        assert!(changed.contains("main/cache/"), "{changed}");

        let folders: Vec<String> = git(
            remote.path(),
            &["ls-tree", "-d", "--name-only", branch, "main/"],
        )
        .lines()
        .map(str::to_owned)
        .collect();
        assert!(folders.contains(&"main/cache".to_owned()), "{folders:?}");
        let old_objects = documents_at(remote.path(), &format!("{branch}~1"), &followed);
        let new_objects = documents_at(remote.path(), branch, &followed);
        check_against_crds(&new_objects);
        match engine {
            Engine::ArgoCd => {
                let [old_set] = old_objects.as_slice() else {
                    panic!("one ApplicationSet: {old_objects:?}")
                };
                let [new_set] = new_objects.as_slice() else {
                    panic!("one ApplicationSet: {new_objects:?}")
                };
                // the new set, and the old one still applied when the folder appears, both
                // generate an Application for the new folder and roll it out in a step
                let expected = ["main/cache", "main/crds", "main/web"].map(str::to_owned);
                assert_eq!(generated_folders(new_set, &folders), expected);
                assert_eq!(generated_folders(old_set, &folders), expected);
                assert_eq!(step_of(new_set, "cache"), Some(1));
                assert!(step_of(old_set, "cache").is_some());
            }
            Engine::Flux => {
                assert!(
                    !old_objects
                        .iter()
                        .any(|object| object["metadata"]["name"] == "cache")
                );
                let cache = new_objects
                    .iter()
                    .find(|object| object["metadata"]["name"] == "cache")
                    .expect("a Kustomization for the new app, on the branch");
                assert_eq!(cache["spec"]["path"], "./main/cache");
                assert_eq!(
                    cache["spec"]["dependsOn"],
                    serde_json::json!([{"name": "crds"}])
                );
            }
        }
    }
}
