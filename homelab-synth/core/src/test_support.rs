//! Bridges to the external checker `k8s-yaml-check`, which decodes YAML exactly as kubectl,
//! Helm and Argo CD do (Go `sigs.k8s.io/yaml`, YAML 1.1 rules). Tests use it to prove that
//! what the emitter writes, and what the reader reads, means the same to Kubernetes.
//!
//! The binary is taken from `K8S_YAML_CHECK` or found on `PATH`; `.ci/run` builds it from
//! `../shared/tools/k8s-yaml-check`. A missing checker panics with how to build it: tests that
//! need it never skip silently.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// Why Kubernetes' decoder rejected a document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The decoder's error text, as `k8s-yaml-check` printed it.
    #[error("{0}")]
    Rejected(String),
}

/// A decoding's result.
pub type Result<T, E = DecodeError> = std::result::Result<T, E>;

/// How Kubernetes decoded one document: its JSON, or why the decoder rejected it.
pub type Decoded = Result<serde_json::Value>;

/// Path of the `k8s-yaml-check` binary; panics with build instructions when it is missing.
pub fn checker_path() -> PathBuf {
    if let Some(path) = std::env::var_os("K8S_YAML_CHECK") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("k8s-yaml-check"))
            .collect::<Vec<_>>()
    });
    for candidate in on_path {
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "k8s-yaml-check is not installed: build it with \
         `bash ../shared/tools/k8s-yaml-check/build.sh /usr/local/bin/k8s-yaml-check` \
         (or set K8S_YAML_CHECK); `.ci/run` does this"
    )
}

/// Decodes every document of `text` the way kubectl does, one entry per non-empty document.
pub fn decode_like_kubectl(text: &str) -> Vec<Decoded> {
    let mut file = tempfile::Builder::new()
        .prefix("homelab-synth-check-")
        .suffix(".yaml")
        .tempfile()
        .expect("create checker input");
    file.write_all(text.as_bytes())
        .expect("write checker input");
    file.flush().expect("flush checker input");
    decode_paths(&[file.path().to_path_buf()])
        .into_iter()
        .map(|(_, _, decoded)| decoded)
        .collect()
}

/// Decodes files or directories (walked for `*.yaml`/`*.yml`), returning
/// `(file, index, decoded)` per document in the checker's order (files sorted by path).
pub fn decode_paths(paths: &[PathBuf]) -> Vec<(String, usize, Decoded)> {
    let output = Command::new(checker_path())
        .args(paths)
        .output()
        .expect("run k8s-yaml-check");
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "k8s-yaml-check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("checker prints UTF-8")
        .lines()
        .map(|line| {
            let mut record: serde_json::Value =
                serde_json::from_str(line).expect("checker prints JSON lines");
            let file = record["file"].as_str().unwrap_or_default().to_owned();
            let index = record["index"].as_u64().unwrap_or_default() as usize;
            let decoded = match record.get_mut("json") {
                Some(json) => Ok(json.take()),
                None => Err(DecodeError::Rejected(
                    record["error"].as_str().unwrap_or_default().to_owned(),
                )),
            };
            (file, index, decoded)
        })
        .collect()
}

/// Decodes many YAML texts with one run of the checker: how kubectl reads each text, one
/// entry per non-empty document, in the order of `texts`.
pub fn decode_many_like_kubectl(texts: &[String]) -> Vec<Vec<Decoded>> {
    let dir = tempfile::Builder::new()
        .prefix("homelab-synth-check-")
        .tempdir()
        .expect("create checker folder");
    let name = |index: usize| dir.path().join(format!("{index:06}.yaml"));
    for (index, text) in texts.iter().enumerate() {
        std::fs::write(name(index), text).expect("write checker input");
    }
    let mut decoded: Vec<Vec<Decoded>> = vec![Vec::new(); texts.len()];
    let position: std::collections::HashMap<String, usize> = (0..texts.len())
        .map(|index| (name(index).display().to_string(), index))
        .collect();
    for (file, _, document) in decode_paths(&[dir.path().to_path_buf()]) {
        let index = *position
            .get(&file)
            .unwrap_or_else(|| panic!("checker named an unknown file {file}"));
        decoded[index].push(document);
    }
    decoded
}
