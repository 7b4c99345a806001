//! Subcommands with options of their own, one module each.

pub(crate) mod bootstrap;
pub(crate) mod cache_file;
pub(crate) mod charts;
pub(crate) mod completions;
pub(crate) mod crd_memo;
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

/// Writes `text` to `relative` below `root`, creating its folders: the file trees the tests
/// of these modules build.
#[cfg(test)]
pub(crate) fn write_test_file(root: &std::path::Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file below the root")).unwrap();
    std::fs::write(path, text).unwrap();
}
