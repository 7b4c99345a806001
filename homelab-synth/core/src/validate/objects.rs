//! Built-in objects the rules read besides pod specs, decoded once per synthesis into their
//! k8s-openapi types: Services, Namespaces, PersistentVolumeClaims, ResourceQuotas,
//! LimitRanges, Ingresses, and the selectors and volume claim templates of workloads (whose
//! pod spec is a pod template, see `pods.rs`). An object that does not decode is reported
//! once, by [`check`], and skipped by the rules. Kinds k8s-openapi has no type for (Gateway
//! API routes, custom resources) stay JSON.
//!
//! Objects are decoded whole, so a wrongly typed field anywhere is one finding, but only their
//! spec is kept (Namespaces are kept whole: the rules read their labels): the rules read
//! names and labels from the [`Document`], and a second copy of every Service's, claim's and
//! Ingress's metadata made `synth-bench --apps 10000` hold 20 MiB more; kept whole, even
//! with the metadata emptied, each took the inline size of its metadata and status.

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeSpec, Namespace, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    ResourceQuota, ResourceQuotaSpec, Service, ServiceSpec,
};
use k8s_openapi::api::networking::v1::{Ingress, IngressSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::validate::context::Context;
use crate::validate::decode::{Undecodable, decode_at};
use crate::validate::{about, describe};

/// What the rules read of a workload's spec besides its pod template (decoded as a pod
/// template, see `pods.rs`), each field as its k8s-openapi type: Deployments, StatefulSets,
/// DaemonSets and ReplicaSets, and Jobs.
#[derive(Default)]
pub(crate) struct Workload {
    /// `spec.selector`, if set.
    pub(crate) selector: Option<LabelSelector>,
    /// `spec.manualSelector` (Jobs).
    pub(crate) manual_selector: Option<bool>,
    /// `spec.volumeClaimTemplates` (StatefulSets; empty when it has none).
    pub(crate) claim_templates: Vec<PersistentVolumeClaim>,
}

/// A typed view of a document: the type of each built-in kind the rules read.
pub(crate) trait Typed: Sized + 'static {
    /// The view, if `object` is of this type.
    fn of(object: &Object) -> Option<&Self>;
}

macro_rules! objects {
    ($($(#[$doc:meta])* $variant:ident($type:ty),)*) => {
        /// A decoded built-in object (or part of one). Each is boxed: the context holds one
        /// per Service, workload, claim..., and inline every entry would take the size of the
        /// largest type.
        pub(crate) enum Object {
            $($(#[$doc])* $variant(Box<$type>),)*
        }

        $(impl Typed for $type {
            fn of(object: &Object) -> Option<&Self> {
                match object {
                    Object::$variant(typed) => Some(typed),
                    _ => None,
                }
            }
        }

        impl From<$type> for Object {
            fn from(typed: $type) -> Self {
                Object::$variant(Box::new(typed))
            }
        })*
    };
}

objects! {
    /// A Service's spec (empty when it has none).
    Service(ServiceSpec),
    /// A Namespace.
    Namespace(Namespace),
    /// A PersistentVolumeClaim's spec.
    PersistentVolumeClaim(PersistentVolumeClaimSpec),
    /// A ResourceQuota's spec.
    ResourceQuota(ResourceQuotaSpec),
    /// A LimitRange's spec.
    LimitRange(LimitRangeSpec),
    /// An Ingress's spec.
    Ingress(IngressSpec),
    /// What the rules read of a workload besides its pod template.
    Workload(Workload),
}

/// A decoded object with its document.
pub(crate) struct Decoded<'a> {
    /// The app of the document.
    pub(crate) app: &'a AppManifest,
    /// The document.
    pub(crate) document: &'a Document,
    /// What it decoded to.
    pub(crate) object: Object,
}

/// The typed view of `document`, decoded; `None` for kinds the rules read no typed view of.
pub(crate) fn decode<'a>(
    app: &'a AppManifest,
    document: &'a Document,
) -> Option<Result<Decoded<'a>, Undecodable<'a>>> {
    let kind = (document.group(), document.kind());
    let decoded = matches!(
        kind,
        (
            "",
            "Service" | "Namespace" | "PersistentVolumeClaim" | "ResourceQuota" | "LimitRange"
        ) | ("networking.k8s.io", "Ingress")
            | (
                "apps",
                "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet"
            )
            | ("batch", "Job")
    );
    if !decoded {
        return None;
    }
    let body = &document.body();
    let object = match kind {
        ("", "Service") => spec_of(app, document, body, |it: Service| it.spec)?,
        ("", "Namespace") => decode_at::<Namespace>(app, document, body, "")?.map(Object::from),
        ("", "PersistentVolumeClaim") => {
            spec_of(app, document, body, |it: PersistentVolumeClaim| it.spec)?
        }
        ("", "ResourceQuota") => spec_of(app, document, body, |it: ResourceQuota| it.spec)?,
        ("", "LimitRange") => spec_of(app, document, body, |it: LimitRange| it.spec)?,
        ("networking.k8s.io", "Ingress") => spec_of(app, document, body, |it: Ingress| it.spec)?,
        ("apps", "StatefulSet") => workload(app, document, body, false, true).map(Object::from),
        ("batch", "Job") => workload(app, document, body, true, false).map(Object::from),
        _ => workload(app, document, body, false, false).map(Object::from),
    };
    Some(object.map(|object| Decoded {
        app,
        document,
        object,
    }))
}

/// `document` decoded whole as `T`, of which only the spec is kept (empty when it has none;
/// see the module docs).
fn spec_of<'a, T, S>(
    app: &'a AppManifest,
    document: &'a Document,
    body: &Value,
    spec: impl FnOnce(T) -> Option<S>,
) -> Option<Result<Object, Undecodable<'a>>>
where
    T: DeserializeOwned,
    S: Default,
    Object: From<S>,
{
    Some(
        decode_at(app, document, body, "")?
            .map(|object: T| Object::from(spec(object).unwrap_or_default())),
    )
}

/// The fields of a workload's spec besides its pod template, each decoded at its own pointer
/// (the pod template is decoded on its own): its selector, and, if asked, its
/// `manualSelector` and its volume claim templates.
fn workload<'a>(
    app: &'a AppManifest,
    document: &'a Document,
    body: &Value,
    manual_selector: bool,
    claim_templates: bool,
) -> Result<Workload, Undecodable<'a>> {
    let mut workload = Workload {
        selector: decode_at::<Option<_>>(app, document, body, "/spec/selector")
            .transpose()?
            .flatten(),
        ..Workload::default()
    };
    if manual_selector {
        workload.manual_selector =
            decode_at::<Option<_>>(app, document, body, "/spec/manualSelector")
                .transpose()?
                .flatten();
    }
    if claim_templates {
        workload.claim_templates =
            decode_at::<Option<_>>(app, document, body, "/spec/volumeClaimTemplates")
                .transpose()?
                .flatten()
                .unwrap_or_default();
    }
    Ok(workload)
}

/// Reports every object of the synthesis that does not decode as its k8s-openapi type.
pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for undecodable in context.undecodable_objects() {
        findings.push(about(
            Severity::Error,
            undecodable.app,
            undecodable.document,
            format!(
                "{}: the object does not decode at `{}`: {}",
                describe(undecodable.document),
                undecodable.path,
                undecodable.error
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ServiceSpec;
    use serde_json::json;

    use super::{Typed, Workload, decode};
    use crate::manifest::{AppManifest, Document};
    use crate::object::Origin;
    use crate::scope::Scope;

    fn app(documents: Vec<serde_json::Value>) -> AppManifest {
        let documents = documents
            .into_iter()
            .map(|body| {
                let name = body["metadata"]["name"].as_str().unwrap();
                Document::new(
                    format!("web/{name}"),
                    Origin::Code,
                    Scope::Namespaced,
                    &body,
                )
                .with_file_name(format!("{}.web.yaml", body["kind"].as_str().unwrap()))
            })
            .collect();
        AppManifest {
            name: "web".into(),
            category: "test".into(),
            namespaces: vec!["web".into()],
            documents,
            external_namespaces: Default::default(),
        }
    }

    fn service(ports: serde_json::Value) -> serde_json::Value {
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "web"},
            "spec": {"selector": {"app": "web"}, "ports": ports},
        })
    }

    #[test]
    fn a_service_decodes_into_its_typed_view() {
        let app = app(vec![service(json!([{"name": "http", "port": 80}]))]);
        let decoded = decode(&app, &app.documents[0]).unwrap().ok().unwrap();
        let spec = ServiceSpec::of(&decoded.object).unwrap();
        assert_eq!(spec.ports.as_ref().unwrap()[0].port, 80);
        assert_eq!(spec.selector.as_ref().unwrap()["app"], "web");
        assert!(Workload::of(&decoded.object).is_none());
    }

    #[test]
    fn an_undecodable_service_names_the_failing_field() {
        let app = app(vec![service(json!([
            {"name": "http", "port": 80},
            {"name": "metrics", "port": "9090"},
        ]))]);
        let Some(Err(undecodable)) = decode(&app, &app.documents[0]) else {
            panic!("the Service should not decode");
        };
        assert_eq!(undecodable.path, "/spec/ports/1/port");
        assert_eq!(
            undecodable.error.to_string(),
            r#"invalid type: string "9090", expected i32"#
        );
    }

    #[test]
    fn a_statefulset_decodes_its_claim_templates_and_names_the_one_that_fails() {
        let statefulset = |claims: serde_json::Value| {
            json!({
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "db", "namespace": "web"},
                "spec": {"volumeClaimTemplates": claims},
            })
        };
        let claim = |size: serde_json::Value| {
            json!({"metadata": {"name": "data"},
                   "spec": {"resources": {"requests": {"storage": size}}}})
        };
        let app = app(vec![
            statefulset(json!([claim(json!("1Gi")), claim(json!(1024))])),
            statefulset(json!(null)),
            statefulset(json!([claim(json!("1Gi")), claim(json!(true))])),
        ]);
        let claims = |index: usize| {
            let decoded = decode(&app, &app.documents[index]).unwrap().ok().unwrap();
            let workload = Workload::of(&decoded.object).unwrap();
            workload
                .claim_templates
                .iter()
                .map(|claim| {
                    let resources = claim.spec.as_ref().unwrap().resources.as_ref().unwrap();
                    resources.requests.as_ref().unwrap()["storage"].0.clone()
                })
                .collect::<Vec<_>>()
        };
        // a number is a quantity, as in a pod spec
        assert_eq!(claims(0), ["1Gi", "1024"]);
        assert_eq!(claims(1), Vec::<String>::new());
        let Some(Err(undecodable)) = decode(&app, &app.documents[2]) else {
            panic!("the claim templates should not decode");
        };
        assert_eq!(
            undecodable.path,
            "/spec/volumeClaimTemplates/1/spec/resources/requests/storage"
        );
    }

    #[test]
    fn a_workload_decodes_its_selector_and_a_job_its_manual_selector() {
        let job = |selector: serde_json::Value, manual: serde_json::Value| {
            json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "once", "namespace": "web"},
                "spec": {"selector": selector, "manualSelector": manual},
            })
        };
        let app = app(vec![
            job(json!({"matchLabels": {"app": "once"}}), json!(true)),
            job(json!(null), json!(null)),
            job(json!({"matchLabels": {"app": "once"}}), json!("yes")),
        ]);
        let decoded = decode(&app, &app.documents[0]).unwrap().ok().unwrap();
        let workload = Workload::of(&decoded.object).unwrap();
        let selector = workload.selector.as_ref().unwrap();
        assert_eq!(selector.match_labels.as_ref().unwrap()["app"], "once");
        assert_eq!(workload.manual_selector, Some(true));
        let decoded = decode(&app, &app.documents[1]).unwrap().ok().unwrap();
        let workload = Workload::of(&decoded.object).unwrap();
        assert!(workload.selector.is_none() && workload.manual_selector.is_none());
        let Some(Err(undecodable)) = decode(&app, &app.documents[2]) else {
            panic!("the manual selector should not decode");
        };
        assert_eq!(undecodable.path, "/spec/manualSelector");
    }

    #[test]
    fn an_undecodable_object_is_one_finding_and_the_rules_skip_it() {
        // a Namespace whose enforce label would refuse the root pod, had it decoded
        let namespace = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "web", "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "team": 3,
            }},
        });
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "root", "namespace": "web"},
            "spec": {"containers": [{"name": "root", "image": "nginx:1.27",
                                     "securityContext": {"privileged": true}}]},
        });
        let mut app = app(vec![namespace, pod]);
        app.documents[0].scope = Scope::Cluster;
        let findings = crate::validate::validate(
            std::slice::from_ref(&app),
            &crate::crd_catalog::NoCrds,
            &Default::default(),
            None,
        );
        let rules: Vec<_> = findings.iter().map(|finding| finding.rule).collect();
        // the identity rule reads metadata as JSON, for every kind
        assert_eq!(rules, ["objects", "identity"], "{findings:?}");
        assert_eq!(findings[0].severity, crate::finding::Severity::Error);
        assert_eq!(
            findings[0].message,
            "Namespace `web`: the object does not decode at `/metadata/labels/team`: invalid \
             type: integer `3`, expected a string"
        );
    }
}
