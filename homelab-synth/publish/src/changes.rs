//! Which apps a publish adds, changes and removes: the top-level directories of the old and
//! new trees, compared by tree id.

use std::collections::BTreeMap;

use git2::Oid;

/// Apps (top-level directories) that differ between two trees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppChanges {
    /// Apps only in the new tree.
    pub added: Vec<String>,
    /// Apps in both trees with different content.
    pub changed: Vec<String>,
    /// Apps only in the old tree.
    pub removed: Vec<String>,
}

impl AppChanges {
    /// Compares app directory ids.
    pub(crate) fn between(old: &BTreeMap<String, Oid>, new: &BTreeMap<String, Oid>) -> Self {
        let mut changes = AppChanges::default();
        for (app, id) in new {
            match old.get(app) {
                None => changes.added.push(app.clone()),
                Some(old_id) if old_id != id => changes.changed.push(app.clone()),
                Some(_) => {}
            }
        }
        changes.removed = old
            .keys()
            .filter(|app| !new.contains_key(*app))
            .cloned()
            .collect();
        changes
    }

    /// Whether no app differs.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// Number of apps that differ.
    pub fn count(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }
}
