//! Small builders shared by apps until the full workload kit exists. Each returns plain
//! objects (typed where a type exists) that the app adds to a chart; nothing here is magic.

mod http_route;
mod meta;

pub use http_route::{
    GatewayRef, HttpRouteBuilder, RouteBackend, RouteFilter, RouteMatch, RouteRule, backend,
    path_prefix, replace_prefix, set_request_header,
};
pub use meta::{named, quantities, string_map};
