//! Builders shared by apps: every builder of the core's [`homelab_synth_core::kit`]
//! (workloads, Ingress, RBAC, NetworkPolicy, PodDisruptionBudget, Namespaces, OpenBao
//! secrets, metadata), and here those of imported kinds, typed by the bindings: HTTPRoute,
//! ExternalSecret and InfisicalSecret, and the imported CRDs themselves.

mod external_secrets;
mod http_route;
mod imported_crd;

pub use homelab_synth_core::kit::*;

pub use external_secrets::{ExternalSecretBuilder, InfisicalSecretBuilder};
pub use http_route::{
    GatewayRef, HttpRouteBuilder, RouteBackend, RouteFilter, RouteMatch, RouteRule, backend,
    path_prefix, replace_prefix, set_request_header,
};
pub use imported_crd::imported_crd;
