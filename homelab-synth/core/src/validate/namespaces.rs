//! Every namespace an app's objects live in must exist when Argo CD or Flux applies them:
//! declared by a Namespace object of the app, or of an app it rolls out after, or made by
//! Kubernetes itself (`default`, `kube-system`, `kube-public`, `kube-node-lease`), or
//! declared as made elsewhere with a reason (`App::namespace_made_elsewhere`). The generated
//! Argo CD Applications do not create namespaces (nor does Flux), so a namespace nobody
//! declares would fail the sync; and no stray, empty namespace named after an app appears.
//!
//! Like the rollout rule, this is a whole-workspace check: it runs for apps built from a
//! registry (the binary's path); that no app declares a namespace is only reported when the
//! synthesis holds every app of the cluster (not with `--app`): an app synthesized on its
//! own may live in namespaces made by apps it was not synthesized with.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Finding, Severity};
use crate::validate::context::Context;
use crate::validate::{about, describe};

/// Namespaces every cluster has from the start.
const BUILT_IN: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    // namespace → the app that declares it (the first, if several do)
    let mut declared: BTreeMap<&str, &str> = BTreeMap::new();
    for (app, document) in context.of_kind("", "Namespace") {
        declared.entry(document.name()).or_insert(app.name.as_str());
    }
    let provenance = context.provenance;
    for app in apps {
        let Some(rolls_out_after) = provenance.rolls_out_after(&app.name) else {
            continue;
        };
        let mut reported = BTreeSet::new();
        for (namespace, reason) in &app.external_namespaces {
            if reason.trim().is_empty() {
                findings.push(Finding::error(
                    &app.name,
                    &app.name,
                    format!("namespace `{namespace}` is declared made elsewhere without a reason"),
                ));
            }
        }
        for document in &app.documents {
            let Some(namespace) = document.namespace() else {
                continue;
            };
            if BUILT_IN.contains(&namespace)
                || app.external_namespaces.contains_key(namespace)
                || reported.contains(namespace)
            {
                continue;
            }
            let message = match declared.get(namespace) {
                Some(&owner) if owner == app.name => continue,
                Some(&owner) => match rolls_out_after {
                    after if !after.contains(owner) => format!(
                        "{} lives in namespace `{namespace}`, which app `{owner}` declares, but \
                         app `{}` does not roll out after `{owner}`: register it with \
                         `.depends_on(&[\"{owner}\"])`",
                        describe(document),
                        app.name
                    ),
                    _ => continue,
                },
                None if !provenance.is_whole_with(&app.name) => continue,
                None => format!(
                    "{} lives in namespace `{namespace}`, which no app declares (nothing \
                     creates it): add a Namespace to the app (`kit::namespace`), or, if the \
                     cluster gets it some other way, say so with \
                     `app.namespace_made_elsewhere(\"{namespace}\", \"reason\")`",
                    describe(document)
                ),
            };
            reported.insert(namespace);
            findings.push(about(Severity::Error, app, document, message));
        }
    }
}
