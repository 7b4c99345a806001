//! Integration tests of the `synth` binary and of the whole example homelab, compiled as one
//! test binary.

mod bootstrap;
mod cli;
mod dev_link;
mod diff;
mod fmt;
// the publish crate's git helpers (repositories with a fixed identity, bare remotes, hooks)
#[path = "../../homelab-synth/publish/tests/support/mod.rs"]
mod git_support;
mod homelab;
mod init;
mod kustomize;
mod parity;
mod publish;
mod support;
mod up_to_date;
mod workflows;
