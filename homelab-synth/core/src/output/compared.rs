//! The new output tree compared with the one on disk while it is rendered, so that only what
//! changes is held. Each rendered file is hashed (the digest the up-to-date stamp records)
//! and compared with the file at its path a block at a time; the bytes of a file the tree on
//! disk already holds are dropped at once. A run with nothing changed holds no file, and one
//! that changes an app holds that app's files: the 21 MB of YAML the homelab writes were
//! most of a warm run's peak heap when every file was held until the comparison.
//!
//! A rendered CRD (its schemas kept as text, see [`crate::DeferredSchemas`]) identical to one
//! rendered earlier in the same comparison (a chart's CRDs on every cluster of the fleet) is
//! not emitted again when the file at its path already holds the YAML the first one made:
//! the homelab's staging cluster repeats 5 of the 21 MB of YAML the main one writes.
//!
//! Writing ([`ComparedTree::write`]) replaces the tree atomically as [`super::write_tree`]
//! does; the staging folder takes each unchanged file from the tree on disk (a hard link, or
//! a copy where links are refused) and checks it against the digest the comparison took, so
//! a file edited between the comparison and the write fails the write instead of reaching
//! the new tree.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::manifest::{AppManifest, Document, ManifestSet};
use crate::output::digest::{content_digest, file_digest};
use crate::output::parallel::{map_in_parallel, map_owned_in_parallel};
use crate::output::render::{RenderError, render_document};
use crate::output::tree::{
    OutputError, TreeChanges, WriteOutcome, checked_output_path, create_folders, existing_files,
    file_holds, io_error, replace_tree,
};

/// Why a tree could not be rendered and compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A document could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The tree on disk could not be read.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// One file of the new tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComparedFile {
    /// The digest of the content ([`content_digest`]).
    pub digest: [u8; 32],
    /// The content, when the tree on disk does not already hold it at this path.
    pub content: Option<Vec<u8>>,
}

/// A new output tree compared with the one on disk (see the module docs).
#[derive(Debug)]
pub struct ComparedTree {
    /// The output folder, absolute and checked.
    out: PathBuf,
    /// The files of the tree on disk when the comparison started.
    existing: BTreeSet<String>,
    /// Every file of the new tree, by path relative to the output folder.
    files: BTreeMap<String, ComparedFile>,
    /// The digest of the YAML of each CRD with deferred schemas rendered so far, by the
    /// digest of its document ([`crd_key`]).
    rendered_crds: Mutex<HashMap<[u8; 32], [u8; 32]>>,
}

impl ComparedTree {
    /// An empty new tree to be compared with the tree at `out`, which must lie inside
    /// `workspace` and look like synth output (see [`super::write_tree`]).
    pub fn new(out: &Path, workspace: &Path) -> Result<Self, OutputError> {
        let out = checked_output_path(out, workspace)?;
        let existing = existing_files(&out)?;
        Ok(ComparedTree {
            out,
            existing,
            files: BTreeMap::new(),
            rendered_crds: Mutex::new(HashMap::new()),
        })
    }

    /// The same tree, knowing the YAML digests of CRDs an earlier run of this same binary
    /// emitted ([`ComparedTree::crd_digests`] of that run): a CRD document with the same key
    /// whose file on disk has that digest is hashed there instead of emitted again (the
    /// schemas' parse and emission were most of a warm run's rendering). Only this binary's
    /// own digests may be given: another emitter could write other YAML for the same key.
    #[must_use]
    pub fn with_known_crds(self, known: HashMap<[u8; 32], [u8; 32]>) -> Self {
        self.rendered_crds().extend(known);
        self
    }

    /// The YAML digest of every CRD document rendered or known so far, by its key: what a
    /// later run of this binary can take with [`ComparedTree::with_known_crds`].
    pub fn crd_digests(&self) -> HashMap<[u8; 32], [u8; 32]> {
        self.rendered_crds().clone()
    }

    /// Renders every document of `set` into the tree, each file under `prefix` (`""`, or a
    /// cluster's `<cluster>/`), apps in parallel: each app's documents are freed once
    /// rendered, and its files' bytes once compared, unless they are new.
    pub fn render(&mut self, set: ManifestSet, prefix: &str) -> Result<(), CompareError> {
        let this = &*self;
        let per_app = map_owned_in_parallel(set.apps, |app| {
            app.documents
                .iter()
                .map(|document| this.render_document(&app, document, prefix))
                .collect::<Result<Vec<_>, CompareError>>()
        })?;
        self.files.extend(per_app.into_iter().flatten());
        Ok(())
    }

    /// `document` of `app` rendered and compared; a CRD identical to one rendered before is
    /// only hashed on disk when its file there may hold the same YAML (see the module docs).
    fn render_document(
        &self,
        app: &AppManifest,
        document: &Document,
        prefix: &str,
    ) -> Result<(String, ComparedFile), CompareError> {
        let path = format!("{prefix}{}/{}", app.name, document.file_name);
        let key = (!document.schemas.is_empty()).then(|| crd_key(document));
        if let Some(key) = &key {
            let known = self.rendered_crds().get(key).copied();
            if let Some(digest) = known
                && self.existing.contains(&path)
                && file_digest(&self.out.join(&path))? == digest
            {
                let file = ComparedFile {
                    digest,
                    content: None,
                };
                return Ok((path, file));
            }
        }
        let (_, content) = render_document(app, document)?;
        let file = compared(&self.out, &self.existing, &path, content)?;
        if let Some(key) = key {
            self.rendered_crds().insert(key, file.digest);
        }
        Ok((path, file))
    }

    fn rendered_crds(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], [u8; 32]>> {
        // a panic while holding the lock cannot leave the map half-updated
        self.rendered_crds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps the files of the tree on disk that `keep` selects and the new tree lacks, as
    /// they are (a write of some apps or clusters leaves the others alone); their digests are
    /// read from disk.
    pub fn keep_existing(&mut self, keep: impl Fn(&str) -> bool) -> Result<(), OutputError> {
        let kept: Vec<String> = self
            .existing
            .iter()
            .filter(|path| !self.files.contains_key(*path) && keep(path))
            .cloned()
            .collect();
        let out = &self.out;
        let digests = map_in_parallel(&kept, |path| file_digest(&out.join(path)))?;
        for (path, digest) in kept.into_iter().zip(digests) {
            self.files.insert(
                path,
                ComparedFile {
                    digest,
                    content: None,
                },
            );
        }
        Ok(())
    }

    /// Every file of the new tree with its digest, in path order.
    pub fn digests(&self) -> impl Iterator<Item = (&str, &[u8; 32])> {
        self.files
            .iter()
            .map(|(path, file)| (path.as_str(), &file.digest))
    }

    /// Every file of the new tree, in path order.
    pub fn files(&self) -> &BTreeMap<String, ComparedFile> {
        &self.files
    }

    /// What writing the tree would add, change and remove.
    pub fn changes(&self) -> TreeChanges {
        let mut changes = TreeChanges::default();
        for (path, file) in &self.files {
            match (&file.content, self.existing.contains(path)) {
                (None, _) => {}
                (Some(_), true) => changes.changed.push(path.clone()),
                (Some(_), false) => changes.added.push(path.clone()),
            }
        }
        changes.removed = self
            .existing
            .iter()
            .filter(|path| !self.files.contains_key(*path))
            .cloned()
            .collect();
        changes
    }

    /// Replaces the tree on disk with the new one, atomically; does nothing when it already
    /// is the new one.
    pub fn write(&self) -> Result<WriteOutcome, OutputError> {
        let changes = self.changes();
        if changes.is_empty() && self.out.is_dir() {
            return Ok(WriteOutcome::Unchanged);
        }
        replace_tree(&self.out, |staging| self.fill(staging))?;
        Ok(WriteOutcome::Replaced(changes))
    }

    /// Writes every file of the new tree below `staging`: the new and changed ones from
    /// their bytes, the others taken from the tree on disk and checked against their digest.
    fn fill(&self, staging: &Path) -> Result<(), OutputError> {
        create_folders(staging, self.files.keys())?;
        let entries: Vec<(&String, &ComparedFile)> = self.files.iter().collect();
        map_in_parallel(&entries, |(path, file)| {
            let target = staging.join(path);
            match &file.content {
                Some(content) => fs::write(&target, content).map_err(io_error("write", &target)),
                None => {
                    let source = self.out.join(path);
                    take_over(&source, &target)?;
                    if file_digest(&target)? == file.digest {
                        Ok(())
                    } else {
                        Err(OutputError::ChangedDuringWrite { path: source })
                    }
                }
            }
        })?;
        Ok(())
    }
}

/// `content` at `path` compared with the tree on disk: its digest, and the bytes unless the
/// file there holds them.
fn compared(
    out: &Path,
    existing: &BTreeSet<String>,
    path: &str,
    content: Vec<u8>,
) -> Result<ComparedFile, OutputError> {
    let digest = content_digest(&content);
    let held = existing.contains(path) && file_holds(out, path, &content)?;
    Ok(ComparedFile {
        digest,
        content: (!held).then_some(content),
    })
}

/// The digest of what a document with deferred schemas renders from: its body's text and
/// each schema's index and text (lengths first, so no two documents share one input).
fn crd_key(document: &Document) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(document.body_text().as_bytes());
    part(document.file_name.as_bytes());
    for (index, text) in document.schemas.texts() {
        part(&(index as u64).to_le_bytes());
        part(text.as_bytes());
    }
    *hasher.finalize().as_bytes()
}

/// Puts the file at `source` at `target`: a hard link, or a copy where the file system
/// refuses one.
fn take_over(source: &Path, target: &Path) -> Result<(), OutputError> {
    if fs::hard_link(source, target).is_ok() {
        return Ok(());
    }
    fs::copy(source, target)
        .map(drop)
        .map_err(io_error("copy", source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{AppManifest, Document};
    use crate::object::Origin;
    use crate::scope::Scope;
    use serde_json::json;

    fn config_map(name: &str, value: &str) -> Document {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "web"}, "data": {"key": value}});
        Document::new(
            format!("web/{name}"),
            Origin::Code,
            Scope::Namespaced,
            &body,
        )
        .with_file_name(format!("ConfigMap.{name}.yaml"))
    }

    fn set(documents: Vec<Document>) -> ManifestSet {
        ManifestSet {
            apps: vec![AppManifest {
                name: "web".into(),
                category: "test".into(),
                namespaces: vec!["web".into()],
                documents,
                external_namespaces: Default::default(),
            }],
            ..ManifestSet::default()
        }
    }

    fn workspace() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    /// `a` and `b` written, then compared with `a` changed.
    fn written_then_changed(workspace: &Path) -> ComparedTree {
        let both = vec![config_map("a", "1"), config_map("b", "1")];
        compared_with(workspace, both).write().unwrap();
        compared_with(workspace, vec![config_map("a", "2"), config_map("b", "1")])
    }

    /// The names in `folder`.
    fn entries(folder: &Path) -> Vec<std::ffi::OsString> {
        fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect()
    }

    fn compared_with(workspace: &Path, documents: Vec<Document>) -> ComparedTree {
        let mut tree = ComparedTree::new(&workspace.join("app"), workspace).unwrap();
        tree.render(set(documents), "").unwrap();
        tree
    }

    #[test]
    fn only_files_the_tree_on_disk_lacks_keep_their_bytes() {
        let workspace = workspace();
        let first = compared_with(
            workspace.path(),
            vec![config_map("a", "1"), config_map("b", "1")],
        );
        assert!(first.files().values().all(|file| file.content.is_some()));
        assert_eq!(first.changes().added.len(), 2);
        assert!(matches!(first.write().unwrap(), WriteOutcome::Replaced(_)));

        let same = compared_with(
            workspace.path(),
            vec![config_map("a", "1"), config_map("b", "1")],
        );
        assert!(same.files().values().all(|file| file.content.is_none()));
        assert_eq!(same.write().unwrap(), WriteOutcome::Unchanged);
        let digests: Vec<(String, [u8; 32])> = same
            .digests()
            .map(|(path, digest)| (path.to_owned(), *digest))
            .collect();
        assert_eq!(
            digests,
            crate::output::tree_file_digests(&workspace.path().join("app"), workspace.path())
                .unwrap(),
            "the digests are those of the files on disk"
        );

        let changed = compared_with(
            workspace.path(),
            vec![config_map("a", "2"), config_map("c", "1")],
        );
        let held: Vec<&str> = changed
            .files()
            .iter()
            .filter(|(_, file)| file.content.is_some())
            .map(|(path, _)| path.as_str())
            .collect();
        assert_eq!(held, ["web/ConfigMap.a.yaml", "web/ConfigMap.c.yaml"]);
        assert_eq!(
            changed.changes(),
            TreeChanges {
                added: vec!["web/ConfigMap.c.yaml".into()],
                changed: vec!["web/ConfigMap.a.yaml".into()],
                removed: vec!["web/ConfigMap.b.yaml".into()],
            }
        );
    }

    #[test]
    fn a_write_takes_unchanged_files_from_disk_and_writes_the_others() {
        let workspace = workspace();
        let out = workspace.path().join("app");
        let tree = written_then_changed(workspace.path());
        let before = fs::read(out.join("web/ConfigMap.b.yaml")).unwrap();
        tree.write().unwrap();
        let expected =
            crate::output::render(&set(vec![config_map("a", "2"), config_map("b", "1")])).unwrap();
        let written = crate::output::read_tree(&out, workspace.path()).unwrap();
        assert_eq!(written, expected, "exactly the new tree");
        assert_eq!(fs::read(out.join("web/ConfigMap.b.yaml")).unwrap(), before);
        assert_eq!(
            entries(workspace.path()),
            ["app"],
            "no staging folder is left"
        );
    }

    #[test]
    fn a_file_edited_between_comparison_and_write_fails_the_write_and_keeps_the_old_tree() {
        let workspace = workspace();
        let out = workspace.path().join("app");
        let tree = written_then_changed(workspace.path());
        fs::write(out.join("web/ConfigMap.b.yaml"), "edited: by hand\n").unwrap();
        let error = tree.write().unwrap_err();
        assert!(
            matches!(&error, OutputError::ChangedDuringWrite { path } if path.ends_with("web/ConfigMap.b.yaml")),
            "{error}"
        );
        assert_eq!(
            fs::read_to_string(out.join("web/ConfigMap.b.yaml")).unwrap(),
            "edited: by hand\n",
            "the old tree is left as it was"
        );
        assert!(
            fs::read_to_string(out.join("web/ConfigMap.a.yaml"))
                .unwrap()
                .contains("key: \"1\"")
        );
        assert_eq!(
            entries(workspace.path()),
            ["app"],
            "the staging folder is removed"
        );
    }

    #[test]
    fn files_outside_the_selection_are_kept_with_their_digests() {
        let workspace = workspace();
        let out = workspace.path().join("app");
        compared_with(workspace.path(), vec![config_map("a", "1")])
            .write()
            .unwrap();
        fs::create_dir_all(out.join("other")).unwrap();
        fs::write(out.join("other/ConfigMap.x.yaml"), "x: 1\n").unwrap();
        let mut tree = ComparedTree::new(&out, workspace.path()).unwrap();
        tree.render(set(vec![config_map("a", "2")]), "").unwrap();
        tree.keep_existing(|path| path.starts_with("other/"))
            .unwrap();
        assert_eq!(
            tree.files()["other/ConfigMap.x.yaml"].digest,
            content_digest(b"x: 1\n")
        );
        assert!(tree.changes().removed.is_empty());
        tree.write().unwrap();
        assert_eq!(
            fs::read_to_string(out.join("other/ConfigMap.x.yaml")).unwrap(),
            "x: 1\n"
        );
    }

    /// A CRD whose schema is kept as text, as a rendered one's is.
    fn rendered_crd(description: &str) -> Document {
        let mut body = json!({"apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"},
                "scope": "Namespaced", "versions": [{"name": "v1", "served": true,
                    "storage": true, "schema": {"openAPIV3Schema": {"type": "object",
                        "description": description}}}]}});
        let schemas = crate::DeferredSchemas::take(&mut body);
        assert!(!schemas.is_empty());
        Document::new("web/crd", Origin::Code, Scope::Cluster, &body)
            .with_schemas(schemas)
            .with_file_name("CustomResourceDefinition.widgets.example.com.yaml")
    }

    /// `documents` rendered on two clusters, `one/` and `two/`, compared with the tree.
    fn on_two_clusters(workspace: &Path, documents: &[Document]) -> ComparedTree {
        let mut tree = ComparedTree::new(&workspace.join("app"), workspace).unwrap();
        for cluster in ["one/", "two/"] {
            tree.render(set(documents.to_vec()), cluster).unwrap();
        }
        tree
    }

    #[test]
    fn a_crd_rendered_on_two_clusters_compares_right_whatever_the_disk_holds() {
        let workspace = workspace();
        let out = workspace.path().join("app");
        let documents = [rendered_crd("a widget"), config_map("a", "1")];
        let first = on_two_clusters(workspace.path(), &documents);
        assert!(first.files().values().all(|file| file.content.is_some()));
        first.write().unwrap();
        let expected = crate::output::render(&set(documents.to_vec())).unwrap();
        let crd = "web/CustomResourceDefinition.widgets.example.com.yaml";
        for cluster in ["one", "two"] {
            let written = fs::read(out.join(cluster).join(crd)).unwrap();
            assert_eq!(written, expected[crd], "{cluster}");
        }

        let same = on_two_clusters(workspace.path(), &documents);
        assert_eq!(same.changes(), TreeChanges::default());
        assert_eq!(
            same.files()[&format!("two/{crd}")].digest,
            same.files()[&format!("one/{crd}")].digest
        );

        // the second cluster's file edited: its bytes are rendered again
        fs::write(out.join("two").join(crd), "edited: by hand\n").unwrap();
        let repaired = on_two_clusters(workspace.path(), &documents);
        assert_eq!(repaired.changes().changed, [format!("two/{crd}")]);
        assert_eq!(
            repaired.files()[&format!("two/{crd}")].content.as_deref(),
            Some(expected[crd].as_slice())
        );

        // another schema is another CRD, never taken for the first
        let other = [rendered_crd("another widget"), config_map("a", "1")];
        let mut tree = ComparedTree::new(&out, workspace.path()).unwrap();
        tree.render(set(documents.to_vec()), "one/").unwrap();
        tree.render(set(other.to_vec()), "two/").unwrap();
        assert_eq!(tree.changes().changed, [format!("two/{crd}")]);
        let rendered = crate::output::render(&set(other.to_vec())).unwrap();
        assert_eq!(
            tree.files()[&format!("two/{crd}")].content.as_deref(),
            Some(rendered[crd].as_slice())
        );
    }

    #[test]
    fn a_crd_an_earlier_run_emitted_is_taken_from_disk_only_while_it_holds_that_yaml() {
        let workspace = workspace();
        let out = workspace.path().join("app");
        let crd = "web/CustomResourceDefinition.widgets.example.com.yaml";
        let documents = [rendered_crd("a widget")];
        let mut first = ComparedTree::new(&out, workspace.path()).unwrap();
        first.render(set(documents.to_vec()), "").unwrap();
        let known = first.crd_digests();
        assert_eq!(known.len(), 1);
        first.write().unwrap();

        let knowing = |known: HashMap<[u8; 32], [u8; 32]>| {
            let mut tree = ComparedTree::new(&out, workspace.path())
                .unwrap()
                .with_known_crds(known);
            tree.render(set(documents.to_vec()), "").unwrap();
            tree
        };

        // the disk holds what the known digest names: the file is hashed, not emitted
        let again = knowing(known.clone());
        assert_eq!(again.files()[crd].content, None);
        assert_eq!(again.changes(), TreeChanges::default());

        // a known digest the disk does not hold (the file edited since): emitted again
        let edited = b"edited: by hand\n";
        fs::write(out.join(crd), edited).unwrap();
        let repaired = knowing(known.clone());
        let expected = crate::output::render(&set(documents.to_vec())).unwrap();
        assert_eq!(
            repaired.files()[crd].content.as_deref(),
            Some(expected[crd].as_slice())
        );
        assert_eq!(repaired.crd_digests(), known);

        // a digest remembered for the key is what decides: one naming the edited file makes
        // that file the CRD's (why only a binary's own digests may be given)
        let key = *known.keys().next().unwrap();
        let trusted = HashMap::from([(key, content_digest(edited))]);
        assert_eq!(knowing(trusted).files()[crd].content, None);
    }

    #[test]
    fn the_output_folder_is_checked_before_anything_is_rendered() {
        let workspace = workspace();
        let outside = tempfile::tempdir().unwrap();
        let error = ComparedTree::new(outside.path(), workspace.path()).unwrap_err();
        assert!(
            matches!(error, OutputError::OutsideWorkspace { .. }),
            "{error}"
        );
    }
}
