//! Reading CRD folders that symbolic links loop through: each folder is searched once and
//! each CRD read once, and the read ends. It runs on a thread watched with a generous upper
//! bound, so a regression fails instead of hanging the test run.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use homelab_synth_import::read_sources;

use crate::support::FIXTURES;

#[test]
fn symbolic_link_loops_are_followed_once_and_each_crd_is_read_once() {
    let root = tempfile::tempdir().unwrap();
    let crds = root.path().join("crds");
    let nested = crds.join("nested");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(
        Path::new(FIXTURES).join("widgets.yaml"),
        crds.join("widgets.yaml"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(FIXTURES).join("enums.yaml"),
        nested.join("enums.yaml"),
    )
    .unwrap();
    // two loops (to the folder itself and to its parent) and a second name for a file
    symlink(".", nested.join("self")).unwrap();
    symlink("..", nested.join("up")).unwrap();
    symlink("../widgets.yaml", nested.join("same-widgets.yaml")).unwrap();

    let (sender, receiver) = mpsc::channel();
    let paths: Vec<PathBuf> = vec![crds.clone(), crds.join("widgets.yaml")];
    std::thread::spawn(move || {
        let _ = sender.send(read_sources(&paths));
    });
    let sources = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("read_sources ends")
        .expect("reads");
    let mut texts: Vec<&str> = sources.iter().map(|source| source.text.as_str()).collect();
    texts.sort();
    let mut expected = vec![
        std::fs::read_to_string(Path::new(FIXTURES).join("widgets.yaml")).unwrap(),
        std::fs::read_to_string(Path::new(FIXTURES).join("enums.yaml")).unwrap(),
    ];
    expected.sort();
    assert_eq!(texts, expected, "each CRD read once");
}
