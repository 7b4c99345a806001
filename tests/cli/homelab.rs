//! The whole example homelab: a snapshot per app, Kubernetes reads every emitted file back as
//! the object we meant, and two processes write byte-identical trees.

use homelab_synth::output::render;
use homelab_synth::test_support::decode_paths;
use homelab_synth::{ManifestSet, SynthInputs, WorkspaceFiles, build_apps, synthesize_with};
use homelab_synth_helm::HelmCli;

use crate::support::{read_tree, synth, temp_in_workspace, text, workspace};

fn homelab_manifests() -> ManifestSet {
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
    let files = render(&set).expect("render");
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
    let in_process = render(&homelab_manifests()).expect("render");
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
