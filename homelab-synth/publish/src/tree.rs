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

/// The app directories of a tree with their tree ids: a directory holding files is an app
/// (`grafana`); one holding only directories is a cluster folder, searched below
/// (`staging/grafana`). Files at the top (`hydrator.metadata`) belong to no app.
pub(crate) fn app_trees(
    repo: &Repository,
    tree: Oid,
) -> Result<BTreeMap<String, Oid>, git2::Error> {
    let mut apps = BTreeMap::new();
    collect_apps(repo, tree, "", &mut apps)?;
    Ok(apps)
}

fn collect_apps(
    repo: &Repository,
    tree: Oid,
    prefix: &str,
    apps: &mut BTreeMap<String, Oid>,
) -> Result<(), git2::Error> {
    let tree = repo.find_tree(tree)?;
    for entry in tree.iter() {
        if entry.kind() != Some(git2::ObjectType::Tree) {
            continue;
        }
        let Ok(name) = entry.name() else { continue };
        let path = format!("{prefix}{name}");
        let folder = repo.find_tree(entry.id())?;
        let holds_files = folder
            .iter()
            .any(|child| child.kind() == Some(git2::ObjectType::Blob));
        if holds_files {
            apps.insert(path, entry.id());
        } else {
            collect_apps(repo, entry.id(), &format!("{path}/"), apps)?;
        }
    }
    Ok(())
}
