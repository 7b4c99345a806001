//! What every renderer's output shares once it is back from the edge, whichever tool made it
//! (`helm template`, `kustomize build`): the document stream and how it is split
//! ([`stream`]), what a renderer hands back ([`output`]: the text, or its documents already
//! split), the patches and allowances an app aims at rendered objects (`target`), and the loop that turns a render's documents into objects of the app (`objects`), which a renderer's
//! construct drives through its `RenderedSource`. The constructs themselves
//! ([`helm_release`](crate::helm_release), [`kustomization`](crate::kustomization)) sit
//! above this module; how synthesis hands their requests to the renderers is
//! `synth::render`'s.

pub(crate) mod objects;
pub mod output;
pub mod stream;
pub(crate) mod target;

pub use output::RenderOutput;
pub use stream::{RenderedDocument, split, split_digest};
pub(crate) use target::RenderedTarget;
