//! `synth fmt`: canonical YAML read the Kubernetes way, flow-style YAML that is not JSON,
//! warnings for YAML 1.1 coercions, `--check`, `-w/--write` and `--clean`.

use homelab_synth::test_support::decode_like_kubectl;

use crate::support::{read_tree, synth_in, temp_in_workspace, text, workspace};

#[test]
fn fmt_prints_canonical_yaml_read_the_kubernetes_way() {
    let yaml = "kind: ConfigMap\napiVersion: v1\ndata:\n  enabled: on\n  mode: '012'\n  octal: 012\nmetadata: {name: x}\n";
    let run = synth_in(&workspace(), &["fmt"], Some(yaml));
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(
        stdout,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  enabled: true\n  mode: \"012\"\n  octal: 10\n"
    );

    // A top-level JSON array is one document, a list, as kubectl reads it.
    let json = r#"[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}},{"b":"yes"}]"#;
    let run = synth_in(&workspace(), &["fmt"], Some(json));
    assert_eq!(
        text(&run).0,
        "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n- b: \"yes\"\n"
    );
    // A stream of JSON objects is a stream of documents.
    let run = synth_in(&workspace(), &["fmt"], Some("{\"a\": 1}\n{\"b\": [2]}\n"));
    assert_eq!(text(&run).0, "a: 1\n---\nb:\n- 2\n");

    let bad = synth_in(&workspace(), &["fmt", "does-not-exist.yaml"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad)
            .1
            .starts_with("synth: cannot read does-not-exist.yaml"),
        "{:?}",
        text(&bad)
    );
}

#[test]
fn fmt_reads_flow_yaml_that_is_not_json() {
    for input in ["{a: 1, b: [x, 'y']}", "  [a, {b: c}]\n"] {
        let run = synth_in(&workspace(), &["fmt"], Some(input));
        let (stdout, stderr) = text(&run);
        assert!(run.status.success(), "{input:?}: {stderr}");
        let expected: Vec<serde_json::Value> = decode_like_kubectl(input)
            .into_iter()
            .map(|decoded| decoded.expect("kubectl reads it"))
            .collect();
        let printed: Vec<serde_json::Value> = decode_like_kubectl(&stdout)
            .into_iter()
            .map(|decoded| decoded.expect("kubectl reads the output"))
            .collect();
        assert_eq!(printed, expected, "{input:?} printed as {stdout:?}");
    }
}

#[test]
fn fmt_warns_about_every_yaml_1_1_coercion_with_its_place() {
    let dir = temp_in_workspace();
    let file = dir.path().join("labels.yaml");
    std::fs::write(
        &file,
        "metadata:\n  labels: {enabled: on, version: 012}\nspec:\n  size: 1_000\n  at: 12:30\n  \
         quoted: \"on\"\n",
    )
    .unwrap();
    let run = synth_in(dir.path(), &["fmt", "labels.yaml"], None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    // The values are what Kubernetes reads...
    assert_eq!(
        stdout,
        "metadata:\n  labels:\n    enabled: true\n    version: 10\nspec:\n  at: \"12:30\"\n  \
         quoted: \"on\"\n  size: 1000\n"
    );
    // ...and every coercion is named with file, line and column, the quoted one is not.
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 4, "{stderr}");
    for (warning, place) in warnings.iter().zip([
        "line 2, column 21: `on`",
        "line 2, column 34: `012`",
        "line 4, column 9: `1_000`",
        "line 5, column 7: `12:30`",
    ]) {
        assert!(
            warning.starts_with(&format!("synth: warning: labels.yaml: {place} ")),
            "{warning}"
        );
    }
}

#[test]
fn fmt_check_lists_files_not_in_canonical_form() {
    let dir = temp_in_workspace();
    std::fs::write(dir.path().join("good.yaml"), "a: 1\n---\nb: 2\n").unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "b:   2\na: 1\n").unwrap();
    let before = read_tree(dir.path());

    let run = synth_in(dir.path(), &["fmt", "--check", "good.yaml"], None);
    assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));
    assert!(run.stdout.is_empty());

    let run = synth_in(
        dir.path(),
        &["fmt", "--check", "good.yaml", "bad.yaml"],
        None,
    );
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout, "bad.yaml\n");
    assert!(
        stderr.contains("1 of 2 input(s) not in canonical form"),
        "{stderr}"
    );
    assert_eq!(read_tree(dir.path()), before, "--check wrote something");

    let run = synth_in(dir.path(), &["fmt", "--check"], Some("b: 2\na: 1\n"));
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(text(&run).0, "<stdin>\n");
}

#[test]
fn fmt_write_rewrites_files_in_place_atomically() {
    let dir = temp_in_workspace();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "b:   2\na: on\n").unwrap();
    std::fs::write(dir.path().join("good.yaml"), "a: 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let run = synth_in(dir.path(), &["fmt", "-w", "bad.yaml", "good.yaml"], None);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(stdout, "bad.yaml\n", "only changed files are listed");
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "a: true\nb: 2\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&bad).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "permissions kept");
    }
    // No temporary file is left behind, and the rewritten files are canonical.
    let names: Vec<String> = read_tree(dir.path()).into_keys().collect();
    assert_eq!(names, ["bad.yaml", "good.yaml"]);
    let run = synth_in(
        dir.path(),
        &["fmt", "--check", "bad.yaml", "good.yaml"],
        None,
    );
    assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));

    // An input that cannot be read changes no file, and exits 2.
    std::fs::write(&bad, "b: 2\na: 1\n").unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "a: [1\n").unwrap();
    let run = synth_in(dir.path(), &["fmt", "-w", "bad.yaml", "broken.yaml"], None);
    assert_eq!(run.status.code(), Some(2), "{:?}", text(&run));
    assert!(
        text(&run)
            .1
            .starts_with("synth: cannot read broken.yaml: line 1")
    );
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "b: 2\na: 1\n");

    // Usage errors exit 2: --write needs files, and --check excludes it.
    let run = synth_in(dir.path(), &["fmt", "-w"], Some("a: 1\n"));
    assert_eq!(run.status.code(), Some(2));
    let run = synth_in(dir.path(), &["fmt", "-w", "--check", "bad.yaml"], None);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn fmt_clean_drops_what_the_api_server_adds() {
    let got = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\n  \
               uid: 0b8e\n  resourceVersion: \"123\"\n  generation: 4\n  \
               creationTimestamp: \"2025-01-01T00:00:00Z\"\n  managedFields:\n  - manager: kubectl\n\
               data:\n  k: v\nstatus:\n  phase: Active\n";
    let run = synth_in(&workspace(), &["fmt", "--clean"], Some(got));
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(
        stdout,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\ndata:\n  k: v\n"
    );
    let run = synth_in(&workspace(), &["fmt"], Some(got));
    assert!(text(&run).0.contains("uid: 0b8e"), "kept without --clean");
}
