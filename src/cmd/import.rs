//! `synth import`: generates typed Rust bindings from CustomResourceDefinition files, one
//! module per API group and version, with the library `homelab-synth-import`.
//!
//! The output folder is `--out` (default: `imports/src/generated`, relative to the current
//! folder).

use std::path::{Path, PathBuf};

use anyhow::Context;
use homelab_synth_import::{Docs, Options, generate, read_sources, write_output};

/// Generate typed Rust bindings from CustomResourceDefinition YAML.
#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// Copy schema descriptions into doc comments (the default).
    #[arg(long, overrides_with = "no_docs")]
    pub docs: bool,
    /// Doc comments state only schema facts (type, format, required, default): no upstream
    /// prose in the generated code.
    #[arg(long = "no-docs", overrides_with = "docs")]
    pub no_docs: bool,
    /// Output folder for the generated modules. Default: `imports/src/generated`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
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
        command.push_str(&format!(" --out {}", out.display()));
        for path in &self.paths {
            command.push_str(&format!(" {}", path.display()));
        }
        command
    }
}

/// Where `synth import` writes when `--out` is not given.
pub const DEFAULT_OUT: &str = "imports/src/generated";

/// Runs `synth import`, writing into `--out` ([`DEFAULT_OUT`] when absent):
/// `mod.rs`, then `<group>/mod.rs` and `<group>/<version>.rs`. Generated files of an earlier
/// run that are no longer produced are removed.
pub fn run(args: &ImportArgs) -> anyhow::Result<()> {
    let out = args.out.as_deref().unwrap_or(Path::new(DEFAULT_OUT));
    let sources = read_sources(&args.paths).context("cannot read the CRD files")?;
    let options = Options {
        docs: if args.no_docs {
            Docs::FactsOnly
        } else {
            Docs::Descriptions
        },
        command: args.command(out),
    };
    let generated = generate(&sources, &options).context("cannot generate bindings")?;
    let (written, removed) =
        write_output(out, &generated).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "synth: {} kind version(s) from {} file(s) into {} ({} file(s) written, {} removed)",
        generated.roots,
        sources.len(),
        out.display(),
        written,
        removed
    );
    Ok(())
}
