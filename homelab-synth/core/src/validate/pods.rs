//! Pod templates inside workload objects, decoded one at a time into the typed [`PodSpec`]
//! the rules that look at containers, volumes and references read: validation decodes each
//! template once, runs every rule's pod check on it and drops it, keeping only its
//! [`TemplateRecord`] (keeping every decoded `PodSpec` for the whole validation made
//! `synth-bench --apps 10000` peak 88 MiB higher, at 588 MiB). A pod spec that does not decode
//! (as kubectl would refuse it) is reported once, by [`check_undecodable`], and skipped by the
//! pod rules.

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvFromSource, EnvVar, EphemeralContainer, PodSpec, Probe,
    ResourceRequirements, SecurityContext, VolumeMount,
};
use serde_json::{Map, Value};

use crate::finding::{Finding, Severity};
use crate::manifest::{AppManifest, Document};
use crate::validate::decode::{Undecodable, decode_at};
use crate::validate::{about, describe};

/// A decoded pod spec of a document, with where it lives.
pub(crate) struct PodTemplate<'a> {
    /// Where the template lives; what the context keeps of it once the pod checks ran.
    pub(crate) record: TemplateRecord<'a>,
    /// The pod spec.
    pub(crate) spec: PodSpec,
}

/// What validation keeps of a pod template that decoded, once its pod checks ran, for the
/// checks across objects (a Service's selector and named target ports).
#[derive(Clone)]
pub(crate) struct TemplateRecord<'a> {
    /// The app of the document.
    pub(crate) app: &'a AppManifest,
    /// The workload (or Pod) holding the template.
    pub(crate) document: &'a Document,
    /// JSON pointer of the pod spec (`/spec/template/spec`).
    pub(crate) path: &'static str,
    /// Labels of the pod template (`metadata.labels`), when they are a mapping.
    pub(crate) labels: Option<Map<String, Value>>,
    /// The names of the ports the regular containers (`containers`, not init or ephemeral
    /// ones) declare.
    port_names: Vec<String>,
}

impl TemplateRecord<'_> {
    /// The names of the ports the regular containers (`containers`, not init or ephemeral
    /// ones) declare.
    pub(crate) fn container_port_names(&self) -> impl Iterator<Item = &str> {
        self.port_names.iter().map(String::as_str)
    }
}

/// The pod template of `document` (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// ReplicationController, Job and CronJob), decoded; `None` for other kinds and templates
/// without a spec.
pub(crate) fn decode<'a>(
    app: &'a AppManifest,
    document: &'a Document,
) -> Option<Result<PodTemplate<'a>, Undecodable<'a>>> {
    let (metadata, path) = match (document.group(), document.kind()) {
        ("", "Pod") => ("/metadata", "/spec"),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController")
        | ("batch", "Job") => ("/spec/template/metadata", "/spec/template/spec"),
        ("batch", "CronJob") => (
            "/spec/jobTemplate/spec/template/metadata",
            "/spec/jobTemplate/spec/template/spec",
        ),
        _ => return None,
    };
    let mut body = document.body();
    let labels = match body
        .pointer_mut(metadata)
        .and_then(|meta| meta.get_mut("labels"))
        .map(Value::take)
    {
        Some(Value::Object(labels)) => Some(labels),
        _ => None,
    };
    Some(
        decode_at::<PodSpec>(app, document, &body, path)?.map(|spec| {
            let port_names = spec
                .containers
                .iter()
                .flat_map(|container| container.ports.iter().flatten())
                .filter_map(|port| port.name.clone())
                .collect();
            PodTemplate {
                record: TemplateRecord {
                    app,
                    document,
                    path,
                    labels,
                    port_names,
                },
                spec,
            }
        }),
    )
}

/// Reports a pod spec that does not decode.
pub(crate) fn check_undecodable(undecodable: &Undecodable<'_>, findings: &mut Vec<Finding>) {
    findings.push(about(
        Severity::Error,
        undecodable.app,
        undecodable.document,
        format!(
            "{}: the pod spec does not decode at `{}`: {}",
            describe(undecodable.document),
            undecodable.path,
            undecodable.error
        ),
    ));
}

/// A container of a pod spec: regular, init or ephemeral (a type of its own, with the same
/// fields the rules read).
#[derive(Clone, Copy)]
pub(crate) enum ContainerView<'a> {
    /// An init or regular container.
    Regular(&'a Container),
    /// An ephemeral container.
    Ephemeral(&'a EphemeralContainer),
}

macro_rules! field {
    ($self:ident, $field:ident) => {
        match $self {
            ContainerView::Regular(container) => container.$field.as_ref(),
            ContainerView::Ephemeral(container) => container.$field.as_ref(),
        }
    };
}

impl<'a> ContainerView<'a> {
    /// The container's name (`?` when it has none).
    pub(crate) fn name(self) -> &'a str {
        let name = match self {
            ContainerView::Regular(container) => &container.name,
            ContainerView::Ephemeral(container) => &container.name,
        };
        if name.is_empty() { "?" } else { name }
    }

    /// The image reference.
    pub(crate) fn image(self) -> Option<&'a str> {
        field!(self, image).map(String::as_str)
    }

    /// The `env` list.
    pub(crate) fn env(self) -> &'a [EnvVar] {
        field!(self, env).map_or(&[], Vec::as_slice)
    }

    /// The `envFrom` list.
    pub(crate) fn env_from(self) -> &'a [EnvFromSource] {
        field!(self, env_from).map_or(&[], Vec::as_slice)
    }

    /// The `volumeMounts` list.
    pub(crate) fn volume_mounts(self) -> &'a [VolumeMount] {
        field!(self, volume_mounts).map_or(&[], Vec::as_slice)
    }

    /// The `ports` list.
    pub(crate) fn ports(self) -> &'a [ContainerPort] {
        field!(self, ports).map_or(&[], Vec::as_slice)
    }

    /// The security context.
    pub(crate) fn security_context(self) -> Option<&'a SecurityContext> {
        field!(self, security_context)
    }

    /// The resource requests and limits.
    pub(crate) fn resources(self) -> Option<&'a ResourceRequirements> {
        field!(self, resources)
    }

    /// The liveness, readiness and startup probes, with their field names.
    pub(crate) fn probes(self) -> [(&'static str, Option<&'a Probe>); 3] {
        [
            ("livenessProbe", field!(self, liveness_probe)),
            ("readinessProbe", field!(self, readiness_probe)),
            ("startupProbe", field!(self, startup_probe)),
        ]
    }
}

/// Every container of a pod spec (init, regular and ephemeral), with its list name and its
/// index in that list.
pub(crate) fn containers(
    spec: &PodSpec,
) -> impl Iterator<Item = (&'static str, usize, ContainerView<'_>)> {
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .map(ContainerView::Regular);
    let regular = spec.containers.iter().map(ContainerView::Regular);
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .map(ContainerView::Ephemeral);
    let numbered = |list: &'static str| move |(index, container)| (list, index, container);
    init.enumerate()
        .map(numbered("initContainers"))
        .chain(regular.enumerate().map(numbered("containers")))
        .chain(ephemeral.enumerate().map(numbered("ephemeralContainers")))
}

/// The elements of the list at JSON pointer `pointer` below `value` (none when the field is
/// missing or not a list), for the objects read as JSON: Gateway API routes and gateways,
/// custom resources...
pub(crate) fn items<'a>(value: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::decode;
    use crate::manifest::{AppManifest, Document};
    use crate::object::Origin;
    use crate::scope::Scope;

    fn deployment(pod_spec: serde_json::Value) -> AppManifest {
        let body = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "web"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}},
        });
        AppManifest {
            name: "web".into(),
            category: "test".into(),
            namespaces: vec!["web".into()],
            documents: vec![
                Document::new("web/web", Origin::Code, Scope::Namespaced, &body)
                    .with_file_name("Deployment.web.yaml"),
            ],
            external_namespaces: Default::default(),
        }
    }

    #[test]
    fn a_pod_spec_decodes_with_its_labels_and_numeric_quantities() {
        let app = deployment(json!({"containers": [{
            "name": "web",
            "image": "nginx:1.27",
            "resources": {"limits": {"cpu": 2}},
        }]}));
        let template = decode(&app, &app.documents[0]).unwrap().ok().unwrap();
        assert_eq!(template.record.path, "/spec/template/spec");
        assert_eq!(template.record.labels.as_ref().unwrap()["app"], "web");
        let container = &template.spec.containers[0];
        assert_eq!(container.image.as_deref(), Some("nginx:1.27"));
        let limits = container
            .resources
            .as_ref()
            .unwrap()
            .limits
            .as_ref()
            .unwrap();
        assert_eq!(limits["cpu"].0, "2");
    }

    #[test]
    fn an_undecodable_pod_spec_names_the_failing_field() {
        let app = deployment(json!({
            "volumes": [{"name": "data", "emptyDir": {}}],
            "containers": [
                {"name": "ok", "image": "nginx:1.27"},
                {"name": "web", "ports": [{"containerPort": "http"}]},
            ],
        }));
        let Some(Err(undecodable)) = decode(&app, &app.documents[0]) else {
            panic!("the pod spec should not decode");
        };
        assert_eq!(
            undecodable.path,
            "/spec/template/spec/containers/1/ports/0/containerPort"
        );
        assert!(
            undecodable.error.to_string().contains("invalid type"),
            "{}",
            undecodable.error
        );
    }

    #[test]
    fn an_undecodable_pod_spec_is_one_finding_and_the_pod_rules_skip_it() {
        // an unpinned image: the identity rule would warn if it read this pod spec
        let app = deployment(json!({"containers": [
            {"name": "web", "image": "nginx", "ports": [{"containerPort": "http"}]},
        ]}));
        let findings = crate::validate::validate(
            std::slice::from_ref(&app),
            &crate::crd_catalog::NoCrds,
            &Default::default(),
            None,
        );
        let about_pods: Vec<_> = findings
            .iter()
            .filter(|finding| finding.rule == "pod-specs" || finding.message.contains("image"))
            .collect();
        assert_eq!(about_pods.len(), 1, "{findings:?}");
        assert_eq!(about_pods[0].severity, crate::finding::Severity::Error);
        assert_eq!(about_pods[0].app, "web");
        assert!(
            about_pods[0].message.starts_with(
                "Deployment `web/web`: the pod spec does not decode at \
                 `/spec/template/spec/containers/0/ports/0/containerPort`: invalid type"
            ),
            "{}",
            about_pods[0].message
        );
    }

    #[test]
    fn a_record_keeps_the_labels_and_names_the_ports_of_regular_containers_only() {
        let app = deployment(json!({
            "initContainers": [{"name": "init", "ports": [{"name": "setup", "containerPort": 1}]}],
            "containers": [
                {"name": "web", "ports": [
                    {"name": "http", "containerPort": 80},
                    {"containerPort": 81},
                    {"name": null, "containerPort": 82},
                ]},
                {"name": "sidecar", "ports": null},
                {"name": "metrics", "ports": [{"name": "metrics", "containerPort": 9090}]},
            ],
        }));
        let template = decode(&app, &app.documents[0]).unwrap().ok().unwrap();
        let record = template.record;
        assert_eq!(record.labels.as_ref().unwrap()["app"], "web");
        assert!(std::ptr::eq(record.document, &app.documents[0]));
        let names: Vec<&str> = record.container_port_names().collect();
        assert_eq!(names, ["http", "metrics"]);
    }

    #[test]
    fn other_kinds_have_no_pod_template() {
        let mut app = deployment(json!({}));
        app.documents[0].update_body(|body| {
            body["kind"] = json!("Service");
            body["apiVersion"] = json!("v1");
        });
        assert!(decode(&app, &app.documents[0]).is_none());
    }
}
