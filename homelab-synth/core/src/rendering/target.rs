//! What an app aims at one object a construct renders: a JSON patch or a check's allowance,
//! by kind and name (`Chart::patch_rendered`, `Chart::allow_rendered`), whichever renderer
//! makes the object.

/// A JSON patch or an allowance aimed at one rendered object.
#[derive(Clone, Debug)]
pub(crate) struct RenderedTarget<T> {
    /// The object's kind.
    pub(crate) kind: String,
    /// The object's `metadata.name`.
    pub(crate) name: String,
    /// The patch, or the allowance with its reason.
    pub(crate) what: T,
}
