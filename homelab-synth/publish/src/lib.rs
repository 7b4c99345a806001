//! Publishing: commits a synthesized tree to a manifests branch and pushes it, safely.
//!
//! The commit is built with git2 in a scratch bare repository, without a work tree: blobs
//! and trees are written straight from the rendered files. Its tree is exactly the output
//! folder (one directory per app) plus `hydrator.metadata` (the Argo CD Source Hydrator
//! convention). A publish never goes backwards (the branch keeps the newest source commit's
//! output), never deletes whole apps unless told to, pushes with a lease on the tip it read
//! and fetches and retries a bounded number of times when another publisher wins the race.
//! Fetch and push go through the real `git` transport, for URLs and local paths alike (a
//! path's hooks run in `git-receive-pack`), each git process with a deadline.

mod branch;
mod changes;
mod error;
mod git_process;
mod metadata;
mod publish;
mod push_answer;
mod redact;
mod remote;
mod scratch;
mod server_output;
mod source;
mod tree;

pub use branch::check_branch;
pub use changes::AppChanges;
pub use error::PublishError;
pub use metadata::{SOURCE_COMMIT_TRAILER, hydrator_metadata, source_commit_of};
pub use publish::{AllowDelete, Identity, PublishOutcome, PublishRequest, publish};
pub use redact::sanitize_url;
pub use remote::Credentials;
pub use scratch::SCRATCH_PREFIX;
pub use server_output::{KEPT_LINES, ServerOutput};
pub use source::{ALLOW_DELETE_TRAILER, SourceCommit, read_source};
