//! Git trees written straight from files, without a work tree: each file becomes a blob and
//! an in-memory index becomes the tree.

use std::collections::BTreeMap;

use git2::{IndexEntry, IndexTime, Oid, Repository};

/// Writes `files` (relative path → content) as a tree in `repo`; returns the tree id.
pub(crate) fn write_tree(
    repo: &Repository,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Oid, git2::Error> {
    let mut index = git2::Index::new()?;
    for (path, content) in files {
        let id = repo.blob(content)?;
        index.add(&IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(content.len()).unwrap_or(u32::MAX),
            id,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        })?;
    }
    index.write_tree_to(repo)
}

/// Top-level directories of a tree (the apps) with their tree ids.
pub(crate) fn app_trees(
    repo: &Repository,
    tree: Oid,
) -> Result<BTreeMap<String, Oid>, git2::Error> {
    let tree = repo.find_tree(tree)?;
    Ok(tree
        .iter()
        .filter(|entry| entry.kind() == Some(git2::ObjectType::Tree))
        .filter_map(|entry| entry.name().ok().map(|name| (name.to_owned(), entry.id())))
        .collect())
}
