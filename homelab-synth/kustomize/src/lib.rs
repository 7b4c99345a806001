//! Kustomize at the edge: remote bases pinned in a lock, localized, rendered offline and
//! cached.
//!
//! [`KustomizeCli`] implements [`homelab_synth_core::KustomizeRenderer`] with the real kustomize
//! (`kubectl kustomize`, or a standalone `kustomize build`):
//! - every remote reference a kustomization reaches ([`reference`]: git folders such as
//!   `github.com/org/repo//path?ref=v1` and `https://github.com/org/repo/path?ref=v1`, and
//!   plain `https://` files), directly or through other remote bases, must be in
//!   `kustomize.lock` ([`lock`], written by `synth charts lock` through
//!   [`lock_kustomizations`]) with the sha256 of its content; a copy with another digest is
//!   an error naming the kustomization file and the reference;
//! - sources come from the cache, then mirrors (the lock's `mirrors`, e.g.
//!   `../shared/kustomize`, and `SYNTH_KUSTOMIZE_MIRRORS`), then their origin unless
//!   `SYNTH_OFFLINE=1` ([`source`]);
//! - the kustomization is copied to a scratch folder with every remote reference rewritten to
//!   its pinned local copy ([`localize`]), and kustomize runs there with a deadline and its
//!   proxies pointed at a closed port, so it never reaches the network ([`binary`]);
//! - renders are cached by the kustomize version, the workspace files the kustomization
//!   reaches and the locked sources, each entry with the sha256 of its content, checked on
//!   read ([`render`]): a synthesis where nothing changed runs kustomize zero times.
//!
//! Configuration: [`KustomizeConfig::from_env`].

pub mod binary;
pub mod config;
pub mod kustomization;
pub mod localize;
pub mod lock;
mod lock_sources;
pub mod process;
pub mod reference;
pub mod render;
pub mod source;

pub use config::{KustomizeConfig, Tool};
pub use lock::{KustomizeLock, LockedSource};
pub use lock_sources::lock_kustomizations;
pub use render::KustomizeCli;
