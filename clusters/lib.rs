//! The homelab's clusters and the settings apps read from them.
//!
//! Two clusters share the code: `main` (production, every role) and `staging` (a small
//! cluster without storage, GPU, observability or security roles, one replica of what
//! scales, hostnames under `staging.madhan.app`). Settings are layered by
//! [`homelab_synth::Fleet`]: defaults → environment → roles → cluster; each layer is
//! a function that assigns the fields it changes, so a misspelt field does not compile.
//!
//! Apps that run only where a role is present register with
//! `.when(|cluster| cluster.has_role(STORAGE))`.

use homelab_synth::GitOps;
use homelab_synth::helm_release::ValueLayers;
use homelab_synth::{ClusterSpec, Fleet, FleetError};
use serde_json::json;

/// Role of clusters with Longhorn storage and the apps that keep state on it.
pub const STORAGE: &str = "storage";
/// Role of clusters with an NVIDIA GPU node.
pub const GPU: &str = "gpu";
/// Role of clusters that run the metrics and logs stack.
pub const OBSERVABILITY: &str = "observability";
/// Role of clusters that run the runtime and policy security tools.
pub const SECURITY: &str = "security";

/// What apps read from their cluster besides name, environment, roles and domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Replicas of the stateless workloads that scale (UIs, API servers).
    pub replicas: i32,
    /// The Gateway, certificate and LAN address pool of the cluster (a workspace file).
    pub gateway_manifest: &'static str,
    /// The cert-manager ClusterIssuer of the cluster's certificates.
    pub cluster_issuer: &'static str,
    /// Helm values per release, layered like the rest (apps read them with
    /// `HelmProps::layered`; a layer for a release nobody reads is an error).
    pub helm: ValueLayers,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            replicas: 1,
            gateway_manifest: "apps/networking/files/homelab-gateway.yaml",
            cluster_issuer: "letsencrypt-prod",
            helm: ValueLayers::default(),
        }
    }
}

impl homelab_synth::ClusterSettings for Settings {
    fn helm_layers(&self) -> Option<&ValueLayers> {
        Some(&self.helm)
    }
}

/// A cluster of this homelab.
pub type Cluster = homelab_synth::Cluster<Settings>;

/// Environments, roles and clusters.
pub fn fleet() -> Fleet<Settings> {
    Fleet::<Settings>::new()
        .environment("production", |settings| {
            settings.replicas = 2;
            // highly available: two replicas, and a disruption budget so a node drain keeps one
            settings.helm.set(
                "metrics-server",
                json!({
                    "replicas": 2,
                    "podDisruptionBudget": {"enabled": true, "minAvailable": 1}
                }),
            );
        })
        .environment("staging", |settings| {
            settings.replicas = 1;
            settings.gateway_manifest = "apps/networking/files/staging-gateway.yaml";
            settings.cluster_issuer = "letsencrypt-staging";
        })
        .role(STORAGE, |_| {})
        .role(GPU, |_| {})
        .role(OBSERVABILITY, |_| {})
        .role(SECURITY, |_| {})
        .cluster(
            ClusterSpec::new("main", "production", "madhan.app").roles(&[
                STORAGE,
                GPU,
                OBSERVABILITY,
                SECURITY,
            ]),
        )
        .cluster(ClusterSpec::new("staging", "staging", "staging.madhan.app"))
}

/// How the clusters follow the manifests branch: Argo CD, on the branch `synth publish`
/// writes from `main`. The objects that follow it are published with the apps
/// (`<cluster>/_gitops/`); `synth bootstrap --cluster NAME` prints the one object to apply.
pub fn gitops() -> GitOps {
    GitOps::argo_cd("https://github.com/madhank93/homelab.git", "main-manifests")
        // Longhorn's CRDs, engine images and instance managers take longer than most
        .app_timeout("longhorn", "15m")
}

/// Every cluster with its settings resolved.
pub fn clusters() -> Result<Vec<Cluster>, Vec<FleetError>> {
    fleet().resolve()
}
