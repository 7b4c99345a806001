//! Resource quantities must parse: container requests and limits, PVC and volume claim
//! template sizes, `emptyDir.sizeLimit`, ResourceQuota and LimitRange values.

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::Document;
use crate::quantity::parse_quantity;
use crate::validate::about;
use crate::validate::context::Context;
use crate::validate::pods::containers;

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    for app in apps {
        for document in &app.documents {
            for (path, text) in quantity_fields(context, document) {
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

/// `(json path, text)` of every quantity in `document` (a JSON number is a quantity as it is).
fn quantity_fields(context: &Context<'_>, document: &Document) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    if let Some(template) = context.pod_template_of(document) {
        let base = template.path.trim_start_matches('/').replace('/', ".");
        for (list, index, container) in containers(&template.spec) {
            let resources = container.resources();
            for (kind, map) in [
                ("requests", resources.and_then(|r| r.requests.as_ref())),
                ("limits", resources.and_then(|r| r.limits.as_ref())),
            ] {
                for (key, quantity) in map.into_iter().flatten() {
                    fields.push((
                        format!("{base}.{list}[{index}].resources.{kind}.{key}"),
                        quantity.0.clone(),
                    ));
                }
            }
        }
        for (index, volume) in template.spec.volumes.iter().flatten().enumerate() {
            let limit = volume
                .empty_dir
                .as_ref()
                .and_then(|dir| dir.size_limit.as_ref());
            if let Some(limit) = limit {
                fields.push((
                    format!("{base}.volumes[{index}].emptyDir.sizeLimit"),
                    limit.0.clone(),
                ));
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

fn push_map(fields: &mut Vec<(String, String)>, prefix: String, value: Option<&Value>) {
    if let Some(Value::Object(map)) = value {
        for (key, value) in map {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(_) => continue,
                other => other.to_string(),
            };
            fields.push((format!("{prefix}.{key}"), text));
        }
    }
}
