//! Where a command applies: the workspace, and the clusters and apps it selects. The flags go
//! where a user types them, before the subcommand (`synth --app n8n list`) or after it
//! (`synth list --app n8n`); a flag the subcommand does not take is an error, wherever it is.

use std::path::PathBuf;

use anyhow::bail;
use homelab_synth_core::Selection;

/// `--app`, `--cluster` and `--workspace`.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct SelectArgs {
    /// Only this app (repeatable). Default: every app.
    #[arg(long = "app", value_name = "NAME")]
    pub(crate) apps: Vec<String>,
    #[command(flatten)]
    pub(crate) clusters: ClusterArgs,
}

/// `--cluster` and `--workspace`.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct ClusterArgs {
    /// Only this cluster (repeatable; with several clusters the output is
    /// `<out>/<cluster>/<app>/`). Default: every cluster.
    #[arg(long = "cluster", value_name = "NAME")]
    pub(crate) clusters: Vec<String>,
    #[command(flatten)]
    pub(crate) workspace: WorkspaceArg,
}

/// `--workspace`.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct WorkspaceArg {
    /// Workspace root: included files are read relative to it and the output must stay inside
    /// it. Default: the nearest folder above the current one whose Cargo.toml has a
    /// `[workspace]` table.
    #[arg(long, value_name = "DIR")]
    pub(crate) workspace: Option<PathBuf>,
}

/// Which of the selection flags a subcommand takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Takes {
    /// `--app`, `--cluster`, `--workspace`.
    Apps,
    /// `--cluster`, `--workspace`.
    Clusters,
    /// `--workspace`.
    Workspace,
    /// None of them.
    Nothing,
}

impl From<ClusterArgs> for SelectArgs {
    fn from(clusters: ClusterArgs) -> Self {
        SelectArgs {
            apps: Vec::new(),
            clusters,
        }
    }
}

impl From<WorkspaceArg> for SelectArgs {
    fn from(workspace: WorkspaceArg) -> Self {
        ClusterArgs {
            clusters: Vec::new(),
            workspace,
        }
        .into()
    }
}

impl SelectArgs {
    /// The clusters and apps selected.
    pub(crate) fn selection(&self) -> Selection {
        Selection {
            clusters: self.clusters.clusters.clone(),
            apps: self.apps.clone(),
        }
    }

    /// The workspace folder given, if any.
    pub(crate) fn workspace(&self) -> Option<&std::path::Path> {
        self.clusters.workspace.workspace.as_deref()
    }

    /// The flags given before the subcommand (`self`) together with those given after it
    /// (`after`); a flag `command` does not take is an error naming it.
    pub(crate) fn merged(
        &self,
        after: SelectArgs,
        command: &str,
        takes: Takes,
    ) -> anyhow::Result<SelectArgs> {
        let (apps, clusters, workspace) = match takes {
            Takes::Apps => (true, true, true),
            Takes::Clusters => (false, true, true),
            Takes::Workspace => (false, false, true),
            Takes::Nothing => (false, false, false),
        };
        let given = [
            ("--app", !self.apps.is_empty(), apps),
            ("--cluster", !self.clusters.clusters.is_empty(), clusters),
            ("--workspace", self.workspace().is_some(), workspace),
        ];
        for (flag, present, taken) in given {
            if present && !taken {
                bail!("`{flag}` does not apply to `synth {command}`");
            }
        }
        if let (Some(before), Some(later)) = (self.workspace(), after.workspace())
            && before != later
        {
            bail!(
                "`--workspace` is given twice ({} and {})",
                before.display(),
                later.display()
            );
        }
        let mut merged = after;
        merged.apps.splice(0..0, self.apps.iter().cloned());
        merged
            .clusters
            .clusters
            .splice(0..0, self.clusters.clusters.iter().cloned());
        if merged.clusters.workspace.workspace.is_none() {
            merged.clusters.workspace.workspace = self.clusters.workspace.workspace.clone();
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::{SelectArgs, Takes};

    fn apps(names: &[&str]) -> SelectArgs {
        SelectArgs {
            apps: names.iter().map(|name| (*name).to_owned()).collect(),
            ..SelectArgs::default()
        }
    }

    #[test]
    fn flags_before_and_after_the_subcommand_add_up_and_a_flag_not_taken_is_an_error() {
        let merged = apps(&["n8n"])
            .merged(apps(&["grafana"]), "list", Takes::Apps)
            .unwrap();
        assert_eq!(merged.apps, ["n8n", "grafana"]);
        let error = apps(&["n8n"])
            .merged(SelectArgs::default(), "bootstrap", Takes::Clusters)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`--app` does not apply to `synth bootstrap`"
        );
    }
}
