//! Secrets by reference through an operator: an External Secrets Operator `ExternalSecret`
//! (a key of a SecretStore or ClusterSecretStore becomes a key of a Kubernetes Secret) and an
//! Infisical `InfisicalSecret` (a folder of an Infisical project becomes a Secret). Both are
//! typed from `imports/`; the manifests hold paths and key names, never values. Synthesis
//! counts the Secrets they create as provided when it checks what pods need.
//!
//! ```
//! use homelab_synth::kit::{ExternalSecretBuilder, InfisicalSecretBuilder};
//! let grafana = ExternalSecretBuilder::new("grafana-oauth", "openbao")
//!     .cluster_store()
//!     .key("client-secret", "grafana", "OAUTH_CLIENT_SECRET")
//!     .build();
//! assert_eq!(grafana.spec.unwrap().target.unwrap().name.as_deref(), Some("grafana-oauth"));
//! let n8n = InfisicalSecretBuilder::new("n8n", "homelab", "prod", "/n8n")
//!     .universal_auth("infisical-machine-identity", "infisical")
//!     .build("n8n");
//! assert_eq!(n8n.metadata.name.as_deref(), Some("n8n"));
//! ```

use homelab_imports::external_secrets_io::v1::{
    ExternalSecret, ExternalSecretSpec, ExternalSecretSpecData, ExternalSecretSpecDataRemoteRef,
    ExternalSecretSpecDataSourceRefStoreRef, ExternalSecretSpecDataSourceRefStoreRefKind,
    ExternalSecretSpecTarget,
};
use homelab_imports::secrets_infisical_com::v1alpha1::{
    InfisicalSecret, InfisicalSecretSpec, InfisicalSecretSpecAuthentication,
    InfisicalSecretSpecAuthenticationAwsIamAuthSecretsScope,
    InfisicalSecretSpecAuthenticationLdapAuthCredentialsRef,
    InfisicalSecretSpecAuthenticationUniversalAuth, InfisicalSecretSpecManagedKubeSecretReferences,
};

use homelab_synth_core::kit::named;

/// An `ExternalSecret` whose target Secret has the same name.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalSecretBuilder {
    name: String,
    store: String,
    cluster_store: bool,
    refresh: String,
    keys: Vec<(String, String, Option<String>)>,
}

impl ExternalSecretBuilder {
    /// ExternalSecret (and Secret) `name`, reading from SecretStore `store`, refreshed
    /// hourly.
    pub fn new(name: &str, store: &str) -> Self {
        ExternalSecretBuilder {
            name: name.to_owned(),
            store: store.to_owned(),
            cluster_store: false,
            refresh: "1h".to_owned(),
            keys: Vec::new(),
        }
    }

    /// Reads from a ClusterSecretStore instead of a namespaced SecretStore.
    #[must_use]
    pub fn cluster_store(mut self) -> Self {
        self.cluster_store = true;
        self
    }

    /// How often the operator re-reads the store (`1h`, `15m`).
    #[must_use]
    pub fn refresh(mut self, interval: &str) -> Self {
        self.refresh = interval.to_owned();
        self
    }

    /// Secret key `secret_key` from the store's entry `remote_key`, field `property`.
    #[must_use]
    pub fn key(mut self, secret_key: &str, remote_key: &str, property: &str) -> Self {
        self.keys.push((
            secret_key.to_owned(),
            remote_key.to_owned(),
            Some(property.to_owned()),
        ));
        self
    }

    /// The Secret the operator writes.
    pub fn secret_name(&self) -> &str {
        &self.name
    }

    /// The object.
    pub fn build(&self) -> ExternalSecret {
        let data = self
            .keys
            .iter()
            .map(
                |(secret_key, remote_key, property)| ExternalSecretSpecData {
                    secret_key: secret_key.clone(),
                    remote_ref: ExternalSecretSpecDataRemoteRef {
                        key: remote_key.clone(),
                        property: property.clone(),
                        ..ExternalSecretSpecDataRemoteRef::default()
                    },
                    ..ExternalSecretSpecData::default()
                },
            )
            .collect();
        let kind = if self.cluster_store {
            ExternalSecretSpecDataSourceRefStoreRefKind::ClusterSecretStore
        } else {
            ExternalSecretSpecDataSourceRefStoreRefKind::SecretStore
        };
        ExternalSecret {
            metadata: named(&self.name),
            spec: Some(ExternalSecretSpec {
                data: Some(data),
                refresh_interval: Some(self.refresh.clone()),
                secret_store_ref: Some(ExternalSecretSpecDataSourceRefStoreRef {
                    kind: Some(kind),
                    name: Some(self.store.clone()),
                }),
                target: Some(ExternalSecretSpecTarget {
                    name: Some(self.name.clone()),
                    ..ExternalSecretSpecTarget::default()
                }),
                ..ExternalSecretSpec::default()
            }),
            status: None,
        }
    }
}

/// An `InfisicalSecret` that syncs one folder of an Infisical project into a Secret of the
/// same name.
#[derive(Clone, Debug, PartialEq)]
pub struct InfisicalSecretBuilder {
    name: String,
    project: String,
    environment: String,
    path: String,
    credentials: Option<(String, String)>,
    resync_seconds: i64,
}

impl InfisicalSecretBuilder {
    /// InfisicalSecret (and Secret) `name` for folder `path` of environment `environment`
    /// of project `project` (slugs), resynced every minute.
    pub fn new(name: &str, project: &str, environment: &str, path: &str) -> Self {
        InfisicalSecretBuilder {
            name: name.to_owned(),
            project: project.to_owned(),
            environment: environment.to_owned(),
            path: path.to_owned(),
            credentials: None,
            resync_seconds: 60,
        }
    }

    /// Logs in with the machine identity whose client id and secret are in Secret `secret`
    /// of `namespace` (made once, outside GitOps).
    #[must_use]
    pub fn universal_auth(mut self, secret: &str, namespace: &str) -> Self {
        self.credentials = Some((secret.to_owned(), namespace.to_owned()));
        self
    }

    /// The object, writing the Secret into `namespace`.
    pub fn build(&self, namespace: &str) -> InfisicalSecret {
        let universal_auth = self.credentials.as_ref().map(|(secret, secret_namespace)| {
            InfisicalSecretSpecAuthenticationUniversalAuth {
                credentials_ref: InfisicalSecretSpecAuthenticationLdapAuthCredentialsRef {
                    secret_name: secret.clone(),
                    secret_namespace: secret_namespace.clone(),
                },
                secrets_scope: InfisicalSecretSpecAuthenticationAwsIamAuthSecretsScope {
                    env_slug: self.environment.clone(),
                    project_slug: Some(self.project.clone()),
                    secrets_path: self.path.clone(),
                    ..InfisicalSecretSpecAuthenticationAwsIamAuthSecretsScope::default()
                },
            }
        });
        InfisicalSecret {
            metadata: named(&self.name),
            spec: Some(InfisicalSecretSpec {
                authentication: Some(InfisicalSecretSpecAuthentication {
                    universal_auth,
                    ..InfisicalSecretSpecAuthentication::default()
                }),
                managed_kube_secret_references: Some(vec![
                    InfisicalSecretSpecManagedKubeSecretReferences {
                        secret_name: self.name.clone(),
                        secret_namespace: namespace.to_owned(),
                        creation_policy: Some("Orphan".into()),
                        ..InfisicalSecretSpecManagedKubeSecretReferences::default()
                    },
                ]),
                resync_interval: Some(self.resync_seconds),
                ..InfisicalSecretSpec::default()
            }),
            status: None,
        }
    }
}
