//! Identity rules: valid app names, object names per kind, namespaces that match the scope,
//! valid label and annotation keys and values, and no object defined twice (same group, kind,
//! namespace and name) within or across apps. Also warns about images without a pinned tag.

use std::collections::HashMap;

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::names;
use crate::scope::Scope;
use crate::validate::context::Context;
use crate::validate::pods::{PodTemplate, containers};
use crate::validate::{PodCheck, about, describe};

/// Largest total size of an object's annotations, as the API server enforces.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    // lookups only, never iterated: the hash order cannot reach the output
    let mut seen: HashMap<(&str, &str, &str, &str), (&str, &str)> = HashMap::new();
    for app in apps {
        // the branch folder is the one folder that is not an app (and so never clashes)
        if !names::is_dns1123_label(&app.name) && app.name != names::BRANCH_FOLDER {
            findings.push(Finding::error(
                &app.name,
                &app.name,
                format!(
                    "app name `{}` must be a DNS-1123 label (lowercase letters, digits and `-`, \
                     at most 63 characters): it names the output directory and the Argo CD \
                     Application",
                    app.name
                ),
            ));
        }
        for document in &app.documents {
            let error = |message: String| about(Severity::Error, app, document, message);
            let name = document.name();
            let rule = names::name_rule_for(document.group(), document.kind());
            if let Err(reason) = names::check_object_name(rule, name) {
                findings.push(error(format!(
                    "invalid name for {}: {reason}",
                    document.kind()
                )));
            }
            match (document.scope, document.namespace()) {
                (Scope::Cluster, Some(namespace)) => findings.push(error(format!(
                    "{} `{name}` is cluster-scoped and must not have a namespace (found `{namespace}`)",
                    document.kind()
                ))),
                (Scope::Namespaced, None) => findings.push(error(format!(
                    "{} `{name}` is namespaced but has no namespace: set one on the object or \
                     in its chart's props",
                    document.kind()
                ))),
                (Scope::Namespaced, Some(namespace)) if !names::is_dns1123_label(namespace) => {
                    findings.push(error(format!(
                        "namespace `{namespace}` is not a valid DNS-1123 label"
                    )))
                }
                _ => {}
            }
            check_metadata_maps(document, &mut |message| findings.push(error(message)));
            let key = (
                document.group(),
                document.kind(),
                document.namespace().unwrap_or_default(),
                name,
            );
            match seen.get(&key) {
                Some((first_app, first_path)) => findings.push(error(format!(
                    "{} is defined twice: also by `{first_path}` in app `{first_app}`",
                    describe(document)
                ))),
                None => {
                    seen.insert(key, (&app.name, &document.path));
                }
            }
        }
    }
}

/// Warns about every image of the pod template without a pinned tag.
pub(crate) fn pod_check<'c>(_context: &'c Context<'_>) -> PodCheck<'c> {
    Box::new(check_pod)
}

fn check_pod(template: &PodTemplate<'_>, findings: &mut Vec<Finding>) {
    for (_, _, container) in containers(&template.spec) {
        if let Some(image) = container.image()
            && !image_is_pinned(image)
        {
            findings.push(about(
                Severity::Warning,
                template.record.app,
                template.record.document,
                format!(
                    "image `{image}` has no tag or uses `latest`: pin a version or digest so \
                     the output says what runs"
                ),
            ));
        }
    }
}

fn check_metadata_maps(document: &crate::manifest::Document, report: &mut dyn FnMut(String)) {
    let metadata = document.metadata();
    match metadata.get("labels") {
        None | Some(Value::Null) => {}
        Some(Value::Object(labels)) => {
            for (key, value) in labels {
                if let Err(reason) = names::check_label_key(key) {
                    report(format!("invalid label key: {reason}"));
                }
                match value {
                    Value::String(value) => {
                        if let Err(reason) = names::check_label_value(value) {
                            report(format!("invalid value of label `{key}`: {reason}"));
                        }
                    }
                    other => report(format!("label `{key}` must be a string, found {other}")),
                }
            }
        }
        Some(other) => report(format!("metadata.labels must be a mapping, found {other}")),
    }
    match metadata.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Object(annotations)) => {
            let mut total = 0;
            for (key, value) in annotations {
                if let Err(reason) = names::check_annotation_key(key) {
                    report(format!("invalid annotation key: {reason}"));
                }
                match value {
                    Value::String(value) => total += key.len() + value.len(),
                    other => report(format!(
                        "annotation `{key}` must be a string, found {other}"
                    )),
                }
            }
            if total > ANNOTATIONS_MAX_BYTES {
                report(format!(
                    "annotations take {total} bytes, more than the {ANNOTATIONS_MAX_BYTES} the \
                     API server accepts"
                ));
            }
        }
        Some(other) => report(format!(
            "metadata.annotations must be a mapping, found {other}"
        )),
    }
}

/// Whether an image reference names a digest or a tag other than `latest`.
fn image_is_pinned(image: &str) -> bool {
    if image.contains('@') {
        return true;
    }
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    match last_segment.rsplit_once(':') {
        Some((_, tag)) => tag != "latest" && !tag.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::image_is_pinned;

    #[test]
    fn pinned_images() {
        assert!(image_is_pinned("yanwk/comfyui-boot:cu128-megapak-20260223"));
        assert!(image_is_pinned("registry:5000/app:1.2"));
        assert!(image_is_pinned("nginx@sha256:abc"));
        assert!(!image_is_pinned("registry:5000/app"));
        assert!(!image_is_pinned("nginx"));
        assert!(!image_is_pinned("nginx:latest"));
    }
}
