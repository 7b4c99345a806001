//! Subcommands with options of their own, one module each.

pub(crate) mod publish;
