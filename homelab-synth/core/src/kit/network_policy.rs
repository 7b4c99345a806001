//! NetworkPolicies that read like the intent: pick the pods (a workload's selector labels),
//! then list who may reach which of their ports. Everything not listed is denied: a policy
//! with no `allow_*` call isolates the pods completely for ingress.
//!
//! ```
//! use homelab_synth_core::kit::{NetworkPolicyBuilder, Peer};
//! let policy = NetworkPolicyBuilder::new("grafana", &[("app.kubernetes.io/name", "grafana")])
//!     .allow_from(Peer::Namespace("kube-system"), &[3000])
//!     .allow_from(Peer::SameNamespace, &[])
//!     .build();
//! assert_eq!(policy.spec.unwrap().ingress.unwrap().len(), 2);
//! ```

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::{named, string_map};

/// The label every namespace carries with its own name (set by Kubernetes).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Who may connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer<'a> {
    /// Every pod of the policy's own namespace.
    SameNamespace,
    /// Every pod of namespace `name`.
    Namespace(&'a str),
    /// Pods with these labels in the policy's namespace.
    Pods(&'a [(&'a str, &'a str)]),
    /// Pods with these labels in namespace `namespace`.
    PodsIn {
        /// The namespace's name, matched by its `kubernetes.io/metadata.name` label.
        namespace: &'a str,
        /// The pod labels to match, as `(key, value)` pairs that must all hold.
        labels: &'a [(&'a str, &'a str)],
    },
    /// Addresses in a CIDR block (e.g. the node network, for host-network clients).
    Cidr(&'a str),
}

/// A NetworkPolicy for the ingress of one set of pods.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkPolicyBuilder {
    name: String,
    pods: BTreeMap<String, String>,
    rules: Vec<NetworkPolicyIngressRule>,
}

impl NetworkPolicyBuilder {
    /// Policy `name` for the pods with `pod_labels` (e.g. `PodBuilder::selector_labels`).
    pub fn new(name: &str, pod_labels: &[(&str, &str)]) -> Self {
        NetworkPolicyBuilder::for_labels(name, string_map(pod_labels))
    }

    /// Policy `name` for the pods with `labels`.
    pub fn for_labels(name: &str, labels: BTreeMap<String, String>) -> Self {
        NetworkPolicyBuilder {
            name: name.to_owned(),
            pods: labels,
            rules: Vec::new(),
        }
    }

    /// Lets `peer` reach TCP `ports` of the pods (every port when `ports` is empty).
    #[must_use]
    pub fn allow_from(mut self, peer: Peer<'_>, ports: &[u16]) -> Self {
        let labels = |pairs: &[(&str, &str)]| LabelSelector {
            match_labels: Some(string_map(pairs)),
            ..LabelSelector::default()
        };
        let namespace = |name: &str| LabelSelector {
            match_labels: Some(string_map(&[(NAMESPACE_NAME_LABEL, name)])),
            ..LabelSelector::default()
        };
        let from = match peer {
            Peer::SameNamespace => NetworkPolicyPeer {
                pod_selector: Some(LabelSelector::default()),
                ..NetworkPolicyPeer::default()
            },
            Peer::Namespace(name) => NetworkPolicyPeer {
                namespace_selector: Some(namespace(name)),
                ..NetworkPolicyPeer::default()
            },
            Peer::Pods(pairs) => NetworkPolicyPeer {
                pod_selector: Some(labels(pairs)),
                ..NetworkPolicyPeer::default()
            },
            Peer::PodsIn {
                namespace: name,
                labels: pairs,
            } => NetworkPolicyPeer {
                namespace_selector: Some(namespace(name)),
                pod_selector: Some(labels(pairs)),
                ..NetworkPolicyPeer::default()
            },
            Peer::Cidr(cidr) => NetworkPolicyPeer {
                ip_block: Some(k8s_openapi::api::networking::v1::IPBlock {
                    cidr: cidr.to_owned(),
                    except: None,
                }),
                ..NetworkPolicyPeer::default()
            },
        };
        let ports = (!ports.is_empty()).then(|| {
            ports
                .iter()
                .map(|port| NetworkPolicyPort {
                    port: Some(IntOrString::Int(i32::from(*port))),
                    protocol: Some("TCP".into()),
                    ..NetworkPolicyPort::default()
                })
                .collect()
        });
        self.rules.push(NetworkPolicyIngressRule {
            from: Some(vec![from]),
            ports,
        });
        self
    }

    /// The policy: ingress only, from the listed peers.
    pub fn build(&self) -> NetworkPolicy {
        NetworkPolicy {
            metadata: named(&self.name),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(self.pods.clone()),
                    ..LabelSelector::default()
                }),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(self.rules.clone()),
                ..NetworkPolicySpec::default()
            }),
        }
    }
}
