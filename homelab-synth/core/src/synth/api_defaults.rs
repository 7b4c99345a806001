//! Fields the API server fills in and Argo CD then reports as drift, spelled out in the
//! output for objects the workload kit did not build (Helm charts, includes, untyped
//! objects). Today: a StatefulSet's `volumeClaimTemplates` come back from the API with
//! `apiVersion: v1`, `kind: PersistentVolumeClaim` and `spec.volumeMode: Filesystem`; a
//! chart that leaves them out shows its StatefulSet OutOfSync forever
//! (argoproj/argo-cd#11143). The kit's [`crate::kit::workload::Claim`] writes them already;
//! here every other claim template gets the same. Values already present are kept.

use serde_json::{Value, json};

use crate::synth::kind_of;

/// Fills in what the API server would, on the bodies of one app's documents (before they
/// are kept as text).
pub(crate) fn spell_out(bodies: &mut [Value]) {
    for body in bodies {
        if kind_of(body) == ("apps", "StatefulSet") {
            fill_claim_templates(body);
        }
    }
}

fn fill_claim_templates(stateful_set: &mut Value) {
    let Some(templates) = stateful_set
        .pointer_mut("/spec/volumeClaimTemplates")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for template in templates.iter_mut().filter_map(Value::as_object_mut) {
        template.entry("apiVersion").or_insert_with(|| json!("v1"));
        template
            .entry("kind")
            .or_insert_with(|| json!("PersistentVolumeClaim"));
        if let Some(spec) = template.get_mut("spec").and_then(Value::as_object_mut) {
            spec.entry("volumeMode")
                .or_insert_with(|| json!("Filesystem"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_templates_get_what_the_api_server_fills_in_and_keep_what_they_say() {
        let mut set = json!({"spec": {"volumeClaimTemplates": [
            {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "raw"},
             "spec": {"volumeMode": "Block"}}
        ]}});
        fill_claim_templates(&mut set);
        assert_eq!(
            set["spec"]["volumeClaimTemplates"],
            json!([
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                 "metadata": {"name": "data"},
                 "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}},
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "raw"},
                 "spec": {"volumeMode": "Block"}}
            ])
        );
        let mut without = json!({"spec": {"replicas": 1}});
        fill_claim_templates(&mut without);
        assert_eq!(without, json!({"spec": {"replicas": 1}}));
    }
}
