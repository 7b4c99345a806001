//! Rendering: every document of a manifest set to YAML bytes at its relative path
//! `<app>/<file>`. Pure and deterministic; apps render in parallel.

use std::collections::BTreeMap;

use crate::deferred_schemas::DeferredSchemaError;
use crate::manifest::{AppManifest, Document, ManifestSet};
use crate::output::parallel::{map_in_parallel, map_owned_in_parallel};
use crate::yaml::{EmitError, to_yaml};

/// The rendered tree: relative path (`<app>/<file>`) to file content, in path order (one Helm
/// release's render is `helm_release::Rendered`).
pub type RenderedFiles = BTreeMap<String, Vec<u8>>;

/// A document that could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render `{path}` ({file})")]
pub struct RenderError {
    /// Construct path.
    pub path: String,
    /// Relative output file.
    pub file: String,
    /// Why.
    #[source]
    pub source: RenderFailure,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    /// The emitter refused the document.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A CRD's schemas kept as text could not be put back.
    #[error(transparent)]
    Schemas(#[from] DeferredSchemaError),
}

/// Renders every document of `set`, apps in parallel.
pub fn render(set: &ManifestSet) -> Result<RenderedFiles, RenderError> {
    let per_app = map_in_parallel(&set.apps, render_app)?;
    Ok(per_app.into_iter().flatten().collect())
}

/// [`render`], consuming `set`: each app's documents are freed as soon as the app is
/// rendered, so the documents and their YAML are never both held whole (the documents are
/// several times the size of their YAML).
pub fn render_owned(set: ManifestSet) -> Result<RenderedFiles, RenderError> {
    let per_app = map_owned_in_parallel(set.apps, |app| render_app(&app))?;
    Ok(per_app.into_iter().flatten().collect())
}

fn render_app(app: &AppManifest) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    app.documents
        .iter()
        .map(|document| render_document(app, document))
        .collect()
}

/// One document of `app` as its file: `(<app>/<file name>, YAML)`.
pub(super) fn render_document(
    app: &AppManifest,
    document: &Document,
) -> Result<(String, Vec<u8>), RenderError> {
    let file = format!("{}/{}", app.name, document.file_name);
    let text = document
        .whole_body()
        .map_err(RenderFailure::from)
        .and_then(|body| Ok(to_yaml(&body)?))
        .map_err(|source| RenderError {
            path: document.path.clone(),
            file: file.clone(),
            source,
        })?;
    // the whole tree is held until it is written: no file keeps the slack of its growth
    let mut bytes = text.into_bytes();
    bytes.shrink_to_fit();
    Ok((file, bytes))
}
