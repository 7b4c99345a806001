//! `synth import`: generates typed Rust bindings from CustomResourceDefinition files, one
//! module per API group and version, with the library `homelab-synth-import`.
//!
//! The output folder is `--out`, by default the workspace's `imports/src/generated` (outside
//! a workspace `--out` is required). Import is additive: bindings already generated there
//! whose CRDs the inputs do not redefine are kept (their CRDs are embedded beside them), so
//! importing one CRD never deletes the others; `--prune` keeps only the inputs' CRDs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use homelab_synth_import::{
    Docs, Options, Source, generate, read_sources, stale_files, write_output,
};

/// Generate typed Rust bindings from CustomResourceDefinition YAML.
#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    #[command(flatten)]
    pub(crate) workspace: crate::cmd::select::WorkspaceArg,
    /// Copy schema descriptions into doc comments (the default).
    #[arg(long, overrides_with = "no_docs")]
    pub docs: bool,
    /// Doc comments state only schema facts (type, format, required, default): no upstream
    /// prose in the generated code.
    #[arg(long = "no-docs", overrides_with = "docs")]
    pub no_docs: bool,
    /// Output folder for the generated modules. Default: the workspace's
    /// `imports/src/generated`; required outside a workspace.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Remove the bindings of CRDs that are not among the inputs (by default they are kept).
    #[arg(long)]
    pub prune: bool,
    /// CRD files (multi-document YAML) or folders searched for `.yaml`, `.yml` and `.json`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

impl ImportArgs {
    /// The command as recorded in the provenance header: flags and paths as given, so the
    /// same command gives the same bytes wherever it runs.
    fn command(&self, out: &Path) -> String {
        let mut command = String::from("synth import");
        if self.no_docs {
            command.push_str(" --no-docs");
        }
        if self.prune {
            command.push_str(" --prune");
        }
        command.push_str(&format!(" --out {}", out.display()));
        for path in &self.paths {
            command.push_str(&format!(" {}", path.display()));
        }
        command
    }
}

/// Where `synth import` writes when `--out` is not given.
pub const DEFAULT_OUT: &str = "imports/src/generated";

/// Runs `synth import`, writing into `--out` (the workspace's [`DEFAULT_OUT`] when absent):
/// `mod.rs`, then `<group>/mod.rs` and `<group>/<version>.rs`, from the inputs and (unless
/// `--prune`) the CRDs already embedded there. Generated files no longer produced are removed.
/// `workspace` is the workspace root, when synth runs inside one.
pub fn run(args: &ImportArgs, workspace: Option<&Path>) -> anyhow::Result<()> {
    let (out, out_text) = match (&args.out, workspace) {
        (Some(out), _) => (out.clone(), out.clone()),
        // recorded relative, so the provenance header names no machine path
        (None, Some(root)) => (root.join(DEFAULT_OUT), PathBuf::from(DEFAULT_OUT)),
        (None, None) => bail!(
            "not inside a workspace: synth import writes into the workspace's \
             {DEFAULT_OUT}; pass --out DIR to write elsewhere"
        ),
    };
    let out = out.as_path();
    let mut sources = read_sources(&args.paths).context("cannot read the CRD files")?;
    let kept = if args.prune {
        0
    } else {
        let kept = kept_sources(out, &sources)?;
        let count = kept.len();
        sources.extend(kept);
        count
    };
    let options = Options {
        docs: if args.no_docs {
            Docs::FactsOnly
        } else {
            Docs::Descriptions
        },
        command: args.command(&out_text),
    };
    let generated = generate(&sources, &options).context("cannot generate bindings")?;
    // the workspace must still compile: a module its code uses is never removed
    if let Some(root) = workspace {
        let removed: Vec<(String, String)> = stale_files(out, &generated)
            .iter()
            .filter_map(|path| module_of(out, path))
            .collect();
        if let Some((module, used_at)) = first_use(root, out, &removed) {
            bail!(
                "this import would remove the bindings module `{module}`, which {used_at} uses; \
                 nothing was written: keep its CRD among the inputs (or drop --prune), or \
                 remove the use first"
            );
        }
    }
    let (written, removed) =
        write_output(out, &generated).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "synth: {} kind version(s) from {} file(s) into {} ({} file(s) written, {} removed; \
         {kept} CRD(s) already there kept)",
        generated.roots,
        sources.len() - kept,
        out.display(),
        written,
        removed
    );
    Ok(())
}

/// The CRDs embedded in `out` by an earlier import (`crds/<name>.json`) that `given` does
/// not redefine, as sources, so their bindings stay.
fn kept_sources(out: &Path, given: &[Source]) -> anyhow::Result<Vec<Source>> {
    let folder = out.join("crds");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Ok(Vec::new());
    };
    let mut redefined = BTreeSet::new();
    for source in given {
        for document in homelab_synth_core::yaml::read_documents(&source.text).unwrap_or_default() {
            if let Some(name) = document.pointer("/metadata/name").and_then(|n| n.as_str()) {
                redefined.insert(name.to_owned());
            }
        }
    }
    let mut kept = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", folder.display()))?
            .path();
        let Some(name) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".json"))
        else {
            continue;
        };
        if redefined.contains(name) {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        kept.push(Source {
            name: format!("{name}.json (kept)"),
            path: path.display().to_string(),
            text,
        });
    }
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(kept)
}

/// `group::version` of a generated module file `out/<group>/<version>.rs`.
fn module_of(out: &Path, path: &Path) -> Option<(String, String)> {
    let relative = path.strip_prefix(out).ok()?;
    let mut parts = relative.iter().map(|part| part.to_str());
    let (Some(Some(group)), Some(Some(file)), None) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let version = file
        .strip_suffix(".rs")
        .filter(|version| *version != "mod")?;
    Some((group.to_owned(), version.to_owned()))
}

/// The first Rust file of the workspace (outside `out` and build output) that names one of
/// `modules` as `group::version`: the module and `file:line`.
fn first_use(root: &Path, out: &Path, modules: &[(String, String)]) -> Option<(String, String)> {
    if modules.is_empty() {
        return None;
    }
    let needles: Vec<String> = modules
        .iter()
        .map(|(group, version)| format!("{group}::{version}"))
        .collect();
    let mut pending = vec![root.to_path_buf()];
    let mut files = Vec::new();
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let skipped = name == "target" || name == ".git" || path == out;
            // symbolic links are not followed: each folder is read once
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && !skipped => pending.push(path),
                Ok(kind) if kind.is_file() && path.extension().is_some_and(|ext| ext == "rs") => {
                    files.push(path)
                }
                _ => {}
            }
        }
    }
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for needle in &needles {
                let used = code.match_indices(needle.as_str()).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + needle.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if used {
                    let shown = file.strip_prefix(root).unwrap_or(&file);
                    return Some((
                        needle.clone(),
                        format!("{}:{}", shown.display(), number + 1),
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
