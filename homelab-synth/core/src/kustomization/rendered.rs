//! From a kustomize render to objects of the app: the shared loop of
//! [`objects::objects`] (objects to omit left out, patches and allowances aimed by kind and
//! name, an omission, patch or allowance that matches nothing an error), every finding
//! naming the kustomization's file. Pure.

use super::construct::KustomizeNode;
use super::renderer::Kustomized;
use crate::finding::Finding;
use crate::rendering::objects::{self, Construct, RenderedObject, RenderedSource};

/// The objects of `rendered` for kustomization `node` (construct path `path`) of app `app`.
pub(crate) fn objects(
    app: &str,
    path: &str,
    node: &KustomizeNode,
    rendered: Kustomized,
) -> (Vec<RenderedObject>, Vec<Finding>) {
    let kustomization = Kustomization {
        app,
        path,
        node,
        file: format!("{}/kustomization.yaml", node.props.path),
    };
    match rendered.output.into_documents() {
        Ok(documents) => objects::objects(&kustomization, documents),
        Err(error) => (
            Vec::new(),
            vec![kustomization.locate(Finding::error(
                app,
                path,
                format!("cannot read the output of kustomize build: {error}"),
            ))],
        ),
    }
}

/// A kustomization's side of [`objects::objects`]: findings name its `kustomization.yaml`.
struct Kustomization<'a> {
    app: &'a str,
    path: &'a str,
    node: &'a KustomizeNode,
    /// `<folder>/kustomization.yaml`.
    file: String,
}

impl RenderedSource for Kustomization<'_> {
    fn construct(&self) -> Construct<'_> {
        Construct {
            app: self.app,
            path: self.path,
            chart: self.node.chart,
            id: &self.node.id,
            omit: &self.node.props.omit,
            patches: &self.node.patches,
            allowed: &self.node.allowed,
        }
    }

    fn document_file(&self, _template: &str) -> String {
        self.file.clone()
    }

    fn origin_file(&self, _template: &str) -> String {
        format!("kustomize build {}", self.node.props.path)
    }

    fn locate(&self, finding: Finding) -> Finding {
        finding.in_file(&self.file)
    }

    fn omitted_without_reason(&self, object: &str) -> String {
        format!("leaving {object} out needs a reason")
    }

    fn omitted_not_rendered(&self, object: &str) -> String {
        format!("{object} is to be left out, but the kustomization did not render it")
    }

    fn aimed_not_rendered(
        &self,
        what: &str,
        kind: &str,
        name: &str,
        _rendered: &[String],
    ) -> String {
        format!("a {what} is aimed at {kind} `{name}`, which the kustomization did not render")
    }
}
