//! From a render to objects of the app: the values check, the determinism check, the CRD and
//! hook policies, then one untyped object per document with the patches and allowances aimed
//! at it by kind and name. Pure.

use serde_json::Value;

use super::construct::{CrdPolicy, HelmNode};
use super::determinism::{differences, existing_secret_values};
use super::hooks::{self, HookOutcome};
use super::renderer::Rendered;
use super::template_output::split;
use super::values::unknown_paths;
use crate::finding::Finding;
use crate::object::{ObjectNode, Origin};

/// One rendered object: its ids below the chart, its node, and whether it came from a
/// `crds/` folder (it never gets a namespace).
pub(crate) struct RenderedObject {
    pub(crate) ids: Vec<String>,
    pub(crate) node: ObjectNode,
    pub(crate) crd_folder: bool,
}

/// The objects of `rendered` for release `helm` (construct path `path`) of app `app`.
pub(crate) fn objects(
    app: &str,
    path: &str,
    helm: &HelmNode,
    rendered: Rendered,
) -> (Vec<RenderedObject>, Vec<Finding>) {
    let mut findings = Vec::new();
    let chart = format!("{} {}", rendered.chart.name, rendered.chart.version);
    let file = format!("chart {chart}");

    if let Ok(user) = helm.props.values_map() {
        let mut allowed = helm.props.allow_values.clone();
        allowed.extend(rendered.chart.conditions.iter().cloned());
        for unknown in unknown_paths(
            &user,
            &rendered.chart.values,
            rendered.chart.schema.as_ref(),
            &allowed,
        ) {
            findings.push(Finding::error(
                app,
                path,
                format!(
                    "`{unknown}` is not a value of chart {chart}: Helm would ignore it; check \
                     the chart's values.yaml, or allow it with `allow_value(\"{unknown}\")` if \
                     a template reads it anyway"
                ),
            ));
        }
    }

    let read = match rendered.documents {
        Some(documents) => Ok(documents),
        None => split(&rendered.manifest),
    };
    let documents = match read {
        Ok(documents) => documents,
        Err(error) => {
            findings.push(Finding::error(
                app,
                path,
                format!("cannot read the output of helm template for chart {chart}: {error}"),
            ));
            return (Vec::new(), findings);
        }
    };
    // identical texts need no object-by-object comparison (the usual, deterministic case)
    if let Some(second) = rendered
        .second
        .as_ref()
        .filter(|t| **t != rendered.manifest)
    {
        match split(second) {
            Ok(again) => {
                let suggestions = existing_secret_values(&rendered.chart.values);
                for difference in differences(&documents, &again) {
                    let omitted = helm
                        .props
                        .omit
                        .iter()
                        .any(|(object, _)| *object == difference.object);
                    let accepted = omitted
                        || helm
                            .props
                            .accept_nondeterministic
                            .iter()
                            .any(|(object, _)| *object == difference.object);
                    if accepted {
                        continue;
                    }
                    let hint = if suggestions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (this chart has {})",
                            suggestions
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    findings.push(Finding::error(
                        app,
                        &format!("{path}/{}", difference.object),
                        format!(
                            "{} differs between two renders of chart {chart} at {}: the chart \
                             generates random values; point it at an existing Secret through \
                             its values{hint}, or accept it with \
                             `accept_nondeterministic(\"{}\", \"reason\")`",
                            difference.object,
                            difference
                                .paths
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            difference.object
                        ),
                    ));
                }
            }
            Err(error) => findings.push(Finding::error(
                app,
                path,
                format!("cannot read the second render of chart {chart}: {error}"),
            )),
        }
    }

    for (object, reason) in &helm.props.omit {
        if reason.trim().is_empty() {
            findings.push(Finding::error(
                app,
                path,
                format!("leaving {object} out of chart {chart} needs a reason"),
            ));
        }
    }
    let mut objects = Vec::with_capacity(documents.len());
    let mut omitted = vec![false; helm.props.omit.len()];
    let mut patched = vec![false; helm.patches.len()];
    let mut allowed = vec![false; helm.allowed.len()];
    for (index, mut document) in documents.into_iter().enumerate() {
        let crd_folder = document.from_crds_folder();
        if crd_folder && helm.props.crds == CrdPolicy::Skip {
            continue;
        }
        let kind_name = document.kind_name();
        if let Some(index) = helm
            .props
            .omit
            .iter()
            .position(|(object, _)| *object == kind_name)
        {
            omitted[index] = true;
            continue;
        }
        match hooks::apply(&helm.props.hooks, &mut document.value) {
            HookOutcome::Plain | HookOutcome::ArgoCd => {}
            HookOutcome::Dropped { hooks, warn } => {
                if warn {
                    findings.push(
                        Finding::warning(
                            app,
                            &format!("{path}/{kind_name}"),
                            format!(
                                "{kind_name} is a Helm `{hooks}` hook of chart {chart} and was \
                                 left out; set the release's hook policy to ArgoCd or Omit"
                            ),
                        )
                        .in_file(format!("{file}: {}", document.source)),
                    );
                }
                continue;
            }
        }
        strip_nulls(&mut document.value);
        let Value::Object(mut body) = document.value else {
            findings.push(
                Finding::error(
                    app,
                    path,
                    format!("document {index} is not a mapping (a Kubernetes object)"),
                )
                .in_file(format!("{file}: {}", document.source)),
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
                .in_file(format!("{file}: {}", document.source)),
            );
            continue;
        };
        if crd_folder && let Some(Value::Object(metadata)) = body.get_mut("metadata") {
            metadata.remove("namespace");
        }
        let name = body
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| index.to_string());
        let ids = vec![helm.id.clone(), kind.clone(), name.clone()];
        let mut node = ObjectNode::new(
            helm.chart,
            ids.join("/"),
            api_version,
            kind.clone(),
            None,
            body,
            Origin::Included {
                file: format!("{file}: {}", document.source),
                index,
            },
        );
        for (target, done) in helm.patches.iter().zip(patched.iter_mut()) {
            if target.kind == kind && target.name == name {
                node.patches.push(target.what.clone());
                *done = true;
            }
        }
        for (target, done) in helm.allowed.iter().zip(allowed.iter_mut()) {
            if target.kind == kind && target.name == name {
                node.allowed.push(target.what.clone());
                *done = true;
            }
        }
        objects.push(RenderedObject {
            ids,
            node,
            crd_folder,
        });
    }
    let targets = helm
        .patches
        .iter()
        .zip(&patched)
        .map(|(t, done)| (&t.kind, &t.name, *done, "patch"))
        .chain(
            helm.allowed
                .iter()
                .zip(&allowed)
                .map(|(t, done)| (&t.kind, &t.name, *done, "allowance")),
        );
    for ((object, _), done) in helm.props.omit.iter().zip(&omitted) {
        if !done {
            findings.push(Finding::error(
                app,
                path,
                format!("{object} is to be left out, but chart {chart} did not render it"),
            ));
        }
    }
    for (kind, name, done, what) in targets {
        if !done {
            let rendered: Vec<String> = objects
                .iter()
                .map(|o| format!("{}/{}", o.ids[1], o.ids[2]))
                .collect();
            findings.push(Finding::error(
                app,
                path,
                format!(
                    "a {what} is aimed at {kind} `{name}`, which chart {chart} did not render; \
                     rendered: {}",
                    rendered.join(", ")
                ),
            ));
        }
    }
    (objects, findings)
}

/// Removes `null` map entries at any depth (`annotations: null`, `data: null` that templates
/// leave behind): the API server reads them as absent, and without them the output says what
/// the object is.
pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| !child.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
