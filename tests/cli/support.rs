//! Helpers: the workspace root, temporary folders inside it, running the binary, reading trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the workspace the binary synthesizes).
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder inside the workspace (output folders must be inside it).
pub fn temp_in_workspace() -> tempfile::TempDir {
    let base = workspace().join("target").join("test-tmp");
    std::fs::create_dir_all(&base).expect("create target/test-tmp");
    tempfile::Builder::new()
        .prefix("cli-")
        .tempdir_in(base)
        .expect("create temp folder")
}

/// Runs `synth` with `args` in the workspace root.
pub fn synth(args: &[&str]) -> Output {
    synth_in(&workspace(), args, None)
}

/// Runs `synth` with `args` in `dir`, feeding `stdin` if given.
pub fn synth_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_synth"));
    command.args(args).current_dir(dir);
    command.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    command.stdout(std::process::Stdio::piped());
    command.stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("run synth");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait for synth")
}

/// Standard output and error of a run, for assertion messages.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every file below `root`, relative path to content.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("list folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside root");
                files.insert(
                    relative.to_string_lossy().into_owned(),
                    std::fs::read(&path).expect("read file"),
                );
            }
        }
    }
    files
}
