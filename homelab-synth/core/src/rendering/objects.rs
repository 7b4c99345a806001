//! From a render's documents to objects of the app, the loop every renderer shares: the
//! objects the construct omits left out, one untyped object per other document with the
//! patches and allowances aimed at it by kind and name, and an error for each omission
//! without a reason and each omission, patch or allowance that matches nothing. What differs
//! between renderers (how messages name the render, where findings point, Helm's hooks and
//! `crds/` folder) is its [`RenderedSource`]'s. Pure.

use serde_json::Value;

use super::stream::RenderedDocument;
use super::target::RenderedTarget;
use crate::deferred_schemas::strip_nulls;
use crate::finding::Finding;
use crate::object::{Allow, ObjectNode, Origin};
use crate::patch::JsonPatch;

/// The construct whose render [`objects`] reads: where it is, and what it aims at its
/// rendered objects.
pub(crate) struct Construct<'a> {
    /// The app's name.
    pub(crate) app: &'a str,
    /// The construct path (`app/chart/id`).
    pub(crate) path: &'a str,
    /// The index of its chart in the app.
    pub(crate) chart: usize,
    /// Its id below the chart.
    pub(crate) id: &'a str,
    /// Rendered objects (`Kind/name`) left out, each with a reason.
    pub(crate) omit: &'a [(String, String)],
    /// JSON patches aimed at rendered objects.
    pub(crate) patches: &'a [RenderedTarget<JsonPatch>],
    /// Allowances aimed at rendered objects.
    pub(crate) allowed: &'a [RenderedTarget<(Allow, String)>],
}

/// What a renderer's construct brings to [`objects`] besides its documents. The message
/// texts differ between renderers (a Helm release names its chart, a kustomization its
/// file), so each says its own.
pub(crate) trait RenderedSource {
    /// The construct.
    fn construct(&self) -> Construct<'_>;

    /// Whether `document` is a CRD of a chart's `crds/` folder (never namespaced). Default:
    /// no.
    fn crd_folder(&self, _document: &RenderedDocument) -> bool {
        false
    }

    /// Whether `document` is left out before the omissions are matched (Helm: a `crds/`
    /// folder under `CrdPolicy::Skip`). Default: no.
    fn skips(&self, _document: &RenderedDocument) -> bool {
        false
    }

    /// Whether `document` (`kind_name`, not omitted) becomes an object; may change it first
    /// and add findings (Helm: hooks). Default: yes, unchanged.
    fn admit(
        &self,
        _document: &mut RenderedDocument,
        _kind_name: &str,
        _findings: &mut Vec<Finding>,
    ) -> bool {
        true
    }

    /// The file a finding about a document of template `template` names (the template is
    /// the document's [`source`](RenderedDocument::source), empty but for Helm's).
    fn document_file(&self, template: &str) -> String;

    /// The file an object made of a document of template `template` says it came from.
    fn origin_file(&self, template: &str) -> String;

    /// A finding about the construct as a whole, with the file it names, if any. Default:
    /// none.
    fn locate(&self, finding: Finding) -> Finding {
        finding
    }

    /// The message for omitting `object` without a reason.
    fn omitted_without_reason(&self, object: &str) -> String;

    /// The message for omitting `object`, which the render does not have.
    fn omitted_not_rendered(&self, object: &str) -> String;

    /// The message for a `what` (`patch`, `allowance`) aimed at `kind` `name`, which the
    /// render does not have; `rendered` lists what it has, as `Kind/name`.
    fn aimed_not_rendered(&self, what: &str, kind: &str, name: &str, rendered: &[String])
    -> String;
}

/// One rendered object: its ids below the chart (`[id, kind, name]`), its node, and whether
/// it came from a chart's `crds/` folder (it never gets a namespace).
pub(crate) struct RenderedObject {
    pub(crate) ids: Vec<String>,
    pub(crate) node: ObjectNode,
    pub(crate) crd_folder: bool,
}

/// The objects of `documents`, rendered for `source`'s construct, and the findings.
pub(crate) fn objects(
    source: &impl RenderedSource,
    documents: Vec<RenderedDocument>,
) -> (Vec<RenderedObject>, Vec<Finding>) {
    let construct = source.construct();
    let (app, path) = (construct.app, construct.path);
    let mut findings = Vec::new();
    for (object, reason) in construct.omit {
        if reason.trim().is_empty() {
            findings.push(source.locate(Finding::error(
                app,
                path,
                source.omitted_without_reason(object),
            )));
        }
    }
    let mut objects = Vec::with_capacity(documents.len());
    let mut omitted = vec![false; construct.omit.len()];
    let mut patched = vec![false; construct.patches.len()];
    let mut allowed = vec![false; construct.allowed.len()];
    for (index, mut document) in documents.into_iter().enumerate() {
        if source.skips(&document) {
            continue;
        }
        let crd_folder = source.crd_folder(&document);
        let kind_name = document.kind_name();
        if let Some(position) = construct
            .omit
            .iter()
            .position(|(object, _)| *object == kind_name)
        {
            omitted[position] = true;
            continue;
        }
        if !source.admit(&mut document, &kind_name, &mut findings) {
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
                .in_file(source.document_file(&document.source)),
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
                .in_file(source.document_file(&document.source)),
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
        let ids = vec![construct.id.to_owned(), kind.clone(), name.clone()];
        let mut node = ObjectNode::new(
            construct.chart,
            ids.join("/"),
            api_version,
            kind.clone(),
            None,
            body,
            Origin::Included {
                file: source.origin_file(&document.source),
                index,
            },
        );
        node.schemas = document.schemas;
        for (target, done) in construct.patches.iter().zip(patched.iter_mut()) {
            if target.kind == kind && target.name == name {
                node.patches.push(target.what.clone());
                *done = true;
            }
        }
        for (target, done) in construct.allowed.iter().zip(allowed.iter_mut()) {
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
    for ((object, _), done) in construct.omit.iter().zip(&omitted) {
        if !done {
            findings.push(source.locate(Finding::error(
                app,
                path,
                source.omitted_not_rendered(object),
            )));
        }
    }
    let targets = construct
        .patches
        .iter()
        .zip(&patched)
        .map(|(t, done)| (&t.kind, &t.name, *done, "patch"))
        .chain(
            construct
                .allowed
                .iter()
                .zip(&allowed)
                .map(|(t, done)| (&t.kind, &t.name, *done, "allowance")),
        );
    for (kind, name, done, what) in targets {
        if !done {
            let rendered: Vec<String> = objects
                .iter()
                .map(|o| format!("{}/{}", o.ids[1], o.ids[2]))
                .collect();
            findings.push(source.locate(Finding::error(
                app,
                path,
                source.aimed_not_rendered(what, kind, name, &rendered),
            )));
        }
    }
    (objects, findings)
}
