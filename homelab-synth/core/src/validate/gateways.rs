//! A Gateway API route must be able to attach to the Gateways it names: each parent Gateway
//! is in the synthesis, and at least one of its listeners (the one `sectionName` names, on
//! `port` if given) admits the route. A listener admits it when its `allowedRoutes`
//! let the route's namespace in (`Same`, the default, only the Gateway's own namespace;
//! `All`; `Selector`, matched against the labels of the route's Namespace when the synthesis
//! declares it) and its `hostname`, if any, matches one of the route's hostnames (`*.example.com`
//! matches any name below `example.com`). Otherwise the gateway ignores the route with
//! `Accepted: False` in its status after a sync that looked green.
//!
//! A Gateway made outside the synthesis is allowed explicitly, with
//! `allow(route, Allow::ExternalReference, "reason")`. That the Gateway exists at all is
//! checked when the synthesis holds the whole workspace (every app of a registry, not
//! `--app`);
//! how a route attaches is checked whenever its Gateway is in the synthesis.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::Document;
use crate::object::Allow;
use crate::validate::context::Context;
use crate::validate::pods::items;
use crate::validate::{about, describe, namespaced_documents};

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// The labels of a Namespace that has none.
static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let gateways = documents_of(context, GATEWAY_GROUP, "Gateway");
    // the labels of every Namespace of the synthesis that decodes, by name
    let namespaces: BTreeMap<&str, &BTreeMap<String, String>> = context
        .typed::<Namespace>()
        .filter(|((_, document), _)| document.namespace().is_none_or(str::is_empty))
        .map(|((_, document), namespace)| {
            let labels = namespace.metadata.labels.as_ref().unwrap_or(&NO_LABELS);
            (document.name(), labels)
        })
        .collect();
    for (app, document, namespace) in namespaced_documents(context, Allow::ExternalReference) {
        let is_route = document.group() == GATEWAY_GROUP
            && matches!(document.kind(), "HTTPRoute" | "GRPCRoute");
        if !is_route {
            continue;
        }
        let body = document.body();
        let hostnames: Vec<&str> = items(&body, "/spec/hostnames")
            .filter_map(Value::as_str)
            .collect();
        let mut problems = Vec::new();
        for parent in items(&body, "/spec/parentRefs") {
            let group = parent["group"].as_str().unwrap_or(GATEWAY_GROUP);
            let kind = parent["kind"].as_str().unwrap_or("Gateway");
            let Some(name) = parent["name"].as_str() else {
                continue;
            };
            if group != GATEWAY_GROUP || kind != "Gateway" {
                continue;
            }
            let gateway_namespace = parent["namespace"].as_str().unwrap_or(namespace);
            let key = (gateway_namespace.to_owned(), name.to_owned());
            let Some(gateway) = gateways.get(&key) else {
                // whether it exists is only known when the synthesis holds the whole
                // workspace; an app synthesized alone, or with `--app`, may use the Gateway
                // of an app it was not synthesized with
                if !context.provenance.is_whole_with(&app.name) {
                    continue;
                }
                let problem =
                    format!("Gateway `{gateway_namespace}/{name}` is not in the synthesis");
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
                continue;
            };
            let route = Route {
                namespace,
                namespace_labels: namespaces.get(namespace).copied(),
                hostnames: &hostnames,
            };
            if let Err(problem) = attaches(&route, gateway, parent) {
                problems.push(format!(
                    "it cannot attach to Gateway `{gateway_namespace}/{name}`: {problem}"
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
                "{} would not be accepted: {} (if the Gateway is made outside the synthesis, \
                 allow it with `allow(object, Allow::ExternalReference, \"reason\")`)",
                describe(document),
                problems.join("; ")
            ),
        ));
    }
}

/// What a listener looks at in a route.
struct Route<'a> {
    namespace: &'a str,
    /// The labels of the route's Namespace, when the synthesis declares it.
    namespace_labels: Option<&'a BTreeMap<String, String>>,
    hostnames: &'a [&'a str],
}

/// Why a route cannot attach to a Gateway; the text follows `it cannot attach to Gateway
/// `<namespace>/<name>`: `.
#[derive(Debug, thiserror::Error)]
enum AttachError {
    /// The parent names a listener (`sectionName`) the Gateway does not have on that port.
    #[error("it has no listener `{0}` on that port")]
    NoListenerNamed(String),
    /// The parent names a port no listener uses.
    #[error("it has no listener on port {0}")]
    NoListenerOnPort(i64),
    /// The Gateway has no listeners.
    #[error("it has no listeners")]
    NoListeners,
    /// Every selected listener refuses the route: each listener's name and why.
    #[error("{}", refusals(.0))]
    Refused(Vec<(String, AdmitError)>),
}

fn refusals(refused: &[(String, AdmitError)]) -> String {
    refused
        .iter()
        .map(|(listener, why)| format!("listener `{listener}` {why}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a listener does not admit a route; the text follows `listener `<name>` `.
#[derive(Debug, thiserror::Error)]
enum AdmitError {
    /// `allowedRoutes.namespaces.from: Same` and the route is elsewhere.
    #[error("admits routes from namespace `{0}` only")]
    OtherNamespace(String),
    /// `from: Selector` and the route's Namespace lacks the labels.
    #[error("selects namespaces by labels that namespace `{0}` does not have")]
    UnselectedNamespace(String),
    /// `from` has a value Gateway API does not define.
    #[error("admits routes from `{0}`, which is not a known value")]
    UnknownFrom(String),
    /// The listener's hostname matches none of the route's.
    #[error(
        "serves `{hostname}`, which matches none of {}",
        route_hostnames.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
    )]
    Hostname {
        hostname: String,
        route_hostnames: Vec<String>,
    },
}

/// Whether some listener of `gateway` that `parent` selects admits `route`; otherwise why
/// not.
fn attaches(route: &Route<'_>, gateway: &Document, parent: &Value) -> Result<(), AttachError> {
    let section = parent["sectionName"].as_str();
    let port = parent["port"].as_i64();
    let gateway_body = gateway.body();
    let listeners: Vec<&Value> = items(&gateway_body, "/spec/listeners")
        .filter(|listener| section.is_none_or(|s| listener["name"].as_str() == Some(s)))
        .filter(|listener| port.is_none_or(|p| listener["port"].as_i64() == Some(p)))
        .collect();
    if listeners.is_empty() {
        return Err(match (section, port) {
            (Some(section), _) => AttachError::NoListenerNamed(section.to_owned()),
            (None, Some(port)) => AttachError::NoListenerOnPort(port),
            (None, None) => AttachError::NoListeners,
        });
    }
    let mut reasons = Vec::new();
    for listener in listeners {
        let listener_name = listener["name"].as_str().unwrap_or("?");
        match admits(route, gateway, listener) {
            Ok(()) => return Ok(()),
            Err(reason) => reasons.push((listener_name.to_owned(), reason)),
        }
    }
    Err(AttachError::Refused(reasons))
}

fn admits(route: &Route<'_>, gateway: &Document, listener: &Value) -> Result<(), AdmitError> {
    let allowed = &listener["allowedRoutes"]["namespaces"];
    let gateway_namespace = gateway.namespace().unwrap_or_default();
    match allowed["from"].as_str().unwrap_or("Same") {
        "All" => {}
        "Same" if route.namespace == gateway_namespace => {}
        "Same" => {
            return Err(AdmitError::OtherNamespace(gateway_namespace.to_owned()));
        }
        "Selector" => {
            if let Some(labels) = route.namespace_labels
                && !selector_matches(&allowed["selector"], labels)
            {
                return Err(AdmitError::UnselectedNamespace(route.namespace.to_owned()));
            }
        }
        other => {
            return Err(AdmitError::UnknownFrom(other.to_owned()));
        }
    }
    let Some(hostname) = listener["hostname"].as_str() else {
        return Ok(());
    };
    if route.hostnames.is_empty()
        || route
            .hostnames
            .iter()
            .any(|candidate| hostname_matches(hostname, candidate))
    {
        return Ok(());
    }
    Err(AdmitError::Hostname {
        hostname: hostname.to_owned(),
        route_hostnames: route.hostnames.iter().map(|h| (*h).to_owned()).collect(),
    })
}

/// Gateway API hostname matching: equal names, or a wildcard on either side standing for
/// one or more leading labels.
fn hostname_matches(listener: &str, route: &str) -> bool {
    let below = |wildcard: &str, name: &str| {
        wildcard
            .strip_prefix('*')
            .is_some_and(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
    };
    listener == route || below(listener, route) || below(route, listener)
}

/// A label selector's `matchLabels` (and `matchExpressions` with `In`, `NotIn`, `Exists`,
/// `DoesNotExist`) against `labels`.
fn selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let label = |key: &str| labels.get(key).map(String::as_str);
    let match_labels = selector["matchLabels"].as_object().into_iter().flatten();
    let labels_ok = match_labels
        .into_iter()
        .all(|(key, value)| label(key) == value.as_str());
    let expressions_ok = items(selector, "/matchExpressions").all(|expression| {
        let key = expression["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = items(expression, "/values")
            .filter_map(Value::as_str)
            .collect();
        match expression["operator"].as_str() {
            Some("In") => label(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => label(key).is_none_or(|v| !values.contains(&v)),
            Some("Exists") => label(key).is_some(),
            Some("DoesNotExist") => label(key).is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

/// Documents of one group and kind by `(namespace, name)` (namespace empty when
/// cluster-scoped).
fn documents_of<'a>(
    context: &Context<'a>,
    group: &str,
    kind: &str,
) -> BTreeMap<(String, String), &'a Document> {
    context
        .of_kind(group, kind)
        .map(|(_, document)| {
            let namespace = document.namespace().unwrap_or_default().to_owned();
            ((namespace, document.name().to_owned()), document)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stand_for_leading_labels_on_either_side() {
        assert!(hostname_matches("*.madhan.app", "grafana.madhan.app"));
        assert!(hostname_matches("*.madhan.app", "a.b.madhan.app"));
        assert!(hostname_matches("grafana.madhan.app", "*.madhan.app"));
        assert!(!hostname_matches("*.madhan.app", "madhan.app"));
        assert!(!hostname_matches(
            "*.staging.madhan.app",
            "grafana.madhan.app"
        ));
        assert!(hostname_matches("madhan.app", "madhan.app"));
    }
}
