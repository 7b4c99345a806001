//! Golden outputs of the diff for a small pair of trees, and the rules behind them: matching
//! by identity, ignoring formatting, the comment size limit.

use std::collections::BTreeMap;

use homelab_synth_diff::{
    COMMENT_LIMIT, SUMMARY_LIMIT, Tree, compare, json, markdown, markdown_noting, terminal,
};

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    entries
        .iter()
        .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
        .collect()
}

const DEPLOYMENT_V1: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - image: nginx:1.27.2\n        name: web\n";
const DEPLOYMENT_V2: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - image: nginx:1.27.3\n        name: web\n";
const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: fast\n";
const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n";

fn pair() -> (Tree, Tree) {
    let old = Tree::from_files(&files(&[
        ("shop/Deployment.web.yaml", DEPLOYMENT_V1),
        ("shop/Service.web.yaml", SERVICE),
        ("shop/ConfigMap.settings.yaml", CONFIG),
        ("legacy/ClusterRole.reader.yaml", ROLE),
    ]))
    .unwrap();
    let new = Tree::from_files(&files(&[
        ("shop/Deployment.web.yaml", DEPLOYMENT_V2),
        // same object, other file name and other formatting: no change
        ("shop/svc.yaml", "kind: Service\napiVersion: v1\nspec: {ports: [{port: 80}]}\nmetadata: {namespace: shop, name: web}\n"),
        ("monitoring/ClusterRole.reader.yaml", ROLE),
    ]))
    .unwrap();
    (old, new)
}

#[test]
fn terminal_report_golden() {
    let (old, new) = pair();
    let report = compare(&old, &new);
    insta::assert_snapshot!("terminal", terminal(&report, false));
    let colored = terminal(&report, true);
    assert!(
        colored.contains("\u{1b}[32m+ ClusterRole.rbac.authorization.k8s.io reader\u{1b}[0m"),
        "{colored}"
    );
}

#[test]
fn markdown_report_golden() {
    let (old, new) = pair();
    insta::assert_snapshot!(
        "markdown",
        markdown(&compare(&old, &new), Some(COMMENT_LIMIT))
    );
}

#[test]
fn identical_trees_have_no_changes() {
    let (old, _) = pair();
    let report = compare(&old, &old);
    assert!(report.is_empty());
    assert_eq!(terminal(&report, true), "no changes\n");
    assert_eq!(
        markdown(&report, Some(COMMENT_LIMIT)),
        "### Rendered manifests\n\nNo changes to the rendered manifests.\n"
    );
}

#[test]
fn a_large_report_stays_under_the_limit_and_says_what_it_cut() {
    let mut old_files = Vec::new();
    let mut new_files = Vec::new();
    for index in 0..400 {
        let name = format!("app-{index:03}/ConfigMap.big.yaml");
        let value = "x".repeat(400);
        old_files.push((name.clone(), format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: n{index}\ndata:\n  a: old-{value}\n")));
        new_files.push((name, format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: n{index}\ndata:\n  a: new-{value}\n")));
    }
    let as_map = |entries: &[(String, String)]| -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(p, t)| (p.clone(), t.as_bytes().to_vec()))
            .collect()
    };
    let report = compare(
        &Tree::from_files(&as_map(&old_files)).unwrap(),
        &Tree::from_files(&as_map(&new_files)).unwrap(),
    );
    assert_eq!(report.count(), 400);
    let limited = markdown(&report, Some(COMMENT_LIMIT));
    assert!(
        limited.chars().count() <= COMMENT_LIMIT,
        "{} characters",
        limited.chars().count()
    );
    assert!(
        limited.contains("> **Truncated:** "),
        "the cut is announced"
    );
    assert!(
        limited.contains("| `app-399` | 0 | 1 | 0 |"),
        "the summary table is complete"
    );
    let full = markdown(&report, None);
    assert!(full.chars().count() > COMMENT_LIMIT);
    assert!(!full.contains("Truncated"));
    assert_eq!(full.matches("```diff").count(), 400);
}

/// 3,000 ConfigMaps of 400 characters that all change: over 2 MB of Markdown uncut.
fn big_report() -> homelab_synth_diff::Report {
    let tree = |prefix: &str| {
        let entries: BTreeMap<String, Vec<u8>> = (0..3000)
            .map(|index| {
                (
                    format!("app-{index:04}/ConfigMap.big.yaml"),
                    format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  \
                         namespace: n{index}\ndata:\n  a: {prefix}-{}\n",
                        "x".repeat(400)
                    )
                    .into_bytes(),
                )
            })
            .collect();
        Tree::from_files(&entries).unwrap()
    };
    compare(&tree("old"), &tree("new"))
}

#[test]
fn the_job_summary_stays_under_a_mebibyte_and_the_comment_only_points_to_a_whole_one() {
    let report = big_report();
    assert!(markdown(&report, None).len() > 2 * SUMMARY_LIMIT);
    let summary = markdown_noting(&report, Some(SUMMARY_LIMIT), None);
    assert!(summary.len() <= SUMMARY_LIMIT, "{} bytes", summary.len());
    assert!(
        summary.contains("did not fit; run `synth diff` locally for the full diff."),
        "a cut summary says so"
    );
    let comment = markdown_noting(&report, Some(COMMENT_LIMIT), Some("the job summary"));
    assert!(comment.contains("did not fit; the job summary has the full diff."));
    // a small report fits whole: no note at all
    let (old, new) = pair();
    assert!(
        !markdown_noting(&compare(&old, &new), Some(SUMMARY_LIMIT), None).contains("Truncated")
    );
}

#[test]
fn deleting_an_app_is_flagged_before_anything_else() {
    let (old, new) = pair();
    let report = compare(&old, &new);
    // legacy/ held only the ClusterRole, which moved to monitoring/
    assert_eq!(report.deleted_apps, ["legacy"]);
    let comment = markdown(&report, Some(COMMENT_LIMIT));
    let flag = comment
        .find("> **Deletes app `legacy`:**")
        .expect("flagged");
    assert!(flag < comment.find("| App |").expect("the table"));
    assert!(terminal(&report, false).starts_with("deletes app legacy/:"));
    // an app that only loses some objects is not deleted
    let shrunk = Tree::from_files(&files(&[("shop/Deployment.web.yaml", DEPLOYMENT_V1)])).unwrap();
    assert!(
        compare(&old, &shrunk)
            .deleted_apps
            .contains(&"legacy".to_owned())
    );
    assert!(
        !compare(&old, &shrunk)
            .deleted_apps
            .contains(&"shop".to_owned())
    );
}

#[test]
fn folders_load_like_synth_output_and_top_level_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("shop")).unwrap();
    std::fs::write(dir.path().join("shop/Service.web.yaml"), SERVICE).unwrap();
    std::fs::write(
        dir.path().join("shop/both.yaml"),
        format!("{CONFIG}---\n{ROLE}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("hydrator.metadata"), "{}").unwrap();
    let tree = Tree::from_dir(dir.path()).unwrap();
    let keys: Vec<String> = tree
        .objects
        .keys()
        .map(|k| format!("{}: {k}", k.app))
        .collect();
    assert_eq!(
        keys,
        [
            "shop: ClusterRole.rbac.authorization.k8s.io reader",
            "shop: ConfigMap shop/settings",
            "shop: Service shop/web"
        ]
    );
    assert_eq!(
        Tree::from_dir(&dir.path().join("missing")).unwrap(),
        Tree::default()
    );
    std::fs::write(dir.path().join("shop/bad.yaml"), "a: [unclosed\n").unwrap();
    let error = Tree::from_dir(dir.path()).unwrap_err().to_string();
    assert!(
        error.starts_with("cannot read `shop/bad.yaml`: "),
        "{error}"
    );
}

#[test]
fn the_json_report_names_each_object_and_the_deleted_apps() {
    let (old, new) = pair();
    let report = json(&compare(&old, &new));
    assert_eq!(report["objects"], 4);
    assert_eq!(report["deleted_apps"], serde_json::json!(["legacy"]));
    let changed = &report["apps"]["shop"]["changed"][0];
    assert_eq!(changed["kind"], "Deployment");
    assert_eq!(changed["group"], "apps");
    assert_eq!(changed["namespace"], "shop");
    assert!(
        changed["diff"]
            .as_str()
            .unwrap()
            .contains("-  replicas: 1\n+  replicas: 3")
    );
    let removed = &report["apps"]["shop"]["removed"][0];
    assert_eq!(removed["name"], "settings");
    assert!(removed["yaml"].as_str().unwrap().contains("mode: fast"));
}
