//! Helm charts as constructs. A [`Helm`](HelmProps) construct records a chart reference,
//! version, release, namespace and values; like an include, it does no I/O. In
//! [`HelmMode::Render`] synthesis hands every release to a [`HelmRenderer`] at the edge (the
//! `homelab-synth-helm` crate runs the real `helm template` from a locked, cached package) and
//! turns the rendered documents into untyped objects of the app, after the pure policies of
//! this module: CRDs ([`CrdPolicy`]), hooks ([`HookPolicy`]), release namespace, user value
//! paths checked against the chart ([`values`]) and renders compared for randomness
//! ([`determinism`]). In [`HelmMode::Delegate`] the construct emits an Argo CD `Application`
//! or Flux `HelmRepository` + `HelmRelease` instead ([`delegate`]).

pub mod construct;
pub mod delegate;
pub mod determinism;
pub mod hooks;
pub mod layers;
pub(crate) mod rendered;
pub mod renderer;
pub mod values;

pub use construct::{
    ChartSource, CrdPolicy, Delegate, HelmMode, HelmProps, HelmRef, HelmReleases, HookAction,
    HookPolicy, ValuesError,
};
pub use layers::{LayerError, ValueLayers, check_read};
pub use renderer::{
    ChartInfo, ChartPin, HelmError, HelmRenderer, RenderRequest, Rendered, ValueViolation,
    chart_pins,
};
