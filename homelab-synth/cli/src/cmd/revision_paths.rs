//! Path dependencies of a revision checked out in `synth diff`'s worktree.
//!
//! The worktree lives below the target folder, not where the repository is, so a dependency
//! given by a relative path that leaves the repository (`synth init --library-path` writes
//! one to the library) would name a folder that does not exist from there, and the revision
//! would not build. Each such path is rewritten, in the worktree's manifests only, to the
//! absolute path it names from the repository; paths inside the repository, absolute paths
//! and everything else in the manifests stay as they are (formatting and comments too).
//! Paths are resolved lexically (`a/../b` is `b`), as they are written.

use std::path::{Path, PathBuf};

use anyhow::Context;
use homelab_synth_kustomize::localize::normalize as lexical;
use toml_edit::{DocumentMut, Item, Table, Value};

/// Rewrites, in every `Cargo.toml` of the worktree at `tree` (a checkout of the repository
/// at `repository`), the relative `path` values that leave the worktree to the absolute
/// paths they name from the repository. Returns how many were rewritten.
pub(crate) fn anchor_paths_outside(tree: &Path, repository: &Path) -> anyhow::Result<usize> {
    let tree = lexical(tree);
    let repository = lexical(repository);
    let mut rewritten = 0;
    for manifest in manifests(&tree)? {
        let folder = manifest
            .parent()
            .and_then(|parent| parent.strip_prefix(&tree).ok())
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?;
        let Ok(mut document) = text.parse::<DocumentMut>() else {
            // cargo reports a manifest it cannot read, naming it, when it builds
            continue;
        };
        let anchor = |path: &str| outside(&tree, &repository, &folder, path);
        let changed = anchor_table(document.as_table_mut(), &anchor);
        if changed > 0 {
            std::fs::write(&manifest, document.to_string())
                .with_context(|| format!("cannot write {}", manifest.display()))?;
            rewritten += changed;
        }
    }
    Ok(rewritten)
}

/// Every `Cargo.toml` below `tree`, but in hidden folders and target folders.
fn manifests(tree: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut folders = vec![tree.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
            let name = entry.file_name();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                let hidden = name.to_string_lossy().starts_with('.');
                if !hidden && name != "target" {
                    folders.push(entry.path());
                }
            } else if kind.is_file() && name == "Cargo.toml" {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The absolute path to write instead of `path`, written in the manifest in `folder` (relative
/// to the worktree's root), when it is relative and leaves the worktree.
fn outside(tree: &Path, repository: &Path, folder: &Path, path: &str) -> Option<String> {
    let written = Path::new(path);
    if written.is_absolute() || lexical(&tree.join(folder).join(written)).starts_with(tree) {
        return None;
    }
    let named = lexical(&repository.join(folder).join(written));
    Some(named.to_string_lossy().into_owned())
}

/// Rewrites the `path` values of `table` and of every table below it; returns how many.
fn anchor_table(table: &mut Table, anchor: &dyn Fn(&str) -> Option<String>) -> usize {
    let mut changed = 0;
    for (key, item) in table.iter_mut() {
        changed += match item {
            Item::Table(inner) => anchor_table(inner, anchor),
            Item::ArrayOfTables(tables) => tables
                .iter_mut()
                .map(|inner| anchor_table(inner, anchor))
                .sum(),
            Item::Value(value) => anchor_value(key.get(), value, anchor),
            Item::None => 0,
        };
    }
    changed
}

/// [`anchor_table`] for a value: a `path` string, or an inline table holding one.
fn anchor_value(key: &str, value: &mut Value, anchor: &dyn Fn(&str) -> Option<String>) -> usize {
    match value {
        Value::String(path) if key == "path" => {
            let Some(absolute) = anchor(path.value()) else {
                return 0;
            };
            let decor = path.decor().clone();
            let mut replaced = toml_edit::Formatted::new(absolute);
            *replaced.decor_mut() = decor;
            *path = replaced;
            1
        }
        Value::InlineTable(inline) => inline
            .iter_mut()
            .map(|(key, value)| anchor_value(key.get(), value, anchor))
            .sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cmd::write_test_file as write;

    #[test]
    fn only_relative_paths_leaving_the_worktree_are_anchored_to_the_repository() {
        let temp = tempfile::tempdir().unwrap();
        let repository = temp.path().join("labs/lab");
        let tree = temp.path().join("labs/lab/target/synth-diff/tree");
        let root = "# the workspace\n\
            [workspace.dependencies]\n\
            library = { path = \"../../library/core\" } # the library\n\
            local = { path = \"apps/web\" }\n\
            pinned = { path = \"/opt/pinned\" }\n\
            \n\
            [lib]\n\
            path = \"src/lib.rs\"\n\
            \n\
            [dependencies.cli]\n\
            path = \"../../library/cli\"\n";
        let member = "[package]\nname = \"web\"\n\n\
            [dependencies]\n\
            library = { path = \"../../../../library/core\", features = [\"x\"] }\n\
            sibling = { path = \"../other\" }\n";
        write(&tree, "Cargo.toml", root);
        write(&tree, "apps/web/Cargo.toml", member);
        // manifests in hidden and target folders are not the revision's
        write(
            &tree,
            "target/x/Cargo.toml",
            "[dependencies]\nx = { path = \"../../../../y\" }\n",
        );

        assert_eq!(anchor_paths_outside(&tree, &repository).unwrap(), 3);
        let library = temp.path().join("library");
        let expected_root = root
            .replace(
                "\"../../library/core\"",
                &format!("{:?}", library.join("core")),
            )
            .replace(
                "\"../../library/cli\"",
                &format!("{:?}", library.join("cli")),
            );
        assert_eq!(
            std::fs::read_to_string(tree.join("Cargo.toml")).unwrap(),
            expected_root
        );
        let expected_member = member.replace(
            "\"../../../../library/core\"",
            &format!("{:?}", library.join("core")),
        );
        assert_eq!(
            std::fs::read_to_string(tree.join("apps/web/Cargo.toml")).unwrap(),
            expected_member
        );
        assert!(
            std::fs::read_to_string(tree.join("target/x/Cargo.toml"))
                .unwrap()
                .contains("../../../../y")
        );
        // anchored paths name folders from the repository: a second pass changes nothing
        assert_eq!(anchor_paths_outside(&tree, &repository).unwrap(), 0);
    }
}
