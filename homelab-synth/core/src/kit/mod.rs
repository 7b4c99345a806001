//! Builders shared by apps that need no generated bindings: workloads with secure defaults,
//! Ingress, ServiceAccount + RBAC, NetworkPolicy, PodDisruptionBudget, Namespaces with Pod
//! Security labels, secrets by reference (OpenBao SecretProviderClass), metadata. Each
//! returns plain objects (typed where a type exists) that the app adds to a chart; nothing
//! here is magic. The builders of imported kinds (HTTPRoute, ExternalSecret,
//! InfisicalSecret, imported CRDs) live in the `homelab-synth` facade's `kit`, beside these.

mod access;
mod disruption_budget;
mod ingress;
mod meta;
mod namespace;
mod network_policy;
mod secret_provider_class;
pub mod workload;

pub use access::{Access, AccessObjects};
pub use disruption_budget::disruption_budget;
pub use ingress::IngressBuilder;
pub use meta::{named, quantities, string_map};
pub use namespace::{ENFORCE_LABEL, PodSecurityLevel, namespace};
pub use network_policy::{NetworkPolicyBuilder, Peer};
pub use secret_provider_class::{OPENBAO_ADDRESS, OpenBaoSecrets, SECRETS_STORE_DRIVER};
pub use workload::{
    AccessMode, CONFIG_HASH_ANNOTATION, Claim, ContainerBuilder, CronJobBuilder, DaemonSetBuilder,
    DeploymentBuilder, Expose, JobBuilder, PodBuilder, Probe, SECURITY_EXCEPTIONS_ANNOTATION,
    ServiceBuilder, StatefulSetBuilder, VolumeRef, Workload,
};
