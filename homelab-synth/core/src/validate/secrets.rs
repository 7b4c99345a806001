//! No plaintext secrets in the output: a `Secret` that carries `data` or `stringData` is an
//! error unless the object was explicitly allowed with a reason. Messages name the keys,
//! never the values.

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::object::Allow;
use crate::validate::context::Context;
use crate::validate::{about, describe};

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    for app in apps {
        for document in &app.documents {
            if document.group() != "" || document.kind() != "Secret" {
                continue;
            }
            let mut keys = Vec::new();
            let body = document.body();
            for field in ["data", "stringData"] {
                if let Some(Value::Object(map)) = body.get(field) {
                    keys.extend(map.keys().map(|key| format!("{field}.{key}")));
                }
            }
            if keys.is_empty() || document.allowance(Allow::SecretData).is_some() {
                continue;
            }
            findings.push(about(
                Severity::Error,
                app,
                document,
                format!(
                    "{} carries plaintext secret data ({}): reference a secret store instead \
                     (ExternalSecret, SecretProviderClass), or allow it explicitly with \
                     `allow(object, Allow::SecretData, \"reason\")`",
                    describe(document),
                    keys.join(", ")
                ),
            ));
        }
    }
}
