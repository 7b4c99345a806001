//! The command line: exit codes, `--check`, `--app`, output path safety and `list`.

use std::fs;

use crate::support::{read_tree, synth, synth_in, temp_in_workspace, text, workspace};

fn path_arg(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn check_reports_missing_changed_and_stale_files_and_exits_1() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let out_arg = path_arg(&out);

    let fresh = synth(&["--check", "--out", out_arg]);
    let (stdout, stderr) = text(&fresh);
    assert_eq!(fresh.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("+ main/comfyui/Deployment.comfyui.yaml\n"),
        "{stdout}"
    );
    assert!(stderr.contains("is not up to date"), "{stderr}");
    assert!(!out.exists(), "--check writes nothing");

    let write = synth(&["--out", out_arg]);
    assert_eq!(write.status.code(), Some(0), "{:?}", text(&write));
    // a new tree inside this one would replace its files
    let nested = out.join("main");
    let run = synth(&["--out", nested.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2), "{:?}", text(&run));
    assert!(
        text(&run).1.contains("is inside the synth output tree"),
        "{:?}",
        text(&run)
    );
    // apps are counted once, not once per cluster
    assert!(
        text(&write)
            .0
            .contains(" objects of 24 apps on 2 clusters to "),
        "{:?}",
        text(&write)
    );
    let clean = synth(&["--check", "--out", out_arg]);
    assert_eq!(clean.status.code(), Some(0), "{:?}", text(&clean));
    assert!(text(&clean).0.contains("is up to date"));

    fs::write(
        out.join("main/comfyui/Deployment.comfyui.yaml"),
        "edited: by hand\n",
    )
    .unwrap();
    fs::write(
        out.join("main/comfyui/ConfigMap.stale.yaml"),
        "stale: true\n",
    )
    .unwrap();
    let dirty = synth(&["--check", "--out", out_arg]);
    let (stdout, _) = text(&dirty);
    assert_eq!(dirty.status.code(), Some(1));
    assert_eq!(
        stdout,
        "~ main/comfyui/Deployment.comfyui.yaml\n- main/comfyui/ConfigMap.stale.yaml\n"
    );

    let rewrite = synth(&["--out", out_arg]);
    assert!(
        text(&rewrite).0.contains("(0 added, 1 changed, 1 removed)"),
        "{:?}",
        text(&rewrite)
    );
    assert!(!out.join("main/comfyui/ConfigMap.stale.yaml").exists());
}

#[test]
fn app_filter_replaces_only_the_named_apps() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let out_arg = path_arg(&out);
    assert!(synth(&["--out", out_arg]).status.success());
    let before = read_tree(&out);
    fs::write(
        out.join("main/netbird/Service.netbird-peer.yaml"),
        "edited: by hand\n",
    )
    .unwrap();
    fs::remove_file(out.join("main/comfyui/Service.comfyui.yaml")).unwrap();
    fs::remove_file(out.join("staging/headlamp/Service.headlamp.yaml")).unwrap();

    // comfyui runs on main only: --app means it wherever it runs, nothing else is touched
    let run = synth(&["--app", "comfyui", "--out", out_arg]);
    assert!(run.status.success(), "{:?}", text(&run));
    let after = read_tree(&out);
    assert_eq!(
        after["main/comfyui/Service.comfyui.yaml"],
        before["main/comfyui/Service.comfyui.yaml"]
    );
    assert_eq!(
        after["main/netbird/Service.netbird-peer.yaml"],
        b"edited: by hand\n"
    );
    assert!(!after.contains_key("staging/headlamp/Service.headlamp.yaml"));

    // --cluster replaces only that cluster's folder
    let run = synth(&["--cluster", "staging", "--out", out_arg]);
    assert!(run.status.success(), "{:?}", text(&run));
    let after = read_tree(&out);
    assert_eq!(
        after["staging/headlamp/Service.headlamp.yaml"],
        before["staging/headlamp/Service.headlamp.yaml"]
    );
    assert_eq!(
        after["main/netbird/Service.netbird-peer.yaml"],
        b"edited: by hand\n"
    );
    assert_eq!(after.len(), before.len());

    // naming an app a named cluster does not run is an error
    let run = synth(&[
        "--cluster",
        "staging",
        "--app",
        "comfyui",
        "--check",
        "--out",
        out_arg,
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        text(&run).1,
        "synth: cluster `staging`: error: app `comfyui`: `comfyui`: app `comfyui` does not run \
         on cluster `staging`\n"
    );
}

#[test]
fn unknown_app_is_a_usage_error_reported_once_with_a_suggestion() {
    let run = synth(&["--app", "nope", "--check"]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr.starts_with("synth: error: no app named `nope`; apps are: argocd-monitor, "),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one error, not one per cluster: {stderr}"
    );
    let typo = synth(&["--app", "n8m", "--check"]);
    let (_, stderr) = text(&typo);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr.starts_with("synth: error: no app named `n8m` (did you mean `n8n`?); apps are: "),
        "{stderr}"
    );
    let usage = synth(&["--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn a_missing_helm_is_one_error_with_exit_2_and_its_follow_on_errors_are_only_counted() {
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    // an empty chart cache: every release must be rendered, and helm cannot be run
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(["--out", path_arg(&out)])
        .current_dir(workspace())
        .env("HELM", dir.path().join("no-helm"))
        .env("SYNTH_CHART_CACHE", dir.path().join("cache"))
        .env("SYNTH_OFFLINE", "1")
        .output()
        .expect("run synth");
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let missing: Vec<&&str> = lines
        .iter()
        .filter(|line| line.contains("helm was not found"))
        .collect();
    assert_eq!(missing.len(), 1, "one error for one cause: {stderr}");
    assert!(missing[0].starts_with("synth: error: "), "{stderr}");
    // the routes to the Services of charts that did not render are not reported, only counted
    assert!(!stderr.contains("backend"), "{stderr}");
    assert!(
        lines.iter().any(|line| line
            .ends_with("not shown: they may only follow from what could not be rendered")),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_workspace_flag_naming_a_folder_that_is_not_a_workspace_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = synth(&["--workspace", path_arg(dir.path()), "--check"]);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}\n{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("is not a workspace: it has no Cargo.toml with a [workspace] table"),
        "{stderr}"
    );
}

#[test]
fn flags_go_where_they_are_typed_and_a_flag_a_subcommand_does_not_take_is_an_error() {
    // the selection, before or after the subcommand, means the same
    let after = synth(&["list", "--app", "n8n", "-o", "json"]);
    let before = synth(&["--app", "n8n", "list", "-o", "json"]);
    assert!(after.status.success(), "{:?}", text(&after));
    assert_eq!(after.stdout, before.stdout);
    let listed: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    let apps: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|app| app["app"].as_str().unwrap())
        .collect();
    assert!(
        !apps.is_empty() && apps.iter().all(|app| *app == "n8n"),
        "{apps:?}"
    );

    // synthesis' own flags, or a selection a subcommand does not take, are usage errors
    for (args, message) in [
        (
            &["--check", "list"][..],
            "`--check` applies to `synth` itself, not to `synth list`",
        ),
        (
            &["--out", "x", "diff", "HEAD"][..],
            "`--out` applies to `synth` itself, not to `synth diff`",
        ),
        (
            &["--cluster", "main", "fmt"][..],
            "`--cluster` does not apply to `synth fmt`",
        ),
        (
            &["--app", "n8n", "bootstrap"][..],
            "`--app` does not apply to `synth bootstrap`",
        ),
        (
            &["--cluster", "main", "import", "x.yaml"][..],
            "`--cluster` does not apply to `synth import`",
        ),
    ] {
        let run = synth(args);
        let (stdout, stderr) = text(&run);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert_eq!(stderr.trim_end(), format!("synth: {message}"), "{args:?}");
    }
    // after the subcommand, clap itself refuses what the subcommand does not take
    for args in [
        &["fmt", "--cluster", "main"][..],
        &["import", "--app", "n8n", "x.yaml"][..],
    ] {
        let run = synth(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {:?}", text(&run));
        assert!(
            text(&run).1.contains("unexpected argument"),
            "{args:?}: {:?}",
            text(&run)
        );
    }
}

#[test]
fn stdout_prints_one_yaml_stream_with_source_comments_and_writes_nothing() {
    use homelab_synth::yaml::read_documents;
    let dir = temp_in_workspace();
    for args in [
        vec!["--stdout", "--app", "n8n", "--cluster", "main"],
        vec!["--out", "-", "--app", "n8n", "--cluster", "main"],
    ] {
        let run = synth_in(dir.path(), &args, None);
        let (stdout, stderr) = text(&run);
        assert_eq!(run.status.code(), Some(0), "{stderr}");
        let sources: Vec<&str> = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("# Source: "))
            .collect();
        assert!(
            sources.contains(&"main/n8n/Deployment.n8n.yaml"),
            "{sources:?}"
        );
        assert!(sources.iter().all(|source| source.starts_with("main/n8n/")));
        // one document per file, read back as Kubernetes reads a stream
        let documents = read_documents(&stdout).expect("a YAML stream");
        assert_eq!(documents.len(), sources.len());
        assert!(!dir.path().join("-").exists(), "`--out -` is no folder");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let both = synth(&["--stdout", "--check"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn completions_complete_subcommands_and_flags_and_the_man_page_lists_them() {
    let bash = synth(&["completions", "bash"]);
    assert!(bash.status.success());
    let script = dir_file("synth.bash", &bash.stdout);
    // what bash offers after `synth pub<TAB>` and `synth diff --fo<TAB>`
    let complete = |words: &str, current: usize| {
        let run = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={current}; \
                 _synth synth \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; \
                 echo \"${{COMPREPLY[@]}}\"",
                script.1.display()
            ))
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&run.stdout).trim().to_owned()
    };
    assert_eq!(complete("synth pub", 1), "publish");
    assert_eq!(complete("synth diff --fo", 2), "--format");
    let zsh = synth(&["completions", "zsh"]);
    assert!(String::from_utf8_lossy(&zsh.stdout).starts_with("#compdef synth"));
    let fish = synth(&["completions", "fish"]);
    assert!(String::from_utf8_lossy(&fish.stdout).contains("complete -c synth -n "));
    let unknown = synth(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));

    let man = synth(&["man"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH synth 1"), "{page}");
    for subcommand in ["publish", "diff", "bootstrap", "completions"] {
        assert!(
            page.contains(&format!("synth\\-{subcommand}(1)")),
            "{subcommand}: {page}"
        );
    }
}

/// `content` written to a file in a new temporary folder (kept alive with it).
fn dir_file(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp folder");
    let path = dir.path().join(name);
    fs::write(&path, content).expect("write");
    (dir, path)
}

#[test]
fn list_prints_json_for_scripts() {
    let run = synth(&["list", "-o", "json"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let apps: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("JSON");
    let main: Vec<&serde_json::Value> =
        apps.iter().filter(|app| app["cluster"] == "main").collect();
    assert_eq!(main.len(), 24, "{stdout}");
    let n8n = main.iter().find(|app| app["app"] == "n8n").expect("n8n");
    assert_eq!(n8n["category"], "automation");
    assert_eq!(n8n["namespaces"], serde_json::json!(["n8n"]));
    assert!(n8n["objects"].as_u64().unwrap() > 5);
    let mixed = synth(&["list", "-o", "json", "--graph"]);
    assert_eq!(mixed.status.code(), Some(2), "--graph has no JSON form");
}

#[test]
fn import_is_additive_prunes_on_request_and_needs_a_workspace_or_out() {
    let crds = workspace().join("../shared/crds");
    let certificates = crds.join("cert-manager.io_certificates.yaml");
    let cilium = crds.join("cilium.io_ciliuml2announcementpolicies.yaml");
    let (certificates, cilium) = (path_arg(&certificates), path_arg(&cilium));

    let outside = tempfile::tempdir().unwrap();
    let run = synth_in(outside.path(), &["import", certificates], None);
    assert_eq!(run.status.code(), Some(2), "{:?}", text(&run));
    assert!(text(&run).1.contains("pass --out DIR"), "{:?}", text(&run));
    assert_eq!(
        fs::read_dir(outside.path()).unwrap().count(),
        0,
        "nothing created"
    );

    fs::write(outside.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    let generated = outside.path().join("imports/src/generated");
    let import = |args: &[&str]| {
        let run = synth_in(outside.path(), args, None);
        assert!(run.status.success(), "{:?}", text(&run));
    };
    import(&["import", certificates, cilium]);
    assert!(generated.join("cilium_io/v2alpha1.rs").is_file());
    // importing one CRD keeps the bindings of the others
    import(&["import", certificates]);
    assert!(generated.join("cilium_io/v2alpha1.rs").is_file());
    assert!(
        fs::read_to_string(generated.join("mod.rs"))
            .unwrap()
            .contains("pub mod cilium_io;")
    );
    // --prune never removes a module the workspace's code uses: it fails before writing
    let app = outside.path().join("apps/lan/src/lib.rs");
    fs::create_dir_all(app.parent().unwrap()).unwrap();
    fs::write(
        &app,
        "//! An app.\n\nuse homelab_imports::cilium_io::v2alpha1::CiliumL2AnnouncementPolicy;\n",
    )
    .unwrap();
    let before = crate::support::read_tree(&generated);
    let run = synth_in(outside.path(), &["import", "--prune", certificates], None);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "synth: this import would remove the bindings module `cilium_io::v2alpha1`, which \
         apps/lan/src/lib.rs:3 uses; nothing was written: keep its CRD among the inputs (or \
         drop --prune), or remove the use first"
    );
    assert_eq!(
        crate::support::read_tree(&generated),
        before,
        "nothing written"
    );
    // --prune keeps only the inputs' CRDs
    fs::remove_file(&app).unwrap();
    import(&["import", "--prune", certificates]);
    assert!(!generated.join("cilium_io").exists());
    assert!(generated.join("cert_manager_io/v1.rs").is_file());
}

#[test]
fn output_outside_the_workspace_or_through_a_symlink_is_refused() {
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("app");
    let run = synth(&["--out", path_arg(&outside)]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("synth: cannot write "), "{stderr}");
    assert!(stderr.contains("must be inside the workspace"), "{stderr}");
    assert!(!outside.exists());
    // an I/O error names its cause once
    let dir = temp_in_workspace();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let run = synth(&["--out", path_arg(&file.join("app"))]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
    // refused, with --check or without: no folder is left on the way
    let deep = elsewhere.path().join("a/b/c/app");
    for args in [
        vec!["--out", path_arg(&deep)],
        vec!["--check", "--out", path_arg(&deep)],
    ] {
        let run = synth(&args);
        assert_eq!(run.status.code(), Some(2), "{:?}", text(&run));
        assert!(
            !elsewhere.path().join("a").exists(),
            "{args:?} created folders"
        );
    }

    let dir = temp_in_workspace();
    let link = dir.path().join("app");
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    let run = synth(&["--out", path_arg(&link)]);
    assert_eq!(run.status.code(), Some(2), "{:?}", text(&run));
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn a_broken_include_fails_with_exit_1_naming_app_path_and_file_and_writes_nothing() {
    let dir = temp_in_workspace();
    let copy = dir.path();
    fs::write(copy.join("Cargo.toml"), "[workspace]\n").unwrap();
    // the charts stay available: the include is the only problem
    fs::copy(workspace().join("charts.lock"), copy.join("charts.lock")).unwrap();
    let files = copy.join("apps/networking/files");
    fs::create_dir_all(&files).unwrap();
    fs::write(
        files.join("homelab-gateway.yaml"),
        "kind: Gateway\nmetadata: [unclosed\n",
    )
    .unwrap();
    let run = synth_in(copy, &["--workspace", path_arg(copy)], None);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "synth: cluster `main`: error: app `gateway`: `gateway/gateway/manifests` \
             (apps/networking/files/homelab-gateway.yaml): cannot read YAML: "
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error(s); nothing was written\n"),
        "{stderr}"
    );
    assert!(!copy.join("app").exists());

    // for scripts: one JSON object per finding, with its rule
    let run = synth_in(
        copy,
        &["--workspace", path_arg(copy), "--message-format", "json"],
        None,
    );
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let findings: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    let include = findings
        .iter()
        .find(|finding| finding["rule"] == "expand")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(include["severity"], "error");
    assert_eq!(include["cluster"], "main");
    assert_eq!(include["app"], "gateway");
    assert_eq!(include["path"], "gateway/gateway/manifests");
    assert_eq!(
        include["files"],
        serde_json::json!(["apps/networking/files/homelab-gateway.yaml"])
    );
    assert!(
        include["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read YAML: ")
    );
    assert!(
        findings
            .iter()
            .all(|finding| !finding["rule"].as_str().unwrap_or_default().is_empty()),
        "every finding names its rule: {stderr}"
    );

    // without the lock the charts are unavailable: exit 2, one error per chart, and the
    // include's own error is still reported
    fs::remove_file(copy.join("charts.lock")).unwrap();
    let run = synth_in(copy, &["--workspace", path_arg(copy)], None);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(apps/networking/files/homelab-gateway.yaml): cannot read YAML: "));
    let unlocked: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("run `synth charts lock`"))
        .collect();
    let unique: std::collections::BTreeSet<&&str> = unlocked.iter().collect();
    assert!(!unlocked.is_empty(), "{stderr}");
    assert_eq!(
        unique.len(),
        unlocked.len(),
        "one error per chart: {stderr}"
    );
    assert!(stderr.ends_with("synth: nothing was written\n"), "{stderr}");
    assert!(!copy.join("app").exists());
}

#[test]
fn list_shows_every_app_with_category_namespaces_and_counts() {
    let run = synth(&["list"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["CLUSTER", "APP", "CATEGORY", "NAMESPACES", "OBJECTS"]
    );
    let row = |cluster: &str, app: &str| {
        rows.iter()
            .find(|row| row[0] == cluster && row[1] == app)
            .unwrap_or_else(|| panic!("{cluster} {app} not listed:\n{stdout}"))
            .clone()
    };
    assert_eq!(row("main", "comfyui")[2..], ["ai", "comfyui", "5"]);
    assert_eq!(row("main", "kubeflow")[2..], ["ai", "kubeflow", "325"]);
    assert_eq!(row("staging", "kubeflow")[2..], ["ai", "kubeflow", "325"]);
    assert!(
        !rows
            .iter()
            .any(|row| row[0] == "staging" && row[1] == "comfyui"),
        "staging has no GPU: {stdout}"
    );

    let run = synth(&["list", "--cluster", "staging"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stdout
            .lines()
            .skip(1)
            .all(|line| line.starts_with("staging ")),
        "{stdout}"
    );
    let run = synth(&["list", "--cluster", "prod"]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr,
        "synth: error: no cluster named `prod`; clusters are: main, staging\n"
    );
}

#[test]
fn list_graph_prints_waves_and_dot_prints_the_graph() {
    let run = synth(&["list", "--graph", "--cluster", "main"]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(stdout.lines().next(), Some("# cluster main"));
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["WAVE", "APP", "DEPENDS", "ON"]
    );
    let row = |app: &str| -> Vec<&str> {
        lines
            .iter()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .find(|row| row.get(1) == Some(&app))
            .unwrap_or_else(|| panic!("{app} not listed:\n{stdout}"))
    };
    assert_eq!(row("reloader"), ["0", "reloader", "-"]);
    assert_eq!(
        row("opentelemetry"),
        ["3", "opentelemetry", "victoria-logs,", "victoria-metrics"]
    );
    let waves: Vec<usize> = lines[1..]
        .iter()
        .map(|line| line.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(
        waves.windows(2).all(|w| w[0] <= w[1]),
        "waves in order:\n{stdout}"
    );

    let run = synth(&["list", "--dot", "--cluster", "main"]);
    let (dot, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(
        dot.starts_with("digraph rollout {\n") && dot.ends_with("}\n"),
        "{dot}"
    );
    assert!(
        dot.contains("  \"victoria-metrics\" -> \"grafana\";\n"),
        "{dot}"
    );
    let main = &synth::clusters().expect("fleet")[0];
    let main_edges = synth::homelab()
        .apps_on(main)
        .map(|app| app.depends_on.len())
        .sum::<usize>();
    assert_eq!(dot.matches(" -> ").count(), main_edges);

    // every cluster: one document that Graphviz itself reads and draws
    let run = synth(&["list", "--dot"]);
    let (dot, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(dot.matches("digraph").count(), 1, "{dot}");
    assert!(
        dot.contains("\"main/victoria-metrics\" -> \"main/grafana\""),
        "{dot}"
    );
    assert!(dot.contains("subgraph \"cluster_staging\""), "{dot}");
    let svg = graphviz_svg(&dot);
    for cluster in ["main", "staging"] {
        assert!(
            svg.contains(&format!("<title>cluster_{cluster}</title>")),
            "{svg}"
        );
    }
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(
        svg.matches("class=\"edge\"").count(),
        dot.matches(" -> ").count(),
        "every edge drawn"
    );
    assert!(dot.matches(" -> ").count() > main_edges);
}

/// `dot -Tsvg` (Graphviz, installed by `.ci/run`): what it draws of `dot`.
fn graphviz_svg(dot: &str) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("Graphviz `dot` on PATH (.ci/run installs graphviz)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write DOT");
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "dot rejected the graph: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("SVG is UTF-8")
}

/// The custom resources a run found valid are kept in the cache folder, and a run that finds
/// nothing new leaves the file as it was.
#[test]
fn custom_resources_found_valid_are_remembered_in_the_cache_folder() {
    let cache = tempfile::tempdir().expect("cache folder");
    let dir = temp_in_workspace();
    let out = dir.path().join("app");
    let run = || {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_synth"))
            .args(["--app", "gateway", "--no-skip", "--out", path_arg(&out)])
            .current_dir(workspace())
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .expect("run synth");
        assert_eq!(run.status.code(), Some(0), "{:?}", text(&run));
    };
    let file = cache.path().join("homelab-synth/schema-verdicts");
    run();
    let first = fs::read(&file).expect("the verdicts were written");
    let header = b"homelab-synth schema verdicts 1 ";
    assert!(
        first.starts_with(header),
        "{:?}",
        String::from_utf8_lossy(&first)
    );
    let keys = first.len() - (first.iter().position(|&b| b == b'\n').expect("header") + 1);
    // the gateway app's Gateway and HTTPRoutes, 32 bytes each
    assert!(
        keys >= 2 * 32 && keys.is_multiple_of(32),
        "{keys} bytes of keys"
    );
    let written = fs::metadata(&file).unwrap().modified().unwrap();
    run();
    assert_eq!(fs::read(&file).unwrap(), first);
    assert_eq!(
        fs::metadata(&file).unwrap().modified().unwrap(),
        written,
        "nothing new, nothing written"
    );
}
