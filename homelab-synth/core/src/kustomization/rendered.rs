//! From a kustomize render to objects of the app: one untyped object per document, the
//! objects to omit left out, and the patches and allowances aimed at them by kind and name;
//! an omission, patch or allowance that matches nothing is an error. Pure.

use serde_json::Value;

use super::construct::KustomizeNode;
use super::renderer::Kustomized;
use crate::finding::Finding;
use crate::helm_release::rendered::strip_nulls;
use crate::helm_release::template_output::split;
use crate::object::{ObjectNode, Origin};

/// One rendered object: its ids below the chart (`[id, kind, name]`) and its node.
pub(crate) struct KustomizedObject {
    pub(crate) ids: Vec<String>,
    pub(crate) node: ObjectNode,
}

/// The objects of `rendered` for kustomization `node` (construct path `path`) of app `app`.
pub(crate) fn objects(
    app: &str,
    path: &str,
    node: &KustomizeNode,
    rendered: Kustomized,
) -> (Vec<KustomizedObject>, Vec<Finding>) {
    let mut findings = Vec::new();
    let file = format!("{}/kustomization.yaml", node.props.path);
    let read = match rendered.documents {
        Some(documents) => Ok(documents),
        None => split(&rendered.manifest),
    };
    let documents = match read {
        Ok(documents) => documents,
        Err(error) => {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!("cannot read the output of kustomize build: {error}"),
                )
                .in_file(&file),
            );
            return (Vec::new(), findings);
        }
    };
    for (object, reason) in &node.props.omit {
        if reason.trim().is_empty() {
            findings.push(
                Finding::error(app, path, format!("leaving {object} out needs a reason"))
                    .in_file(&file),
            );
        }
    }
    let mut objects = Vec::with_capacity(documents.len());
    let mut omitted = vec![false; node.props.omit.len()];
    let mut patched = vec![false; node.patches.len()];
    let mut allowed = vec![false; node.allowed.len()];
    for (index, mut document) in documents.into_iter().enumerate() {
        let kind_name = document.kind_name();
        if let Some(position) = node
            .props
            .omit
            .iter()
            .position(|(object, _)| *object == kind_name)
        {
            omitted[position] = true;
            continue;
        }
        strip_nulls(&mut document.value);
        let Value::Object(mut body) = document.value else {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!("document {index} is not a mapping (a Kubernetes object)"),
                )
                .in_file(&file),
            );
            continue;
        };
        let api_version = body
            .remove("apiVersion")
            .and_then(|v| v.as_str().map(str::to_owned));
        let kind = body
            .remove("kind")
            .and_then(|v| v.as_str().map(str::to_owned));
        let (Some(api_version), Some(kind)) = (api_version, kind) else {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!("document {index} has no `apiVersion` or `kind`"),
                )
                .in_file(&file),
            );
            continue;
        };
        let name = body
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| index.to_string());
        let ids = vec![node.id.clone(), kind.clone(), name.clone()];
        let mut object = ObjectNode::new(
            node.chart,
            ids.join("/"),
            api_version,
            kind.clone(),
            None,
            body,
            Origin::Included {
                file: format!("kustomize build {}", node.props.path),
                index,
            },
        );
        for (target, done) in node.patches.iter().zip(patched.iter_mut()) {
            if target.kind == kind && target.name == name {
                object.patches.push(target.what.clone());
                *done = true;
            }
        }
        for (target, done) in node.allowed.iter().zip(allowed.iter_mut()) {
            if target.kind == kind && target.name == name {
                object.allowed.push(target.what.clone());
                *done = true;
            }
        }
        objects.push(KustomizedObject { ids, node: object });
    }
    for ((object, _), done) in node.props.omit.iter().zip(&omitted) {
        if !done {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!("{object} is to be left out, but the kustomization did not render it"),
                )
                .in_file(&file),
            );
        }
    }
    let targets = node
        .patches
        .iter()
        .zip(&patched)
        .map(|(t, done)| (&t.kind, &t.name, *done, "patch"))
        .chain(
            node.allowed
                .iter()
                .zip(&allowed)
                .map(|(t, done)| (&t.kind, &t.name, *done, "allowance")),
        );
    for (kind, name, done, what) in targets {
        if !done {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!(
                        "a {what} is aimed at {kind} `{name}`, which the kustomization did not \
                         render"
                    ),
                )
                .in_file(&file),
            );
        }
    }
    (objects, findings)
}
