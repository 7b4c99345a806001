//! Helm releases at the seam: a release is rendered unless delegated, once its chart,
//! version, namespace and values are complete; a failed render is reported with the app's
//! other findings (its checks across objects still run).

use super::{Failure, Request};
use crate::app::App;
use crate::finding::Finding;
use crate::helm_release::construct::HelmNode;
use crate::helm_release::{HelmError, HelmMode, HelmRenderer, RenderRequest, Rendered};

impl Request for RenderRequest {
    type Node = HelmNode;
    type Renderer<'r> = dyn HelmRenderer + 'r;
    type Output = Rendered;
    type Error = HelmError;
    const RULE: &'static str = "helm";
    const NO_RENDERER: &'static str = "this Helm release must be rendered, but synthesis was \
                                       given no Helm renderer (call `synthesize_with` with \
                                       `SynthInputs::with_helm`)";

    fn nodes(app: &App) -> &[HelmNode] {
        &app.helms
    }

    fn path(app: &App, node: &HelmNode) -> String {
        app.helm_path(node)
    }

    fn request(app: &App, helm: &HelmNode, path: String) -> Result<Option<Self>, Vec<String>> {
        let namespace = app.helm_namespace(helm);
        let mut problems = Vec::new();
        if helm.props.chart.name().is_empty() || helm.props.chart.location().is_empty() {
            problems.push("has no chart: set `HelmProps::chart`".to_owned());
        }
        if helm.props.version.is_empty() {
            problems.push("has no chart version: set `HelmProps::version`".to_owned());
        }
        if namespace.is_none() {
            problems.push(
                "has no namespace: set `HelmProps::namespace` or the chart's namespace".to_owned(),
            );
        }
        let values = helm.props.values_map();
        if let Err(problem) = &values {
            problems.push(problem.to_string());
        }
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|problem| format!("Helm release {problem}"))
                .collect());
        }
        if helm.props.mode != HelmMode::Render {
            return Ok(None);
        }
        Ok(Some(RenderRequest {
            path,
            chart: helm.props.chart.clone(),
            version: helm.props.version.clone(),
            release: helm.release().to_owned(),
            namespace: namespace.unwrap_or_default(),
            values: serde_json::Value::Object(values.unwrap_or_default()),
            kube_version: helm.props.kube_version.clone(),
            api_versions: helm.props.api_versions.clone(),
            twice: true,
        }))
    }

    fn render(
        renderer: &(dyn HelmRenderer + '_),
        requests: &[Self],
    ) -> Vec<Result<Rendered, HelmError>> {
        renderer.render(requests)
    }

    fn failed(&self, app: &str, error: HelmError) -> Failure {
        if error.is_unavailable() {
            return Failure::Unavailable(error.to_string());
        }
        // reported under the rule of expansion, where the release's objects would have been
        let findings = match error {
            HelmError::Schema { chart, violations } => violations
                .into_iter()
                .map(|violation| {
                    let at = if violation.path.is_empty() {
                        "the values".to_owned()
                    } else {
                        format!("`{}`", violation.path)
                    };
                    Finding::error(
                        app,
                        &self.path,
                        format!(
                            "{at} break values.schema.json of chart {chart}: {}",
                            violation.message
                        ),
                    )
                })
                .collect(),
            error => vec![Finding::error(app, &self.path, error.to_string())],
        };
        Failure::Reported(
            findings
                .into_iter()
                .map(|finding| finding.by_rule("expand"))
                .collect(),
        )
    }
}
