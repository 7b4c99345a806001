//! What an app file needs, in one import: `use homelab_synth_core::prelude::*;` (apps of a
//! workspace with typed CRD bindings use the `homelab-synth` facade's prelude, which adds its
//! builders of imported kinds).
//!
//! The constructs ([`App`], [`Chart`] and their props), the objects and references an app
//! builds with, Helm releases and kustomizations, every builder of [`kit`](crate::kit), and
//! `serde_json`'s [`json!`](serde_json::json) with its [`Value`](serde_json::Value), which
//! untyped bodies and Helm values are written in.

pub use crate::kit::workload::*;
pub use crate::kit::*;
pub use crate::{
    Allow, App, Category, Chart, ChartProps, ChartRef, ChartSource, Dependency, HelmProps,
    HookAction, HookPolicy, IncludeRef, JsonPatch, KustomizeProps, Naming, ObjectRef, Registry,
    Scope, TypedObject, Untyped,
};
pub use serde_json::{Value, json};
