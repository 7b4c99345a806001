//! ServiceAccount + RBAC in one builder: the rules a workload needs, granted to its own
//! ServiceAccount, namespaced (Role + RoleBinding) or cluster-wide (ClusterRole +
//! ClusterRoleBinding). The role, binding and account share one name and the binding's
//! subject always names the account in the right namespace, so they cannot drift apart.
//!
//! ```
//! use homelab_synth_core::kit::Access;
//! let access = Access::new("notebook-gateway-controller")
//!     .allow(&["kubeflow.org"], &["notebooks"], &["get", "list", "watch"])
//!     .allow(&["gateway.networking.k8s.io"], &["httproutes"], &["*"])
//!     .cluster_wide();
//! let objects = access.build("kubeflow");
//! let binding = objects.cluster_role_binding.unwrap();
//! assert_eq!(binding.subjects.unwrap()[0].namespace.as_deref(), Some("kubeflow"));
//! ```

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};

use super::meta::named;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The rules one ServiceAccount is granted.
#[derive(Clone, Debug, PartialEq)]
pub struct Access {
    name: String,
    rules: Vec<PolicyRule>,
    cluster_wide: bool,
    automount_token: bool,
}

/// What [`Access::build`] returns: the account plus either the namespaced or the
/// cluster-wide pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessObjects {
    /// The ServiceAccount.
    pub service_account: ServiceAccount,
    /// The Role, when namespaced.
    pub role: Option<Role>,
    /// The RoleBinding, when namespaced.
    pub role_binding: Option<RoleBinding>,
    /// The ClusterRole, when cluster-wide.
    pub cluster_role: Option<ClusterRole>,
    /// The ClusterRoleBinding, when cluster-wide.
    pub cluster_role_binding: Option<ClusterRoleBinding>,
}

impl Access {
    /// ServiceAccount `name` with no rules yet, namespaced, with its API token mounted (a
    /// workload that talks to the API needs it).
    pub fn new(name: &str) -> Self {
        Access {
            name: name.to_owned(),
            rules: Vec::new(),
            cluster_wide: false,
            automount_token: true,
        }
    }

    /// The ServiceAccount's name (for `PodBuilder::service_account`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Grants `verbs` on `resources` of `api_groups` (`""` is the core group).
    #[must_use]
    pub fn allow(mut self, api_groups: &[&str], resources: &[&str], verbs: &[&str]) -> Self {
        let strings = |items: &[&str]| Some(items.iter().map(|s| (*s).to_owned()).collect());
        self.rules.push(PolicyRule {
            api_groups: strings(api_groups),
            resources: strings(resources),
            verbs: verbs.iter().map(|s| (*s).to_owned()).collect(),
            ..PolicyRule::default()
        });
        self
    }

    /// Grants the rules in every namespace (ClusterRole + ClusterRoleBinding).
    #[must_use]
    pub fn cluster_wide(mut self) -> Self {
        self.cluster_wide = true;
        self
    }

    /// Does not mount the API token into pods by default (for accounts that only carry
    /// an identity, e.g. for image pulls or workload identity).
    #[must_use]
    pub fn without_token(mut self) -> Self {
        self.automount_token = false;
        self
    }

    /// The objects, for a ServiceAccount in `namespace`. With no rules, only the account.
    pub fn build(&self, namespace: &str) -> AccessObjects {
        let service_account = ServiceAccount {
            metadata: named(&self.name),
            automount_service_account_token: (!self.automount_token).then_some(false),
            ..ServiceAccount::default()
        };
        let mut objects = AccessObjects {
            service_account,
            ..AccessObjects::default()
        };
        if self.rules.is_empty() {
            return objects;
        }
        let subjects = Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: self.name.clone(),
            namespace: Some(namespace.to_owned()),
            ..Subject::default()
        }]);
        let role_ref = |kind: &str| RoleRef {
            api_group: RBAC_GROUP.into(),
            kind: kind.into(),
            name: self.name.clone(),
        };
        if self.cluster_wide {
            objects.cluster_role = Some(ClusterRole {
                metadata: named(&self.name),
                rules: Some(self.rules.clone()),
                ..ClusterRole::default()
            });
            objects.cluster_role_binding = Some(ClusterRoleBinding {
                metadata: named(&self.name),
                role_ref: role_ref("ClusterRole"),
                subjects,
            });
        } else {
            objects.role = Some(Role {
                metadata: named(&self.name),
                rules: Some(self.rules.clone()),
            });
            objects.role_binding = Some(RoleBinding {
                metadata: named(&self.name),
                role_ref: role_ref("Role"),
                subjects,
            });
        }
        objects
    }
}

impl AccessObjects {
    /// Adds every object to `chart` under ids `<prefix>-service-account`, `<prefix>-role`,
    /// `<prefix>-binding`.
    pub fn add_to(self, chart: &mut crate::Chart<'_>, prefix: &str) {
        chart.add(&format!("{prefix}-service-account"), self.service_account);
        if let Some(role) = self.role {
            chart.add(&format!("{prefix}-role"), role);
        }
        if let Some(binding) = self.role_binding {
            chart.add(&format!("{prefix}-binding"), binding);
        }
        if let Some(role) = self.cluster_role {
            chart.add(&format!("{prefix}-role"), role);
        }
        if let Some(binding) = self.cluster_role_binding {
            chart.add(&format!("{prefix}-binding"), binding);
        }
    }
}
