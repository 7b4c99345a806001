//! Comparing two trees: per app, the objects added, removed and changed, with a unified diff
//! of each changed object's YAML.

use std::collections::BTreeMap;

use similar::TextDiff;

use crate::tree::{ObjectKey, Tree};

/// One object that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Which object.
    pub key: ObjectKey,
    /// For an added or removed object its whole YAML; for a changed one a unified diff
    /// (three lines of context).
    pub text: String,
}

/// What differs in one app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppReport {
    /// Objects only in the new tree.
    pub added: Vec<Change>,
    /// Objects only in the old tree.
    pub removed: Vec<Change>,
    /// Objects in both trees with different content.
    pub changed: Vec<Change>,
}

impl AppReport {
    /// Number of objects that differ.
    pub fn count(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }
}

/// Every difference, by app (apps without differences are absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// App → its differences.
    pub apps: BTreeMap<String, AppReport>,
    /// Apps the old tree has and the new one does not: publishing the new tree deletes them
    /// (and, through Argo CD or Flux, every resource in them).
    pub deleted_apps: Vec<String>,
}

impl Report {
    /// Whether the trees hold the same objects.
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// Number of objects that differ.
    pub fn count(&self) -> usize {
        self.apps.values().map(AppReport::count).sum()
    }
}

/// Compares `old` with `new`.
pub fn compare(old: &Tree, new: &Tree) -> Report {
    let mut apps: BTreeMap<String, AppReport> = BTreeMap::new();
    for (key, yaml) in &new.objects {
        match old.objects.get(key) {
            None => apps.entry(key.app.clone()).or_default().added.push(Change {
                key: key.clone(),
                text: yaml.clone(),
            }),
            Some(before) if before != yaml => {
                let label = key.to_string();
                let diff = TextDiff::from_lines(before.as_str(), yaml.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{label}"), &format!("b/{label}"))
                    .to_string();
                apps.entry(key.app.clone())
                    .or_default()
                    .changed
                    .push(Change {
                        key: key.clone(),
                        text: diff,
                    });
            }
            Some(_) => {}
        }
    }
    for (key, yaml) in &old.objects {
        if !new.objects.contains_key(key) {
            apps.entry(key.app.clone())
                .or_default()
                .removed
                .push(Change {
                    key: key.clone(),
                    text: yaml.clone(),
                });
        }
    }
    let deleted_apps = apps
        .iter()
        .filter(|(app, changes)| {
            changes.added.is_empty()
                && changes.changed.is_empty()
                && !new.objects.keys().any(|key| key.app == **app)
        })
        .map(|(app, _)| app.clone())
        .collect();
    Report { apps, deleted_apps }
}
