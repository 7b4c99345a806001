//! Builders shared by apps: workloads with secure defaults, routes (HTTPRoute, Ingress),
//! ServiceAccount + RBAC, NetworkPolicy, PodDisruptionBudget, Namespaces with Pod Security
//! labels, secrets by reference (OpenBao SecretProviderClass, ExternalSecret, InfisicalSecret), imported CRDs, metadata. Each
//! returns plain objects (typed where a type exists) that the app adds to a chart; nothing
//! here is magic.

mod access;
mod disruption_budget;
mod external_secrets;
mod http_route;
mod imported_crd;
mod ingress;
mod meta;
mod namespace;
mod network_policy;
mod secret_provider_class;
pub mod workload;

pub use access::{Access, AccessObjects};
pub use disruption_budget::disruption_budget;
pub use external_secrets::{ExternalSecretBuilder, InfisicalSecretBuilder};
pub use http_route::{
    GatewayRef, HttpRouteBuilder, RouteBackend, RouteFilter, RouteMatch, RouteRule, backend,
    path_prefix, replace_prefix, set_request_header,
};
pub use imported_crd::imported_crd;
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
