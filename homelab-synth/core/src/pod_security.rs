//! Pod Security Admission as data: the levels, the namespace labels that name them, and the
//! annotation listing a pod's opt-outs of the restricted profile. The kit writes them
//! (`kit::namespace`, the workload builders) and validation reads them, so both name the same
//! constants from below.

/// The label Kubernetes' Pod Security admission enforces.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The label Kubernetes' Pod Security admission audits with.
pub const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
/// The label Kubernetes' Pod Security admission warns with.
pub const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";

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

/// Pod template annotation listing every opt-out of the restricted profile with its reason.
pub const SECURITY_EXCEPTIONS_ANNOTATION: &str = "homelab-synth.dev/security-exceptions";
