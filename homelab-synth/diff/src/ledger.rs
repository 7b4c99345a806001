//! The migration ledger: every difference between the old generator's tree and synth's,
//! object by object and field by field, each with its class and a one-line reason. A TOML
//! file:
//!
//! ```toml
//! [rules]
//! chart-version-labels = true   # Helm bookkeeping: a chart's version in its labels
//!
//! [[renamed]]
//! from = "Deployment.apps monitoring/old-name"
//! to = "Deployment.apps monitoring/new-name"
//! reason = "the chart's fullnameOverride now applies to the operator too"
//!
//! [[moved]]
//! objects = ["CustomResourceDefinition.apiextensions.k8s.io servicemonitors.monitoring.coreos.com"]
//! from = "victoria-metrics"
//! to = "monitoring-crds"
//! class = "decided"
//! reason = "CRDs used by several apps live in an app of their own"
//!
//! [[change]]
//! class = "defect-fixed"
//! reason = "a cluster-scoped object has no namespace"
//! paths = ["/metadata/namespace"]
//! objects = ["Namespace grafana", "ClusterRole.rbac.authorization.k8s.io grafana"]
//!
//! [[change]]
//! class = "defect-fixed"
//! reason = "Helm test Pods are not deployed"
//! removed = ["Pod n8n/n8n-test-connection"]
//! ```
//!
//! A `[[change]]` accepts each listed path (and what lies below it) of each listed object,
//! and `removed`/`added` accept whole objects only one side has. Nothing is matched by a
//! wildcard: the only rule, `chart-version-labels`, accepts a `helm.sh/chart` label naming
//! the same chart at another version and, in the same labels, `app.kubernetes.io/version`.
//! An entry that no longer matches a difference is stale, so the ledger cannot rot.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;

use crate::fields::{FieldChangeKind, path_within};
use crate::migration::Difference;
use crate::tree::{ObjectId, ObjectIdError};

/// Why a ledger could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Not valid TOML, or not the ledger's shape.
    #[error("{file}: {message}")]
    Syntax {
        /// The ledger's name, as the caller gave it.
        file: String,
        /// What the TOML reader reported.
        message: String,
    },
    /// An entry that cannot accept anything.
    #[error("{file}: {entry}: {message}")]
    Entry {
        /// The ledger's name, as the caller gave it.
        file: String,
        /// Which entry, by table and position from 1 (`change #2`, `moved #1`).
        entry: String,
        /// What is wrong with it (`has no reason`).
        message: String,
    },
}

/// A ledger operation's result.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// What kind of difference an entry accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A defect of the old output fixed (a namespace on a cluster-scoped object, a Helm hook
    /// passed through, a plaintext Secret, random content, an ignored value made effective).
    DefectFixed,
    /// A deliberate change (more replicas, a narrower selector, a stricter security context).
    Decided,
    /// An object under a new name.
    Renamed,
}

impl Class {
    /// The name used in the ledger.
    pub fn name(self) -> &'static str {
        match self {
            Class::DefectFixed => "defect-fixed",
            Class::Decided => "decided",
            Class::Renamed => "renamed",
        }
    }
}

/// The rules that accept differences by shape rather than by listing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rules {
    /// Accept a chart's version in Helm's labels (`helm.sh/chart`, `app.kubernetes.io/version`).
    #[serde(default)]
    pub chart_version_labels: bool,
}

/// An object renamed.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renamed {
    /// The old identity.
    pub from: ObjectIdText,
    /// The new identity.
    pub to: ObjectIdText,
    /// Why.
    pub reason: String,
}

/// Objects held by another app.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// The objects (as the new tree names them).
    pub objects: Vec<ObjectIdText>,
    /// The old app.
    pub from: String,
    /// The new app.
    pub to: String,
    /// The class.
    pub class: Class,
    /// Why.
    pub reason: String,
}

/// Field differences of listed objects, or whole objects only one side has.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The class.
    pub class: Class,
    /// Why.
    pub reason: String,
    /// Objects whose `paths` differ (as the new tree names them).
    #[serde(default)]
    pub objects: Vec<ObjectIdText>,
    /// Paths (and what lies below them) that differ in each of `objects`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Objects only the old tree has.
    #[serde(default)]
    pub removed: Vec<ObjectIdText>,
    /// Objects only the new tree has.
    #[serde(default)]
    pub added: Vec<ObjectIdText>,
}

/// An object identity as written in the ledger (`Kind.group namespace/name`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ObjectIdText(pub ObjectId);

impl TryFrom<String> for ObjectIdText {
    type Error = ObjectIdError;

    fn try_from(text: String) -> Result<Self, ObjectIdError> {
        text.parse().map(ObjectIdText)
    }
}

/// A migration ledger.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// Shape rules.
    #[serde(default)]
    pub rules: Rules,
    /// Renamed objects.
    #[serde(default)]
    pub renamed: Vec<Renamed>,
    /// Objects in another app.
    #[serde(default)]
    pub moved: Vec<Moved>,
    /// Field differences and whole objects.
    #[serde(default)]
    pub change: Vec<Change>,
}

impl Ledger {
    /// Reads a ledger from TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Ledger, LedgerError> {
        let ledger: Ledger = toml::from_str(text).map_err(|error| LedgerError::Syntax {
            file: file.to_owned(),
            message: error.message().to_owned(),
        })?;
        let entry_error = |entry: String, message: &str| LedgerError::Entry {
            file: file.to_owned(),
            entry,
            message: message.to_owned(),
        };
        for (index, change) in ledger.change.iter().enumerate() {
            let entry = format!("change #{}", index + 1);
            if change.reason.trim().is_empty() {
                return Err(entry_error(entry, "has no reason"));
            }
            if change.objects.is_empty() != change.paths.is_empty() {
                return Err(entry_error(
                    entry,
                    "lists objects without paths or paths without objects",
                ));
            }
            if change.objects.is_empty() && change.removed.is_empty() && change.added.is_empty() {
                return Err(entry_error(entry, "accepts nothing"));
            }
            if change.class == Class::Renamed {
                return Err(entry_error(entry, "renames belong in [[renamed]]"));
            }
        }
        for (index, moved) in ledger.moved.iter().enumerate() {
            if moved.reason.trim().is_empty() || moved.objects.is_empty() {
                return Err(entry_error(
                    format!("moved #{}", index + 1),
                    "needs objects and a reason",
                ));
            }
        }
        for (index, renamed) in ledger.renamed.iter().enumerate() {
            if renamed.reason.trim().is_empty() {
                return Err(entry_error(
                    format!("renamed #{}", index + 1),
                    "has no reason",
                ));
            }
        }
        Ok(ledger)
    }

    /// Old identity → new identity of every declared rename.
    pub fn renames(&self) -> BTreeMap<ObjectId, ObjectId> {
        self.renamed
            .iter()
            .map(|renamed| (renamed.from.0.clone(), renamed.to.0.clone()))
            .collect()
    }
}

/// The differences a ledger accepts, those it does not, and its entries that match nothing.
#[derive(Clone, Debug, Default)]
pub struct Acceptance {
    /// Accepted differences by class.
    pub accepted: BTreeMap<Class, usize>,
    /// Differences accepted by the chart-version-labels rule.
    pub by_rule: usize,
    /// Differences the ledger does not list.
    pub unaccepted: Vec<Difference>,
    /// Ledger entries (or parts of them) that match no difference.
    pub stale: Vec<String>,
}

impl Acceptance {
    /// Whether every difference is accepted and every entry matches one.
    pub fn is_clean(&self) -> bool {
        self.unaccepted.is_empty() && self.stale.is_empty()
    }

    /// One line: how many differences were accepted, by class.
    pub fn summary(&self) -> String {
        let total: usize = self.accepted.values().sum::<usize>() + self.by_rule;
        let mut line = format!("accepted {total} difference(s):");
        for class in [Class::DefectFixed, Class::Decided, Class::Renamed] {
            let _ = write!(
                line,
                " {} {},",
                self.accepted.get(&class).copied().unwrap_or(0),
                class.name()
            );
        }
        let _ = write!(line, " {} chart version label(s) by rule", self.by_rule);
        line
    }
}

/// Sorts `differences` into those `ledger` accepts and those it does not.
pub fn accept(ledger: &Ledger, differences: &[Difference]) -> Acceptance {
    let mut acceptance = Acceptance::default();
    let chart_labels = if ledger.rules.chart_version_labels {
        chart_label_maps(differences)
    } else {
        BTreeSet::new()
    };
    let mut used: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    let mut used_whole: BTreeSet<(usize, ObjectId)> = BTreeSet::new();
    let mut used_moved: BTreeSet<(usize, ObjectId)> = BTreeSet::new();
    let mut used_renames: BTreeSet<usize> = BTreeSet::new();
    for difference in differences {
        let class = match difference {
            Difference::Field { object, change } => {
                if is_chart_label(&chart_labels, object, &change.path) {
                    acceptance.by_rule += 1;
                    continue;
                }
                ledger.change.iter().enumerate().find_map(|(entry, item)| {
                    let object_index = item.objects.iter().position(|id| id.0 == *object)?;
                    let path_index = item
                        .paths
                        .iter()
                        .position(|path| path_within(&change.path, path))?;
                    used.insert((entry, object_index, path_index));
                    Some(item.class)
                })
            }
            Difference::Removed { object, .. } | Difference::Added { object, .. } => {
                let removed = matches!(difference, Difference::Removed { .. });
                ledger.change.iter().enumerate().find_map(|(entry, item)| {
                    let list = if removed { &item.removed } else { &item.added };
                    list.iter().any(|id| id.0 == *object).then(|| {
                        used_whole.insert((entry, object.clone()));
                        item.class
                    })
                })
            }
            Difference::Moved { object, from, to } => {
                ledger.moved.iter().enumerate().find_map(|(entry, item)| {
                    (item.from == *from
                        && item.to == *to
                        && item.objects.iter().any(|id| id.0 == *object))
                    .then(|| {
                        used_moved.insert((entry, object.clone()));
                        item.class
                    })
                })
            }
            Difference::Renamed { from, to } => {
                ledger.renamed.iter().enumerate().find_map(|(entry, item)| {
                    (item.from.0 == *from && item.to.0 == *to).then(|| {
                        used_renames.insert(entry);
                        Class::Renamed
                    })
                })
            }
        };
        match class {
            Some(class) => *acceptance.accepted.entry(class).or_default() += 1,
            None => acceptance.unaccepted.push(difference.clone()),
        }
    }
    for (entry, item) in ledger.change.iter().enumerate() {
        for (object_index, object) in item.objects.iter().enumerate() {
            for (path_index, path) in item.paths.iter().enumerate() {
                if !used.contains(&(entry, object_index, path_index)) {
                    acceptance.stale.push(format!(
                        "change #{} ({}): {} {path} does not differ",
                        entry + 1,
                        item.reason,
                        object.0
                    ));
                }
            }
        }
        for (list, side) in [(&item.removed, "removed"), (&item.added, "added")] {
            for object in list {
                if !used_whole.contains(&(entry, object.0.clone())) {
                    acceptance.stale.push(format!(
                        "change #{} ({}): {} is not {side}",
                        entry + 1,
                        item.reason,
                        object.0
                    ));
                }
            }
        }
    }
    for (entry, item) in ledger.moved.iter().enumerate() {
        for object in &item.objects {
            if !used_moved.contains(&(entry, object.0.clone())) {
                acceptance.stale.push(format!(
                    "moved #{} ({}): {} did not move from {}/ to {}/",
                    entry + 1,
                    item.reason,
                    object.0,
                    item.from,
                    item.to
                ));
            }
        }
    }
    for (entry, item) in ledger.renamed.iter().enumerate() {
        if !used_renames.contains(&entry) {
            acceptance.stale.push(format!(
                "renamed #{} ({}): {} is not renamed to {}",
                entry + 1,
                item.reason,
                item.from.0,
                item.to.0
            ));
        }
    }
    acceptance
}

/// The labels maps (object, path of the map) whose `helm.sh/chart` names the same chart at
/// another version.
fn chart_label_maps(differences: &[Difference]) -> BTreeSet<(ObjectId, String)> {
    differences
        .iter()
        .filter_map(|difference| {
            let Difference::Field { object, change } = difference else {
                return None;
            };
            let labels = change.path.strip_suffix("/helm.sh~1chart")?;
            if change.kind != FieldChangeKind::Changed || !labels.ends_with("/labels") {
                return None;
            }
            let chart = |value: &Option<serde_json::Value>| {
                let text = value.as_ref()?.as_str()?;
                Some(text.rsplit_once('-')?.0.to_owned())
            };
            let (old, new) = (chart(&change.old)?, chart(&change.new)?);
            (old == new).then(|| (object.clone(), labels.to_owned()))
        })
        .collect()
}

fn is_chart_label(maps: &BTreeSet<(ObjectId, String)>, object: &ObjectId, path: &str) -> bool {
    ["/helm.sh~1chart", "/app.kubernetes.io~1version"]
        .iter()
        .any(|label| {
            path.strip_suffix(label)
                .is_some_and(|labels| maps.contains(&(object.clone(), labels.to_owned())))
        })
}

/// A draft ledger (TOML) accepting `differences`, one entry per path, for a person to sort
/// into classes and give reasons.
pub fn draft(differences: &[Difference]) -> String {
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let mut moved: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut renamed = Vec::new();
    for difference in differences {
        match difference {
            Difference::Field { object, change } => by_path
                .entry(change.path.clone())
                .or_default()
                .push(object.to_string()),
            Difference::Removed { object, .. } => removed.push(object.to_string()),
            Difference::Added { object, .. } => added.push(object.to_string()),
            Difference::Moved { object, from, to } => moved
                .entry((from.clone(), to.clone()))
                .or_default()
                .push(object.to_string()),
            Difference::Renamed { from, to } => renamed.push((from.to_string(), to.to_string())),
        }
    }
    let list = |items: &[String]| {
        let mut text = String::from("[\n");
        for item in items {
            let _ = writeln!(text, "  {},", quote(item));
        }
        text.push(']');
        text
    };
    let mut out = String::new();
    for (from, to) in renamed {
        let _ = writeln!(
            out,
            "[[renamed]]\nfrom = {}\nto = {}\nreason = \"TODO\"\n",
            quote(&from),
            quote(&to)
        );
    }
    for ((from, to), objects) in moved {
        let _ = writeln!(
            out,
            "[[moved]]\nclass = \"decided\"\nreason = \"TODO\"\nfrom = {}\nto = {}\nobjects = {}\n",
            quote(&from),
            quote(&to),
            list(&objects)
        );
    }
    for (side, objects) in [("removed", removed), ("added", added)] {
        if !objects.is_empty() {
            let _ = writeln!(
                out,
                "[[change]]\nclass = \"decided\"\nreason = \"TODO\"\n{side} = {}\n",
                list(&objects)
            );
        }
    }
    for (path, objects) in by_path {
        let _ = writeln!(
            out,
            "[[change]]\nclass = \"decided\"\nreason = \"TODO\"\npaths = [{}]\nobjects = {}\n",
            quote(&path),
            list(&objects)
        );
    }
    out
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fields::FieldChange;

    fn field(
        object: &str,
        path: &str,
        old: serde_json::Value,
        new: serde_json::Value,
    ) -> Difference {
        Difference::Field {
            object: object.parse().unwrap(),
            change: FieldChange {
                path: path.to_owned(),
                kind: FieldChangeKind::Changed,
                old: Some(old),
                new: Some(new),
            },
        }
    }

    const LEDGER: &str = r#"
[rules]
chart-version-labels = true

[[change]]
class = "decided"
reason = "two replicas"
paths = ["/spec/replicas"]
objects = ["Deployment.apps web/web"]

[[change]]
class = "defect-fixed"
reason = "no test pods"
removed = ["Pod web/web-test"]
"#;

    #[test]
    fn accepts_listed_differences_and_reports_the_rest_and_stale_entries() {
        let ledger = Ledger::parse(LEDGER, "ledger.toml").unwrap();
        let differences = vec![
            field(
                "Deployment.apps web/web",
                "/spec/replicas",
                json!(1),
                json!(2),
            ),
            field(
                "Deployment.apps web/web",
                "/spec/paused",
                json!(false),
                json!(true),
            ),
            field(
                "Deployment.apps web/web",
                "/metadata/labels/helm.sh~1chart",
                json!("web-1.0.0"),
                json!("web-1.1.0"),
            ),
            field(
                "Deployment.apps web/web",
                "/metadata/labels/app.kubernetes.io~1version",
                json!("1.0"),
                json!("1.1"),
            ),
            field(
                "Service web/web",
                "/metadata/labels/app.kubernetes.io~1version",
                json!("1.0"),
                json!("1.1"),
            ),
        ];
        let acceptance = accept(&ledger, &differences);
        assert_eq!(acceptance.accepted.get(&Class::Decided), Some(&1));
        assert_eq!(acceptance.by_rule, 2);
        let unaccepted: Vec<String> = acceptance
            .unaccepted
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            unaccepted,
            [
                "Deployment.apps web/web ~ /spec/paused: false -> true",
                // a version label without a chart label beside it is no Helm bookkeeping
                "Service web/web ~ /metadata/labels/app.kubernetes.io~1version: \"1.0\" -> \"1.1\"",
            ]
        );
        assert_eq!(
            acceptance.stale,
            ["change #2 (no test pods): Pod web/web-test is not removed"]
        );
        assert!(!acceptance.is_clean());
    }

    #[test]
    fn entries_without_reason_or_target_are_refused() {
        let error = Ledger::parse(
            "[[change]]\nclass = \"decided\"\nreason = \"\"\nremoved = [\"Pod a/b\"]\n",
            "l.toml",
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "l.toml: change #1: has no reason");
        let error = Ledger::parse(
            "[[change]]\nclass = \"decided\"\nreason = \"x\"\npaths = [\"/a\"]\n",
            "l.toml",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "l.toml: change #1: lists objects without paths or paths without objects"
        );
        assert!(Ledger::parse("[[change]]\nclass = \"bogus\"\n", "l.toml").is_err());
    }

    #[test]
    fn a_draft_accepts_exactly_the_differences_it_was_made_from() {
        let differences = vec![
            field(
                "Deployment.apps web/web",
                "/spec/replicas",
                json!(1),
                json!(2),
            ),
            Difference::Removed {
                object: "Pod web/t".parse().unwrap(),
                app: "web".into(),
            },
        ];
        let ledger = Ledger::parse(&draft(&differences), "draft.toml").unwrap();
        let acceptance = accept(&ledger, &differences);
        assert!(acceptance.is_clean(), "{acceptance:?}");
        assert_eq!(acceptance.accepted.get(&Class::Decided), Some(&2));
    }
}
