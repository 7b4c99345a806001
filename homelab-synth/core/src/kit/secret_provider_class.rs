//! Secrets by reference: a `SecretProviderClass` (secrets-store CSI driver) that reads values
//! from OpenBao and, once a pod mounts its CSI volume, syncs them into a Kubernetes Secret.
//! Nothing secret is in the manifests: only paths and key names.
//!
//! The driver's CRD is not among the imported ones, so the object is built untyped (its
//! shape is fixed here, in one place).

use serde_json::{Value, json};

use crate::object::Untyped;
use crate::scope::Scope;
use crate::yaml::to_yaml;

/// OpenBao's in-cluster address (the `openbao` app).
pub const OPENBAO_ADDRESS: &str = "http://openbao.openbao.svc.cluster.local:8200";
/// The CSI driver name a pod volume uses to mount a `SecretProviderClass`.
pub const SECRETS_STORE_DRIVER: &str = "secrets-store.csi.k8s.io";

/// A `SecretProviderClass` for the `openbao` provider.
///
/// ```
/// use homelab_synth_core::kit::OpenBaoSecrets;
/// let class = OpenBaoSecrets::new("grafana-secrets", "grafana")
///     .object("ADMIN_PASSWORD", "secret/data/grafana", "ADMIN_PASSWORD")
///     .sync("grafana-admin", &[("ADMIN_PASSWORD", "admin-password")])
///     .build();
/// assert_eq!(class.kind(), "SecretProviderClass");
/// ```
#[derive(Clone, Debug)]
pub struct OpenBaoSecrets {
    name: String,
    role: String,
    address: String,
    objects: Vec<(String, String, String)>,
    synced: Vec<(String, Vec<(String, String)>)>,
}

impl OpenBaoSecrets {
    /// A class named `name` that logs in to OpenBao with Kubernetes role `role`.
    pub fn new(name: &str, role: &str) -> Self {
        OpenBaoSecrets {
            name: name.to_owned(),
            role: role.to_owned(),
            address: OPENBAO_ADDRESS.to_owned(),
            objects: Vec::new(),
            synced: Vec::new(),
        }
    }

    /// The class's name (what a CSI volume's `secretProviderClass` attribute names).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads key `secret_key` of the OpenBao secret at `path` as object `object_name`
    /// (the file name under the mount).
    #[must_use]
    pub fn object(mut self, object_name: &str, path: &str, secret_key: &str) -> Self {
        self.objects
            .push((object_name.into(), path.into(), secret_key.into()));
        self
    }

    /// Syncs objects into the Opaque Secret `secret_name`: `(object name, Secret key)` pairs.
    #[must_use]
    pub fn sync(mut self, secret_name: &str, keys: &[(&str, &str)]) -> Self {
        let keys = keys
            .iter()
            .map(|(object, key)| ((*object).to_owned(), (*key).to_owned()))
            .collect();
        self.synced.push((secret_name.to_owned(), keys));
        self
    }

    /// The Secrets this class syncs, by name.
    pub fn synced_secrets(&self) -> impl Iterator<Item = &str> {
        self.synced.iter().map(|(name, _)| name.as_str())
    }

    /// The object.
    pub fn build(&self) -> Untyped {
        let objects: Vec<Value> = self
            .objects
            .iter()
            .map(|(object, path, key)| {
                json!({"objectName": object, "secretPath": path, "secretKey": key})
            })
            .collect();
        // The driver reads `objects` as a YAML string; our emitter makes it canonical.
        let objects = to_yaml(&Value::Array(objects)).unwrap_or_default();
        let secret_objects: Vec<Value> = self
            .synced
            .iter()
            .map(|(secret, keys)| {
                let data: Vec<Value> = keys
                    .iter()
                    .map(|(object, key)| json!({"objectName": object, "key": key}))
                    .collect();
                json!({"secretName": secret, "type": "Opaque", "data": data})
            })
            .collect();
        let mut spec = json!({
            "provider": "openbao",
            "parameters": {
                "vaultAddress": self.address,
                "roleName": self.role,
                "objects": objects,
            },
        });
        if !secret_objects.is_empty() {
            spec["secretObjects"] = Value::Array(secret_objects);
        }
        Untyped::new(
            "secrets-store.csi.x-k8s.io/v1",
            "SecretProviderClass",
            json!({"metadata": {"name": self.name}, "spec": spec}),
        )
        .scope(Scope::Namespaced)
    }
}
