//! Semantic diff of two synthesized trees, for review. Objects are matched by app, group,
//! kind, namespace and name, not by file, so a renamed file is no change and a moved object
//! is reported once. Each changed object gets a unified diff of its canonical YAML (the
//! synth emitter's output), so formatting noise never shows up. Reports render for a
//! terminal (optionally colored) or as Markdown for pull requests.
//!
//! For a migration from another generator, [`migration_differences`] compares object by
//! object and field by field, across app folders, and a [`Ledger`] of intended differences
//! sorts them into accepted (by class) and not accepted.

mod compare;
mod error;
mod fields;
mod json;
mod ledger;
mod markdown;
mod migration;
mod terminal;
mod tree;

pub use compare::{AppReport, Change, Report, compare};
pub use error::DiffError;
pub use fields::{FieldChange, FieldChangeKind, field_changes, path_within};
pub use json::json;
pub use ledger::{Acceptance, Class, Ledger, LedgerError, accept, draft};
pub use markdown::{COMMENT_LIMIT, SUMMARY_LIMIT, markdown, markdown_noting};
pub use migration::{Difference, migration_differences};
pub use terminal::terminal;
pub use tree::{ObjectId, ObjectIdError, ObjectKey, Tree};
