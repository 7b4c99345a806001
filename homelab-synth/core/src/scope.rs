//! Whether a kind lives in a namespace or in the whole cluster.
//!
//! Typed objects know their scope from their type (`k8s_openapi` scope markers, which
//! `kube::CustomResource` types use too). Untyped objects take it from the built-in table
//! here, from a `CustomResourceDefinition` in the same synthesis, or from the user; an unknown
//! scope is an error, never a guess.

use std::fmt;

/// Where objects of a kind live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The object lives in a namespace and needs `metadata.namespace`.
    Namespaced,
    /// The object is cluster-wide and must not carry `metadata.namespace`.
    Cluster,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Namespaced => "namespaced",
            Scope::Cluster => "cluster-scoped",
        })
    }
}

/// Maps a type-level scope marker to a [`Scope`]. Implemented for the two scopes an object
/// added to a chart can have; sub-resources cannot be added.
pub trait ScopeMarker {
    /// The scope this marker stands for.
    const SCOPE: Scope;
}

impl ScopeMarker for k8s_openapi::NamespaceResourceScope {
    const SCOPE: Scope = Scope::Namespaced;
}

impl ScopeMarker for k8s_openapi::ClusterResourceScope {
    const SCOPE: Scope = Scope::Cluster;
}

/// The group part of an `apiVersion` (`""` for the core group `v1`).
pub fn group_of(api_version: &str) -> &str {
    api_version
        .rsplit_once('/')
        .map(|(group, _)| group)
        .unwrap_or("")
}

/// Scope of well-known kinds: every built-in Kubernetes kind of the pinned version and the
/// custom resources of projects a homelab commonly runs. `None` when the kind is not known.
pub fn builtin_scope(group: &str, kind: &str) -> Option<Scope> {
    use Scope::{Cluster, Namespaced};
    let scope = match (group, kind) {
        // core
        ("", "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus") => Cluster,
        (
            "",
            "Pod"
            | "Service"
            | "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "Endpoints"
            | "PersistentVolumeClaim"
            | "ReplicationController"
            | "LimitRange"
            | "ResourceQuota"
            | "Event"
            | "PodTemplate"
            | "Binding",
        ) => Namespaced,
        (
            "apps",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ControllerRevision",
        ) => Namespaced,
        ("batch", "Job" | "CronJob") => Namespaced,
        ("autoscaling", "HorizontalPodAutoscaler") => Namespaced,
        ("policy", "PodDisruptionBudget") => Namespaced,
        ("networking.k8s.io", "Ingress" | "NetworkPolicy") => Namespaced,
        ("networking.k8s.io", "IngressClass" | "IPAddress" | "ServiceCIDR") => Cluster,
        ("discovery.k8s.io", "EndpointSlice") => Namespaced,
        ("events.k8s.io", "Event") => Namespaced,
        ("coordination.k8s.io", "Lease") => Namespaced,
        ("rbac.authorization.k8s.io", "Role" | "RoleBinding") => Namespaced,
        ("rbac.authorization.k8s.io", "ClusterRole" | "ClusterRoleBinding") => Cluster,
        (
            "storage.k8s.io",
            "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment" | "VolumeAttributesClass",
        ) => Cluster,
        ("storage.k8s.io", "CSIStorageCapacity") => Namespaced,
        ("scheduling.k8s.io", "PriorityClass") => Cluster,
        ("node.k8s.io", "RuntimeClass") => Cluster,
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding",
        ) => Cluster,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => Cluster,
        ("apiregistration.k8s.io", "APIService") => Cluster,
        ("certificates.k8s.io", "CertificateSigningRequest" | "ClusterTrustBundle") => Cluster,
        ("flowcontrol.apiserver.k8s.io", "FlowSchema" | "PriorityLevelConfiguration") => Cluster,
        ("resource.k8s.io", "DeviceClass" | "ResourceSlice") => Cluster,
        ("resource.k8s.io", "ResourceClaim" | "ResourceClaimTemplate") => Namespaced,
        // Gateway API
        ("gateway.networking.k8s.io", "GatewayClass") => Cluster,
        (
            "gateway.networking.k8s.io",
            "Gateway" | "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute"
            | "ReferenceGrant" | "BackendTLSPolicy",
        ) => Namespaced,
        // prometheus-operator
        (
            "monitoring.coreos.com",
            "ServiceMonitor" | "PodMonitor" | "PrometheusRule" | "Probe" | "Prometheus"
            | "Alertmanager" | "AlertmanagerConfig" | "ScrapeConfig" | "ThanosRuler"
            | "PrometheusAgent",
        ) => Namespaced,
        // cert-manager
        ("cert-manager.io", "ClusterIssuer") => Cluster,
        ("cert-manager.io", "Certificate" | "Issuer" | "CertificateRequest") => Namespaced,
        // secrets
        ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => Namespaced,
        ("external-secrets.io", "ClusterSecretStore" | "ClusterExternalSecret") => Cluster,
        ("external-secrets.io", "ExternalSecret" | "SecretStore" | "PushSecret") => Namespaced,
        ("secrets.infisical.com", "InfisicalSecret") => Namespaced,
        // Argo CD
        ("argoproj.io", "Application" | "ApplicationSet" | "AppProject") => Namespaced,
        // Flux
        (
            "source.toolkit.fluxcd.io",
            "GitRepository" | "HelmRepository" | "HelmChart" | "OCIRepository" | "Bucket",
        ) => Namespaced,
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => Namespaced,
        ("helm.toolkit.fluxcd.io", "HelmRelease") => Namespaced,
        (
            "image.toolkit.fluxcd.io",
            "ImageRepository" | "ImagePolicy" | "ImageUpdateAutomation",
        ) => Namespaced,
        // Cilium
        (
            "cilium.io",
            "CiliumClusterwideNetworkPolicy"
            | "CiliumLoadBalancerIPPool"
            | "CiliumL2AnnouncementPolicy"
            | "CiliumBGPClusterConfig"
            | "CiliumNode"
            | "CiliumIdentity",
        ) => Cluster,
        ("cilium.io", "CiliumNetworkPolicy" | "CiliumEndpoint") => Namespaced,
        // Traefik
        (
            "traefik.io",
            "IngressRoute"
            | "IngressRouteTCP"
            | "IngressRouteUDP"
            | "Middleware"
            | "MiddlewareTCP"
            | "TLSOption"
            | "TLSStore"
            | "TraefikService"
            | "ServersTransport"
            | "ServersTransportTCP",
        ) => Namespaced,
        // VictoriaMetrics operator
        ("operator.victoriametrics.com", _) => Namespaced,
        // CloudNativePG
        (
            "postgresql.cnpg.io",
            "Cluster" | "Backup" | "ScheduledBackup" | "Pooler" | "Database" | "Publication"
            | "Subscription",
        ) => Namespaced,
        ("postgresql.cnpg.io", "ClusterImageCatalog") => Cluster,
        // Kratix
        ("platform.kratix.io", "Promise" | "Destination") => Cluster,
        _ => return None,
    };
    Some(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_comes_from_the_api_version() {
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("apps/v1"), "apps");
        assert_eq!(
            group_of("gateway.networking.k8s.io/v1"),
            "gateway.networking.k8s.io"
        );
    }

    #[test]
    fn builtin_table_knows_both_scopes_and_admits_ignorance() {
        assert_eq!(builtin_scope("", "Namespace"), Some(Scope::Cluster));
        assert_eq!(builtin_scope("", "ConfigMap"), Some(Scope::Namespaced));
        assert_eq!(
            builtin_scope("gateway.networking.k8s.io", "HTTPRoute"),
            Some(Scope::Namespaced)
        );
        assert_eq!(
            builtin_scope("cert-manager.io", "ClusterIssuer"),
            Some(Scope::Cluster)
        );
        assert_eq!(builtin_scope("example.com", "Widget"), None);
        // the same kind name in another group is not assumed
        assert_eq!(builtin_scope("example.com", "Namespace"), None);
    }

    #[test]
    fn typed_markers_map_to_scopes() {
        assert_eq!(
            <k8s_openapi::NamespaceResourceScope as ScopeMarker>::SCOPE,
            Scope::Namespaced
        );
        assert_eq!(
            <k8s_openapi::ClusterResourceScope as ScopeMarker>::SCOPE,
            Scope::Cluster
        );
    }
}
