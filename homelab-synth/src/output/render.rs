//! Rendering: every document of a manifest set to YAML bytes at its relative path
//! `<app>/<file>`. Pure and deterministic; apps render in parallel.

use std::collections::BTreeMap;

use crate::manifest::ManifestSet;
use crate::yaml::{EmitError, to_yaml};

/// Relative path (`<app>/<file>`) to file content, in path order.
pub type Rendered = BTreeMap<String, Vec<u8>>;

/// A document that could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render `{path}` ({file}): {source}")]
pub struct RenderError {
    /// Construct path.
    pub path: String,
    /// Relative output file.
    pub file: String,
    /// The emitter's error.
    #[source]
    pub source: EmitError,
}

/// Renders every document of `set`.
pub fn render(set: &ManifestSet) -> Result<Rendered, RenderError> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = set.apps.len().div_ceil(workers.max(1)).max(1);
    type Part = Result<Vec<(String, Vec<u8>)>, RenderError>;
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let handles: Vec<_> = set
            .apps
            .chunks(chunk)
            .map(|apps| {
                scope.spawn(move || {
                    let mut files = Vec::new();
                    for app in apps {
                        for document in &app.documents {
                            let file = format!("{}/{}", app.name, document.file_name);
                            let text = to_yaml(&document.body).map_err(|source| RenderError {
                                path: document.path.clone(),
                                file: file.clone(),
                                source,
                            })?;
                            files.push((file, text.into_bytes()));
                        }
                    }
                    Ok(files)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("render worker panicked"))
            .collect()
    });
    let mut rendered = Rendered::new();
    for part in parts {
        rendered.extend(part?);
    }
    Ok(rendered)
}
