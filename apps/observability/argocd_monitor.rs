//! Argo CD monitoring: Argo CD itself is installed outside GitOps (by Pulumi), so its metrics
//! endpoints are exposed here with Services of our own, scraped by ServiceMonitors, plus the
//! TLS certificate of the Argo CD server.

use homelab_clusters::Cluster;
use homelab_imports::cert_manager_io::v1::{
    Certificate, CertificateSpec, CertificateSpecIssuerRef,
};
use homelab_imports::monitoring_coreos_com::v1::{
    ServiceMonitor, ServiceMonitorSpec, ServiceMonitorSpecEndpoints, ServiceMonitorSpecSelector,
};
use homelab_synth::prelude::*;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

const NAMESPACE: &str = "argocd";

/// Argo CD components and the port their metrics listen on.
const COMPONENTS: [(&str, i32); 4] = [
    ("argocd-application-controller", 8082),
    ("argocd-server", 8083),
    ("argocd-repo-server", 8084),
    ("argocd-applicationset-controller", 8085),
];

pub fn argocd_monitor(app: &mut App, cluster: &Cluster) {
    app.namespace_made_elsewhere(
        NAMESPACE,
        "Argo CD's own namespace, made when Argo CD was installed",
    );
    let mut chart = app.chart("argocd-monitor", ChartProps::namespace(NAMESPACE));
    for (component, port) in COMPONENTS {
        let service_name = format!("{component}-metrics");
        let labels = string_map(&[("app.kubernetes.io/name", &service_name)]);
        let service = chart.add(
            &format!("{component}-service"),
            Service {
                metadata: ObjectMeta {
                    name: Some(service_name.clone()),
                    labels: Some(labels.clone()),
                    ..Default::default()
                },
                spec: Some(ServiceSpec {
                    selector: Some(string_map(&[("app.kubernetes.io/name", component)])),
                    ports: Some(vec![ServicePort {
                        name: Some("metrics".into()),
                        port,
                        target_port: Some(IntOrString::Int(port)),
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        chart.allow(
            service,
            Allow::ExternalSelector,
            "Argo CD is installed by Pulumi, outside GitOps",
        );
        chart.add(
            &format!("{component}-monitor"),
            ServiceMonitor {
                metadata: named(&service_name),
                spec: ServiceMonitorSpec {
                    selector: ServiceMonitorSpecSelector {
                        match_labels: Some(labels),
                        ..Default::default()
                    },
                    endpoints: vec![ServiceMonitorSpecEndpoints {
                        port: Some("metrics".into()),
                        interval: Some("30s".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                status: None,
            },
        );
    }
    chart.add(
        "server-certificate",
        Certificate {
            metadata: named("argocd-server-tls"),
            spec: Some(CertificateSpec {
                secret_name: "argocd-server-tls".into(),
                dns_names: Some(vec![cluster.host("argocd")]),
                issuer_ref: CertificateSpecIssuerRef {
                    group: Some("cert-manager.io".into()),
                    kind: Some("ClusterIssuer".into()),
                    name: cluster.settings.cluster_issuer.into(),
                },
                ..Default::default()
            }),
            status: None,
        },
    );
}
