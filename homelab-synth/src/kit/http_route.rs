//! Gateway API `HTTPRoute`s, typed (the bindings `synth import` generated from the Gateway
//! API CRD), spelled the way the API server stores them: parentRef group and kind, backendRef
//! `group: ""`, `kind: Service` and `weight: 1` are written out, so Argo CD sees no drift
//! between the manifest and the live object.

use homelab_imports::gateway_networking_k8s_io::v1::{
    HttpRoute, HttpRouteSpec, HttpRouteSpecParentRefs, HttpRouteSpecRules,
    HttpRouteSpecRulesBackendRefs, HttpRouteSpecRulesBackendRefsFilters,
    HttpRouteSpecRulesBackendRefsFiltersRequestHeaderModifier,
    HttpRouteSpecRulesBackendRefsFiltersRequestHeaderModifierAdd,
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPath,
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPathType,
    HttpRouteSpecRulesBackendRefsFiltersType, HttpRouteSpecRulesBackendRefsFiltersUrlRewrite,
    HttpRouteSpecRulesMatches, HttpRouteSpecRulesMatchesPath, HttpRouteSpecRulesMatchesPathType,
};

use homelab_synth_core::kit::named;

/// A rule of a route: matches, filters and backends.
pub type RouteRule = HttpRouteSpecRules;
/// A filter of a rule (header changes, rewrites, ...).
pub type RouteFilter = HttpRouteSpecRulesBackendRefsFilters;
/// A backend of a rule.
pub type RouteBackend = HttpRouteSpecRulesBackendRefs;
/// A match of a rule.
pub type RouteMatch = HttpRouteSpecRulesMatches;

/// The Gateway a route attaches to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRef {
    /// Gateway name.
    pub name: String,
    /// Gateway namespace.
    pub namespace: String,
}

impl GatewayRef {
    /// The Gateway `name` in `namespace`.
    pub fn new(name: &str, namespace: &str) -> Self {
        GatewayRef {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
        }
    }
}

/// A route under construction: hostnames, rules and the gateway.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct HttpRouteBuilder {
    name: String,
    gateway: GatewayRef,
    hostnames: Vec<String>,
    rules: Vec<RouteRule>,
}

impl HttpRouteBuilder {
    /// A route named `name` on `gateway` for `hostname`, with no rules yet.
    pub fn new(name: &str, gateway: &GatewayRef, hostname: &str) -> Self {
        HttpRouteBuilder {
            name: name.to_owned(),
            gateway: gateway.clone(),
            hostnames: vec![hostname.to_owned()],
            rules: Vec::new(),
        }
    }

    /// Sends every path (`PathPrefix /`) to Service `service` port `port`.
    pub fn to_service(self, service: &str, port: u16) -> Self {
        self.rule(RouteRule {
            matches: Some(vec![path_prefix("/")]),
            backend_refs: Some(vec![backend(service, port)]),
            ..RouteRule::default()
        })
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: RouteRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The typed `gateway.networking.k8s.io/v1` route.
    pub fn build(self) -> HttpRoute {
        HttpRoute {
            metadata: named(&self.name),
            spec: HttpRouteSpec {
                parent_refs: Some(vec![HttpRouteSpecParentRefs {
                    group: Some("gateway.networking.k8s.io".to_owned()),
                    kind: Some("Gateway".to_owned()),
                    name: self.gateway.name,
                    namespace: Some(self.gateway.namespace),
                    ..HttpRouteSpecParentRefs::default()
                }]),
                hostnames: Some(self.hostnames),
                rules: Some(self.rules),
            },
            status: None,
        }
    }
}

/// A `PathPrefix` match.
pub fn path_prefix(prefix: &str) -> RouteMatch {
    RouteMatch {
        path: Some(HttpRouteSpecRulesMatchesPath {
            r#type: Some(HttpRouteSpecRulesMatchesPathType::PathPrefix),
            value: Some(prefix.to_owned()),
        }),
        ..RouteMatch::default()
    }
}

/// A backendRef to a Service port, with the API defaults written out.
pub fn backend(service: &str, port: u16) -> RouteBackend {
    RouteBackend {
        group: Some(String::new()),
        kind: Some("Service".to_owned()),
        name: service.to_owned(),
        port: Some(i32::from(port)),
        weight: Some(1),
        ..RouteBackend::default()
    }
}

/// A filter of `kind` with no settings yet.
fn filter(kind: HttpRouteSpecRulesBackendRefsFiltersType) -> RouteFilter {
    RouteFilter {
        r#type: kind,
        cors: None,
        extension_ref: None,
        request_header_modifier: None,
        request_mirror: None,
        request_redirect: None,
        response_header_modifier: None,
        url_rewrite: None,
    }
}

/// A `RequestHeaderModifier` filter that sets header `name` to `value`.
pub fn set_request_header(name: &str, value: &str) -> RouteFilter {
    RouteFilter {
        request_header_modifier: Some(HttpRouteSpecRulesBackendRefsFiltersRequestHeaderModifier {
            set: Some(vec![
                HttpRouteSpecRulesBackendRefsFiltersRequestHeaderModifierAdd {
                    name: name.to_owned(),
                    value: value.to_owned(),
                },
            ]),
            ..Default::default()
        }),
        ..filter(HttpRouteSpecRulesBackendRefsFiltersType::RequestHeaderModifier)
    }
}

/// A `URLRewrite` filter that replaces the matched prefix with `replacement`.
pub fn replace_prefix(replacement: &str) -> RouteFilter {
    RouteFilter {
        url_rewrite: Some(HttpRouteSpecRulesBackendRefsFiltersUrlRewrite {
            path: Some(HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPath {
                r#type:
                    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPathType::ReplacePrefixMatch,
                replace_prefix_match: Some(replacement.to_owned()),
                replace_full_path: None,
            }),
            hostname: None,
        }),
        ..filter(HttpRouteSpecRulesBackendRefsFiltersType::UrlRewrite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn routes_spell_out_api_defaults() {
        let route = HttpRouteBuilder::new(
            "grafana",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            "grafana.madhan.app",
        )
        .to_service("grafana", 3000)
        .build();
        let value = serde_json::to_value(&route).unwrap();
        assert_eq!(value["apiVersion"], "gateway.networking.k8s.io/v1");
        assert_eq!(value["kind"], "HTTPRoute");
        assert_eq!(
            value["spec"],
            json!({
                "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                "name": "homelab-gateway", "namespace": "kube-system"}],
                "hostnames": ["grafana.madhan.app"],
                "rules": [{
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"group": "", "kind": "Service", "name": "grafana",
                                     "port": 3000, "weight": 1}],
                }],
            })
        );
    }

    #[test]
    fn filters_serialize_as_the_api_spells_them() {
        assert_eq!(
            serde_json::to_value(set_request_header("kubeflow-userid", "user@example.com"))
                .unwrap(),
            json!({"type": "RequestHeaderModifier", "requestHeaderModifier": {
                "set": [{"name": "kubeflow-userid", "value": "user@example.com"}]}})
        );
        assert_eq!(
            serde_json::to_value(replace_prefix("/")).unwrap(),
            json!({"type": "URLRewrite", "urlRewrite": {"path": {
                "type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}})
        );
    }
}
