//! Every served version of every CRD in `../shared/crds` round-trips through its generated
//! type: a document built from the schema (every property present, values of the mapped
//! types, one unknown key in each object that preserves unknown fields) deserializes and
//! serializes back to the same JSON.

use std::collections::BTreeMap;
use std::path::PathBuf;

use homelab_imports::*;
use homelab_synth_import::{Crd, read_sources, sample};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const CRDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/crds");

type RoundTrip = fn(&Value) -> Result<Value, String>;

fn round_trip<T: DeserializeOwned + Serialize>(document: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(document.clone()).map_err(|error| error.to_string())?;
    serde_json::to_value(&typed).map_err(|error| error.to_string())
}

fn entry<T: k8s_openapi::Resource + DeserializeOwned + Serialize>() -> ((String, String), RoundTrip)
{
    (
        (T::API_VERSION.to_owned(), T::KIND.to_owned()),
        round_trip::<T> as RoundTrip,
    )
}

fn generated_types() -> BTreeMap<(String, String), RoundTrip> {
    [
        entry::<argoproj_io::v1alpha1::AppProject>(),
        entry::<argoproj_io::v1alpha1::Application>(),
        entry::<argoproj_io::v1alpha1::ApplicationSet>(),
        entry::<cert_manager_io::v1::Certificate>(),
        entry::<cert_manager_io::v1::ClusterIssuer>(),
        entry::<cert_manager_io::v1::Issuer>(),
        entry::<cilium_io::v2::CiliumNetworkPolicy>(),
        entry::<cilium_io::v2alpha1::CiliumL2AnnouncementPolicy>(),
        entry::<cilium_io::v2alpha1::CiliumLoadBalancerIpPool>(),
        entry::<external_secrets_io::v1::ClusterSecretStore>(),
        entry::<external_secrets_io::v1::ExternalSecret>(),
        entry::<external_secrets_io::v1::SecretStore>(),
        entry::<gateway_networking_k8s_io::v1::Gateway>(),
        entry::<gateway_networking_k8s_io::v1::GatewayClass>(),
        entry::<gateway_networking_k8s_io::v1::GrpcRoute>(),
        entry::<gateway_networking_k8s_io::v1::HttpRoute>(),
        entry::<gateway_networking_k8s_io::v1::ReferenceGrant>(),
        entry::<gateway_networking_k8s_io::v1beta1::Gateway>(),
        entry::<gateway_networking_k8s_io::v1beta1::GatewayClass>(),
        entry::<gateway_networking_k8s_io::v1beta1::HttpRoute>(),
        entry::<gateway_networking_k8s_io::v1beta1::ReferenceGrant>(),
        entry::<helm_toolkit_fluxcd_io::v2::HelmRelease>(),
        entry::<image_toolkit_fluxcd_io::v1::ImagePolicy>(),
        entry::<image_toolkit_fluxcd_io::v1::ImageRepository>(),
        entry::<image_toolkit_fluxcd_io::v1::ImageUpdateAutomation>(),
        entry::<kustomize_toolkit_fluxcd_io::v1::Kustomization>(),
        entry::<monitoring_coreos_com::v1::PodMonitor>(),
        entry::<monitoring_coreos_com::v1::PrometheusRule>(),
        entry::<monitoring_coreos_com::v1::ServiceMonitor>(),
        entry::<operator_victoriametrics_com::v1beta1::VmRule>(),
        entry::<operator_victoriametrics_com::v1beta1::VmServiceScrape>(),
        entry::<platform_kratix_io::v1alpha1::Promise>(),
        entry::<secrets_infisical_com::v1alpha1::InfisicalSecret>(),
        entry::<source_toolkit_fluxcd_io::v1::GitRepository>(),
        entry::<source_toolkit_fluxcd_io::v1::HelmRepository>(),
        entry::<source_toolkit_fluxcd_io::v1::OciRepository>(),
        entry::<traefik_io::v1alpha1::IngressRoute>(),
        entry::<traefik_io::v1alpha1::Middleware>(),
    ]
    .into_iter()
    .collect()
}

/// The first difference between two JSON values, as a path.
fn difference(left: &Value, right: &Value, path: &str) -> Option<String> {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                let at = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => {
                        if let Some(found) = difference(x, y, &at) {
                            return Some(found);
                        }
                    }
                    (x, y) => return Some(format!("{at}: {x:?} != {y:?}")),
                }
            }
            None
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(index, (x, y))| difference(x, y, &format!("{path}[{index}]"))),
        _ => (left != right).then(|| format!("{path}: {left} != {right}")),
    }
}

#[test]
fn every_served_version_round_trips_through_its_generated_type() {
    let types = generated_types();
    let sources = read_sources(&[PathBuf::from(CRDS)]).expect("read ../shared/crds");
    let mut checked = 0;
    let mut failures = Vec::new();
    for source in &sources {
        for document in homelab_synth::yaml::read_documents(&source.text).expect("yaml") {
            let crd = Crd::from_document(&document).expect("crd");
            for version in &crd.versions {
                let key = (crd.api_version(&version.name), crd.kind.clone());
                let Some(round_trip) = types.get(&key) else {
                    failures.push(format!("{}: no generated type for {key:?}", source.name));
                    continue;
                };
                let sample = sample::document(&crd, version).expect("sample");
                match round_trip(&sample) {
                    Ok(back) => {
                        if let Some(found) = difference(&sample, &back, "") {
                            failures.push(format!("{} {key:?}: {found}", source.name));
                        }
                    }
                    Err(error) => failures.push(format!("{} {key:?}: {error}", source.name)),
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, types.len(), "every generated type is checked");
}

#[test]
fn every_imported_crd_is_embedded_and_parses() {
    let names: Vec<&str> = homelab_imports::custom_resource_definition_names().collect();
    assert_eq!(names.len(), 34, "one per CRD of the shared corpus");
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "sorted");
    for name in names {
        let crd = homelab_imports::custom_resource_definition(name)
            .unwrap_or_else(|| panic!("{name} does not parse"));
        assert_eq!(crd["kind"], "CustomResourceDefinition", "{name}");
        assert_eq!(crd["metadata"]["name"], name);
    }
    let monitors =
        homelab_imports::custom_resource_definition("servicemonitors.monitoring.coreos.com")
            .expect("ServiceMonitor CRD");
    assert_eq!(monitors["spec"]["names"]["kind"], "ServiceMonitor");
    assert!(homelab_imports::custom_resource_definition("nothing.example.com").is_none());
}
