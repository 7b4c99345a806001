//! Kustomizations at the seam: a kustomization is rendered once it names a folder; a failed
//! render is a finding naming its `kustomization.yaml`, after which the app's checks across
//! objects are left out.

use super::{Failure, Request};
use crate::app::App;
use crate::finding::Finding;
use crate::kustomization::construct::KustomizeNode;
use crate::kustomization::{KustomizeError, KustomizeRenderer, KustomizeRequest, Kustomized};

impl Request for KustomizeRequest {
    type Node = KustomizeNode;
    type Renderer<'r> = dyn KustomizeRenderer + 'r;
    type Output = Kustomized;
    type Error = KustomizeError;
    const RULE: &'static str = "kustomize";
    const NO_RENDERER: &'static str = "this kustomization must be rendered, but synthesis was \
                                       given no kustomize renderer (call `synthesize_with` with \
                                       `SynthInputs::with_kustomize`)";

    fn nodes(app: &App) -> &[KustomizeNode] {
        &app.kustomizations
    }

    fn path(app: &App, node: &KustomizeNode) -> String {
        app.kustomize_path(node)
    }

    fn request(
        _app: &App,
        node: &KustomizeNode,
        path: String,
    ) -> Result<Option<Self>, Vec<String>> {
        if node.props.path.trim().is_empty() {
            return Err(vec![
                "kustomization has no folder: set `KustomizeProps::path`".to_owned(),
            ]);
        }
        Ok(Some(KustomizeRequest {
            path,
            kustomization: node.props.path.clone(),
        }))
    }

    fn render(
        renderer: &(dyn KustomizeRenderer + '_),
        requests: &[Self],
    ) -> Vec<Result<Kustomized, KustomizeError>> {
        renderer.render(requests)
    }

    fn failed(&self, app: &str, error: KustomizeError) -> Failure {
        let file = format!("{}/kustomization.yaml", self.kustomization);
        if error.is_missing_input() {
            // the other causes name the file that holds the reference already
            return Failure::Unavailable(if matches!(error, KustomizeError::ToolMissing { .. }) {
                format!("{file}: {error}")
            } else {
                error.to_string()
            });
        }
        Failure::Unrendered(
            Finding::error(app, &self.path, error.to_string())
                .in_file(file)
                .by_rule("kustomize"),
        )
    }
}
