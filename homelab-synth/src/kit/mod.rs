//! Small builders shared by apps until the full workload kit exists. Each returns plain
//! objects (typed or untyped) that the app adds to a chart; nothing here is magic.

mod http_route;
mod meta;

pub use http_route::{GatewayRef, HttpRoute, backend, path_match};
pub use meta::{named, quantities, string_map};
