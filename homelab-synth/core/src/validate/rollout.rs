//! An app that creates custom resources of a CRD another app installs must roll out after
//! that app: without the dependency, Argo CD or Flux may apply the resources before their
//! kind exists and the sync fails until a retry. Checked for apps built from a registry,
//! against their dependencies declared there (directly or through other apps).

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::validate::context::Context;
use crate::validate::{about, describe};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    // (group, kind) → (app installing the CRD, CRD name)
    let mut providers: BTreeMap<(&str, &str), (&str, &str)> = BTreeMap::new();
    for (app, document) in context.of_kind("apiextensions.k8s.io", "CustomResourceDefinition") {
        if let Some(defined) = document.defined_kind() {
            providers
                .entry(defined)
                .or_insert((app.name.as_str(), document.name()));
        }
    }
    for app in context.apps {
        let Some(after) = context.provenance.rolls_out_after(&app.name) else {
            continue;
        };
        for document in &app.documents {
            let Some(&(provider, crd)) = providers.get(&(document.group(), document.kind())) else {
                continue;
            };
            if provider == app.name || after.contains(provider) {
                continue;
            }
            findings.push(about(
                Severity::Error,
                app,
                document,
                format!(
                    "{} needs CRD `{crd}`, which app `{provider}` installs, but app `{}` does \
                     not roll out after `{provider}`: register it with \
                     `.depends_on(&[\"{provider}\"])`",
                    describe(document),
                    app.name
                ),
            ));
        }
    }
}
