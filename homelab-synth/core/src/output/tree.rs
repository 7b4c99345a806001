//! The output tree on disk, replaced atomically.
//!
//! A new tree is written complete into a staging folder beside the output folder and then
//! swapped in with one `renameat2(RENAME_EXCHANGE)` (a plain `rename` when there is no old
//! tree), so a crash or a `kill -9` at any moment leaves either the previous complete tree or
//! the new complete one, never a mix. Stale files of removed objects and apps disappear with
//! the old tree. Staging folders left by a killed run are removed by the next run.
//!
//! The guarantee covers the process being killed or crashing. Files are not fsync'd, so after
//! a power loss the file system may hold a tree whose newest files are empty; output is cheap
//! to regenerate and `synth --check` finds such a tree. One synth at a time per output folder.
//!
//! Safety: the output folder must lie inside the workspace, must not be (or pass through) a
//! symbolic link, and when it exists it must look like synth output (only app folders holding
//! `.yaml` files), so a mistyped `--out` can never replace unrelated files.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::output::digest::file_digest;
use crate::output::parallel::map_in_parallel;
use crate::output::render::RenderedFiles;

/// Why the output could not be compared or written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output folder is not strictly inside the workspace.
    #[error("output folder `{out}` must be inside the workspace `{workspace}`")]
    OutsideWorkspace {
        /// The output folder as given (`--out`), before it is made absolute.
        out: PathBuf,
        /// The workspace root, canonicalized.
        workspace: PathBuf,
    },
    /// The output folder, or a file in it, is a symbolic link.
    #[error("`{path}` is a symbolic link; synth does not write through symbolic links")]
    Symlink {
        /// The symbolic link: the absolute output path up to the link, or an entry of the
        /// existing output folder.
        path: PathBuf,
    },
    /// The existing folder holds something synth did not write.
    #[error(
        "refusing to replace `{out}`: `{entry}` is not synth output (expected only app folders of .yaml files, optionally inside cluster folders)"
    )]
    NotOutput {
        /// The output folder as given.
        out: PathBuf,
        /// The foreign entry, relative to the output folder (`<app>/notes.txt`, say).
        entry: String,
    },
    /// The output folder lies inside another synth output tree, which writing it would
    /// corrupt.
    #[error(
        "refusing to write `{out}`: it is inside the synth output tree `{tree}` (use `{tree}` itself, or a folder outside it)"
    )]
    InsideOutput {
        /// The output folder as given.
        out: PathBuf,
        /// The enclosing synth output tree, with links in the path resolved.
        tree: PathBuf,
    },
    /// A file of the tree on disk changed while synth was writing the new tree, which takes
    /// the unchanged files from it.
    #[error(
        "`{path}` changed while synth was writing the new tree; nothing was replaced: run synth again"
    )]
    ChangedDuringWrite {
        /// The file.
        path: PathBuf,
    },
    /// A file system operation failed (the cause is the error's source).
    #[error("cannot {action} `{path}`")]
    Io {
        /// What was being done, phrased to follow "cannot": `read`, `create`, `move aside`...
        action: &'static str,
        /// The file or folder it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

pub(super) fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        action,
        path,
        source,
    }
}

/// Files a write would add, change and remove (relative paths `<app>/<file>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeChanges {
    /// New files.
    pub added: Vec<String>,
    /// Files whose content changes.
    pub changed: Vec<String>,
    /// Files that disappear.
    pub removed: Vec<String>,
}

impl TreeChanges {
    /// Whether the tree on disk already equals the new one.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

enum FileState {
    Added,
    Changed,
    Same,
}

/// What [`write_tree`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The tree on disk already was the new tree; nothing was written.
    Unchanged,
    /// The new tree replaced the old one.
    Replaced(TreeChanges),
}

/// Compares `files` with the tree at `out` (absent counts as empty).
pub fn compare_tree(
    files: &RenderedFiles,
    out: &Path,
    workspace: &Path,
) -> Result<TreeChanges, OutputError> {
    let out = checked_output_path(out, workspace)?;
    let existing = existing_files(&out)?;
    let entries: Vec<(&String, &Vec<u8>)> = files.iter().collect();
    let states = map_in_parallel(&entries, |(path, content)| {
        if !existing.contains(*path) {
            return Ok(FileState::Added);
        }
        Ok(if file_holds(&out, path, content)? {
            FileState::Same
        } else {
            FileState::Changed
        })
    })?;
    let mut changes = TreeChanges::default();
    for ((path, _), state) in entries.into_iter().zip(states) {
        match state {
            FileState::Added => changes.added.push(path.clone()),
            FileState::Changed => changes.changed.push(path.clone()),
            FileState::Same => {}
        }
    }
    changes.removed = existing
        .into_iter()
        .filter(|path| !files.contains_key(path))
        .collect();
    Ok(changes)
}

/// Whether the existing file `path` of the tree at `out` holds exactly `content` (a
/// different size needs no read to know it does not).
pub(super) fn file_holds(out: &Path, path: &str, content: &[u8]) -> Result<bool, OutputError> {
    let file = out.join(path);
    let size = fs::metadata(&file)
        .map_err(io_error("inspect", &file))?
        .len();
    Ok(size == content.len() as u64 && holds(&file, content).map_err(io_error("read", &file))?)
}

/// Whether the file at `path` holds exactly `content`, read a block at a time: comparing a
/// tree reads as much as it writes, and holding each file whole for the comparison made the
/// process touch that much fresh memory again.
fn holds(path: &Path, content: &[u8]) -> io::Result<bool> {
    use std::io::Read as _;
    let mut file = fs::File::open(path)?;
    let mut block = vec![0u8; 64 * 1024];
    let mut rest = content;
    loop {
        let read = match file.read(&mut block) {
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if read == 0 {
            return Ok(rest.is_empty());
        }
        match rest.strip_prefix(&block[..read]) {
            Some(after) => rest = after,
            None => return Ok(false),
        }
    }
}

/// The files of the existing tree at `out` (empty when it does not exist), for writes that
/// replace only some apps.
pub fn read_tree(out: &Path, workspace: &Path) -> Result<RenderedFiles, OutputError> {
    let out = checked_output_path(out, workspace)?;
    existing_files(&out)?
        .into_iter()
        .map(|path| {
            let file = out.join(&path);
            let content = fs::read(&file).map_err(io_error("read", &file))?;
            Ok((path, content))
        })
        .collect()
}

/// The files of the synth output tree at `out` (inside `workspace`), each with the digest of
/// its content ([`content_digest`](crate::output::content_digest)), in path order: what [`read_tree`] reads, without holding any file whole
/// (files are read and hashed in parallel).
pub fn tree_file_digests(
    out: &Path,
    workspace: &Path,
) -> Result<Vec<(String, [u8; 32])>, OutputError> {
    let out = checked_output_path(out, workspace)?;
    let paths: Vec<String> = existing_files(&out)?.into_iter().collect();
    map_in_parallel(&paths, |path| {
        Ok((path.clone(), file_digest(&out.join(path))?))
    })
}

/// Replaces the tree at `out` with exactly `files`, atomically; does nothing when the tree
/// already matches.
pub fn write_tree(
    files: &RenderedFiles,
    out: &Path,
    workspace: &Path,
) -> Result<WriteOutcome, OutputError> {
    let changes = compare_tree(files, out, workspace)?;
    if changes.is_empty() && out.is_dir() {
        return Ok(WriteOutcome::Unchanged);
    }
    let out = checked_output_path(out, workspace)?;
    replace_tree(&out, |staging| write_files(staging, files))?;
    Ok(WriteOutcome::Replaced(changes))
}

/// Replaces the tree at `out` (checked) with what `fill` writes into an empty staging folder
/// beside it, atomically (see the module docs). When `fill` fails, the staging folder is
/// removed and the old tree is left as it was.
pub(super) fn replace_tree(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let parent = out.parent().unwrap_or(Path::new("/"));
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    fs::create_dir_all(parent).map_err(io_error("create", parent))?;
    remove_stale_staging(parent, &name)?;
    let staging = parent.join(format!("{}{}", staging_prefix(&name), std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error("remove", &staging))?;
    }
    fs::create_dir(&staging).map_err(io_error("create", &staging))?;
    if let Err(error) = fill(&staging) {
        // best effort: a folder left behind is removed by the next run
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    if out.exists() {
        exchange(&staging, out)?;
        remove_tree(&staging)?;
    } else {
        fs::rename(&staging, out).map_err(io_error("move the new tree to", out))?;
    }
    Ok(())
}

/// Creates the folders of `paths` (relative files) below `root`.
pub(super) fn create_folders<'a>(
    root: &Path,
    paths: impl IntoIterator<Item = &'a String>,
) -> Result<(), OutputError> {
    let folders: BTreeSet<&str> = paths
        .into_iter()
        .filter_map(|path| path.rsplit_once('/').map(|(folder, _)| folder))
        .collect();
    for folder in folders {
        let dir = root.join(folder);
        fs::create_dir_all(&dir).map_err(io_error("create", &dir))?;
    }
    Ok(())
}

/// Writes `files` below `root`: folders first, then the files from one thread per core.
fn write_files(root: &Path, files: &RenderedFiles) -> Result<(), OutputError> {
    create_folders(root, files.keys())?;
    let entries: Vec<(&String, &Vec<u8>)> = files.iter().collect();
    map_in_parallel(&entries, |(path, content)| {
        let target = root.join(path);
        fs::write(&target, content).map_err(io_error("write", &target))
    })?;
    Ok(())
}

/// Removes a whole tree, its top-level folders in parallel.
fn remove_tree(root: &Path) -> Result<(), OutputError> {
    let folders: Vec<PathBuf> = fs::read_dir(root)
        .map_err(io_error("list", root))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error("list", root))?;
    map_in_parallel(&folders, |folder| {
        fs::remove_dir_all(folder).map_err(io_error("remove the old tree at", folder))
    })?;
    fs::remove_dir(root).map_err(io_error("remove the old tree at", root))
}

fn staging_prefix(name: &str) -> String {
    format!(".synth-staging-{name}-")
}

/// Removes staging folders of runs that are no longer alive (killed mid-write).
fn remove_stale_staging(parent: &Path, name: &str) -> Result<(), OutputError> {
    let prefix = staging_prefix(name);
    let entries = fs::read_dir(parent).map_err(io_error("list", parent))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let alive = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists()
        });
        if !alive {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(io_error("remove stale staging folder", &path))?;
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(new: &Path, out: &Path) -> Result<(), OutputError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE)
        .map_err(|errno| io_error("swap the new tree into", out)(io::Error::from(errno)))
}

#[cfg(not(target_os = "linux"))]
fn exchange(new: &Path, out: &Path) -> Result<(), OutputError> {
    // Without an atomic exchange the old tree is moved aside first; a crash between the two
    // renames leaves the previous tree complete at the staging path.
    let aside = new.with_extension("old");
    fs::rename(out, &aside).map_err(io_error("move aside", out))?;
    fs::rename(new, out).map_err(io_error("move the new tree to", out))?;
    fs::rename(&aside, new).map_err(io_error("move", &aside))
}

/// `out` made absolute and checked: strictly inside the canonical workspace, no symbolic
/// link on the way, and the folder itself not a symbolic link.
pub(super) fn checked_output_path(out: &Path, workspace: &Path) -> Result<PathBuf, OutputError> {
    let workspace = workspace
        .canonicalize()
        .map_err(io_error("resolve the workspace", workspace))?;
    let absolute = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(io_error("read the current folder", out))?
            .join(out)
    };
    let outside = || OutputError::OutsideWorkspace {
        out: out.to_path_buf(),
        workspace: workspace.clone(),
    };
    let name = match absolute.file_name() {
        Some(name) if !absolute.ends_with("..") => name.to_owned(),
        _ => return Err(outside()),
    };
    let parent = absolute.parent().ok_or_else(outside)?;
    // checked before anything is created: the nearest folder that exists must be inside
    // the workspace (the missing ones are created only when the tree is written)
    let existing = parent
        .ancestors()
        .find(|folder| folder.exists())
        .ok_or_else(outside)?;
    let resolved = existing
        .canonicalize()
        .map_err(io_error("resolve", existing))?;
    if !resolved.starts_with(&workspace) {
        return Err(outside());
    }
    let parent = resolved.join(parent.strip_prefix(existing).unwrap_or(Path::new("")));
    // nested in an output tree (`--out app/main`), a new tree would corrupt that one
    for folder in parent.ancestors().take_while(|folder| *folder != workspace) {
        if folder.is_dir() && is_output_tree(folder) {
            return Err(OutputError::InsideOutput {
                out: out.to_path_buf(),
                tree: folder.to_path_buf(),
            });
        }
    }
    // canonicalize resolved links in the parent; refuse if the given path had any
    let mut walked = PathBuf::new();
    for component in absolute.components() {
        walked.push(component);
        if fs::symlink_metadata(&walked).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(OutputError::Symlink { path: walked });
        }
    }
    Ok(parent.join(name))
}

/// Whether `folder` holds a synth output tree (at least one file, laid out as synth writes).
fn is_output_tree(folder: &Path) -> bool {
    let mut files = BTreeSet::new();
    scan_output(folder, folder, "", &mut files).is_ok() && !files.is_empty()
}

/// Relative paths of the files in an existing output tree; refuses anything synth would not
/// have written.
pub(super) fn existing_files(out: &Path) -> Result<BTreeSet<String>, OutputError> {
    let mut files = BTreeSet::new();
    match fs::symlink_metadata(out) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(error) => return Err(io_error("inspect", out)(error)),
        Ok(_) => {}
    }
    scan_output(out, out, "", &mut files)?;
    Ok(files)
}

/// Collects the files of a synth output tree: `.yaml` files in app folders, which sit at the
/// top (`<app>/`) or one level down in cluster folders (`<cluster>/<app>/`). Anything else
/// (a file at the top, a deeper folder, a symbolic link, another extension) means the
/// folder is not synth output and must not be replaced.
fn scan_output(
    out: &Path,
    folder: &Path,
    prefix: &str,
    files: &mut BTreeSet<String>,
) -> Result<(), OutputError> {
    let depth = prefix.matches('/').count();
    for entry in fs::read_dir(folder).map_err(io_error("list", folder))? {
        let entry = entry.map_err(io_error("list", folder))?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry
            .file_type()
            .map_err(io_error("inspect", &entry.path()))?;
        if kind.is_symlink() {
            return Err(OutputError::Symlink { path: entry.path() });
        }
        let foreign = || OutputError::NotOutput {
            out: out.to_path_buf(),
            entry: name.clone(),
        };
        if kind.is_dir() {
            if depth >= 2 {
                return Err(foreign());
            }
            scan_output(out, &entry.path(), &format!("{name}/"), files)?;
        } else if kind.is_file() && depth >= 1 && name.ends_with(".yaml") {
            files.insert(name);
        } else {
            return Err(foreign());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str)]) -> RenderedFiles {
        entries
            .iter()
            .map(|(path, content)| (path.to_string(), content.as_bytes().to_vec()))
            .collect()
    }

    fn read_tree(out: &Path) -> Vec<(String, String)> {
        existing_files(out)
            .unwrap()
            .into_iter()
            .map(|path| {
                let content = fs::read_to_string(out.join(&path)).unwrap();
                (path, content)
            })
            .collect()
    }

    #[test]
    fn a_file_holds_exactly_its_content_over_several_blocks() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("f");
        // three blocks and a bit, so every comparison crosses block boundaries
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&file, &content).unwrap();
        assert!(holds(&file, &content).unwrap());
        let mut last_differs = content.clone();
        *last_differs.last_mut().unwrap() ^= 1;
        assert!(!holds(&file, &last_differs).unwrap());
        assert!(
            !holds(&file, &content[..content.len() - 1]).unwrap(),
            "file longer"
        );
        let mut longer = content.clone();
        longer.push(0);
        assert!(!holds(&file, &longer).unwrap(), "file shorter");
        fs::write(&file, b"").unwrap();
        assert!(holds(&file, b"").unwrap());
        assert!(holds(&folder.path().join("missing"), b"").is_err());
    }

    #[test]
    fn writes_replaces_and_removes_stale_files() {
        let workspace = tempfile::tempdir().unwrap();
        let out = workspace.path().join("app");
        let first = tree(&[("a/X.one.yaml", "1\n"), ("b/X.two.yaml", "2\n")]);
        let outcome = write_tree(&first, &out, workspace.path()).unwrap();
        assert!(matches!(outcome, WriteOutcome::Replaced(ref c) if c.added.len() == 2));
        assert_eq!(
            write_tree(&first, &out, workspace.path()).unwrap(),
            WriteOutcome::Unchanged
        );

        let second = tree(&[("a/X.one.yaml", "1 changed\n"), ("c/X.three.yaml", "3\n")]);
        let WriteOutcome::Replaced(changes) = write_tree(&second, &out, workspace.path()).unwrap()
        else {
            panic!("expected a write");
        };
        assert_eq!(changes.added, ["c/X.three.yaml"]);
        assert_eq!(changes.changed, ["a/X.one.yaml"]);
        assert_eq!(changes.removed, ["b/X.two.yaml"]);
        assert_eq!(
            read_tree(&out),
            [
                ("a/X.one.yaml".to_owned(), "1 changed\n".to_owned()),
                ("c/X.three.yaml".to_owned(), "3\n".to_owned())
            ]
        );
        assert!(
            !out.join("b").exists(),
            "an app that disappeared leaves no folder"
        );
        let leftovers: Vec<_> = fs::read_dir(workspace.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["app"], "no staging folder is left behind");
    }

    #[test]
    fn file_digests_name_every_file_of_the_tree_in_path_order() {
        let workspace = tempfile::tempdir().unwrap();
        let out = workspace.path().join("app");
        // more files than threads, so the order of the answer is not the order of the work
        let files: RenderedFiles = (0..40)
            .map(|n| (format!("app{n:02}/X.x.yaml"), format!("{n}\n").into_bytes()))
            .collect();
        write_tree(&files, &out, workspace.path()).unwrap();
        let expected: Vec<(String, [u8; 32])> = files
            .iter()
            .map(|(path, content)| (path.clone(), crate::output::content_digest(content)))
            .collect();
        assert_eq!(tree_file_digests(&out, workspace.path()).unwrap(), expected);
        // what is not synth output is refused, as by `read_tree`
        fs::write(out.join("stray.txt"), "x").unwrap();
        assert!(tree_file_digests(&out, workspace.path()).is_err());
    }

    #[test]
    fn refuses_a_folder_inside_another_output_tree_and_creates_nothing_it_refuses() {
        let workspace = tempfile::tempdir().unwrap();
        let app = workspace.path().join("app");
        let files = tree(&[("main/a/X.one.yaml", "1\n")]);
        write_tree(&files, &app, workspace.path()).unwrap();
        let nested = tree(&[("a/X.one.yaml", "1\n")]);
        let error = write_tree(&nested, &app.join("main"), workspace.path()).unwrap_err();
        assert!(
            matches!(&error, OutputError::InsideOutput { tree, .. } if tree.ends_with("app")),
            "{error}"
        );
        assert_eq!(
            read_tree(&app),
            [("main/a/X.one.yaml".to_owned(), "1\n".to_owned())]
        );

        // refused, or only compared: no folder appears on the way
        let elsewhere = tempfile::tempdir().unwrap();
        let deep = elsewhere.path().join("a/b/c/app");
        assert!(write_tree(&nested, &deep, workspace.path()).is_err());
        assert!(!elsewhere.path().join("a").exists());
        let inside = workspace.path().join("x/y/app");
        let changes = compare_tree(&nested, &inside, workspace.path()).unwrap();
        assert_eq!(changes.added, ["a/X.one.yaml"]);
        assert!(
            !workspace.path().join("x").exists(),
            "compare creates nothing"
        );
        write_tree(&nested, &inside, workspace.path()).unwrap();
        assert!(inside.join("a/X.one.yaml").is_file());
    }

    #[test]
    fn refuses_paths_outside_the_workspace_and_symlinks() {
        let workspace = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let files = tree(&[("a/X.one.yaml", "1\n")]);
        let error =
            write_tree(&files, &elsewhere.path().join("app"), workspace.path()).unwrap_err();
        assert!(
            matches!(error, OutputError::OutsideWorkspace { .. }),
            "{error}"
        );
        let error = write_tree(
            &files,
            &workspace.path().join("../escape"),
            workspace.path(),
        )
        .unwrap_err();
        assert!(
            matches!(error, OutputError::OutsideWorkspace { .. }),
            "{error}"
        );

        std::os::unix::fs::symlink(elsewhere.path(), workspace.path().join("app")).unwrap();
        let error =
            write_tree(&files, &workspace.path().join("app"), workspace.path()).unwrap_err();
        assert!(
            matches!(
                error,
                OutputError::Symlink { .. } | OutputError::OutsideWorkspace { .. }
            ),
            "{error}"
        );
        assert_eq!(
            fs::read_dir(elsewhere.path()).unwrap().count(),
            0,
            "nothing written through the link"
        );

        std::os::unix::fs::symlink(elsewhere.path(), workspace.path().join("linkdir")).unwrap();
        let error = write_tree(
            &files,
            &workspace.path().join("linkdir/app"),
            workspace.path(),
        )
        .unwrap_err();
        assert!(
            matches!(error, OutputError::OutsideWorkspace { .. }),
            "{error}"
        );
    }

    #[test]
    fn refuses_to_replace_a_folder_that_is_not_synth_output() {
        let workspace = tempfile::tempdir().unwrap();
        let out = workspace.path().join("src");
        fs::create_dir_all(out.join("lib")).unwrap();
        fs::write(out.join("lib/main.rs"), "fn main() {}").unwrap();
        let error = write_tree(&tree(&[("a/X.yaml", "1\n")]), &out, workspace.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "refusing to replace `{}`: `lib/main.rs` is not synth output (expected only app \
                 folders of .yaml files, optionally inside cluster folders)",
                out.canonicalize().unwrap().display()
            )
        );
        assert!(out.join("lib/main.rs").exists());

        // cluster folders of app folders are output; a level deeper is not
        let tree_out = workspace.path().join("app");
        let clusters = tree(&[("main/web/X.yaml", "1\n"), ("staging/web/X.yaml", "2\n")]);
        write_tree(&clusters, &tree_out, workspace.path()).expect("cluster layout");
        write_tree(&tree(&[("web/X.yaml", "3\n")]), &tree_out, workspace.path())
            .expect("replaced by a single-cluster layout");
        fs::create_dir_all(tree_out.join("a/b/c")).unwrap();
        fs::write(tree_out.join("a/b/c/X.yaml"), "x").unwrap();
        let error = write_tree(&clusters, &tree_out, workspace.path()).unwrap_err();
        assert!(
            error.to_string().contains("`a/b/c` is not synth output"),
            "{error}"
        );
    }

    #[test]
    fn stale_staging_folders_of_dead_runs_are_removed() {
        let workspace = tempfile::tempdir().unwrap();
        let stale = workspace.path().join(".synth-staging-app-999999999");
        fs::create_dir_all(stale.join("a")).unwrap();
        fs::write(stale.join("a/partial.yaml"), "half").unwrap();
        write_tree(
            &tree(&[("a/X.yaml", "1\n")]),
            &workspace.path().join("app"),
            workspace.path(),
        )
        .unwrap();
        assert!(!stale.exists());
    }
}
