//! The import crate's integration tests, one binary: the committed bindings match a fresh
//! generation, the fixtures' golden output, the fixture bindings compiled and exercised, CRDs
//! derived from Rust types, and symbolic links followed once.

mod committed;
mod fixture_types;
mod fixtures;
mod rust_crds;
mod support;
mod symlinks;
