//! The clusters of {{name}} and the settings apps read from them. Settings are layered:
//! defaults, then the environment's layer, then the roles', then the cluster's.

use homelab_synth::GitOps;
use homelab_synth::{ClusterSpec, Fleet};

/// What apps read from their cluster besides name, environment, roles and domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Replicas of the workloads that scale.
    pub replicas: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { replicas: 1 }
    }
}

impl homelab_synth::ClusterSettings for Settings {}

/// A cluster of this workspace.
pub type Cluster = homelab_synth::Cluster<Settings>;

/// Environments, roles and clusters.
pub fn fleet() -> Fleet<Settings> {
    Fleet::<Settings>::new()
        .environment("production", |settings| settings.replicas = 2)
        .cluster(ClusterSpec::new("main", "production", "{{domain}}"))
}

/// How the clusters follow the manifests branch: Argo CD on the branch `synth publish` writes.
/// `synth bootstrap --cluster main` prints the one object to apply.
pub fn gitops() -> GitOps {
    GitOps::argo_cd("{{repo_url}}", "main-manifests")
}

/// Runs the `synth` command line on `workspace` (`src/main.rs` calls it). The command line is
/// generic over `Settings`, and the first crate that names the type compiles it: here, below
/// every app, so an app edit relinks the binary without compiling the command line again.
pub fn run(workspace: homelab_synth::Workspace<Settings>) -> std::process::ExitCode {
    homelab_synth_cli::run(workspace)
}
