//! Reading a renderer's output: a YAML stream of documents separated by `---`, as `helm
//! template` and `kustomize build` print it. In Helm's, each template's documents are
//! preceded by `# Source: <chart>/<path>`; every document keeps the template it came from,
//! which tells CRDs of a `crds/` folder from templated objects.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;

use crate::deferred_schemas::{DeferredSchemaError, DeferredSchemas};
use crate::yaml::{ReadError, read_documents};

/// One non-empty document of a render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedDocument {
    /// The template path Helm printed (`reloader/templates/deployment.yaml`), or empty.
    pub source: String,
    /// The document, read with the shared Kubernetes YAML reader; a CRD's schemas are
    /// taken out into `schemas`.
    pub value: Value,
    /// A CRD's schemas as JSON text ([`DeferredSchemas::take`]); empty for other documents.
    pub schemas: DeferredSchemas,
}

impl RenderedDocument {
    /// Whether the document comes from the `crds/` folder of the chart or of a subchart
    /// (`chart/crds/x.yaml`, `chart/charts/sub/crds/x.yaml`).
    pub fn from_crds_folder(&self) -> bool {
        let mut parts = self.source.split('/').skip(1);
        loop {
            match parts.next() {
                Some("charts") => {
                    parts.next();
                }
                Some("crds") => return true,
                _ => return false,
            }
        }
    }

    /// The document whole: `value` with the CRD schemas put back (a copy when some were
    /// kept apart).
    pub fn whole(&self) -> Result<Cow<'_, Value>, DeferredSchemaError> {
        self.schemas.whole(&self.value)
    }

    /// [`RenderedDocument::whole`], consuming the document.
    pub fn into_whole(self) -> Result<Value, DeferredSchemaError> {
        self.schemas.into_whole(self.value)
    }

    /// `Kind/name`, for messages and for aiming patches.
    pub fn kind_name(&self) -> String {
        format!(
            "{}/{}",
            self.value["kind"].as_str().unwrap_or_default(),
            self.value["metadata"]["name"].as_str().unwrap_or_default()
        )
    }
}

/// `sha256:<hex>` of the source of [`split`] and of the YAML reader under it: what a renderer
/// that caches split documents keys them by, so that any change to how a render is read
/// (a reader fix, even a comment) makes those caches split the text again.
pub fn split_digest() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| {
        let digest = crate::sources_digest::sources_digest(&[
            include_str!("stream.rs"),
            include_str!("../deferred_schemas.rs"),
            include_str!("../yaml/read.rs"),
            include_str!("../yaml/parse.rs"),
            include_str!("../yaml/scan.rs"),
            include_str!("../yaml/coercion.rs"),
        ]);
        format!("sha256:{digest}")
    })
}

/// Splits `manifest` into its non-empty documents, in order.
pub fn split(manifest: &str) -> Result<Vec<RenderedDocument>, ReadError> {
    let mut documents = Vec::new();
    let mut source = String::new();
    let mut current = String::new();
    let mut flush = |text: &mut String, source: &str| -> Result<(), ReadError> {
        if text.trim().is_empty() {
            text.clear();
            return Ok(());
        }
        for mut value in read_documents(text)? {
            if !value.is_null() {
                let schemas = DeferredSchemas::take(&mut value);
                documents.push(RenderedDocument {
                    source: source.to_owned(),
                    value,
                    schemas,
                });
            }
        }
        text.clear();
        Ok(())
    };
    for line in manifest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") {
            flush(&mut current, &source)?;
            continue;
        }
        if let Some(path) = bare.strip_prefix("# Source: ")
            && current.trim().is_empty()
        {
            source = path.trim().to_owned();
            continue;
        }
        current.push_str(line);
    }
    flush(&mut current, &source)?;
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_template_and_crd_files_are_recognized() {
        let text = "---\n# Source: c/crds/a.yaml\n---\napiVersion: v1\nkind: A\n---\nkind: B\n\
                    ---\n# Source: c/templates/x.yaml\nkind: C\nmetadata: {name: x}\n---\n\
                    # Source: c/charts/sub/crds/d.yaml\nkind: D\n---\n# Source: c/templates/empty.yaml\n\
                    ---\n# Source: c/templates/crds/e.yaml\nkind: E\n";
        let documents = split(text).unwrap();
        let summary: Vec<(String, bool)> = documents
            .iter()
            .map(|d| {
                (
                    d.value["kind"].as_str().unwrap().to_owned(),
                    d.from_crds_folder(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("A".to_owned(), true),
                ("B".to_owned(), true),
                ("C".to_owned(), false),
                ("D".to_owned(), true),
                ("E".to_owned(), false),
            ]
        );
        assert_eq!(documents[2].source, "c/templates/x.yaml");
        assert_eq!(documents[2].kind_name(), "C/x");
    }
}
