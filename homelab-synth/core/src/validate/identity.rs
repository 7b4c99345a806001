//! Identity rules: valid app names, object names per kind, namespaces that match the scope,
//! valid label and annotation keys and values, and no object defined twice (same group, kind,
//! namespace and name) within or across apps. Also warns about images without a pinned tag.

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::names;
use crate::scope::Scope;
use crate::validate::context::Context;
use crate::validate::pods::{PodTemplate, containers};
use crate::validate::{PodCheck, about, describe};

/// Largest total size of an object's annotations, as the API server enforces.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    // (group, kind, namespace, name) of every document with its position in app order, then
    // output order, its app and the document: sorted once they are all known, each document
    // after the first of its key is reported. A sorted list, not a hash map: it holds every
    // document of the synthesis at validation's peak, at a third of a map's memory (and
    // sorted in place, the position keeping the first first).
    let count = apps.iter().map(|app| app.documents.len()).sum();
    let mut keys: Vec<(Key<'_>, usize, &AppManifest, &Document)> = Vec::with_capacity(count);
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
            keys.push((key, keys.len(), app, document));
        }
    }
    keys.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for same in keys.chunk_by(|a, b| a.0 == b.0) {
        let (_, _, first_app, first) = same[0];
        for &(_, _, app, document) in &same[1..] {
            findings.push(about(
                Severity::Error,
                app,
                document,
                format!(
                    "{} is defined twice: also by `{}` in app `{}`",
                    describe(document),
                    first.path,
                    first_app.name
                ),
            ));
        }
    }
}

/// What makes an object one: group, kind, namespace and name.
type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

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

fn check_metadata_maps(document: &Document, report: &mut dyn FnMut(String)) {
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
