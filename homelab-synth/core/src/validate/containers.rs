//! What the API server or the kubelet would reject inside a pod only at rollout: a volume
//! mount naming no volume of the pod (the API refuses the object), a probe on a named port
//! the container does not declare (the probe can never succeed), and a workload-kit
//! security opt-out without a reason (the kit records it; a review needs the why).

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::pod_security::SECURITY_EXCEPTIONS_ANNOTATION;
use crate::validate::context::Context;
use crate::validate::objects::Workload;
use crate::validate::pods::{ContainerView, PodTemplate, containers};
use crate::validate::{PodCheck, about, describe};

/// Reports the pod template's mounts of missing volumes, probes on undeclared named ports and
/// security opt-outs without a reason.
pub(crate) fn pod_check<'c>(context: &'c Context<'_>) -> PodCheck<'c> {
    Box::new(move |template, findings| check_pod(context, template, findings))
}

fn check_pod(context: &Context<'_>, template: &PodTemplate<'_>, findings: &mut Vec<Finding>) {
    let document = template.record.document;
    let mut problems = Vec::new();
    // a StatefulSet's claim templates are volumes of its pods too (when they do not
    // decode, the mounts are not checked)
    let claims = match (document.group(), document.kind()) {
        ("apps", "StatefulSet") => context
            .typed_of::<Workload>(document)
            .map(|workload| workload.claim_templates.as_slice()),
        _ => Some(&[][..]),
    };
    let volumes: Option<BTreeSet<&str>> = claims.map(|claims| {
        let claims = claims
            .iter()
            .filter_map(|claim| claim.metadata.name.as_deref());
        template
            .spec
            .volumes
            .iter()
            .flatten()
            .map(|volume| volume.name.as_str())
            .chain(claims)
            .collect()
    });
    for (_, _, container) in containers(&template.spec) {
        if let Some(volumes) = &volumes {
            problems.extend(mount_problems(container, volumes));
        }
        problems.extend(probe_problems(container));
    }
    problems.extend(unexplained_exceptions(document, template.record.path));
    if problems.is_empty() {
        return;
    }
    findings.push(about(
        Severity::Error,
        template.record.app,
        document,
        format!("{}: {}", describe(document), problems.join("; ")),
    ));
}

fn mount_problems(container: ContainerView<'_>, volumes: &BTreeSet<&str>) -> Vec<String> {
    let name = container.name();
    container
        .volume_mounts()
        .iter()
        .map(|mount| mount.name.as_str())
        .filter(|volume| !volume.is_empty() && !volumes.contains(volume))
        .map(|volume| {
            format!("container `{name}` mounts volume `{volume}`, which the pod does not have")
        })
        .collect()
}

fn probe_problems(container: ContainerView<'_>) -> Vec<String> {
    let name = container.name();
    let ports: BTreeSet<&str> = container
        .ports()
        .iter()
        .filter_map(|port| port.name.as_deref())
        .collect();
    let mut problems = Vec::new();
    for (probe, handler) in container.probes() {
        let Some(handler) = handler else {
            continue;
        };
        let http = handler.http_get.as_ref().map(|action| &action.port);
        let tcp = handler.tcp_socket.as_ref().map(|action| &action.port);
        for port in [http, tcp].into_iter().flatten() {
            if let IntOrString::String(port) = port
                && !ports.contains(port.as_str())
            {
                problems.push(format!(
                    "the {probe} of container `{name}` uses port `{port}`, which the container \
                     does not declare"
                ));
            }
        }
    }
    problems
}

/// Kit opt-outs whose annotation line has no reason (it ends right after the setting).
fn unexplained_exceptions(document: &crate::manifest::Document, spec_path: &str) -> Vec<String> {
    let metadata = spec_path
        .strip_suffix("/spec")
        .unwrap_or(spec_path)
        .to_owned()
        + "/metadata";
    // only a document whose text names the annotation is parsed
    if !document
        .body_text()
        .contains(SECURITY_EXCEPTIONS_ANNOTATION)
    {
        return Vec::new();
    }
    document
        .body()
        .pointer(&metadata)
        .and_then(|meta| meta.pointer("/annotations"))
        .and_then(|annotations| annotations.get(SECURITY_EXCEPTIONS_ANNOTATION))
        .and_then(Value::as_str)
        .into_iter()
        .flat_map(str::lines)
        .filter(|line| line.trim_end().ends_with(':'))
        .map(|line| {
            format!(
                "security opt-out `{}` has no reason",
                line.trim_end().trim_end_matches(':')
            )
        })
        .collect()
}
