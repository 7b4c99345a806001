//! Installing a CRD that the project imported (`imports/`), instead of fetching it from a
//! URL at synthesis: the CRD the typed bindings were generated from is the one installed.

use serde_json::Value;

use homelab_synth_core::Untyped;

/// The imported CustomResourceDefinition `name` (`servicemonitors.monitoring.coreos.com`),
/// ready to add with `Chart::add_untyped`. An unknown name gives an object that synthesis
/// reports as an error naming it.
///
/// ```
/// let crd = homelab_synth::kit::imported_crd("servicemonitors.monitoring.coreos.com");
/// assert_eq!(crd.kind(), "CustomResourceDefinition");
/// ```
pub fn imported_crd(name: &str) -> Untyped {
    let body = homelab_imports::custom_resource_definition(name).unwrap_or_else(|| {
        Value::String(format!(
            "no imported CustomResourceDefinition is named `{name}`; see `synth import`"
        ))
    });
    Untyped::new("apiextensions.k8s.io/v1", "CustomResourceDefinition", body)
}
