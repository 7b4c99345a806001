//! A synthesized tree as a set of objects keyed by identity, loaded from a folder or from
//! rendered files in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use homelab_synth_core::yaml::{read_documents, to_yaml};
use serde_json::Value;

use crate::error::DiffError;

/// What identifies an object across two trees.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// App (top-level folder).
    pub app: String,
    /// Kind.
    pub kind: String,
    /// API group (`""` for core).
    pub group: String,
    /// Namespace (`""` for cluster-scoped objects).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// The object's identity in a cluster, without the app holding it.
    pub fn id(&self) -> ObjectId {
        ObjectId {
            group: self.group.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id().fmt(f)
    }
}

/// What identifies an object in a cluster: group, kind, namespace and name. Written
/// `Kind.group namespace/name` (`Kind name` for a cluster-scoped object of the core group),
/// and parsed back from that form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    /// API group (`""` for core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` for cluster-scoped objects).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Why a text is not an [`ObjectId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObjectIdError {
    /// The text is not of the form `Kind[.group] [namespace/]name`.
    #[error("`{0}` is not `Kind[.group] [namespace/]name`")]
    Malformed(String),
}

impl std::str::FromStr for ObjectId {
    type Err = ObjectIdError;

    fn from_str(text: &str) -> Result<ObjectId, ObjectIdError> {
        let malformed = || ObjectIdError::Malformed(text.to_owned());
        let (kind, place) = text.split_once(' ').ok_or_else(malformed)?;
        let (kind, group) = kind.split_once('.').unwrap_or((kind, ""));
        let (namespace, name) = place.split_once('/').unwrap_or(("", place));
        if kind.is_empty() || name.is_empty() || name.contains([' ', '/']) {
            return Err(malformed());
        }
        Ok(ObjectId {
            group: group.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        if self.namespace.is_empty() {
            write!(f, " {}", self.name)
        } else {
            write!(f, " {}/{}", self.namespace, self.name)
        }
    }
}

/// Every object of a tree with its canonical YAML and its value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    /// Object → canonical YAML.
    pub objects: BTreeMap<ObjectKey, String>,
    /// Object → the value Kubernetes reads.
    pub values: BTreeMap<ObjectKey, Value>,
}

impl Tree {
    /// Reads a folder laid out as synth writes it: one folder per app holding `.yaml` files,
    /// or one folder per cluster holding those (`<cluster>/<app>/`). Files at the top (such
    /// as `hydrator.metadata`) are not objects and are skipped; a missing folder is an empty
    /// tree.
    pub fn from_dir(root: &Path) -> Result<Tree, DiffError> {
        let mut files = BTreeMap::new();
        match std::fs::metadata(root) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Tree::default());
            }
            Err(error) => {
                return Err(DiffError::Io {
                    path: root.display().to_string(),
                    source: error,
                });
            }
            Ok(_) => {}
        }
        read_folder(root, "", &mut files)?;
        Tree::from_files(&files)
    }

    /// Reads rendered files (`<app>/<file>` or `<cluster>/<app>/<file>` → content), as
    /// synth renders them in memory; an object's app is the folder holding its file.
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<Tree, DiffError> {
        let mut tree = Tree::default();
        for (path, content) in files {
            let Some((app, _)) = path.rsplit_once('/') else {
                continue;
            };
            let text = String::from_utf8_lossy(content);
            let documents = read_documents(&text).map_err(|error| DiffError::Yaml {
                path: path.clone(),
                message: error.to_string(),
            })?;
            for (index, document) in documents.into_iter().enumerate() {
                let not_object = |message: &str| DiffError::NotAnObject {
                    path: path.clone(),
                    index,
                    message: message.to_owned(),
                };
                let text_of = |pointer: &str| {
                    document
                        .pointer(pointer)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let api_version = text_of("/apiVersion");
                let kind = text_of("/kind");
                if api_version.is_empty() || kind.is_empty() {
                    return Err(not_object("has no apiVersion or kind"));
                }
                let key = ObjectKey {
                    app: app.to_owned(),
                    group: api_version
                        .rsplit_once('/')
                        .map(|(group, _)| group.to_owned())
                        .unwrap_or_default(),
                    kind,
                    namespace: text_of("/metadata/namespace"),
                    name: text_of("/metadata/name"),
                };
                let yaml = to_yaml(&document).map_err(|error| not_object(&with_causes(&error)))?;
                tree.objects.insert(key.clone(), yaml);
                tree.values.insert(key, document);
            }
        }
        Ok(tree)
    }
}

/// Collects the YAML files below `folder` (hidden entries skipped) as `<relative path>` →
/// content; files directly in the root are not objects.
fn read_folder(
    folder: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), DiffError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| DiffError::Io { path, source }
    };
    for entry in std::fs::read_dir(folder).map_err(io(folder))? {
        let entry = entry.map_err(io(folder))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        if kind.is_dir() {
            read_folder(&entry.path(), &format!("{prefix}{name}/"), files)?;
        } else if !prefix.is_empty() && (name.ends_with(".yaml") || name.ends_with(".yml")) {
            let content = std::fs::read(entry.path()).map_err(io(&entry.path()))?;
            files.insert(format!("{prefix}{name}"), content);
        }
    }
    Ok(())
}

/// An error with its causes, `error: cause: cause`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
