//! Pod templates inside workload objects, shared by the rules that look at containers,
//! selectors and resources.

use serde_json::Value;

use crate::manifest::Document;

/// A pod spec found in a document, with the JSON path where it lives.
pub(crate) struct PodTemplate<'a> {
    /// JSON pointer of the pod spec (`/spec/template/spec`).
    pub(crate) path: &'static str,
    /// Labels of the pod template (`metadata.labels`).
    pub(crate) labels: Option<&'a serde_json::Map<String, Value>>,
    /// The pod spec.
    pub(crate) spec: &'a Value,
}

/// Pod templates of workload kinds: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// ReplicationController, Job and CronJob.
pub(crate) fn pod_templates(document: &Document) -> Vec<PodTemplate<'_>> {
    let body = &document.body;
    let template = |metadata: &'static str, spec: &'static str| {
        body.pointer(spec).map(|pod_spec| PodTemplate {
            path: spec,
            labels: body
                .pointer(metadata)
                .and_then(|meta| meta.get("labels"))
                .and_then(Value::as_object),
            spec: pod_spec,
        })
    };
    let found = match (document.group(), document.kind()) {
        ("", "Pod") => template("/metadata", "/spec"),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController")
        | ("batch", "Job") => template("/spec/template/metadata", "/spec/template/spec"),
        ("batch", "CronJob") => template(
            "/spec/jobTemplate/spec/template/metadata",
            "/spec/jobTemplate/spec/template/spec",
        ),
        _ => None,
    };
    found.into_iter().collect()
}

/// Every container of a pod spec (init, regular and ephemeral), with its list name.
pub(crate) fn containers(spec: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |list| {
            spec.get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |container| (list, container))
        })
}

/// The elements of the list at JSON pointer `pointer` below `value` (none when the field is
/// missing or not a list): volumes, ports, env, sysctls...
pub(crate) fn items<'a>(value: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}
