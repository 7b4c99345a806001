//! Turns an app's children into a flat list of objects in construction order, reading each
//! include through the [`SourceReader`] and parsing it with the shared Kubernetes YAML
//! reader. A `v1` `List` document is unpacked into its items, as kubectl does. A Helm release
//! contributes the objects of its render (already done at the edge) or of its delegation; a
//! kustomization the objects of its render.

use serde_json::Value;

use crate::app::{App, Child};
use crate::finding::Finding;
use crate::helm_release::delegate;
use crate::helm_release::rendered;
use crate::helm_release::{HelmMode, Rendered};
use crate::include::SourceReader;
use crate::kustomization::{Kustomized, rendered as kustomized};
use crate::object::{ObjectNode, Origin};
use crate::rendering::objects::RenderedObject;
use crate::yaml::read_documents;

/// Where an expanded object came from inside the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Object(usize),
    Include(usize),
    Helm(usize),
    Kustomize(usize),
}

/// One object of an app, ready to be resolved.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) node: ObjectNode,
    /// Construct path.
    pub(crate) path: String,
    /// Ids below the chart, for generated names.
    pub(crate) ids: Vec<String>,
    pub(crate) source: Source,
    /// For rendered Helm objects: the release namespace, set on namespaced objects without
    /// one (and removed from cluster-scoped ones) once every scope is known.
    pub(crate) release_namespace: Option<String>,
    /// A CRD from a chart's `crds/` folder: never namespaced.
    pub(crate) crd_folder: bool,
}

/// The render of each Helm release of an app, by release index; `None` for releases that
/// were not rendered (delegated, or already reported).
pub(crate) type Renders = Vec<Option<Rendered>>;

/// The render of each kustomization of an app, by index; `None` for those that did not
/// render (already reported).
pub(crate) type KustomizeRenders = Vec<Option<Kustomized>>;

/// The app's objects in construction order, and the findings of unreadable includes. The
/// objects are moved out of the app (its other parts stay), so no body is copied.
pub(crate) fn expand(
    app: &mut App,
    sources: &dyn SourceReader,
    mut renders: Renders,
    mut kustomize_renders: KustomizeRenders,
) -> (Vec<Item>, Vec<Finding>) {
    let mut items = Vec::with_capacity(app.objects.len());
    let mut findings = Vec::new();
    let mut objects: Vec<Option<ObjectNode>> = std::mem::take(&mut app.objects)
        .into_iter()
        .map(Some)
        .collect();
    for child in &app.children {
        match *child {
            Child::Object(index) => {
                let Some(node) = objects[index].take() else {
                    continue;
                };
                items.push(Item {
                    path: app.object_path(&node),
                    ids: vec![node.id.clone()],
                    node,
                    source: Source::Object(index),
                    release_namespace: None,
                    crd_folder: false,
                });
            }
            Child::Include(index) => {
                let include = &app.includes[index];
                let include_path = format!("{}/{}", app.chart_path(include.chart), include.id);
                let text = match sources.read(&include.path) {
                    Ok(text) => text,
                    Err(error) => {
                        findings.push(
                            Finding::error(&app.name, &include_path, error.to_string())
                                .in_file(&include.path),
                        );
                        continue;
                    }
                };
                let documents = match read_documents(&text) {
                    Ok(documents) => documents,
                    Err(error) => {
                        findings.push(
                            Finding::error(
                                &app.name,
                                &include_path,
                                format!("cannot read YAML: {error}"),
                            )
                            .in_file(&include.path),
                        );
                        continue;
                    }
                };
                let mut position = 0;
                for (document_index, document) in documents.into_iter().enumerate() {
                    for object in unpack_list(document) {
                        let path = format!("{include_path}/{position}");
                        match included_node(include.chart, &include.id, position, object) {
                            Ok(mut node) => {
                                node.origin = Origin::Included {
                                    file: include.path.clone(),
                                    index: document_index,
                                };
                                items.push(Item {
                                    path,
                                    ids: vec![include.id.clone(), position.to_string()],
                                    node,
                                    source: Source::Include(index),
                                    release_namespace: None,
                                    crd_folder: false,
                                });
                            }
                            Err(error) => findings.push(
                                Finding::error(
                                    &app.name,
                                    &path,
                                    format!("document {document_index}: {error}"),
                                )
                                .in_file(&include.path),
                            ),
                        }
                        position += 1;
                    }
                }
            }
            Child::Helm(index) => {
                let helm = &app.helms[index];
                let path = app.helm_path(helm);
                let namespace = app.helm_namespace(helm);
                if let HelmMode::Delegate(engine) = &helm.props.mode {
                    let Some(namespace) = namespace else { continue };
                    for (id, object) in
                        delegate::objects(engine, &helm.props, helm.release(), &namespace)
                    {
                        let node = ObjectNode::new(
                            helm.chart,
                            format!("{}/{id}", helm.id),
                            object.api_version,
                            object.kind,
                            object.scope,
                            object.body,
                            Origin::Code,
                        );
                        items.push(Item {
                            path: format!("{path}/{id}"),
                            ids: vec![helm.id.clone(), id],
                            node,
                            source: Source::Helm(index),
                            release_namespace: None,
                            crd_folder: false,
                        });
                    }
                    continue;
                }
                let Some(output) = renders.get_mut(index).and_then(Option::take) else {
                    continue;
                };
                let (objects, render_findings) = rendered::objects(&app.name, &path, helm, output);
                findings.extend(render_findings);
                items.extend(rendered_items(
                    &path,
                    objects,
                    Source::Helm(index),
                    namespace,
                ));
            }
            Child::Kustomize(index) => {
                let node = &app.kustomizations[index];
                let Some(output) = kustomize_renders.get_mut(index).and_then(Option::take) else {
                    continue;
                };
                let path = app.kustomize_path(node);
                let namespace = app.kustomize_namespace(node);
                let (objects, render_findings) =
                    kustomized::objects(&app.name, &path, node, output);
                findings.extend(render_findings);
                items.extend(rendered_items(
                    &path,
                    objects,
                    Source::Kustomize(index),
                    namespace,
                ));
            }
        }
    }
    (items, findings)
}

/// The items of a render's `objects` for the construct at `path`, `source` of the app, whose
/// namespaced objects without a namespace get `namespace`.
fn rendered_items(
    path: &str,
    objects: Vec<RenderedObject>,
    source: Source,
    namespace: Option<String>,
) -> impl Iterator<Item = Item> {
    objects.into_iter().map(move |object| Item {
        path: format!("{path}/{}/{}", object.ids[1], object.ids[2]),
        ids: object.ids,
        node: object.node,
        source,
        release_namespace: namespace.clone(),
        crd_folder: object.crd_folder,
    })
}

/// Why a document of an included file is not an object; the text follows `document <n>: `.
#[derive(Debug, thiserror::Error)]
enum IncludedError {
    /// The document is a scalar or a sequence.
    #[error("is not a mapping (a Kubernetes object)")]
    NotAMapping,
    /// `apiVersion` or `kind` is missing.
    #[error("has no `{0}`")]
    Missing(&'static str),
    /// `apiVersion` or `kind` is empty or not a string.
    #[error("`{key}` must be a non-empty string, found {found}")]
    NotAString { key: &'static str, found: Value },
}

/// The items of a `v1` `List`, or the document itself.
fn unpack_list(document: Value) -> Vec<Value> {
    let is_list = document.get("apiVersion").and_then(Value::as_str) == Some("v1")
        && document.get("kind").and_then(Value::as_str) == Some("List");
    match document {
        Value::Object(mut map) if is_list => match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        other => vec![other],
    }
}

fn included_node(
    chart: usize,
    include_id: &str,
    position: usize,
    document: Value,
) -> Result<ObjectNode, IncludedError> {
    let Value::Object(mut body) = document else {
        return Err(IncludedError::NotAMapping);
    };
    let api_version = take_string(&mut body, "apiVersion")?;
    let kind = take_string(&mut body, "kind")?;
    Ok(ObjectNode::new(
        chart,
        format!("{include_id}/{position}"),
        api_version,
        kind,
        None,
        body,
        Origin::Code,
    ))
}

fn take_string(
    body: &mut serde_json::Map<String, Value>,
    key: &'static str,
) -> Result<String, IncludedError> {
    match body.remove(key) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value),
        Some(found) => Err(IncludedError::NotAString { key, found }),
        None => Err(IncludedError::Missing(key)),
    }
}
