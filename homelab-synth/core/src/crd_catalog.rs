//! CRDs a workspace hands to validation as data: the CustomResourceDefinitions its typed
//! bindings were generated from (the bindings crate's table), so custom resources are checked
//! against their schemas without the core depending on generated code.
//!
//! A [`CrdCatalog`] reaches validation through [`crate::SynthInputs::with_crds`] or
//! [`crate::Workspace::with_crds`]; without one, only the CRDs of the synthesis itself give
//! schemas.

use serde_json::Value;

/// Whether `api_version` and `kind` name an `apiextensions.k8s.io` CustomResourceDefinition
/// (of any version of that API).
pub(crate) fn is_crd(api_version: &str, kind: &str) -> bool {
    kind == "CustomResourceDefinition" && api_version.starts_with("apiextensions.k8s.io/")
}

/// A set of CustomResourceDefinitions by name (`<plural>.<group>`), each parsed only when
/// asked for.
pub trait CrdCatalog: Send + Sync {
    /// Every CRD's name, sorted.
    fn names(&self) -> Vec<&str>;

    /// The CRD named `name` as a JSON document; `None` when there is none (or it does not
    /// parse).
    fn definition(&self, name: &str) -> Option<Value>;

    /// The CRD named `name` as JSON text, for a catalog that holds it so: validation then
    /// reads only the CRD's names from it and keeps each schema as text until a custom
    /// resource needs it. `None` (the default): validation reads [`CrdCatalog::definition`].
    fn definition_text(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// A catalog held as a static table of `(name, CRD as JSON text)` sorted by name: the form
/// `synth import` writes (`crds.rs` of a bindings crate).
#[derive(Clone, Copy, Debug)]
pub struct StaticCrds(pub &'static [(&'static str, &'static str)]);

impl CrdCatalog for StaticCrds {
    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| *name).collect()
    }

    fn definition(&self, name: &str) -> Option<Value> {
        serde_json::from_str(self.definition_text(name)?).ok()
    }

    fn definition_text(&self, name: &str) -> Option<&str> {
        let index = self
            .0
            .binary_search_by(|(candidate, _)| (*candidate).cmp(name))
            .ok()?;
        Some(self.0[index].1)
    }
}

/// The empty catalog: no CRDs.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCrds;

impl CrdCatalog for NoCrds {
    fn names(&self) -> Vec<&str> {
        Vec::new()
    }

    fn definition(&self, _name: &str) -> Option<Value> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_table_is_searched_by_name() {
        let table = StaticCrds(&[("a.example.com", "{\"n\":1}"), ("b.example.com", "{")]);
        assert_eq!(table.names(), ["a.example.com", "b.example.com"]);
        assert_eq!(
            table.definition("a.example.com"),
            Some(serde_json::json!({"n": 1}))
        );
        assert_eq!(table.definition("b.example.com"), None, "does not parse");
        assert_eq!(table.definition("c.example.com"), None);
        assert_eq!(table.definition_text("a.example.com"), Some("{\"n\":1}"));
        assert_eq!(table.definition_text("c.example.com"), None);
        assert_eq!(NoCrds.definition_text("a.example.com"), None);
        assert!(NoCrds.names().is_empty());
    }
}
