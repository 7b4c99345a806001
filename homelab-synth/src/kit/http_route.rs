//! Gateway API `HTTPRoute`s spelled the way the API server stores them: parentRef group and
//! kind, backendRef `group: ""`, `kind: Service` and `weight: 1` are written out, so Argo CD
//! sees no drift between the manifest and the live object.

use serde_json::{Value, json};

use crate::object::Untyped;
use crate::scope::Scope;

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
pub struct HttpRoute {
    name: String,
    gateway: GatewayRef,
    hostnames: Vec<String>,
    rules: Vec<Value>,
}

impl HttpRoute {
    /// A route named `name` on `gateway` for `hostname`, with no rules yet.
    pub fn new(name: &str, gateway: &GatewayRef, hostname: &str) -> Self {
        HttpRoute {
            name: name.to_owned(),
            gateway: gateway.clone(),
            hostnames: vec![hostname.to_owned()],
            rules: Vec::new(),
        }
    }

    /// Sends every path (`PathPrefix /`) to Service `service` port `port`.
    pub fn to_service(self, service: &str, port: u16) -> Self {
        self.rule(json!({
            "matches": [path_match("PathPrefix", "/")],
            "backendRefs": [backend(service, port)],
        }))
    }

    /// Adds a rule given as Gateway API JSON (`matches`, `filters`, `backendRefs`).
    pub fn rule(mut self, rule: Value) -> Self {
        self.rules.push(rule);
        self
    }

    /// The route as an untyped `gateway.networking.k8s.io/v1` object.
    pub fn build(self) -> Untyped {
        Untyped::new(
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            json!({
                "metadata": {"name": self.name},
                "spec": {
                    "parentRefs": [{
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "name": self.gateway.name,
                        "namespace": self.gateway.namespace,
                    }],
                    "hostnames": self.hostnames,
                    "rules": self.rules,
                },
            }),
        )
        .scope(Scope::Namespaced)
    }
}

/// A path match (`PathPrefix`, `Exact` or `RegularExpression`).
pub fn path_match(kind: &str, value: &str) -> Value {
    json!({"path": {"type": kind, "value": value}})
}

/// A backendRef to a Service port, with the API defaults written out.
pub fn backend(service: &str, port: u16) -> Value {
    json!({"group": "", "kind": "Service", "name": service, "port": port, "weight": 1})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_spell_out_api_defaults() {
        let route = HttpRoute::new(
            "grafana",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            "grafana.madhan.app",
        )
        .to_service("grafana", 3000)
        .build();
        assert_eq!(route.api_version, "gateway.networking.k8s.io/v1");
        assert_eq!(route.kind, "HTTPRoute");
        assert_eq!(
            Value::Object(route.body.clone())["spec"],
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
}
