//! Installing a CRD that the project imported (`imports/`), instead of fetching it from a
//! URL at synthesis: the CRD the typed bindings were generated from is the one installed.

use homelab_synth_core::{Untyped, UntypedError};

/// The imported CustomResourceDefinition `name` (`servicemonitors.monitoring.coreos.com`),
/// ready to add with `Chart::add_untyped`. An unknown name gives an object that synthesis
/// reports as an error naming it.
///
/// ```
/// let crd = homelab_synth::kit::imported_crd("servicemonitors.monitoring.coreos.com");
/// assert_eq!(crd.kind(), "CustomResourceDefinition");
/// ```
pub fn imported_crd(name: &str) -> Untyped {
    const API_VERSION: &str = "apiextensions.k8s.io/v1";
    const KIND: &str = "CustomResourceDefinition";
    match homelab_imports::custom_resource_definition(name) {
        Some(body) => Untyped::new(API_VERSION, KIND, body),
        None => Untyped::invalid(
            API_VERSION,
            KIND,
            UntypedError::UnknownImportedCrd {
                name: name.to_owned(),
            },
        ),
    }
}
