//! Subcommands with options of their own, one module each.

pub(crate) mod bootstrap;
pub(crate) mod charts;
pub(crate) mod completions;
pub(crate) mod diff;
pub(crate) mod fleet;
pub(crate) mod fmt;
pub(crate) mod graph;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod new_app;
pub(crate) mod publish;
pub(crate) mod revision;
pub(crate) mod revision_builds;
pub(crate) mod revision_paths;
pub(crate) mod select;
pub(crate) mod stale;
pub(crate) mod up_to_date;
pub(crate) mod verdicts;
