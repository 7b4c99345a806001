//! `synth diff` on folders: terminal and Markdown output, the job summary file, exit codes.

use std::fs;

use crate::support::{synth, temp_in_workspace, text};

#[test]
fn diff_of_two_folders_reports_objects_not_files() {
    let dir = temp_in_workspace();
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    for out in [&old, &new] {
        assert!(synth(&["--out", out.to_str().unwrap()]).status.success());
    }
    let same = synth(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(same.status.code(), Some(0), "{:?}", text(&same));
    assert_eq!(text(&same).0, "no changes\n");

    // change one object, rename another's file, remove a third
    let deployment = new.join("main/comfyui/Deployment.comfyui.yaml");
    let original = fs::read_to_string(&deployment).unwrap();
    let changed = original.replace("memory: 8Gi", "memory: 16Gi");
    assert_ne!(original, changed);
    fs::write(&deployment, changed).unwrap();
    fs::rename(
        new.join("main/comfyui/Service.comfyui.yaml"),
        new.join("main/comfyui/renamed.yaml"),
    )
    .unwrap();
    fs::remove_file(new.join("main/headlamp/HTTPRoute.headlamp.yaml")).unwrap();

    let summary = dir.path().join("summary.md");
    let run = synth(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--color",
        "never",
        "--exit-code",
        "--summary-file",
        summary.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("main/comfyui/\n~ Deployment.apps comfyui/comfyui\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    -            memory: 8Gi\n    +            memory: 16Gi\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("main/headlamp/\n- HTTPRoute.gateway.networking.k8s.io headlamp/headlamp\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Service"),
        "a renamed file is no change: {stdout}"
    );
    assert!(
        stdout.ends_with("2 object(s) differ in 2 app(s)\n"),
        "{stdout}"
    );

    let markdown = fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.contains("| `main/comfyui` | 0 | 1 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("<details><summary><code>main/headlamp</code>: 1 removed</summary>"),
        "{markdown}"
    );

    let md = synth(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(
        text(&md).0,
        markdown,
        "stdout and summary agree when nothing is cut"
    );
}

#[test]
fn diff_names_a_side_that_is_neither_folder_nor_revision() {
    let run = synth(&["diff", "no-such-folder-or-revision"]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`no-such-folder-or-revision` is neither a folder nor a git revision"),
        "{stderr}"
    );
}

#[test]
fn a_git_revision_is_synthesized_with_its_own_code_in_a_kept_worktree() {
    let dir = temp_in_workspace();
    let current = dir.path().join("current");
    assert!(
        synth(&["--out", current.to_str().unwrap()])
            .status
            .success()
    );
    // another diff holds the worktree for a moment: this one waits for it, and says so
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::support::workspace().join("target"))
        .join("synth-diff");
    std::fs::create_dir_all(&base).unwrap();
    let mut holder = std::process::Command::new("flock")
        .arg(base.join("lock"))
        .args(["-c", "sleep 2"])
        .spawn()
        .expect("flock (util-linux) holds the lock");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let diff = || {
        synth(&[
            "diff",
            "HEAD",
            current.to_str().unwrap(),
            "--color",
            "never",
        ])
    };
    let run = diff();
    holder.wait().unwrap();
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("synth: waiting for another synth diff, which holds "),
        "{stderr}"
    );
    assert!(stderr.contains("synth: building HEAD ("), "{stderr}");
    assert!(
        stderr.contains("synth: built and synthesized HEAD in "),
        "{stderr}"
    );
    let status = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(crate::support::workspace())
        .output()
        .expect("git status");
    assert!(
        stderr.contains("synth: the revision takes "),
        "the workspace's builds are taken over: {stderr}"
    );
    if status.stdout.is_empty() {
        // a clean checkout of HEAD synthesizes exactly what this build does, and shares every
        // crate's sources with it: only the binary, whose build script fingerprints the
        // checkout it is built in, is compiled (or nothing, when this worktree built it last)
        assert_eq!(stdout, "no changes\n");
        let compiled: Vec<&str> = stderr
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
            .collect();
        assert!(
            compiled.iter().all(|line| line.starts_with("synth v")),
            "{compiled:?}"
        );
    } else {
        assert!(
            stdout.ends_with(" app(s)\n") || stdout == "no changes\n",
            "{stdout}"
        );
    }

    // the worktree and its target folder are kept: the same revision again compiles nothing
    assert!(base.join("tree/Cargo.toml").is_file());
    let again = diff();
    let (again_stdout, stderr) = text(&again);
    assert!(again.status.success(), "{stderr}");
    assert_eq!(again_stdout, stdout);
    assert!(!stderr.contains("Compiling "), "{stderr}");
    assert!(!stderr.contains("waiting for another"), "{stderr}");
}
