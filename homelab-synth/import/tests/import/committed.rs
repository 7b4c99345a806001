//! The bindings committed in `imports/` are exactly what `synth import` generates today from
//! `../shared/crds`. Set `SYNTH_UPDATE_IMPORTS=1` to rewrite them instead of failing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homelab_synth_import::{Docs, Options, generate, read_sources, write_output};

const CRDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/crds");
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../imports/src/generated");
/// The command that produced the committed files, run from the workspace root.
const COMMAND: &str = "synth import --no-docs --out imports/src/generated ../shared/crds";

fn read_tree(folder: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            read_tree(&path, base, out);
        } else {
            let relative = path
                .strip_prefix(base)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(
                relative,
                std::fs::read_to_string(&path).unwrap_or_else(|_| String::from("<unreadable>")),
            );
        }
    }
}

#[test]
fn committed_imports_match_a_fresh_generation() {
    let sources = read_sources(&[PathBuf::from(CRDS)]).expect("read ../shared/crds");
    assert_eq!(sources.len(), 34, "the shared corpus holds 34 CRD files");
    let options = Options {
        docs: Docs::FactsOnly,
        command: COMMAND.to_owned(),
    };
    let generated = generate(&sources, &options).expect("generate");
    let committed_dir = Path::new(COMMITTED);
    if std::env::var_os("SYNTH_UPDATE_IMPORTS").is_some() {
        write_output(committed_dir, &generated).expect("write imports");
        return;
    }
    let mut committed = BTreeMap::new();
    read_tree(committed_dir, committed_dir, &mut committed);
    let stale: Vec<&String> = committed
        .keys()
        .filter(|path| !generated.files.contains_key(*path))
        .collect();
    let differing: Vec<&String> = generated
        .files
        .iter()
        .filter(|(path, text)| committed.get(*path) != Some(text))
        .map(|(path, _)| path)
        .collect();
    assert!(
        stale.is_empty() && differing.is_empty(),
        "imports/src/generated is out of date (differing: {differing:?}, stale: {stale:?}); \
         run `{COMMAND}` from the workspace root, or this test with SYNTH_UPDATE_IMPORTS=1"
    );
}

#[test]
fn generation_is_deterministic() {
    let sources = read_sources(&[PathBuf::from(CRDS)]).expect("read ../shared/crds");
    let mut reversed = sources.clone();
    reversed.reverse();
    let options = Options {
        docs: Docs::Descriptions,
        command: String::from("synth import"),
    };
    let first = generate(&sources, &options).expect("generate");
    let second = generate(&reversed, &options).expect("generate");
    assert_eq!(first, second, "input order does not change the output");
}
