//! Namespaces with Pod Security Admission labels. [`namespace`] labels `enforce`, `audit` and
//! `warn` with one level, so what the cluster admits, audits and warns about agree; validation
//! checks every pod the app emits into that namespace against the `enforce` level.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::meta::string_map;
use crate::pod_security::{AUDIT_LABEL, WARN_LABEL};
pub use crate::pod_security::{ENFORCE_LABEL, PodSecurityLevel};

/// A Namespace whose Pod Security `enforce`, `audit` and `warn` labels all name `level`.
///
/// ```
/// use homelab_synth_core::kit::{PodSecurityLevel, namespace};
/// let ns = namespace("longhorn-system", PodSecurityLevel::Privileged);
/// let labels = ns.metadata.labels.unwrap();
/// assert_eq!(labels["pod-security.kubernetes.io/enforce"], "privileged");
/// ```
pub fn namespace(name: &str, level: PodSecurityLevel) -> Namespace {
    let value = level.as_str();
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(string_map(&[
                (ENFORCE_LABEL, value),
                (AUDIT_LABEL, value),
                (WARN_LABEL, value),
            ])),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}
