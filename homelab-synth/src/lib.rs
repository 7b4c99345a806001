//! homelab-synth: typed Kubernetes manifest synthesis, as apps use it.
//!
//! A facade over two layers: the core ([`homelab_synth_core`], re-exported whole: `App`,
//! `Chart`, synthesis, validation, output) and this homelab's typed CRD bindings
//! (`homelab_imports`), which the builders of imported kinds in [`kit`] (HTTPRoute,
//! ExternalSecret, InfisicalSecret, imported CRDs) are typed by. The core never depends on the
//! bindings; the bindings' CRDs reach its validation as data, through [`imported_crds`],
//! handed in once where a synthesis starts: `Workspace::with_crds` for a workspace,
//! `SynthInputs::with_crds` for the core's `synthesize*` functions (re-exported unchanged).

pub mod kit;
pub mod prelude;

pub use homelab_synth_core::*;

/// The CRDs the typed bindings were generated from (`homelab_imports`), as the catalog the
/// core checks custom resources against.
pub fn imported_crds() -> &'static dyn CrdCatalog {
    static IMPORTED: StaticCrds = StaticCrds(homelab_imports::crds::CUSTOM_RESOURCE_DEFINITIONS);
    &IMPORTED
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use homelab_synth_core::{SchemaSource, crd_kind, schemas_for};

    #[test]
    fn every_imported_crd_is_named_plural_dot_group() {
        // the core's lazy lookup parses only the imported CRDs whose name ends in `.<group>`
        let catalog = imported_crds();
        assert!(!catalog.names().is_empty());
        for name in catalog.names() {
            let crd = catalog.definition(name).expect("parses");
            let (group, _) = crd_kind(&crd).expect("a CRD");
            let plural = crd.pointer("/spec/names/plural").and_then(Value::as_str);
            assert_eq!(
                Some(name),
                plural.map(|p| format!("{p}.{group}")).as_deref()
            );
        }
    }

    #[test]
    fn the_catalog_is_the_bindings_table() {
        let name = "servicemonitors.monitoring.coreos.com";
        assert_eq!(
            imported_crds().definition(name),
            homelab_imports::custom_resource_definition(name)
        );
        let names: Vec<&str> = homelab_imports::custom_resource_definition_names().collect();
        assert_eq!(imported_crds().names(), names);
    }

    #[test]
    fn imported_crds_give_schemas() {
        let schemas = schemas_for([], imported_crds());
        let broken = serde_json::json!({
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": {"name": "m"},
            "spec": {"selector": {}, "endpoints": [{"prot": "http"}]},
        });
        let violations = schemas.validate(&broken).expect("imported");
        assert_eq!(violations.len(), 1, "{violations:#?}");
        assert_eq!(violations[0].path, "/spec/endpoints/0");
        assert!(matches!(
            schemas.source("monitoring.coreos.com", "v1", "ServiceMonitor"),
            Some(SchemaSource::Imported { .. })
        ));
    }
}
