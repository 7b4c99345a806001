//! n8n: workflow automation at `n8n.madhan.app`, on a PostgreSQL database run by CloudNativePG.
//!
//! - Chart: the 8gears OCI chart at **1.1.0**. The homelab pins 2.0.1, which is not available
//!   offline; 1.1.0 is the nearest available, so the values are written for the keys 1.1.0
//!   reads: `main.config` becomes the `n8n-app-config` ConfigMap of environment variables
//!   (`db.postgresdb.host` → `DB_POSTGRESDB_HOST`), `main.extraEnv` is a map from variable
//!   name to its source, `main.persistence.type: dynamic` makes the PVC. The seed's
//!   `postgresql.enabled` is gone: this chart has no PostgreSQL subchart. The n8n image
//!   stays at the seed's 1.78.0 (not the chart's default), so the database is never migrated
//!   by surprise.
//! - Database: the `Cluster n8n-pg` (one instance, 10Gi on Longhorn) creates database and
//!   owner `n8n`; the operator generates the password into the Secret `n8n-pg-app`, which
//!   n8n reads by reference, and serves the primary at the Service `n8n-pg-rw`.
//! - Secrets: the encryption key comes from OpenBao (`secret/data/n8n`) through the
//!   SecretProviderClass `n8n-secrets`, synced into the Secret `n8n-secrets` when the n8n pod
//!   mounts its CSI volume. Nothing secret, and nothing random, is in the manifests.
//! - The namespace is Restricted: n8n runs as user 1000 and drops everything, and CNPG's
//!   pods meet the restricted profile.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAMESPACE: &str = "n8n";
/// The CNPG cluster; the operator names its Services `<cluster>-rw`/`-ro` and its
/// application Secret `<cluster>-app`.
const DATABASE_CLUSTER: &str = "n8n-pg";
const SECRETS_MOUNT: &str = "/mnt/secrets";
/// The CSI volume's name in the pod, as the seed named it.
const SECRETS_VOLUME: &str = "openbao-secrets";

pub fn n8n(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("n8n", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Restricted),
    );

    let secrets = OpenBaoSecrets::new("n8n-secrets", "n8n")
        .object("ENCRYPTION_KEY", "secret/data/n8n", "ENCRYPTION_KEY")
        .sync("n8n-secrets", &[("ENCRYPTION_KEY", "N8N_ENCRYPTION_KEY")]);
    chart.add_untyped("secrets", secrets.build());

    chart.add_untyped(
        "database",
        Untyped::new(
            "postgresql.cnpg.io/v1",
            "Cluster",
            json!({
                "metadata": {"name": DATABASE_CLUSTER},
                "spec": {
                    "instances": 1,
                    "storage": {"size": "10Gi", "storageClass": "longhorn"},
                    "bootstrap": {"initdb": {"database": "n8n", "owner": "n8n"}},
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "256Mi"},
                        "limits": {"cpu": "500m", "memory": "512Mi"}
                    }
                }
            }),
        )
        .scope(Scope::Namespaced),
    );

    chart.helm(
        "n8n",
        HelmProps::new(
            ChartSource::oci("oci://8gears.container-registry.com/library/n8n"),
            "1.1.0",
        )
        .release("n8n")
        .values(json!({
            "image": {"tag": "1.78.0"},
            "ingress": {"enabled": false},
            "main": {
                "config": {
                    // the public address, so webhook and OAuth callback URLs are not localhost
                    "n8n": {"host": cluster.host("n8n"), "protocol": "https"},
                    "webhook_url": format!("https://{}/", cluster.host("n8n")),
                    "db": {
                        "type": "postgresdb",
                        "postgresdb": {
                            "host": format!("{DATABASE_CLUSTER}-rw"),
                            "port": 5432,
                            "database": "n8n",
                            "user": "n8n"
                        }
                    }
                },
                "extraEnv": {
                    "N8N_ENCRYPTION_KEY": secret_ref("n8n-secrets", "N8N_ENCRYPTION_KEY"),
                    "DB_POSTGRESDB_PASSWORD":
                        secret_ref(&format!("{DATABASE_CLUSTER}-app"), "password")
                },
                "persistence": {
                    "enabled": true,
                    "type": "dynamic",
                    "size": "10Gi",
                    "accessModes": ["ReadWriteMany"]
                },
                // mounting the CSI volume is what makes the driver sync `n8n-secrets`
                "extraVolumes": [{
                    "name": SECRETS_VOLUME,
                    "csi": {
                        "driver": SECRETS_STORE_DRIVER,
                        "readOnly": true,
                        "volumeAttributes": {"secretProviderClass": secrets.name()}
                    }
                }],
                "extraVolumeMounts": [{
                    "name": SECRETS_VOLUME,
                    "mountPath": SECRETS_MOUNT,
                    "readOnly": true
                }],
                "resources": {
                    "requests": {"cpu": "100m", "memory": "256Mi"},
                    "limits": {"cpu": "500m", "memory": "512Mi"}
                },
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"]},
                    "seccompProfile": {"type": "RuntimeDefault"}
                }
            }
        })),
    );

    chart.add(
        "route",
        HttpRouteBuilder::new(
            "n8n",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("n8n"),
        )
        .to_service("n8n", 80)
        .build(),
    );
}

/// An environment variable's source: key `key` of Secret `name`.
fn secret_ref(name: &str, key: &str) -> Value {
    json!({"valueFrom": {"secretKeyRef": {"name": name, "key": key}}})
}
