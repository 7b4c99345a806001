//! The command line's side of a run: the workspace's [`Workspace::synthesize`] called with the
//! renderers of the edge, and every problem printed once (with its cluster when the fleet has
//! several), for people or as JSON lines, before the run exits with its code.

use std::path::Path;

use homelab_synth_core::{Built, ClusterFinding, RunError};
use homelab_synth_core::{
    ClusterSettings, Selection, Severity, SynthInputs, Synthesis, Workspace, WorkspaceFiles,
};

use homelab_synth_helm::HelmCli;
use homelab_synth_kustomize::KustomizeCli;

use crate::Reported;
use crate::cmd::verdicts::VerdictFile;

/// How findings and run problems are printed on standard error.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum MessageFormat {
    /// One line each, `synth: error: app ...`, and a closing count.
    #[default]
    Human,
    /// One JSON object per line: `cluster`, `app`, `path`, `files`, `rule`, `severity`,
    /// `message` (run problems have `rule` `usage` or `unavailable` and no app).
    Json,
}

impl MessageFormat {
    fn finding(self, finding: &ClusterFinding) {
        eprintln!("{}", self.finding_line(finding));
    }

    /// How `finding` is printed, without the line end.
    fn finding_line(self, finding: &ClusterFinding) -> String {
        match self {
            MessageFormat::Human => format!("synth: {finding}"),
            MessageFormat::Json => {
                let inner = &finding.finding;
                let line = serde_json::json!({
                    "cluster": finding.cluster,
                    "app": inner.app,
                    "path": inner.path,
                    "files": inner.files,
                    "rule": inner.rule,
                    "severity": match inner.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    "message": inner.message,
                });
                line.to_string()
            }
        }
    }

    /// A problem of the run itself (`rule`: `usage`, `unavailable` or `cache`); `message` as
    /// printed for people, after `synth: ` (`error: ...` or `warning: ...`).
    fn problem(self, rule: &str, message: &str) {
        match self {
            MessageFormat::Human => eprintln!("synth: {message}"),
            MessageFormat::Json => {
                let (severity, message) = match message.strip_prefix("warning: ") {
                    Some(warning) => ("warning", warning),
                    None => ("error", message.strip_prefix("error: ").unwrap_or(message)),
                };
                let line = serde_json::json!({
                    "rule": rule,
                    "severity": severity,
                    "message": message,
                });
                eprintln!("{line}");
            }
        }
    }

    /// A closing line for people; nothing in JSON (the exit code says it).
    fn summary(self, message: &str) {
        if self == MessageFormat::Human {
            eprintln!("synth: {message}");
        }
    }
}

/// Prints every problem of `error` for people and turns it into its exit code.
pub(crate) fn reported(error: RunError) -> anyhow::Error {
    reported_as(MessageFormat::Human, error)
}

/// Prints every problem of `error` and turns it into its exit code: 2 for usage errors and
/// inputs that could not be read, 1 for findings.
pub(crate) fn reported_as(format: MessageFormat, error: RunError) -> anyhow::Error {
    match error {
        RunError::Usage(problems) => {
            for problem in &problems {
                format.problem("usage", problem);
            }
            Reported(2).into()
        }
        RunError::Unavailable {
            problems,
            findings,
            skipped,
        } => {
            for problem in &problems {
                format.problem("unavailable", &format!("error: {problem}"));
            }
            for finding in &findings {
                format.finding(finding);
            }
            if skipped > 0 {
                format.summary(&format!(
                    "{skipped} other error(s) not shown: they may only follow from what could \
                     not be rendered"
                ));
            }
            format.summary("nothing was written");
            Reported(2).into()
        }
        RunError::Findings { findings, errors } => {
            for finding in &findings {
                format.finding(finding);
            }
            format.summary(&format!("{errors} error(s); nothing was written"));
            Reported(1).into()
        }
    }
}

/// What synthesis reads and renders with at the edge, for the workspace in one folder: its
/// files, Helm and kustomize as the environment configures them, and the custom resources
/// earlier runs found valid.
pub(crate) struct Edge {
    sources: WorkspaceFiles,
    helm: HelmCli,
    kustomize: KustomizeCli,
    verdicts: VerdictFile,
}

impl Edge {
    /// The edge of the workspace in `root`.
    pub(crate) fn at(root: &Path) -> Self {
        Edge {
            sources: WorkspaceFiles::new(root),
            helm: HelmCli::from_env(root),
            kustomize: KustomizeCli::from_env(root),
            verdicts: VerdictFile::open(root),
        }
    }

    /// Synthesizes the `selection` of `workspace` with these inputs.
    pub(crate) fn synthesize<S: ClusterSettings + Default>(
        &self,
        workspace: &Workspace<S>,
        selection: &Selection,
    ) -> Result<Synthesis<S>, RunError> {
        let inputs = SynthInputs::new(&self.sources)
            .with_helm(&self.helm)
            .with_kustomize(&self.kustomize)
            .with_verdicts(self.verdicts.verdicts());
        let synthesis = workspace.synthesize(selection, &inputs);
        // what was found valid stays valid, whatever else the run found
        self.verdicts.save();
        synthesis
    }

    /// Cache entries that were not used (the renders themselves are fine), Helm's then
    /// kustomize's.
    pub(crate) fn take_warnings(&self) -> Vec<String> {
        let mut warnings = self.helm.take_warnings();
        warnings.extend(self.kustomize.take_warnings());
        warnings
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
    synthesize_reporting(workspace, selection, root, MessageFormat::Human)
}

/// [`synthesize_all`], printing findings in `format`.
pub(crate) fn synthesize_reporting<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    selection: &Selection,
    root: &Path,
    format: MessageFormat,
) -> anyhow::Result<Synthesis<S>> {
    Ok(synthesize_printing(workspace, selection, root, format)?.0)
}

/// What a successful synthesis printed on standard error.
pub(crate) struct Printed {
    /// The findings (warnings), each line with its line end, as printed.
    pub(crate) findings: String,
    /// Whether cache warnings followed them (entries that were not used, and replaced).
    pub(crate) cache_warnings: bool,
}

/// [`synthesize_reporting`], returning what it printed besides the synthesis.
pub(crate) fn synthesize_printing<S: ClusterSettings + Default>(
    workspace: &Workspace<S>,
    selection: &Selection,
    root: &Path,
    format: MessageFormat,
) -> anyhow::Result<(Synthesis<S>, Printed)> {
    let edge = Edge::at(root);
    let result = edge.synthesize(workspace, selection);
    let cache_warnings = edge.take_warnings();
    let synthesis = result.map_err(|error| {
        for warning in &cache_warnings {
            format.problem("cache", &format!("warning: {warning}"));
        }
        reported_as(format, error)
    })?;
    let mut findings = String::new();
    for warning in &synthesis.warnings {
        let line = format.finding_line(warning);
        eprintln!("{line}");
        findings.push_str(&line);
        findings.push('\n');
    }
    for warning in &cache_warnings {
        format.problem("cache", &format!("warning: {warning}"));
    }
    let printed = Printed {
        findings,
        cache_warnings: !cache_warnings.is_empty(),
    };
    Ok((synthesis, printed))
}
