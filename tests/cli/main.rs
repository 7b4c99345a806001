//! Integration tests of the `synth` binary and of the whole example homelab, compiled as one
//! test binary.

mod bootstrap;
mod cli;
mod diff;
mod fmt;
mod homelab;
mod init;
mod kustomize;
mod parity;
mod publish;
mod support;
mod workflows;
