//! Ingress for clusters (or controllers) that route with `networking.k8s.io/v1` Ingress
//! instead of Gateway API: one host, prefix paths to Service ports, optional TLS from a
//! Secret (e.g. issued by cert-manager). Paths are written with `pathType: Prefix` and
//! ports by number, the spelling the API returns, so Argo CD shows no drift.
//!
//! ```
//! use homelab_synth_core::kit::IngressBuilder;
//! let ingress = IngressBuilder::new("grafana", "grafana.madhan.app")
//!     .class("traefik")
//!     .to_service("/", "grafana", 3000)
//!     .tls("grafana-tls")
//!     .build();
//! let rule = &ingress.spec.unwrap().rules.unwrap()[0];
//! assert_eq!(rule.host.as_deref(), Some("grafana.madhan.app"));
//! ```

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};

use super::meta::named;

/// An Ingress for one host.
#[derive(Clone, Debug, PartialEq)]
pub struct IngressBuilder {
    name: String,
    host: String,
    class: Option<String>,
    paths: Vec<(String, String, i32)>,
    tls_secret: Option<String>,
}

impl IngressBuilder {
    /// Ingress `name` for `host`, with no paths yet.
    pub fn new(name: &str, host: &str) -> Self {
        IngressBuilder {
            name: name.to_owned(),
            host: host.to_owned(),
            class: None,
            paths: Vec::new(),
            tls_secret: None,
        }
    }

    /// The IngressClass that serves it.
    #[must_use]
    pub fn class(mut self, class: &str) -> Self {
        self.class = Some(class.to_owned());
        self
    }

    /// Sends requests under `prefix` to `port` of Service `service`.
    #[must_use]
    pub fn to_service(mut self, prefix: &str, service: &str, port: u16) -> Self {
        self.paths
            .push((prefix.to_owned(), service.to_owned(), i32::from(port)));
        self
    }

    /// Terminates TLS for the host with the certificate in Secret `secret`.
    #[must_use]
    pub fn tls(mut self, secret: &str) -> Self {
        self.tls_secret = Some(secret.to_owned());
        self
    }

    /// The Ingress.
    pub fn build(&self) -> Ingress {
        let paths = self
            .paths
            .iter()
            .map(|(prefix, service, port)| HTTPIngressPath {
                path: Some(prefix.clone()),
                path_type: "Prefix".into(),
                backend: IngressBackend {
                    service: Some(IngressServiceBackend {
                        name: service.clone(),
                        port: Some(ServiceBackendPort {
                            number: Some(*port),
                            ..ServiceBackendPort::default()
                        }),
                    }),
                    ..IngressBackend::default()
                },
            })
            .collect();
        Ingress {
            metadata: named(&self.name),
            spec: Some(IngressSpec {
                ingress_class_name: self.class.clone(),
                rules: Some(vec![IngressRule {
                    host: Some(self.host.clone()),
                    http: Some(HTTPIngressRuleValue { paths }),
                }]),
                tls: self.tls_secret.as_ref().map(|secret| {
                    vec![IngressTLS {
                        hosts: Some(vec![self.host.clone()]),
                        secret_name: Some(secret.clone()),
                    }]
                }),
                ..IngressSpec::default()
            }),
            ..Ingress::default()
        }
    }
}
