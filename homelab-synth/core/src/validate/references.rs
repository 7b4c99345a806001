//! ConfigMaps and Secrets a pod needs must exist: every non-optional reference of a pod
//! template (volumes, projected sources, `env` key refs, `envFrom`) names an object the
//! synthesis provides in the pod's namespace, or the pod would hang in
//! `ContainerCreating`/`CreateContainerConfigError` after a sync that looked green.
//!
//! Providers, besides ConfigMap and Secret objects themselves: a SecretProviderClass's
//! `secretObjects` (synced by the secrets-store CSI driver), an ExternalSecret's target, an
//! InfisicalSecret's managed Secrets (in the namespace they name), a cert-manager Certificate's
//! `secretName`, a CloudNativePG Cluster's `<name>-app`, `<name>-superuser` and `<name>-ca`
//! Secrets, and the `kube-root-ca.crt` ConfigMap every namespace has. A reference to an
//! object made outside GitOps is allowed explicitly, with
//! `allow(object, Allow::ExternalReference, "reason")`.

use std::borrow::Cow;
use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::object::Allow;
use crate::validate::context::Context;
use crate::validate::pods::{PodTemplate, containers, items};
use crate::validate::{PodCheck, about, describe};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        }
    }
}

/// `(kind, namespace, name)` of everything the synthesis provides.
type Provided<'a> = BTreeSet<(Kind, Cow<'a, str>, String)>;

/// Reports the ConfigMaps and Secrets the pod template needs that the synthesis does not
/// provide in its namespace.
pub(crate) fn pod_check<'c>(context: &'c Context<'_>) -> PodCheck<'c> {
    let provided = provided(context.apps);
    Box::new(move |template, findings| check_pod(&provided, template, findings))
}

fn check_pod(provided: &Provided<'_>, template: &PodTemplate<'_>, findings: &mut Vec<Finding>) {
    let document = template.record.document;
    if document.allowance(Allow::ExternalReference).is_some() {
        return;
    }
    let Some(namespace) = document.namespace() else {
        return;
    };
    let mut missing = BTreeSet::new();
    for (kind, name) in references(&template.spec) {
        let known = provided.contains(&(kind, Cow::Borrowed(namespace), name.clone()))
            || (kind == Kind::ConfigMap && name == "kube-root-ca.crt");
        if !known {
            missing.insert(format!("{} `{name}`", kind.name()));
        }
    }
    if missing.is_empty() {
        return;
    }
    findings.push(about(
        Severity::Error,
        template.record.app,
        document,
        format!(
            "{} needs {} in namespace `{namespace}`, which nothing in the synthesis \
             provides (if it is made outside GitOps, allow it with \
             `allow(object, Allow::ExternalReference, \"reason\")`)",
            describe(document),
            missing.into_iter().collect::<Vec<_>>().join(", ")
        ),
    ));
}

fn provided(apps: &[AppManifest]) -> Provided<'_> {
    let mut provided = BTreeSet::new();
    for document in apps.iter().flat_map(|app| &app.documents) {
        if document.group() == "secrets.infisical.com" && document.kind() == "InfisicalSecret" {
            let body = document.body();
            for managed in items(&body, "/spec/managedKubeSecretReferences") {
                let name = managed.get("secretName").and_then(Value::as_str);
                let namespace = managed.get("secretNamespace").and_then(Value::as_str);
                if let (Some(name), Some(namespace)) = (name, namespace) {
                    let namespace = Cow::Owned(namespace.to_owned());
                    provided.insert((Kind::Secret, namespace, name.to_owned()));
                }
            }
        }
        let Some(namespace) = document.namespace() else {
            continue;
        };
        for (kind, name) in provides(document) {
            provided.insert((kind, Cow::Borrowed(namespace), name));
        }
    }
    provided
}

fn provides(document: &Document) -> Vec<(Kind, String)> {
    let kind = (document.group(), document.kind());
    match kind {
        ("", "ConfigMap") => return vec![(Kind::ConfigMap, document.name().to_owned())],
        ("", "Secret") => return vec![(Kind::Secret, document.name().to_owned())],
        ("postgresql.cnpg.io", "Cluster") => {
            return ["app", "superuser", "ca"]
                .iter()
                .map(|suffix| (Kind::Secret, format!("{}-{suffix}", document.name())))
                .collect();
        }
        ("secrets-store.csi.x-k8s.io", "SecretProviderClass")
        | ("cert-manager.io", "Certificate")
        | ("external-secrets.io", "ExternalSecret") => {}
        _ => return Vec::new(),
    }
    // only the kinds that name their Secrets inside are parsed
    let body = &document.body();
    let text = |pointer: &str| body.pointer(pointer).and_then(Value::as_str);
    match kind {
        ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => items(body, "/spec/secretObjects")
            .filter_map(|object| object.get("secretName").and_then(Value::as_str))
            .map(|name| (Kind::Secret, name.to_owned()))
            .collect(),
        ("cert-manager.io", "Certificate") => text("/spec/secretName")
            .map(|name| vec![(Kind::Secret, name.to_owned())])
            .unwrap_or_default(),
        ("external-secrets.io", "ExternalSecret") => vec![(
            Kind::Secret,
            text("/spec/target/name")
                .unwrap_or(document.name())
                .to_owned(),
        )],
        _ => Vec::new(),
    }
}

/// Every non-optional ConfigMap and Secret a pod spec refers to.
fn references(spec: &PodSpec) -> Vec<(Kind, String)> {
    let mut found = Vec::new();
    let mut add = |kind: Kind, name: Option<&String>, optional: Option<bool>| {
        if let Some(name) = name
            && !name.is_empty()
            && optional != Some(true)
        {
            found.push((kind, name.clone()));
        }
    };
    for volume in spec.volumes.iter().flatten() {
        if let Some(source) = &volume.config_map {
            add(Kind::ConfigMap, Some(&source.name), source.optional);
        }
        if let Some(source) = &volume.secret {
            add(Kind::Secret, source.secret_name.as_ref(), source.optional);
        }
        let projected = volume.projected.as_ref().and_then(|p| p.sources.as_ref());
        for source in projected.into_iter().flatten() {
            if let Some(source) = &source.config_map {
                add(Kind::ConfigMap, Some(&source.name), source.optional);
            }
            if let Some(source) = &source.secret {
                add(Kind::Secret, Some(&source.name), source.optional);
            }
        }
    }
    for (_, _, container) in containers(spec) {
        for variable in container.env() {
            let from = variable.value_from.as_ref();
            if let Some(selector) = from.and_then(|from| from.config_map_key_ref.as_ref()) {
                add(Kind::ConfigMap, Some(&selector.name), selector.optional);
            }
            if let Some(selector) = from.and_then(|from| from.secret_key_ref.as_ref()) {
                add(Kind::Secret, Some(&selector.name), selector.optional);
            }
        }
        for source in container.env_from() {
            if let Some(source) = &source.config_map_ref {
                add(Kind::ConfigMap, Some(&source.name), source.optional);
            }
            if let Some(source) = &source.secret_ref {
                add(Kind::Secret, Some(&source.name), source.optional);
            }
        }
    }
    found
}
