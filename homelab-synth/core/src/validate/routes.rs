//! Traffic must reach a Service that exists: every backend of an HTTPRoute or GRPCRoute
//! (Gateway API) and of an Ingress names a Service the synthesis provides, with that port,
//! or the route is accepted by the gateway and answers 500 (`BackendNotFound`) after a sync
//! that looked green. A backend in another namespace also needs a ReferenceGrant there that
//! lets the route's namespace reach Services (Gateway API refuses the reference otherwise).
//!
//! Providers, besides Service objects: the Services the VictoriaMetrics operator makes for
//! its custom resources (`vmsingle-<name>`, `vmagent-<name>`, `vmalert-<name>`,
//! `vmalertmanager-<name>`, on their default ports unless `spec.port` says otherwise). A
//! backend made outside the synthesis is allowed explicitly, with
//! `allow(object, Allow::ExternalReference, "reason")`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ServiceSpec;
use k8s_openapi::api::networking::v1::IngressSpec;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::Document;
use crate::object::Allow;
use crate::validate::context::Context;
use crate::validate::pods::items;
use crate::validate::{about, describe, namespaced_documents};

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// A Service port: its number and, if named, its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Port {
    number: i64,
    name: Option<String>,
}

/// How a backend names its port.
#[derive(Clone, Debug)]
enum PortRef {
    Number(i64),
    Name(String),
}

/// The ports of every Service the synthesis provides, by `(namespace, name)`; `None` for a
/// Service that does not decode (reported once, by the `objects` rule), whose ports are not
/// checked.
type Services<'a> = BTreeMap<(&'a str, String), Option<Vec<Port>>>;

/// One backend a route sends traffic to.
struct Backend {
    namespace: String,
    name: String,
    port: Option<PortRef>,
}

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let services = services(context);
    let grants = reference_grants(context);
    for (app, document, namespace) in namespaced_documents(context, Allow::ExternalReference) {
        let mut problems = BTreeSet::new();
        for backend in backends(context, document, namespace) {
            if let Some(problem) = problem(&services, &backend) {
                problems.insert(problem);
            }
            let crosses = backend.namespace != namespace;
            if crosses
                && !grants.contains(&(
                    backend.namespace.clone(),
                    namespace.to_owned(),
                    document.kind().to_owned(),
                ))
            {
                problems.insert(format!(
                    "Service `{}/{}` is in another namespace and no ReferenceGrant there \
                     lets {}s from `{namespace}` reach it",
                    backend.namespace,
                    backend.name,
                    document.kind()
                ));
            }
        }
        if problems.is_empty() {
            continue;
        }
        findings.push(about(
            Severity::Error,
            app,
            document,
            format!(
                "{} sends traffic to backends that do not exist: {} (if a backend is made \
                 outside the synthesis, allow it with \
                 `allow(object, Allow::ExternalReference, \"reason\")`)",
                describe(document),
                problems.into_iter().collect::<Vec<_>>().join("; ")
            ),
        ));
    }
}

/// What is wrong with `backend`, if anything.
fn problem(services: &Services<'_>, backend: &Backend) -> Option<String> {
    let key = (backend.namespace.as_str(), backend.name.clone());
    let ports = match services.get(&key) {
        None => {
            return Some(format!(
                "Service `{}` in namespace `{}` is not in the synthesis",
                backend.name, backend.namespace
            ));
        }
        Some(None) => return None,
        Some(Some(ports)) => ports,
    };
    let found = match &backend.port {
        None => true,
        Some(PortRef::Number(number)) => ports.iter().any(|port| port.number == *number),
        Some(PortRef::Name(name)) => ports
            .iter()
            .any(|port| port.name.as_deref() == Some(name.as_str())),
    };
    if found {
        return None;
    }
    let wanted = match &backend.port {
        Some(PortRef::Number(number)) => number.to_string(),
        Some(PortRef::Name(name)) => format!("`{name}`"),
        None => String::new(),
    };
    let has: Vec<String> = ports
        .iter()
        .map(|port| match &port.name {
            Some(name) => format!("{} ({name})", port.number),
            None => port.number.to_string(),
        })
        .collect();
    Some(format!(
        "Service `{}/{}` has no port {wanted} (it has: {})",
        backend.namespace,
        backend.name,
        if has.is_empty() {
            "none".to_owned()
        } else {
            has.join(", ")
        }
    ))
}

/// The backends of a Gateway API route or an Ingress (other documents, and Ingresses that do
/// not decode, have none).
fn backends(context: &Context<'_>, document: &Document, namespace: &str) -> Vec<Backend> {
    match (document.group(), document.kind()) {
        (GATEWAY_GROUP, "HTTPRoute" | "GRPCRoute") => items(&document.body(), "/spec/rules")
            .flat_map(|rule| items(rule, "/backendRefs"))
            .filter(|reference| is_service(reference))
            .filter_map(|reference| {
                Some(Backend {
                    namespace: reference["namespace"]
                        .as_str()
                        .unwrap_or(namespace)
                        .to_owned(),
                    name: reference["name"].as_str()?.to_owned(),
                    port: reference["port"].as_i64().map(PortRef::Number),
                })
            })
            .collect(),
        ("networking.k8s.io", "Ingress") => context
            .typed_of::<IngressSpec>(document)
            .map(|ingress| ingress_backends(ingress, namespace))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The Service backends of an Ingress: those of its paths, then its default backend.
fn ingress_backends(spec: &IngressSpec, namespace: &str) -> Vec<Backend> {
    let paths = spec
        .rules
        .iter()
        .flatten()
        .filter_map(|rule| rule.http.as_ref())
        .flat_map(|http| &http.paths)
        .map(|path| &path.backend);
    paths
        .chain(&spec.default_backend)
        .filter_map(|backend| backend.service.as_ref())
        // a backend without a name (decoded as empty) names no Service
        .filter(|service| !service.name.is_empty())
        .map(|service| Backend {
            namespace: namespace.to_owned(),
            name: service.name.clone(),
            port: service.port.as_ref().and_then(|port| {
                port.number
                    .map(|number| PortRef::Number(number.into()))
                    .or_else(|| port.name.clone().map(PortRef::Name))
            }),
        })
        .collect()
}

/// A Gateway API backendRef to a core Service (the default group and kind).
fn is_service(reference: &Value) -> bool {
    let group = reference["group"].as_str().unwrap_or("");
    let kind = reference["kind"].as_str().unwrap_or("Service");
    group.is_empty() && kind == "Service"
}

/// The ports of the Services of the synthesis and of those operators make.
fn services<'a>(context: &Context<'a>) -> Services<'a> {
    let mut services = Services::new();
    for (_, document) in context.documents() {
        let Some(namespace) = document.namespace() else {
            continue;
        };
        let made = match (document.group(), document.kind()) {
            ("", "Service") => {
                let ports = context.typed_of::<ServiceSpec>(document).map(|spec| {
                    let ports = spec.ports.iter().flatten();
                    ports
                        .map(|port| Port {
                            number: port.port.into(),
                            name: port.name.clone(),
                        })
                        .collect()
                });
                Some((document.name().to_owned(), ports))
            }
            ("operator.victoriametrics.com", kind) => {
                victoria_metrics_service(kind, document.name(), &document.body())
                    .map(|(name, ports)| (name, Some(ports)))
            }
            _ => None,
        };
        if let Some((name, ports)) = made {
            let provided = services
                .entry((namespace, name))
                .or_insert(Some(Vec::new()));
            match (provided, ports) {
                (Some(provided), Some(ports)) => provided.extend(ports),
                (provided, _) => *provided = None,
            }
        }
    }
    services
}

/// The Service the VictoriaMetrics operator makes for one of its resources.
fn victoria_metrics_service(kind: &str, name: &str, body: &Value) -> Option<(String, Vec<Port>)> {
    let (prefix, default_port) = match kind {
        "VMSingle" => ("vmsingle", 8428),
        "VMAgent" => ("vmagent", 8429),
        "VMAlert" => ("vmalert", 8080),
        "VMAlertmanager" => ("vmalertmanager", 9093),
        _ => return None,
    };
    let port = body["spec"]["port"]
        .as_str()
        .and_then(|port| port.parse().ok())
        .unwrap_or(default_port);
    Some((
        format!("{prefix}-{name}"),
        vec![Port {
            number: port,
            name: Some("http".into()),
        }],
    ))
}

/// `(namespace of the grant, namespace it admits, route kind)` for every ReferenceGrant that
/// lets Gateway API routes reach Services.
fn reference_grants(context: &Context<'_>) -> BTreeSet<(String, String, String)> {
    let mut grants = BTreeSet::new();
    for (_, document) in context.of_kind(GATEWAY_GROUP, "ReferenceGrant") {
        let Some(namespace) = document.namespace() else {
            continue;
        };
        let body = document.body();
        let reaches_services = items(&body, "/spec/to").any(is_service);
        if !reaches_services {
            continue;
        }
        for from in items(&body, "/spec/from") {
            let (Some(group), Some(kind), Some(admitted)) = (
                from["group"].as_str(),
                from["kind"].as_str(),
                from["namespace"].as_str(),
            ) else {
                continue;
            };
            if group == GATEWAY_GROUP {
                grants.insert((namespace.to_owned(), admitted.to_owned(), kind.to_owned()));
            }
        }
    }
    grants
}
