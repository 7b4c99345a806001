//! homelab-synth: typed Kubernetes manifest synthesis, as apps use it.
//!
//! A facade over two layers: the core ([`homelab_synth_core`], re-exported whole: `App`,
//! `Chart`, synthesis, validation, output) and this homelab's typed CRD bindings
//! (`homelab_imports`), which the builders of imported kinds in [`kit`] (HTTPRoute,
//! ExternalSecret, InfisicalSecret, imported CRDs) are typed by. The core never depends on the
//! bindings; the bindings' CRDs reach its validation as data, through [`imported_crds`]:
//! a workspace hands them in with `Workspace::with_crds`, and this crate's `synthesize*`
//! functions use them when their inputs name none.

pub mod kit;
pub mod prelude;

pub use homelab_synth_core::*;

/// The CRDs the typed bindings were generated from (`homelab_imports`), as the catalog the
/// core checks custom resources against.
pub fn imported_crds() -> &'static dyn CrdCatalog {
    static IMPORTED: StaticCrds = StaticCrds(homelab_imports::crds::CUSTOM_RESOURCE_DEFINITIONS);
    &IMPORTED
}

/// `inputs`, checking custom resources against [`imported_crds`] unless they name a catalog.
fn with_imported<'a>(inputs: &SynthInputs<'a>) -> SynthInputs<'a> {
    match inputs.crds {
        Some(_) => *inputs,
        None => inputs.with_crds(imported_crds()),
    }
}

/// [`homelab_synth_core::synthesize`], custom resources checked against [`imported_crds`].
pub fn synthesize(
    apps: &[BuiltApp],
    sources: &dyn SourceReader,
) -> Result<ManifestSet, SynthError> {
    synthesize_owned(apps.to_vec(), sources)
}

/// [`homelab_synth_core::synthesize_owned`], custom resources checked against
/// [`imported_crds`].
pub fn synthesize_owned(
    apps: Vec<BuiltApp>,
    sources: &dyn SourceReader,
) -> Result<ManifestSet, SynthError> {
    synthesize_owned_with(apps, &SynthInputs::new(sources))
}

/// [`homelab_synth_core::synthesize_with`], custom resources checked against
/// [`imported_crds`] unless `inputs` name a catalog.
pub fn synthesize_with(
    apps: &[BuiltApp],
    inputs: &SynthInputs<'_>,
) -> Result<ManifestSet, SynthError> {
    synthesize_owned_with(apps.to_vec(), inputs)
}

/// [`homelab_synth_core::synthesize_owned_with`], custom resources checked against
/// [`imported_crds`] unless `inputs` name a catalog.
pub fn synthesize_owned_with(
    apps: Vec<BuiltApp>,
    inputs: &SynthInputs<'_>,
) -> Result<ManifestSet, SynthError> {
    homelab_synth_core::synthesize_owned_with(apps, &with_imported(inputs))
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
