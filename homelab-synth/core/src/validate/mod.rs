//! Validation of a whole synthesis before anything is written. Each rule lives in its own
//! file and returns findings; all of them run, so the user sees every problem at once. The
//! rules read one [`Context`]: the apps and the indexes built once for all of them.

mod containers;
mod context;
mod custom_resources;
mod decode;
mod gateways;
mod identity;
mod namespaces;
mod objects;
mod pod_security;
mod pods;
mod quantities;
mod references;
mod rollout;
mod routes;
mod secrets;
mod selectors;

use crate::crd_catalog::CrdCatalog;
use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document, Provenance};
use crate::object::{Allow, Origin};

use context::Context;

/// Every finding about `apps`; custom resources are checked against the CRDs of `apps`, then
/// those of `crds`.
pub(crate) fn validate(
    apps: &[AppManifest],
    crds: &dyn CrdCatalog,
    provenance: &Provenance,
) -> Vec<Finding> {
    type Check = fn(&Context<'_>, &mut Vec<Finding>);
    // each family's findings carry its rule id (`Finding::rule`)
    let checks: [(&'static str, Check); 14] = [
        ("pod-specs", pods::check),
        ("objects", objects::check),
        ("identity", identity::check),
        ("secrets", secrets::check),
        ("quantities", quantities::check),
        ("selectors", selectors::check),
        ("custom-resources", custom_resources::check),
        ("pod-security", pod_security::check),
        ("references", references::check),
        ("namespaces", namespaces::check),
        ("routes", routes::check),
        ("gateways", gateways::check),
        ("containers", containers::check),
        ("rollout", rollout::check),
    ];
    let context = Context::new(apps, crds, provenance);
    let mut findings = Vec::new();
    for (rule, check) in checks {
        let start = findings.len();
        check(&context, &mut findings);
        for finding in &mut findings[start..] {
            finding.rule = rule;
        }
    }
    findings
}

/// A finding about one document, naming its output file and, if included, its source file.
pub(crate) fn about(
    severity: Severity,
    app: &AppManifest,
    document: &Document,
    message: impl Into<String>,
) -> Finding {
    let finding = match severity {
        Severity::Error => Finding::error(&app.name, &document.path, message),
        Severity::Warning => Finding::warning(&app.name, &document.path, message),
    };
    let finding = finding.in_file(format!("{}/{}", app.name, document.file_name));
    match &document.origin {
        Origin::Included { file, index } => finding.in_file(format!("{file} document {index}")),
        Origin::Code => finding,
    }
}

/// Every namespaced document of `apps` that is not opted out of `check`, with its app and
/// namespace.
pub(crate) fn namespaced_documents<'a>(
    context: &'a Context<'a>,
    check: Allow,
) -> impl Iterator<Item = (&'a AppManifest, &'a Document, &'a str)> {
    context
        .documents()
        .filter(move |(_, document)| document.allowance(check).is_none())
        .filter_map(|(app, document)| Some((app, document, document.namespace()?)))
}

/// `Kind/name` of a document, for messages.
pub(crate) fn describe(document: &Document) -> String {
    match document.namespace() {
        Some(namespace) => format!("{} `{namespace}/{}`", document.kind(), document.name()),
        None => format!("{} `{}`", document.kind(), document.name()),
    }
}
