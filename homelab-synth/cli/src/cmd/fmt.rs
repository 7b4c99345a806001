//! `synth fmt`: prints, checks (`--check`) or rewrites (`-w`) YAML and JSON manifests in
//! synth's canonical YAML, read the way Kubernetes reads them (`homelab_synth_core::yaml::format`),
//! warning on standard error about every YAML 1.1 coercion of an unquoted scalar.
//!
//! Every input is read and formatted before anything is printed or written, so an input that
//! cannot be read changes no file. Exit codes: 0 success, 1 `--check` found files not in
//! canonical form, 2 usage, read or write errors.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use homelab_synth_core::yaml::{FormatOptions, format_text};

use crate::Reported;

/// Print YAML or JSON documents in synth's canonical YAML (stdin when no file is given).
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct FmtArgs {
    /// Files to format. Input starting with `{` or `[`, and `.json` files, are read as JSON
    /// when they are JSON (a top-level array is one document, a list); everything else, and
    /// flow-style YAML such as `{a: 1}`, with the Kubernetes-compatible YAML reader.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write nothing; list the files that are not in canonical form and exit 1 if any.
    #[arg(long, conflicts_with = "write")]
    check: bool,
    /// Rewrite the files in place (atomically), listing those that changed.
    #[arg(short = 'w', long, requires = "files")]
    write: bool,
    /// Drop what the API server adds to objects (`kubectl get -o yaml`): `status`,
    /// `metadata.managedFields`, `creationTimestamp`, `resourceVersion`, `uid`, `generation`.
    #[arg(long)]
    clean: bool,
}

/// One input: its name for messages, its file (none for stdin), its text.
struct Input {
    name: String,
    path: Option<PathBuf>,
    text: String,
}

pub(crate) fn run(args: &FmtArgs) -> anyhow::Result<()> {
    let inputs = read_inputs(&args.files)?;
    let mut formatted = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let options = FormatOptions {
            clean: args.clean,
            json: input
                .path
                .as_deref()
                .is_some_and(|path| path.extension().is_some_and(|ext| ext == "json")),
        };
        let output = format_text(&input.text, options)
            .with_context(|| format!("cannot read {}", input.name))?;
        for coercion in &output.coercions {
            eprintln!("synth: warning: {}: {coercion}", input.name);
        }
        formatted.push(output.text);
    }
    let mut stdout = std::io::stdout().lock();
    if args.check {
        let unformatted: Vec<&Input> = inputs
            .iter()
            .zip(&formatted)
            .filter(|(input, text)| input.text != **text)
            .map(|(input, _)| input)
            .collect();
        for input in &unformatted {
            writeln!(stdout, "{}", input.name)?;
        }
        if unformatted.is_empty() {
            return Ok(());
        }
        eprintln!(
            "synth: {} of {} input(s) not in canonical form; run `synth fmt -w`",
            unformatted.len(),
            inputs.len()
        );
        return Err(Reported(1).into());
    }
    if args.write {
        for (input, text) in inputs.iter().zip(&formatted) {
            if let Some(path) = &input.path
                && input.text != *text
            {
                write_in_place(path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(stdout, "{}", input.name)?;
            }
        }
        return Ok(());
    }
    let mut first = true;
    for text in formatted.iter().filter(|text| !text.is_empty()) {
        if !first {
            stdout.write_all(b"---\n")?;
        }
        stdout.write_all(text.as_bytes())?;
        first = false;
    }
    Ok(())
}

fn read_inputs(files: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    if files.is_empty() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok(vec![Input {
            name: "<stdin>".to_owned(),
            path: None,
            text,
        }]);
    }
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            Ok(Input {
                name: file.display().to_string(),
                path: Some(file.clone()),
                text,
            })
        })
        .collect()
}

/// Replaces the file behind `path` (following symbolic links) by `text` atomically: a
/// temporary file in the same folder, with the original's permissions, renamed over it.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let folder = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut file = tempfile::Builder::new()
        .prefix(".synth-fmt-")
        .tempfile_in(folder)?;
    file.write_all(text.as_bytes())?;
    file.as_file().set_permissions(permissions)?;
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|error| error.error)?;
    Ok(())
}
