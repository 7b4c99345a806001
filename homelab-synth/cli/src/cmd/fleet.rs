//! The command line's side of a run: the flags turned into a [`Selection`], the workspace's
//! [`Workspace::synthesize`] called with the renderers of the edge, and every problem printed
//! once (with its cluster when the fleet has several) before the run exits with its code.

use std::path::Path;

use homelab_synth::workspace::{Built, RunError};
use homelab_synth::{
    ClusterSettings, Selection, SynthInputs, Synthesis, Workspace, WorkspaceFiles,
};

use crate::{Reported, cmd};

/// Prints every problem of `error` and turns it into its exit code: 2 for usage errors and
/// inputs that could not be read, 1 for findings.
pub(crate) fn reported(error: RunError) -> anyhow::Error {
    match error {
        RunError::Usage(problems) => {
            for problem in &problems {
                eprintln!("synth: {problem}");
            }
            Reported(2).into()
        }
        RunError::Unavailable {
            problems,
            findings,
            skipped,
        } => {
            for problem in &problems {
                eprintln!("synth: error: {problem}");
            }
            for finding in &findings {
                eprintln!("synth: {finding}");
            }
            if skipped > 0 {
                eprintln!(
                    "synth: {skipped} other error(s) not shown: they may only follow from what \
                     could not be rendered"
                );
            }
            eprintln!("synth: nothing was written");
            Reported(2).into()
        }
        RunError::Findings { findings, errors } => {
            for finding in &findings {
                eprintln!("synth: {finding}");
            }
            eprintln!("synth: {errors} error(s); nothing was written");
            Reported(1).into()
        }
    }
}

/// Builds the apps of every selected cluster (usage errors: exit 2).
pub(crate) fn build_all<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    selection: &Selection,
) -> anyhow::Result<Built<S>> {
    workspace.build(selection).map_err(reported)
}

/// Synthesizes every selected cluster of the workspace at `root`; warnings are printed, errors
/// exit 1 and nothing is written.
pub(crate) fn synthesize_all<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    selection: &Selection,
    root: &Path,
) -> anyhow::Result<Synthesis<S>> {
    let sources = WorkspaceFiles::new(root);
    let helm = cmd::charts::renderer(root);
    let inputs = SynthInputs::new(&sources).with_helm(&helm);
    let result = workspace.synthesize(selection, &inputs);
    // cache entries that were not used: the renders themselves are fine
    let cache_warnings = helm.take_warnings();
    let synthesis = result.map_err(|error| {
        for warning in &cache_warnings {
            eprintln!("synth: warning: {warning}");
        }
        reported(error)
    })?;
    for warning in &synthesis.warnings {
        eprintln!("synth: {warning}");
    }
    for warning in &cache_warnings {
        eprintln!("synth: warning: {warning}");
    }
    Ok(synthesis)
}
