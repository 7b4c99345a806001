//! Resource quantities must parse: container requests and limits, PVC and volume claim
//! template sizes, `emptyDir.sizeLimit`, ResourceQuota and LimitRange values.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::Document;
use crate::quantity::parse_quantity;
use crate::validate::about;
use crate::validate::context::Context;
use crate::validate::pods::{containers, pod_templates};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    for app in apps {
        for document in &app.documents {
            for (path, value) in quantity_fields(document) {
                let text = match value {
                    Value::String(text) => text.clone(),
                    Value::Number(_) => continue,
                    other => other.to_string(),
                };
                if let Err(error) = parse_quantity(&text) {
                    findings.push(about(
                        Severity::Error,
                        app,
                        document,
                        format!("{path}: {error}"),
                    ));
                }
            }
        }
    }
}

/// `(json path, value)` of every quantity in `document`.
fn quantity_fields(document: &Document) -> Vec<(String, &Value)> {
    let mut fields = Vec::new();
    for template in pod_templates(document) {
        let base = template.path.trim_start_matches('/').replace('/', ".");
        let mut positions = BTreeMap::<&str, usize>::new();
        for (list, container) in containers(template.spec) {
            let index = positions.entry(list).or_default();
            for kind in ["requests", "limits"] {
                push_map(
                    &mut fields,
                    format!("{base}.{list}[{index}].resources.{kind}"),
                    container.pointer(&format!("/resources/{kind}")),
                );
            }
            *index += 1;
        }
        if let Some(Value::Array(volumes)) = template.spec.get("volumes") {
            for (index, volume) in volumes.iter().enumerate() {
                if let Some(limit) = volume.pointer("/emptyDir/sizeLimit") {
                    fields.push((format!("{base}.volumes[{index}].emptyDir.sizeLimit"), limit));
                }
            }
        }
    }
    let body = &document.body;
    match (document.group(), document.kind()) {
        ("", "PersistentVolumeClaim") => {
            for kind in ["requests", "limits"] {
                push_map(
                    &mut fields,
                    format!("spec.resources.{kind}"),
                    body.pointer(&format!("/spec/resources/{kind}")),
                );
            }
        }
        ("apps", "StatefulSet") => {
            if let Some(Value::Array(claims)) = body.pointer("/spec/volumeClaimTemplates") {
                for (index, claim) in claims.iter().enumerate() {
                    for kind in ["requests", "limits"] {
                        push_map(
                            &mut fields,
                            format!("spec.volumeClaimTemplates[{index}].spec.resources.{kind}"),
                            claim.pointer(&format!("/spec/resources/{kind}")),
                        );
                    }
                }
            }
        }
        ("", "ResourceQuota") => {
            push_map(&mut fields, "spec.hard".into(), body.pointer("/spec/hard"))
        }
        ("", "LimitRange") => {
            if let Some(Value::Array(limits)) = body.pointer("/spec/limits") {
                for (index, limit) in limits.iter().enumerate() {
                    for kind in [
                        "max",
                        "min",
                        "default",
                        "defaultRequest",
                        "maxLimitRequestRatio",
                    ] {
                        push_map(
                            &mut fields,
                            format!("spec.limits[{index}].{kind}"),
                            limit.get(kind),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    fields
}

fn push_map<'a>(fields: &mut Vec<(String, &'a Value)>, prefix: String, value: Option<&'a Value>) {
    if let Some(Value::Object(map)) = value {
        for (key, value) in map {
            fields.push((format!("{prefix}.{key}"), value));
        }
    }
}
