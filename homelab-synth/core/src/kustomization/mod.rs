//! Kustomizations as constructs. A [`Kustomize`](KustomizeProps) construct records a
//! kustomization folder of the workspace, a namespace and the rendered objects to leave out;
//! like a Helm release it does no I/O. Synthesis hands every kustomization to a
//! [`KustomizeRenderer`] at the edge (the `homelab-synth-kustomize` crate pins every remote
//! base in a lock, localizes the tree and runs the real `kubectl kustomize` offline, with a
//! render cache) and turns the rendered documents into untyped objects of the app, with the
//! patches, allowances and omissions aimed at them by kind and name ([`rendered`]).

pub mod construct;
pub(crate) mod rendered;
pub mod renderer;

pub use construct::{AppKustomizations, KustomizeProps, KustomizeRef};
pub use renderer::{
    KustomizeError, KustomizeRenderer, KustomizeRequest, Kustomized, kustomizations,
};
