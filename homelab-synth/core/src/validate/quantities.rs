//! Resource quantities must parse: container requests and limits, PVC and volume claim
//! template sizes, `emptyDir.sizeLimit`, ResourceQuota and LimitRange values. Those of a pod
//! spec are read by [`pod_check`] while its decoded template is at hand, the others by
//! [`check`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LimitRangeSpec, PersistentVolumeClaimSpec, ResourceQuotaSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::quantity::parse_quantity;
use crate::validate::context::Context;
use crate::validate::objects::Workload;
use crate::validate::pods::{PodTemplate, containers};
use crate::validate::{PodCheck, about};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (app, document) in context.documents() {
        report(app, document, quantity_fields(context, document), findings);
    }
}

/// Reports the container requests and limits and `emptyDir.sizeLimit`s of the pod template
/// that do not parse (the document's other quantities are checked by [`check`]).
pub(crate) fn pod_check<'c>(_context: &'c Context<'_>) -> PodCheck<'c> {
    Box::new(|template, findings| {
        report(
            template.record.app,
            template.record.document,
            pod_quantity_fields(template),
            findings,
        );
    })
}

/// An error for each of `fields` (`(json path, text)` of quantities of `document`) that does
/// not parse.
fn report(
    app: &AppManifest,
    document: &Document,
    fields: Vec<(String, String)>,
    findings: &mut Vec<Finding>,
) {
    for (path, text) in fields {
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

/// `(json path, text)` of every quantity of `template`'s pod spec: container requests and
/// limits, `emptyDir.sizeLimit`s.
fn pod_quantity_fields(template: &PodTemplate<'_>) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let base = template
        .record
        .path
        .trim_start_matches('/')
        .replace('/', ".");
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
    fields
}

/// `(json path, text)` of every quantity in `document` outside its pod template (a JSON
/// number is a quantity as it is: it decodes to its decimal text).
fn quantity_fields(context: &Context<'_>, document: &Document) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    if let Some(claim) = context.typed_of::<PersistentVolumeClaimSpec>(document) {
        push_claim(&mut fields, "spec", Some(claim));
    }
    if let Some(workload) = context.typed_of::<Workload>(document) {
        for (index, claim) in workload.claim_templates.iter().enumerate() {
            push_claim(
                &mut fields,
                &format!("spec.volumeClaimTemplates[{index}].spec"),
                claim.spec.as_ref(),
            );
        }
    }
    if let Some(quota) = context.typed_of::<ResourceQuotaSpec>(document) {
        let hard = quota.hard.as_ref();
        push_map(&mut fields, "spec.hard", hard);
    }
    if let Some(range) = context.typed_of::<LimitRangeSpec>(document) {
        let limits = range.limits.iter();
        for (index, limit) in limits.enumerate() {
            for (kind, map) in [
                ("max", &limit.max),
                ("min", &limit.min),
                ("default", &limit.default),
                ("defaultRequest", &limit.default_request),
                ("maxLimitRequestRatio", &limit.max_limit_request_ratio),
            ] {
                push_map(
                    &mut fields,
                    &format!("spec.limits[{index}].{kind}"),
                    map.as_ref(),
                );
            }
        }
    }
    fields
}

/// The requests and limits of a claim whose spec is at `spec` (`spec`, or a claim template's).
fn push_claim(
    fields: &mut Vec<(String, String)>,
    spec: &str,
    claim: Option<&PersistentVolumeClaimSpec>,
) {
    let resources = claim.and_then(|claim| claim.resources.as_ref());
    for (kind, map) in [
        ("requests", resources.and_then(|r| r.requests.as_ref())),
        ("limits", resources.and_then(|r| r.limits.as_ref())),
    ] {
        push_map(fields, &format!("{spec}.resources.{kind}"), map);
    }
}

fn push_map(
    fields: &mut Vec<(String, String)>,
    prefix: &str,
    map: Option<&BTreeMap<String, Quantity>>,
) {
    for (key, quantity) in map.into_iter().flatten() {
        fields.push((format!("{prefix}.{key}"), quantity.0.clone()));
    }
}
