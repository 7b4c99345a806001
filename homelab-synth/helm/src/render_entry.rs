//! One cached render on disk, the same for Helm's `renders/<key>.json` and kustomize's, in
//! two [sealed](crate::cache::seal) files, each with the sha256 of its content (a reader
//! verifies it, so a file edited or damaged after it was written is a cache miss, never an
//! input):
//!
//! - `<key>.json`, the documents file: the manifest already split into documents (a CRD's
//!   schemas as the text they were split into, see `DeferredSchemas`), Helm's second render
//!   when it differed, and the sha256 of the manifest;
//! - `<key>.yaml`, the manifest as the tool printed it.
//!
//! The split documents are what a warm synthesis reads (JSON, several times faster than
//! reading the YAML again); they are used only while the reader that split them is the one
//! running ([`split_digest`]). When they are, the manifest file is not even read: it is there
//! for a reader whose split documents are not usable, which splits it again. Keeping it apart
//! halves what a warm run reads, hashes and holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homelab_synth_core::DeferredSchemas;
use homelab_synth_core::rendering::{RenderOutput, RenderedDocument, split, split_digest};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::cache::{Cache, CacheError, digest, seal, unseal};

/// A cache entry read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderEntry {
    /// The render: its documents when this binary's reader split them, else the manifest's
    /// text.
    pub output: RenderOutput,
    /// Helm's second render, stored only when it differed from the first.
    pub second: Option<String>,
}

/// Why a cache entry was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Not an entry, or its manifest file is missing.
    Unreadable,
    /// A file's content does not match the digest stored with it, or the manifest file is
    /// not the documents file's.
    DigestMismatch,
}

/// The bytes of an entry's two files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryFiles {
    /// `<key>.json`.
    pub documents: Vec<u8>,
    /// `<key>.yaml`.
    pub manifest: Vec<u8>,
}

impl RenderEntry {
    /// The files of an entry for a fresh render: `manifest` as the tool printed it, the
    /// `second` render when it differed, and `manifest` split (by [`split`]) when it splits.
    pub fn to_files(manifest: &str, second: Option<&str>, output: &RenderOutput) -> EntryFiles {
        EntryFiles {
            documents: documents_file(&digest(manifest.as_bytes()), second, output),
            manifest: seal(manifest.as_bytes()),
        }
    }

    /// The entry in a documents file, if its content matches its digest; `manifest` reads
    /// the manifest file, which is read only when the documents were split by another reader
    /// (the output is then the manifest's text, see [`RenderEntry::resplit`]) or not at all.
    pub fn from_files(
        documents: &[u8],
        manifest: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Result<RenderEntry, Unusable> {
        let body = unsealed(documents)?;
        // the fields stay raw JSON text, borrowed from `body`, until one is needed
        let fields: BTreeMap<&str, &RawValue> =
            serde_json::from_slice(body).map_err(|_| Unusable::Unreadable)?;
        let text = |field: &RawValue| serde_json::from_str::<String>(field.get()).ok();
        // `manifest_sha256` names the manifest file; an entry written before the manifest had
        // a file of its own holds its text in `manifest`
        let manifest_source = match (fields.get("manifest_sha256"), fields.get("manifest")) {
            (Some(digest), _) => ManifestSource::File(text(digest).ok_or(Unusable::Unreadable)?),
            (None, Some(inline)) => ManifestSource::Inline(inline),
            (None, None) => return Err(Unusable::Unreadable),
        };
        let second = match fields.get("second") {
            None => None,
            Some(second) => Some(text(second).ok_or(Unusable::Unreadable)?),
        };
        let split_here = fields
            .get("split")
            .and_then(|by| text(by))
            .is_some_and(|by| by == split_digest());
        let documents = fields
            .get("documents")
            .filter(|_| split_here)
            .and_then(|documents| {
                serde_json::from_str::<Vec<(String, Value, DeferredSchemas)>>(documents.get()).ok()
            });
        let output = match documents {
            Some(documents) => RenderOutput::Split(
                documents
                    .into_iter()
                    .map(|(source, value, schemas)| RenderedDocument {
                        source,
                        value,
                        schemas,
                    })
                    .collect(),
            ),
            None => RenderOutput::Text(match manifest_source {
                ManifestSource::Inline(inline) => text(inline).ok_or(Unusable::Unreadable)?,
                ManifestSource::File(expected) => {
                    let sealed = manifest().ok_or(Unusable::Unreadable)?;
                    let manifest = unsealed(&sealed)?;
                    if digest(manifest) != expected {
                        return Err(Unusable::DigestMismatch);
                    }
                    String::from_utf8(manifest.to_vec()).map_err(|_| Unusable::Unreadable)?
                }
            }),
        };
        Ok(RenderEntry { output, second })
    }

    /// The entry whose documents file is `path`: `None` when there is none.
    pub fn read(path: &Path) -> Option<Result<RenderEntry, Unusable>> {
        let documents = std::fs::read(path).ok()?;
        Some(RenderEntry::from_files(&documents, || {
            std::fs::read(manifest_path(path)).ok()
        }))
    }

    /// Writes the entry of a fresh render (see [`RenderEntry::to_files`]) with its documents
    /// file at `path` ([`EntryFiles::write`]).
    pub fn write(
        cache: &Cache,
        path: &Path,
        manifest: &str,
        second: Option<&str>,
        output: &RenderOutput,
    ) -> Result<(), CacheError> {
        RenderEntry::to_files(manifest, second, output).write(cache, path)
    }

    /// Splits a manifest read back as text (its documents were split by another reader's
    /// build) with this reader, so that the next run reads documents: the entry's output
    /// becomes the documents, and the files to write back are returned (the manifest's
    /// too: an older entry held it inline). `None`, and the entry unchanged, when the output
    /// is split already or the manifest does not split.
    pub fn resplit(&mut self) -> Option<EntryFiles> {
        let RenderOutput::Text(manifest) = &self.output else {
            return None;
        };
        let documents = RenderOutput::Split(split(manifest).ok()?);
        let files = RenderEntry::to_files(manifest, self.second.as_deref(), &documents);
        self.output = documents;
        Some(files)
    }
}

impl EntryFiles {
    /// Writes both files, the documents file at `path`: the manifest file first, so a
    /// documents file always has its manifest.
    pub fn write(&self, cache: &Cache, path: &Path) -> Result<(), CacheError> {
        cache.write(&manifest_path(path), &self.manifest)?;
        cache.write(path, &self.documents)
    }
}

/// Where a documents file says the manifest is.
enum ManifestSource<'a> {
    /// In the manifest file, whose content has this digest.
    File(String),
    /// In the documents file (as entries were written before the manifest had a file).
    Inline(&'a RawValue),
}

/// The manifest file beside the documents file at `path`.
pub fn manifest_path(path: &Path) -> PathBuf {
    path.with_extension("yaml")
}

/// What a sealed file holds, or why it is not usable.
fn unsealed(bytes: &[u8]) -> Result<&[u8], Unusable> {
    unseal(bytes).ok_or(if bytes.starts_with(b"sha256:") {
        Unusable::DigestMismatch
    } else {
        Unusable::Unreadable
    })
}

/// The documents file: the manifest's digest, the `second` render, and the documents when
/// `output` is split.
fn documents_file(manifest_digest: &str, second: Option<&str>, output: &RenderOutput) -> Vec<u8> {
    let mut entry: BTreeMap<&str, Box<RawValue>> = BTreeMap::new();
    entry.insert("manifest_sha256", raw(manifest_digest));
    if let Some(second) = second {
        entry.insert("second", raw(second));
    }
    if let RenderOutput::Split(documents) = output {
        entry.insert("split", raw(split_digest()));
        // a CRD's schemas stay the text they were split into (written verbatim)
        let documents: Vec<(&str, &Value, &DeferredSchemas)> = documents
            .iter()
            .map(|document| (document.source.as_str(), &document.value, &document.schemas))
            .collect();
        entry.insert("documents", raw(&documents));
    }
    seal(
        serde_json::to_string(&entry)
            .expect("the entry serializes")
            .as_bytes(),
    )
}

/// `value` as JSON text, to be written verbatim into an entry.
fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("an entry's parts serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fresh(manifest: &str, second: Option<&str>) -> EntryFiles {
        RenderEntry::to_files(
            manifest,
            second,
            &RenderOutput::of_text(manifest.to_owned()),
        )
    }

    /// Reads `files` back, counting the reads of the manifest file.
    fn read(files: &EntryFiles, manifest_reads: &mut usize) -> Result<RenderEntry, Unusable> {
        RenderEntry::from_files(&files.documents, || {
            *manifest_reads += 1;
            Some(files.manifest.clone())
        })
    }

    #[test]
    fn an_entry_reads_back_without_its_manifest_and_an_edit_is_caught() {
        let files = fresh("kind: Pod\nimage: a:1\n", Some("kind: Pod\nimage: a:2\n"));
        let mut manifest_reads = 0;
        assert_eq!(
            read(&files, &mut manifest_reads),
            Ok(RenderEntry {
                output: RenderOutput::Split(vec![RenderedDocument {
                    source: String::new(),
                    value: json!({"kind": "Pod", "image": "a:1"}),
                    schemas: DeferredSchemas::default(),
                }]),
                second: Some("kind: Pod\nimage: a:2\n".into()),
            })
        );
        assert_eq!(manifest_reads, 0, "split here: the manifest is not read");
        let edited = String::from_utf8(files.documents.clone())
            .unwrap()
            .replace("a:1", "evil:1");
        assert_eq!(
            RenderEntry::from_files(edited.as_bytes(), || None),
            Err(Unusable::DigestMismatch)
        );
        assert_eq!(
            RenderEntry::from_files(b"{\"manifest\": \"x\"}", || None),
            Err(Unusable::Unreadable)
        );
        assert_eq!(
            RenderEntry::from_files(b"{", || None),
            Err(Unusable::Unreadable)
        );
        let no_manifest = seal(b"{\"second\": null}");
        assert_eq!(
            RenderEntry::from_files(&no_manifest, || None),
            Err(Unusable::Unreadable)
        );
    }

    /// `files` as another reader's build would have split them.
    fn split_elsewhere(files: &EntryFiles) -> EntryFiles {
        let text = String::from_utf8(files.documents.clone()).unwrap();
        let body = text.split_once('\n').unwrap().1;
        EntryFiles {
            documents: seal(
                body.replace(split_digest(), "sha256:another-reader")
                    .as_bytes(),
            ),
            manifest: files.manifest.clone(),
        }
    }

    #[test]
    fn documents_split_by_another_reader_are_split_again_from_the_manifest_file() {
        let files = split_elsewhere(&fresh("kind: Pod\n", None));
        let mut manifest_reads = 0;
        let mut entry = read(&files, &mut manifest_reads).unwrap();
        assert_eq!(manifest_reads, 1);
        assert_eq!(entry.output, RenderOutput::Text("kind: Pod\n".into()));
        assert_eq!(entry.second, None);
        let again = entry.resplit().expect("the manifest splits here");
        let split_here = RenderOutput::Split(split("kind: Pod\n").unwrap());
        assert_eq!(entry.output, split_here);
        assert_eq!(again.manifest, files.manifest);
        assert_eq!(
            read(&again, &mut manifest_reads).map(|entry| entry.output),
            Ok(split_here)
        );
        assert_eq!(manifest_reads, 1, "split again: the manifest is not read");
    }

    #[test]
    fn a_manifest_file_that_is_missing_damaged_or_another_s_is_not_used() {
        let files = split_elsewhere(&fresh("kind: Pod\n", None));
        assert_eq!(
            RenderEntry::from_files(&files.documents, || None),
            Err(Unusable::Unreadable)
        );
        let damaged = String::from_utf8(files.manifest.clone())
            .unwrap()
            .replace("Pod", "Job");
        assert_eq!(
            RenderEntry::from_files(&files.documents, || Some(damaged.into_bytes())),
            Err(Unusable::DigestMismatch)
        );
        let other = fresh("kind: Job\n", None).manifest;
        assert_eq!(
            RenderEntry::from_files(&files.documents, || Some(other)),
            Err(Unusable::DigestMismatch)
        );
    }

    #[test]
    fn an_entry_with_its_manifest_inline_is_split_again_from_it() {
        let older = seal(
            json!({"manifest": "kind: Pod\n", "split": "sha256:an-older-reader"})
                .to_string()
                .as_bytes(),
        );
        let mut entry = RenderEntry::from_files(&older, || None).unwrap();
        assert_eq!(entry.output, RenderOutput::Text("kind: Pod\n".into()));
        let files = entry.resplit().unwrap();
        assert_eq!(
            files.manifest,
            fresh("kind: Pod\n", None).manifest,
            "now a file"
        );
        let mut manifest_reads = 0;
        assert_eq!(
            read(&files, &mut manifest_reads).map(|entry| entry.output),
            Ok(RenderOutput::Split(split("kind: Pod\n").unwrap()))
        );
        assert_eq!(manifest_reads, 0);
    }

    #[test]
    fn a_manifest_that_does_not_split_is_kept_as_text() {
        let mut entry = read(&fresh("a: [\n", None), &mut 0).unwrap();
        assert_eq!(entry.output, RenderOutput::Text("a: [\n".into()));
        assert_eq!(entry.resplit(), None);
        assert_eq!(entry.output, RenderOutput::Text("a: [\n".into()));
    }

    #[test]
    fn an_entry_is_written_as_two_files_and_read_from_them() {
        let folder = tempfile::tempdir().unwrap();
        let cache = Cache::new(folder.path());
        let path = folder.path().join("renders/key.json");
        assert_eq!(RenderEntry::read(&path), None);
        let output = RenderOutput::of_text("kind: Pod\n".into());
        RenderEntry::write(&cache, &path, "kind: Pod\n", None, &output).unwrap();
        assert!(manifest_path(&path).is_file());
        assert_eq!(
            RenderEntry::read(&path),
            Some(Ok(RenderEntry {
                output,
                second: None
            }))
        );
    }

    #[test]
    fn a_crd_s_schemas_are_stored_as_their_text_and_read_back_as_it() {
        let manifest = "# Source: c/crds/w.yaml\napiVersion: apiextensions.k8s.io/v1\n\
                        kind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n\
                        spec:\n  group: example.com\n  names: {kind: W}\n  versions:\n  \
                        - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n\
                        \x20       description: \"a \\\"w\\\"\"\n        default: null\n";
        let split_here = split(manifest).unwrap();
        assert_eq!(
            split_here[0].schemas.text(0),
            Some(r#"{"type":"object","description":"a \"w\""}"#),
            "taken out, without its nulls"
        );
        let files = RenderEntry::to_files(manifest, None, &RenderOutput::Split(split_here.clone()));
        let entry = read(&files, &mut 0).unwrap();
        assert_eq!(entry.output, RenderOutput::Split(split_here));
        let RenderOutput::Split(documents) = entry.output else {
            unreachable!()
        };
        assert_eq!(
            documents[0].value["spec"]["versions"][0]["schema"],
            json!({}),
            "the schema stays apart"
        );
    }
}
