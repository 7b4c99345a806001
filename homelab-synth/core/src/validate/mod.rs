//! Validation of a whole synthesis before anything is written. Each rule lives in its own
//! file and returns findings; all of them run, so the user sees every problem at once. The
//! rules read one [`Context`]: the apps and the indexes built once for all of them.
//!
//! Pod templates are checked in one pass before the other checks: each is decoded, every
//! rule's pod check runs on it, and it is dropped, so no decoded pod spec outlives its turn
//! (see `pods.rs`); the context keeps a small record of each for the checks across objects.

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
use crate::crd_verdicts::SchemaVerdicts;
use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document, Provenance};
use crate::object::{Allow, Origin};

use context::Context;
use pods::{PodTemplate, TemplateRecord};

/// A rule's check of one decoded pod template, with what the rule prepared once from the
/// context (Pod Security levels by namespace, the ConfigMaps and Secrets provided...).
pub(crate) type PodCheck<'c> = Box<dyn Fn(&PodTemplate<'_>, &mut Vec<Finding>) + 'c>;

/// Every finding about `apps`; custom resources are checked against the CRDs of `apps`, then
/// those of `crds`, except those `verdicts` know valid.
pub(crate) fn validate(
    apps: &[AppManifest],
    crds: &dyn CrdCatalog,
    provenance: &Provenance,
    verdicts: Option<&SchemaVerdicts>,
) -> Vec<Finding> {
    type Check = fn(&Context<'_>, &mut Vec<Finding>);
    // each family's findings carry its rule id (`Finding::rule`)
    let checks: [(&'static str, Check); 10] = [
        ("objects", objects::check),
        ("identity", identity::check),
        ("secrets", secrets::check),
        ("quantities", quantities::check),
        ("selectors", selectors::check),
        ("custom-resources", custom_resources::check),
        ("namespaces", namespaces::check),
        ("routes", routes::check),
        ("gateways", gateways::check),
        ("rollout", rollout::check),
    ];
    let mut context = Context::new(apps, crds, provenance, verdicts);
    let mut findings = Vec::new();
    let records = check_pod_templates(&context, &mut findings);
    context.keep_pod_templates(records);
    for (rule, check) in checks {
        by_rule(rule, &mut findings, |findings| check(&context, findings));
    }
    findings
}

/// The one pass over the pod templates, in app order, then output order: each is decoded, every
/// rule's pod check runs on it, and it is dropped; returns the record of each that decodes.
fn check_pod_templates<'a>(
    context: &Context<'a>,
    findings: &mut Vec<Finding>,
) -> Vec<TemplateRecord<'a>> {
    type Prepare = for<'c, 'x> fn(&'c Context<'x>) -> PodCheck<'c>;
    let prepared: [(&'static str, Prepare); 6] = [
        ("identity", identity::pod_check),
        ("quantities", quantities::pod_check),
        ("selectors", selectors::pod_check),
        ("pod-security", pod_security::pod_check),
        ("references", references::pod_check),
        ("containers", containers::pod_check),
    ];
    let checks = prepared.map(|(rule, prepare)| (rule, prepare(context)));
    let mut records = Vec::new();
    for (app, document) in context.documents() {
        match pods::decode(app, document) {
            None => {}
            Some(Err(undecodable)) => by_rule("pod-specs", findings, |findings| {
                pods::check_undecodable(&undecodable, findings);
            }),
            Some(Ok(template)) => {
                for (rule, check) in &checks {
                    by_rule(rule, findings, |findings| check(&template, findings));
                }
                records.push(template.record);
            }
        }
    }
    records
}

/// Runs `check`, marking the findings it adds with `rule` (`Finding::rule`).
fn by_rule(rule: &'static str, findings: &mut Vec<Finding>, check: impl FnOnce(&mut Vec<Finding>)) {
    let start = findings.len();
    check(findings);
    for finding in &mut findings[start..] {
        finding.rule = rule;
    }
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::crd_catalog::NoCrds;
    use crate::manifest::{AppManifest, Document};
    use crate::object::Origin;
    use crate::scope::Scope;

    fn document(scope: Scope, body: Value) -> Document {
        let name = body["metadata"]["name"].as_str().unwrap().to_owned();
        let kind = body["kind"].as_str().unwrap().to_owned();
        Document::new(format!("web/{name}"), Origin::Code, scope, &body)
            .with_file_name(format!("{kind}.{name}.yaml"))
    }

    #[test]
    fn each_pod_check_finding_carries_the_id_of_its_rule() {
        let namespace = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "web", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}},
        });
        let deployment = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "other"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "hostNetwork": true,
                        "containers": [{
                            "name": "web",
                            "image": "nginx",
                            "ports": [{"name": "http", "containerPort": 80}],
                            "resources": {"requests": {"cpu": "1 m"}},
                            "envFrom": [{"configMapRef": {"name": "missing"}}],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                        }],
                    },
                },
            },
        });
        let service = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "web"},
            "spec": {
                "selector": {"app": "web"},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "http"},
                    {"name": "metrics", "port": 9090, "targetPort": "metrics"},
                ],
            },
        });
        let app = AppManifest {
            name: "web".into(),
            category: "test".into(),
            namespaces: vec!["web".into()],
            documents: vec![
                document(Scope::Cluster, namespace),
                document(Scope::Namespaced, deployment),
                document(Scope::Namespaced, service),
            ],
            external_namespaces: Default::default(),
        };
        let findings = super::validate(
            std::slice::from_ref(&app),
            &NoCrds,
            &Default::default(),
            None,
        );
        let mut found: Vec<(&str, &str)> = findings
            .iter()
            .map(|finding| (finding.rule, finding.message.as_str()))
            .collect();
        found.sort();
        let expected = [
            (
                "containers",
                "Deployment `web/web`: container `web` mounts volume `data`",
            ),
            ("identity", "image `nginx` has no tag or uses `latest`"),
            (
                "pod-security",
                "Deployment `web/web` would be refused by Namespace `web`",
            ),
            (
                "quantities",
                "spec.template.spec.containers[0].resources.requests.cpu: ",
            ),
            (
                "references",
                "Deployment `web/web` needs ConfigMap `missing` in namespace `web`",
            ),
            (
                "selectors",
                "spec.ports[1].targetPort `metrics` names no container port",
            ),
            (
                "selectors",
                "spec.selector {\"matchLabels\":{\"app\":\"other\"}} does not match",
            ),
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for ((rule, message), (expected_rule, start)) in found.iter().zip(expected) {
            assert_eq!(*rule, expected_rule, "{message}");
            assert!(message.starts_with(start), "{message}");
        }
    }
}
