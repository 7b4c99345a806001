//! Comparing the output of another generator (the tree a cluster runs today) with synth's,
//! object by object and field by field, for a migration.
//!
//! Objects are matched by identity in the cluster (group, kind, namespace, name), whichever
//! app folder holds them; a pair the ledger declares renamed is matched by its two names; an
//! object left unmatched is matched by group, kind and name alone when that is unique on both
//! sides (the old generator put a namespace on a cluster-scoped object, say), and the
//! namespace then differs like any other field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::fields::{FieldChange, field_changes};
use crate::tree::{ObjectId, Tree};

/// One difference between the old tree and the new.
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    /// A value of an object both trees hold (named as the new tree names it).
    Field {
        /// The object.
        object: ObjectId,
        /// What differs.
        change: FieldChange,
    },
    /// An object only the old tree holds.
    Removed {
        /// The object.
        object: ObjectId,
        /// The app folder holding it.
        app: String,
    },
    /// An object only the new tree holds.
    Added {
        /// The object.
        object: ObjectId,
        /// The app folder holding it.
        app: String,
    },
    /// An object held by another app folder.
    Moved {
        /// The object (as the new tree names it).
        object: ObjectId,
        /// The old app.
        from: String,
        /// The new app.
        to: String,
    },
    /// An object renamed as the ledger declares (its other differences are reported as
    /// [`Difference::Field`] of the new name).
    Renamed {
        /// The old identity.
        from: ObjectId,
        /// The new identity.
        to: ObjectId,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Field { object, change } => write!(f, "{object} {change}"),
            Difference::Removed { object, app } => write!(f, "- {object} (only in old {app}/)"),
            Difference::Added { object, app } => write!(f, "+ {object} (only in new {app}/)"),
            Difference::Moved { object, from, to } => {
                write!(f, "{object}: moved from {from}/ to {to}/")
            }
            Difference::Renamed { from, to } => write!(f, "{from}: renamed to {to}"),
        }
    }
}

/// Every difference between `old` and `new`; `renames` maps an old identity to its new one.
pub fn migration_differences(
    old: &Tree,
    new: &Tree,
    renames: &BTreeMap<ObjectId, ObjectId>,
) -> Vec<Difference> {
    let index = |tree: &Tree| -> BTreeMap<ObjectId, (String, Value)> {
        tree.values
            .iter()
            .map(|(key, value)| (key.id(), (key.app.clone(), value.clone())))
            .collect()
    };
    let old_objects = index(old);
    let new_objects = index(new);
    let mut pairs: Vec<(ObjectId, ObjectId, bool)> = Vec::new();
    let mut matched_new: BTreeSet<ObjectId> = BTreeSet::new();
    let mut unmatched_old = Vec::new();
    for id in old_objects.keys() {
        if let Some(to) = renames.get(id)
            && new_objects.contains_key(to)
            && !old_objects.contains_key(to)
        {
            matched_new.insert(to.clone());
            pairs.push((id.clone(), to.clone(), true));
        } else if new_objects.contains_key(id) {
            matched_new.insert(id.clone());
            pairs.push((id.clone(), id.clone(), false));
        } else {
            unmatched_old.push(id.clone());
        }
    }
    // group, kind and name alone, where unique among the objects still unmatched
    let loose = |id: &ObjectId| (id.group.clone(), id.kind.clone(), id.name.clone());
    let mut new_by_loose: BTreeMap<_, Vec<ObjectId>> = BTreeMap::new();
    for id in new_objects.keys().filter(|id| !matched_new.contains(*id)) {
        new_by_loose.entry(loose(id)).or_default().push(id.clone());
    }
    let mut old_by_loose: BTreeMap<_, usize> = BTreeMap::new();
    for id in &unmatched_old {
        *old_by_loose.entry(loose(id)).or_default() += 1;
    }
    let mut differences = Vec::new();
    for id in unmatched_old {
        match new_by_loose.get(&loose(&id)) {
            Some(candidates) if candidates.len() == 1 && old_by_loose[&loose(&id)] == 1 => {
                matched_new.insert(candidates[0].clone());
                pairs.push((id, candidates[0].clone(), false));
            }
            _ => differences.push(Difference::Removed {
                app: old_objects[&id].0.clone(),
                object: id,
            }),
        }
    }
    for (from, to, renamed) in pairs {
        let (old_app, old_value) = &old_objects[&from];
        let (new_app, new_value) = &new_objects[&to];
        if renamed {
            differences.push(Difference::Renamed {
                from: from.clone(),
                to: to.clone(),
            });
        }
        if old_app != new_app {
            differences.push(Difference::Moved {
                object: to.clone(),
                from: old_app.clone(),
                to: new_app.clone(),
            });
        }
        for change in field_changes(old_value, new_value) {
            // the rename itself is one difference
            if renamed && change.path == "/metadata/name" {
                continue;
            }
            differences.push(Difference::Field {
                object: to.clone(),
                change,
            });
        }
    }
    for (id, (app, _)) in &new_objects {
        if !matched_new.contains(id) {
            differences.push(Difference::Added {
                object: id.clone(),
                app: app.clone(),
            });
        }
    }
    differences
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let files: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), text.as_bytes().to_vec()))
            .collect();
        Tree::from_files(&files).unwrap()
    }

    #[test]
    fn matches_across_apps_namespaces_of_cluster_scoped_objects_and_declared_renames() {
        let old = tree(&[
            (
                "a/crd.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
                 metadata: {name: x.io, namespace: a}\n",
            ),
            (
                "a/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: a}\ndata: {k: v}\n",
            ),
            (
                "a/gone.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: t, namespace: a}\n",
            ),
        ]);
        let new = tree(&[
            (
                "crds/crd.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
                 metadata: {name: x.io}\n",
            ),
            (
                "a/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: a}\ndata: {k: w}\n",
            ),
        ]);
        let renames = BTreeMap::from([(
            "ConfigMap a/old".parse().unwrap(),
            "ConfigMap a/new".parse().unwrap(),
        )]);
        let lines: Vec<String> = migration_differences(&old, &new, &renames)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "- Pod a/t (only in old a/)",
                "ConfigMap a/old: renamed to ConfigMap a/new",
                "ConfigMap a/new ~ /data/k: \"v\" -> \"w\"",
                "CustomResourceDefinition.apiextensions.k8s.io x.io: moved from a/ to crds/",
                "CustomResourceDefinition.apiextensions.k8s.io x.io - /metadata/namespace: \"a\" -> (none)",
            ]
        );
    }
}
