//! Output: rendering a [`ManifestSet`](crate::ManifestSet) to files and putting them on disk
//! all at once. [`render`] is pure; [`write_tree`] swaps a complete new tree in place of the
//! old one; [`compare_tree`] tells what a write would change; [`read_tree`] reads the
//! current tree, so a write of some apps keeps the others. [`ComparedTree`] renders and
//! compares at once, holding only the files that change, and writes them the same way.

mod compared;
mod digest;
pub(crate) mod file_name;
pub(crate) mod parallel;
mod render;
mod tree;

pub use compared::{CompareError, ComparedFile, ComparedTree};
pub use digest::content_digest;
pub use render::{RenderError, RenderFailure, RenderedFiles, render, render_owned};
pub use tree::{
    OutputError, TreeChanges, WriteOutcome, compare_tree, read_tree, tree_file_digests, write_tree,
};
