//! Selectors must select: a workload's selector must match its own pod template; a Service's
//! selector must match a pod template of the app in its namespace (unless the Service is
//! allowed to select pods outside the app), and a named `targetPort` must be a port that a
//! selected container declares.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Map, Value};

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::object::Allow;
use crate::validate::context::Context;
use crate::validate::objects::Workload;
use crate::validate::pods::{PodTemplate, TemplateRecord};
use crate::validate::{PodCheck, about, describe};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (app, document) in context.of_kind("", "Service") {
        check_service(context, app, document, findings);
    }
}

/// Reports a workload selector that does not match the labels of the workload's pod template.
pub(crate) fn pod_check<'c>(context: &'c Context<'_>) -> PodCheck<'c> {
    Box::new(move |template, findings| check_workload_selector(context, template, findings))
}

fn check_workload_selector(
    context: &Context<'_>,
    template: &PodTemplate<'_>,
    findings: &mut Vec<Finding>,
) {
    let document = template.record.document;
    // workloads whose selector or manualSelector does not decode are skipped
    let Some(workload) = context.typed_of::<Workload>(document) else {
        return;
    };
    let selector_required = matches!(
        (document.group(), document.kind()),
        (
            "apps",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        )
    );
    let manual_job = document.group() == "batch"
        && document.kind() == "Job"
        && workload.manual_selector == Some(true);
    if !selector_required && !manual_job {
        return;
    }
    let error = |message: String| about(Severity::Error, template.record.app, document, message);
    match &workload.selector {
        None => findings.push(error(format!(
            "{} has no spec.selector: it must select its pod template labels",
            describe(document)
        ))),
        Some(selector) => match label_selector_matches(selector, template.record.labels.as_ref()) {
            Ok(true) => {}
            Ok(false) => findings.push(error(format!(
                "spec.selector {} does not match the pod template labels {}",
                selector_text(selector),
                labels_text(template.record.labels.as_ref())
            ))),
            Err(reason) => findings.push(error(format!("spec.selector: {reason}"))),
        },
    }
}

fn check_service(
    context: &Context<'_>,
    app: &AppManifest,
    service: &Document,
    findings: &mut Vec<Finding>,
) {
    let Some(spec) = context.typed_of::<ServiceSpec>(service) else {
        return;
    };
    let Some(selector) = &spec.selector else {
        return;
    };
    if selector.is_empty()
        || spec.type_.as_deref() == Some("ExternalName")
        || service.allowance(Allow::ExternalSelector).is_some()
    {
        return;
    }
    let namespace = service.namespace();
    let selected: Vec<&TemplateRecord<'_>> = context
        .pod_templates_of(app)
        .iter()
        .filter(|template| template.document.namespace() == namespace)
        .filter(|template| selects(selector, template.labels.as_ref()))
        .collect();
    let error = |message: String| about(Severity::Error, app, service, message);
    if selected.is_empty() {
        let selector: Map<String, Value> = selector
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect();
        findings.push(error(format!(
            "{} selects {} but no pod template of the app in its namespace has these labels \
             (if it selects pods deployed elsewhere, allow it with \
             `allow(object, Allow::ExternalSelector, \"reason\")`)",
            describe(service),
            compact(&Value::Object(selector))
        )));
        return;
    }
    for (index, port) in spec.ports.iter().flatten().enumerate() {
        let Some(IntOrString::String(target)) = &port.target_port else {
            continue;
        };
        let declared = selected
            .iter()
            .any(|template| template.container_port_names().any(|name| name == target));
        if !declared {
            findings.push(error(format!(
                "spec.ports[{index}].targetPort `{target}` names no container port of the \
                 selected pods (a string targetPort is a port name, not a number)"
            )));
        }
    }
}

/// Whether `selector` (a Service's, or `matchLabels`) selects a pod template's labels.
fn selects(selector: &BTreeMap<String, String>, labels: Option<&Map<String, Value>>) -> bool {
    selector.iter().all(|(key, value)| {
        labels
            .and_then(|labels| labels.get(key))
            .and_then(Value::as_str)
            == Some(value.as_str())
    })
}

/// Why a `LabelSelector` cannot be evaluated; the text follows `spec.selector: `.
#[derive(Debug, thiserror::Error)]
enum SelectorError {
    /// An expression's operator is missing or not one of Kubernetes'.
    #[error("unknown matchExpressions operator {}", .0.as_deref().unwrap_or("(none)"))]
    Operator(Option<String>),
    /// Neither labels nor expressions: it would select every pod.
    #[error("an empty selector selects every pod; list the pod template labels")]
    Empty,
}

/// Evaluates a `LabelSelector` (matchLabels and matchExpressions) against labels.
fn label_selector_matches(
    selector: &LabelSelector,
    labels: Option<&Map<String, Value>>,
) -> Result<bool, SelectorError> {
    let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
    if let Some(match_labels) = &selector.match_labels
        && !selects(match_labels, labels)
    {
        return Ok(false);
    }
    let expressions = selector.match_expressions.as_deref().unwrap_or_default();
    for expression in expressions {
        let key = expression.key.as_str();
        let values: Vec<&str> = expression
            .values
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let matches = match expression.operator.as_str() {
            "In" => label(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => !label(key).is_some_and(|v| values.contains(&v)),
            "Exists" => label(key).is_some(),
            "DoesNotExist" => label(key).is_none(),
            // a missing operator decodes as empty
            "" => return Err(SelectorError::Operator(None)),
            other => return Err(SelectorError::Operator(Some(other.to_owned()))),
        };
        if !matches {
            return Ok(false);
        }
    }
    let no_labels = selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty);
    if no_labels && expressions.is_empty() {
        return Err(SelectorError::Empty);
    }
    Ok(true)
}

/// A selector as compact JSON, for messages.
fn selector_text(selector: &LabelSelector) -> String {
    // a LabelSelector holds strings, lists and maps of strings: it always serializes
    serde_json::to_value(selector)
        .unwrap_or_default()
        .to_string()
}

fn compact(value: &Value) -> String {
    value.to_string()
}

fn labels_text(labels: Option<&Map<String, Value>>) -> String {
    labels.map_or_else(|| "{}".to_owned(), |l| Value::Object(l.clone()).to_string())
}
