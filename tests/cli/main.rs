//! Integration tests of the `synth` binary and of the whole example homelab, compiled as one
//! test binary.

mod cli;
mod homelab;
mod support;
