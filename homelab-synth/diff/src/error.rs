//! Why a tree could not be read for a diff.

/// A tree that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A folder or file could not be read.
    #[error("cannot read `{path}`")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid YAML as Kubernetes reads it.
    #[error("cannot read `{path}`: {message}")]
    Yaml { path: String, message: String },
    /// A document is not a Kubernetes object.
    #[error("`{path}` document {index}: {message}")]
    NotAnObject {
        path: String,
        index: usize,
        message: String,
    },
}
