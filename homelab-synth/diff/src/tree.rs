//! A synthesized tree as a set of objects keyed by identity, loaded from a folder or from
//! rendered files in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use homelab_synth::yaml::{read_documents, to_yaml};
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

impl fmt::Display for ObjectKey {
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

/// Every object of a tree with its canonical YAML.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    /// Object → canonical YAML.
    pub objects: BTreeMap<ObjectKey, String>,
}

impl Tree {
    /// Reads a folder laid out as synth writes it: one folder per app holding `.yaml` files.
    /// Files at the top (such as `hydrator.metadata`) are not objects and are skipped; a
    /// missing folder is an empty tree.
    pub fn from_dir(root: &Path) -> Result<Tree, DiffError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| DiffError::Io { path, source }
        };
        let mut files = BTreeMap::new();
        let apps = match std::fs::read_dir(root) {
            Ok(apps) => apps,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Tree::default());
            }
            Err(error) => return Err(io(root)(error)),
        };
        for app in apps {
            let app = app.map_err(io(root))?;
            if !app.file_type().map_err(io(&app.path()))?.is_dir() {
                continue;
            }
            let app_name = app.file_name().to_string_lossy().into_owned();
            if app_name.starts_with('.') {
                continue;
            }
            for file in std::fs::read_dir(app.path()).map_err(io(&app.path()))? {
                let file = file.map_err(io(&app.path()))?;
                let name = file.file_name().to_string_lossy().into_owned();
                if name.ends_with(".yaml") || name.ends_with(".yml") {
                    let content = std::fs::read(file.path()).map_err(io(&file.path()))?;
                    files.insert(format!("{app_name}/{name}"), content);
                }
            }
        }
        Tree::from_files(&files)
    }

    /// Reads rendered files (`<app>/<file>` → content), as synth renders them in memory.
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<Tree, DiffError> {
        let mut objects = BTreeMap::new();
        for (path, content) in files {
            let Some((app, _)) = path.split_once('/') else {
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
                let yaml = to_yaml(&document).map_err(|error| not_object(&error.to_string()))?;
                objects.insert(key, yaml);
            }
        }
        Ok(Tree { objects })
    }
}
