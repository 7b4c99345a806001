//! Namespaces with Pod Security Admission labels. [`namespace`] labels `enforce`, `audit` and
//! `warn` with one level, so what the cluster admits, audits and warns about agree; validation
//! checks every pod the app emits into that namespace against the `enforce` level.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::meta::string_map;

/// The label Kubernetes' Pod Security admission enforces.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodSecurityLevel {
    /// Unrestricted: host namespaces, privileged containers, host paths.
    Privileged,
    /// Blocks known privilege escalations: no host namespaces, privileged containers, host
    /// paths, added capabilities beyond the default set.
    Baseline,
    /// Hardened: baseline plus non-root, no privilege escalation, all capabilities dropped,
    /// a seccomp profile.
    Restricted,
}

impl PodSecurityLevel {
    /// The label value: `privileged`, `baseline` or `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Privileged => "privileged",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Restricted => "restricted",
        }
    }

    /// The level a label value names; `None` for anything else.
    pub fn parse(value: &str) -> Option<PodSecurityLevel> {
        match value {
            "privileged" => Some(PodSecurityLevel::Privileged),
            "baseline" => Some(PodSecurityLevel::Baseline),
            "restricted" => Some(PodSecurityLevel::Restricted),
            _ => None,
        }
    }
}

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
