//! Every custom resource against its CRD's schema ([`crate::crd_schema`]): CRDs emitted by
//! any app of the synthesis first, then the imported CRDs. A violation is an error naming the
//! object, the JSON path inside it and the CRD; a kind with no known schema is not checked.

use crate::finding::{Finding, Severity};
use crate::validate::context::Context;
use crate::validate::{about, describe};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let schemas = &context.schemas;
    for app in context.apps {
        for document in &app.documents {
            let Some(violations) = schemas.validate_document(document) else {
                continue;
            };
            if violations.is_empty() {
                continue;
            }
            let (group, version) = document
                .api_version()
                .rsplit_once('/')
                .unwrap_or(("", document.api_version()));
            let source = schemas
                .source(group, version, document.kind())
                .map(ToString::to_string)
                .unwrap_or_default();
            let listed: Vec<String> = violations
                .iter()
                .map(|violation| {
                    let path = if violation.path.is_empty() {
                        "/"
                    } else {
                        &violation.path
                    };
                    format!("at `{path}`: {}", violation.message)
                })
                .collect();
            findings.push(about(
                Severity::Error,
                app,
                document,
                format!(
                    "{} does not match the schema of {source}: {}",
                    describe(document),
                    listed.join("; ")
                ),
            ));
        }
    }
}
