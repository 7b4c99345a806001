//! What the tests share: where the fixture CRDs are.

/// The fixture CRDs, which together cover every mapping rule.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/crds");
