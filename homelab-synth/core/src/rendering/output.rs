//! What a renderer hands back for one request: the YAML stream as the tool printed it, or the
//! same stream already split into documents (a warm cache keeps them split, as JSON, so that
//! neither the YAML nor the text itself has to be read again).

use super::stream::{RenderedDocument, split};
use crate::yaml::ReadError;

/// One render's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderOutput {
    /// The YAML stream as the tool printed it; synthesis splits it ([`split`]).
    Text(String),
    /// The stream already split by this binary's reader ([`split_digest`](super::split_digest)
    /// names it).
    Split(Vec<RenderedDocument>),
}

impl RenderOutput {
    /// The output of a fresh render: split now when it splits, else the text (whose error
    /// synthesis reports when it splits it again).
    pub fn of_text(manifest: String) -> Self {
        match split(&manifest) {
            Ok(documents) => RenderOutput::Split(documents),
            Err(_) => RenderOutput::Text(manifest),
        }
    }

    /// The documents, split now if they were not yet.
    pub fn into_documents(self) -> Result<Vec<RenderedDocument>, ReadError> {
        match self {
            RenderOutput::Split(documents) => Ok(documents),
            RenderOutput::Text(manifest) => split(&manifest),
        }
    }
}

impl Default for RenderOutput {
    /// An empty stream.
    fn default() -> Self {
        RenderOutput::Split(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_splits_when_asked_and_a_fresh_render_is_split_at_once() {
        let text = "# Source: c/templates/a.yaml\nkind: A\n---\nkind: B\n";
        let documents = RenderOutput::Text(text.into()).into_documents().unwrap();
        assert_eq!(documents.len(), 2);
        assert_eq!(documents[0].source, "c/templates/a.yaml");
        assert_eq!(
            RenderOutput::of_text(text.into()),
            RenderOutput::Split(documents)
        );
        let broken = "a: [\n";
        assert_eq!(
            RenderOutput::of_text(broken.into()),
            RenderOutput::Text(broken.into())
        );
        assert!(RenderOutput::Text(broken.into()).into_documents().is_err());
    }
}
