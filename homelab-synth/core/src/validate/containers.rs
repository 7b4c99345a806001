//! What the API server or the kubelet would reject inside a pod only at rollout: a volume
//! mount naming no volume of the pod (the API refuses the object), a probe on a named port
//! the container does not declare (the probe can never succeed), and a workload-kit
//! security opt-out without a reason (the kit records it; a review needs the why).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::pod_security::SECURITY_EXCEPTIONS_ANNOTATION;
use crate::validate::context::Context;
use crate::validate::pods::{containers, items, pod_templates};
use crate::validate::{about, describe};

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    for app in apps {
        for document in &app.documents {
            for template in pod_templates(document) {
                let mut problems = Vec::new();
                // a StatefulSet's claim templates are volumes of its pods too
                let claims = items(&document.body, "/spec/volumeClaimTemplates")
                    .filter(|_| document.kind() == "StatefulSet")
                    .filter_map(|claim| claim.pointer("/metadata/name"));
                let volumes: BTreeSet<&str> = items(template.spec, "/volumes")
                    .filter_map(|volume| volume.get("name"))
                    .chain(claims)
                    .filter_map(Value::as_str)
                    .collect();
                for (_, container) in containers(template.spec) {
                    let name = container.get("name").and_then(Value::as_str).unwrap_or("?");
                    problems.extend(mount_problems(name, container, &volumes));
                    problems.extend(probe_problems(name, container));
                }
                problems.extend(unexplained_exceptions(document, template.path));
                if problems.is_empty() {
                    continue;
                }
                findings.push(about(
                    Severity::Error,
                    app,
                    document,
                    format!("{}: {}", describe(document), problems.join("; ")),
                ));
            }
        }
    }
}

fn mount_problems(name: &str, container: &Value, volumes: &BTreeSet<&str>) -> Vec<String> {
    items(container, "/volumeMounts")
        .filter_map(|mount| mount.get("name").and_then(Value::as_str))
        .filter(|volume| !volumes.contains(volume))
        .map(|volume| {
            format!("container `{name}` mounts volume `{volume}`, which the pod does not have")
        })
        .collect()
}

fn probe_problems(name: &str, container: &Value) -> Vec<String> {
    let ports: BTreeSet<&str> = items(container, "/ports")
        .filter_map(|port| port.get("name").and_then(Value::as_str))
        .collect();
    let mut problems = Vec::new();
    for probe in PROBES {
        for handler in ["httpGet", "tcpSocket"] {
            let port = container
                .pointer(&format!("/{probe}/{handler}/port"))
                .and_then(Value::as_str);
            if let Some(port) = port
                && !ports.contains(port)
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
    document
        .body
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
