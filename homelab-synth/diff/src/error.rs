//! Why a tree could not be read for a diff.

/// A tree that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A folder or file could not be read.
    #[error("cannot read `{path}`")]
    Io {
        /// The folder or file that could not be read.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid YAML as Kubernetes reads it.
    #[error("cannot read `{path}`: {message}")]
    Yaml {
        /// The file, relative to the tree's root (`[<cluster>/]<app>/<file>`).
        path: String,
        /// What the YAML reader reported.
        message: String,
    },
    /// A document is not a Kubernetes object.
    #[error("`{path}` document {index}: {message}")]
    NotAnObject {
        /// The file, relative to the tree's root (`[<cluster>/]<app>/<file>`).
        path: String,
        /// The document's position in the file, from 0.
        index: usize,
        /// Why it is not one (`has no apiVersion or kind`).
        message: String,
    },
}
