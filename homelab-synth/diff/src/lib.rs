//! Semantic diff of two synthesized trees, for review. Objects are matched by app, group,
//! kind, namespace and name, not by file, so a renamed file is no change and a moved object
//! is reported once. Each changed object gets a unified diff of its canonical YAML (the
//! synth emitter's output), so formatting noise never shows up. Reports render for a
//! terminal (optionally colored) or as Markdown for pull requests.

mod compare;
mod error;
mod markdown;
mod terminal;
mod tree;

pub use compare::{AppReport, Change, Report, compare};
pub use error::DiffError;
pub use markdown::{COMMENT_LIMIT, markdown};
pub use terminal::terminal;
pub use tree::{ObjectKey, Tree};
