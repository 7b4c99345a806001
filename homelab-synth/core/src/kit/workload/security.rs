//! Secure by default: every pod the kit builds meets the Pod Security Standards "restricted"
//! profile unless a container (or the pod) opts out of one rule explicitly, with a reason.
//!
//! Defaults written on every pod and container:
//! - pod `securityContext`: `runAsNonRoot: true`, `seccompProfile.type: RuntimeDefault`;
//! - container `securityContext`: `allowPrivilegeEscalation: false`,
//!   `capabilities.drop: [ALL]`, `readOnlyRootFilesystem: true`.
//!
//! Every opt-out (`run_as_root`, `privileged`, `writable_root_filesystem`,
//! `allow_privilege_escalation`, `add_capabilities` on a container; `host_network`,
//! `host_pid`, `host_path` on a pod) takes a reason, and the reasons are written to the pod
//! template annotation [`SECURITY_EXCEPTIONS_ANNOTATION`], one line per exception:
//! `<container or "pod">: <setting>: <reason>`, in the order they were declared. A reviewer
//! reads every deviation from the profile in the manifest itself.

use k8s_openapi::api::core::v1::{
    Capabilities, PodSecurityContext, SeccompProfile, SecurityContext,
};

pub use crate::pod_security::SECURITY_EXCEPTIONS_ANNOTATION;

/// One explicit deviation from the restricted profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityException {
    /// The container name, or `pod` for pod-level settings.
    pub subject: String,
    /// The setting, e.g. `runAsUser: 0` or `capabilities.add: NET_ADMIN`.
    pub setting: String,
    /// Why the deviation is needed.
    pub reason: String,
}

impl SecurityException {
    /// An exception of `subject` for `setting`. An empty reason is kept empty: the
    /// annotation line then ends after the setting, and synthesis reports the opt-out as an
    /// error naming the workload (building never panics).
    pub(crate) fn new(subject: &str, setting: impl Into<String>, reason: &str) -> Self {
        let setting = setting.into();
        SecurityException {
            subject: subject.to_owned(),
            setting,
            reason: reason.trim().to_owned(),
        }
    }

    fn line(&self) -> String {
        format!("{}: {}: {}", self.subject, self.setting, self.reason)
            .trim_end()
            .to_owned()
    }
}

/// The annotation value for `exceptions` (one line each), or `None` when there are none.
pub(crate) fn annotation_value(exceptions: &[SecurityException]) -> Option<String> {
    if exceptions.is_empty() {
        return None;
    }
    Some(
        exceptions
            .iter()
            .map(SecurityException::line)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Container-level opt-outs, recorded by the container builder.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ContainerSecurity {
    pub(crate) run_as_root: bool,
    pub(crate) run_as_user: Option<i64>,
    pub(crate) run_as_group: Option<i64>,
    pub(crate) privileged: bool,
    pub(crate) privilege_escalation: bool,
    pub(crate) writable_root: bool,
    pub(crate) add_capabilities: Vec<String>,
    pub(crate) exceptions: Vec<SecurityException>,
}

impl ContainerSecurity {
    /// The container `securityContext`: restricted, minus the recorded opt-outs.
    pub(crate) fn context(&self) -> SecurityContext {
        let escalation = self.privileged || self.privilege_escalation;
        SecurityContext {
            allow_privilege_escalation: Some(escalation),
            // privileged containers get every capability anyway; claiming to drop them
            // would be misleading
            capabilities: (!self.privileged).then(|| Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                add: (!self.add_capabilities.is_empty()).then(|| self.add_capabilities.clone()),
            }),
            privileged: self.privileged.then_some(true),
            read_only_root_filesystem: Some(!self.writable_root),
            run_as_non_root: self.run_as_root.then_some(false),
            run_as_user: if self.run_as_root {
                Some(0)
            } else {
                self.run_as_user
            },
            run_as_group: if self.run_as_root {
                Some(0)
            } else {
                self.run_as_group
            },
            ..SecurityContext::default()
        }
    }
}

/// Pod-level identity settings (none of them deviate from the profile).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PodSecurity {
    pub(crate) run_as_user: Option<i64>,
    pub(crate) run_as_group: Option<i64>,
    pub(crate) fs_group: Option<i64>,
}

impl PodSecurity {
    /// The pod `securityContext`: `runAsNonRoot`, `RuntimeDefault` seccomp, plus the ids.
    pub(crate) fn context(&self) -> PodSecurityContext {
        PodSecurityContext {
            run_as_non_root: Some(true),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".to_owned(),
                ..SeccompProfile::default()
            }),
            run_as_user: self.run_as_user,
            run_as_group: self.run_as_group,
            fs_group: self.fs_group,
            ..PodSecurityContext::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn restricted_container_context_by_default() {
        let context = ContainerSecurity::default().context();
        assert_eq!(
            serde_json::to_value(context).unwrap(),
            json!({
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": true
            })
        );
    }

    #[test]
    fn restricted_pod_context_by_default() {
        assert_eq!(
            serde_json::to_value(PodSecurity::default().context()).unwrap(),
            json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
        );
    }

    #[test]
    fn privileged_allows_escalation_and_does_not_drop() {
        let security = ContainerSecurity {
            privileged: true,
            ..ContainerSecurity::default()
        };
        assert_eq!(
            serde_json::to_value(security.context()).unwrap(),
            json!({
                "allowPrivilegeEscalation": true,
                "privileged": true,
                "readOnlyRootFilesystem": true
            })
        );
    }

    #[test]
    fn root_sets_user_and_group_zero() {
        let security = ContainerSecurity {
            run_as_root: true,
            run_as_user: Some(1000),
            add_capabilities: vec!["NET_ADMIN".into()],
            ..ContainerSecurity::default()
        };
        assert_eq!(
            serde_json::to_value(security.context()).unwrap(),
            json!({
                "allowPrivilegeEscalation": false,
                "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
                "readOnlyRootFilesystem": true,
                "runAsGroup": 0,
                "runAsNonRoot": false,
                "runAsUser": 0
            })
        );
    }

    #[test]
    fn annotation_lists_one_line_per_exception() {
        let exceptions = [
            SecurityException::new("web", "runAsUser: 0", " image needs root "),
            SecurityException::new("pod", "hostNetwork", "binds node ports"),
        ];
        assert_eq!(
            annotation_value(&exceptions).as_deref(),
            Some("web: runAsUser: 0: image needs root\npod: hostNetwork: binds node ports")
        );
        assert_eq!(annotation_value(&[]), None);
    }

    #[test]
    fn an_empty_reason_leaves_the_line_ending_after_the_setting() {
        let exception = SecurityException::new("web", "privileged", "  ");
        assert_eq!(
            annotation_value(&[exception]).as_deref(),
            Some("web: privileged:")
        );
    }
}
