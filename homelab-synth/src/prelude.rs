//! What an app file needs, in one import: `use homelab_synth::prelude::*;`.
//!
//! Everything of the core's prelude (the constructs, objects, Helm releases and
//! kustomizations, the builders of the kit, `json!` and `Value`) and this crate's builders of
//! imported kinds: HTTPRoute, ExternalSecret, InfisicalSecret and the imported CRDs.

pub use crate::kit::*;
pub use homelab_synth_core::prelude::*;
