//! Harbor: the homelab's container registry (with Trivy scanning) behind
//! `harbor.madhan.app`. The chart's nginx is exposed as a ClusterIP Service and TLS ends at
//! the homelab Gateway; the registry keeps images on a 50Gi ReadWriteMany Longhorn volume
//! (so a rolling update never waits for a volume held by the old pod), the job logs on a
//! ReadWriteMany volume, the internal PostgreSQL on 10Gi.
//!
//! Secrets, by reference only: left to itself the chart generates random passwords, keys and
//! a token-signing CA on every render (seven Secrets whose values, and the `checksum/*` pod
//! annotations hashing them, changed on every synth of the seed). Here every one of them
//! points at an existing Secret:
//! - `harbor-admin` (`HARBOR_ADMIN_PASSWORD`) and `harbor-internal` (`secretKey`, `secret`,
//!   `CSRF_KEY`, `JOBSERVICE_SECRET`, `REGISTRY_HTTP_SECRET`, `REGISTRY_PASSWD`,
//!   `REGISTRY_HTPASSWD`, `password` of the database) are synced from OpenBao
//!   (`secret/data/harbor`: `HARBOR_ADMIN_PASSWORD` and the keys of `INTERNAL_KEYS`) by the CSI driver, which does
//!   so while the `secret-sync` pod mounts the class's volume. OpenBao must hold
//!   `SECRET_KEY` (16 characters), `CSRF_KEY` (32 characters) and `REGISTRY_HTPASSWD`
//!   (`harbor_registry_user:<bcrypt of REGISTRY_PASSWD>`) besides the passwords;
//! - the token service's signing key is a cert-manager Certificate from a self-signed
//!   Issuer, generated in the cluster and kept across renewals.
//!
//! What the chart still renders has no values: its own Secrets are emptied (the internal
//! database takes `POSTGRES_PASSWORD` from `harbor-internal`, the internal Redis has no
//! password, and Trivy gets its Redis URL, which holds no credentials, as a plain variable).
//! The `checksum/*` annotations, which now hash templates without values, are removed; the
//! reloader annotation restarts the pods when a Secret or ConfigMap they use changes.
//!
//! Fixed from the seed: chart 1.19 reads the admin password Secret from
//! `existingSecretAdminPassword` (the seed's `existingSecret` was ignored) and the registry
//! container's resources from `registry.registry.resources` (not `registry.resources`); the
//! HTTPRoute goes to the `harbor` (nginx) Service as in the reference.

use homelab_clusters::Cluster;
use homelab_imports::cert_manager_io::v1::{
    Certificate, CertificateSpec, CertificateSpecIssuerRef, CertificateSpecPrivateKey,
    CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyEncoding,
    CertificateSpecPrivateKeyRotationPolicy, Issuer, IssuerSpec, IssuerSpecSelfSigned,
};
use homelab_synth::prelude::*;
use k8s_openapi::api::core::v1::ServiceAccount;

const NAMESPACE: &str = "harbor";
/// The OpenBao secret every value comes from.
const OPENBAO_PATH: &str = "secret/data/harbor";
/// Synced admin password (the seed's name).
const ADMIN_SECRET: &str = "harbor-admin";
/// Synced keys and passwords the components share.
const INTERNAL_SECRET: &str = "harbor-internal";
/// cert-manager's Secret with the token service's signing key.
const TOKEN_SECRET: &str = "harbor-token-service";
/// The chart's in-cluster Redis URL for Trivy (the internal Redis has no password).
const TRIVY_REDIS_URL: &str = "redis://harbor-redis:6379/5?idle_timeout_seconds=30";
const RELOADER: &str = "reloader.stakater.com/auto";
/// The OpenBao keys (also the CSI object names) synced into `harbor-internal`, and the key
/// names the chart reads there.
const INTERNAL_KEYS: [(&str, &str); 8] = [
    ("SECRET_KEY", "secretKey"),
    ("CORE_SECRET", "secret"),
    ("CSRF_KEY", "CSRF_KEY"),
    ("JOBSERVICE_SECRET", "JOBSERVICE_SECRET"),
    ("REGISTRY_HTTP_SECRET", "REGISTRY_HTTP_SECRET"),
    ("REGISTRY_PASSWD", "REGISTRY_PASSWD"),
    ("REGISTRY_HTPASSWD", "REGISTRY_HTPASSWD"),
    ("DATABASE_PASSWORD", "password"),
];

pub fn harbor(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("harbor", ChartProps::namespace(NAMESPACE));
    // every Harbor container and the sync pod meet the restricted profile
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Restricted),
    );

    let mut secrets = OpenBaoSecrets::new("harbor-secrets", "harbor").object(
        "HARBOR_ADMIN_PASSWORD",
        OPENBAO_PATH,
        "HARBOR_ADMIN_PASSWORD",
    );
    for (object, _) in INTERNAL_KEYS {
        secrets = secrets.object(object, OPENBAO_PATH, object);
    }
    let secrets = secrets
        .sync(
            ADMIN_SECRET,
            &[("HARBOR_ADMIN_PASSWORD", "HARBOR_ADMIN_PASSWORD")],
        )
        .sync(INTERNAL_SECRET, &INTERNAL_KEYS);
    chart.add_untyped("secrets", secrets.build());
    secret_sync(&mut chart, &secrets);
    token_service_key(&mut chart);

    let harbor = chart.helm(
        "harbor",
        HelmProps::new(
            ChartSource::repo("https://helm.goharbor.io", "harbor"),
            "1.19.0",
        )
        .release("harbor")
        // read by the templates, but only commented examples in values.yaml
        .allow_value("core.resources")
        .allow_value("jobservice.resources")
        .allow_value("registry.registry.resources")
        .values(values(cluster)),
    );

    // The chart's own Secrets keep keys whose values now come from elsewhere (or are empty).
    chart.patch_rendered(
        harbor,
        "Secret",
        "harbor-database",
        JsonPatch::test("/data/POSTGRES_PASSWORD", json!("")).then(JsonPatch::remove("/data")),
    );
    chart.patch_rendered(
        harbor,
        "Secret",
        "harbor-registry",
        JsonPatch::test("/data/REGISTRY_REDIS_PASSWORD", json!(""))
            .then(JsonPatch::remove("/data")),
    );
    // the Redis URL moves into the StatefulSet (below); no GitHub token is set
    chart.patch_rendered(
        harbor,
        "Secret",
        "harbor-trivy",
        JsonPatch::test("/data/gitHubToken", json!("")).then(JsonPatch::remove("/data")),
    );
    // harbor-core, harbor-jobservice and harbor-registryctl render `data:` with nothing under
    // it (every key points elsewhere); synth drops the null, and the pods' `envFrom` finds
    // the (empty) Secrets.
    chart.patch_rendered(harbor, "StatefulSet", "harbor-trivy", trivy_env());

    for (kind, name, checksums) in [
        (
            "Deployment",
            "harbor-core",
            &["configmap", "secret", "secret-jobservice"][..],
        ),
        (
            "Deployment",
            "harbor-jobservice",
            &["configmap", "configmap-env", "secret", "secret-core"],
        ),
        (
            "Deployment",
            "harbor-registry",
            &["configmap", "secret", "secret-jobservice", "secret-core"],
        ),
        ("Deployment", "harbor-nginx", &["configmap"]),
        ("Deployment", "harbor-portal", &["configmap"]),
        ("StatefulSet", "harbor-database", &["secret"]),
        ("StatefulSet", "harbor-trivy", &["secret"]),
    ] {
        let patch = checksums
            .iter()
            .map(|checksum| {
                JsonPatch::remove(&format!(
                    "/spec/template/metadata/annotations/checksum~1{checksum}"
                ))
            })
            .reduce(JsonPatch::then)
            .unwrap_or_else(|| JsonPatch::from_operations(json!([])));
        chart.patch_rendered(harbor, kind, name, patch);
    }

    chart.add(
        "route",
        HttpRouteBuilder::new(
            "harbor",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("harbor"),
        )
        .to_service("harbor", 80)
        .build(),
    );
}

fn values(cluster: &Cluster) -> Value {
    let resources = |cpu_limit: &str, memory_limit: &str, cpu: &str, memory: &str| {
        json!({
            "limits": {"cpu": cpu_limit, "memory": memory_limit},
            "requests": {"cpu": cpu, "memory": memory},
        })
    };
    let reload = json!({RELOADER: "true"});
    json!({
        // TLS ends at the homelab Gateway (wildcard certificate)
        "expose": {"type": "clusterIP", "tls": {"enabled": false}},
        "externalURL": format!("https://{}", cluster.host("harbor")),
        "persistence": {
            "enabled": true,
            "persistentVolumeClaim": {
                "registry": {"size": "50Gi", "accessMode": "ReadWriteMany"},
                "jobservice": {"jobLog": {"accessMode": "ReadWriteMany"}},
                "database": {"size": "10Gi"},
            },
        },
        "existingSecretAdminPassword": ADMIN_SECRET,
        "existingSecretSecretKey": INTERNAL_SECRET,
        "core": {
            "existingSecret": INTERNAL_SECRET,
            "existingXsrfSecret": INTERNAL_SECRET,
            "secretName": TOKEN_SECRET,
            "resources": resources("1000m", "1Gi", "100m", "256Mi"),
            "podAnnotations": reload,
        },
        "jobservice": {
            "existingSecret": INTERNAL_SECRET,
            "resources": resources("500m", "512Mi", "100m", "128Mi"),
            "podAnnotations": reload,
        },
        "registry": {
            "existingSecret": INTERNAL_SECRET,
            "credentials": {"existingSecret": INTERNAL_SECRET},
            // the registry container's (the seed's `registry.resources` was ignored)
            "registry": {"resources": resources("1000m", "1Gi", "100m", "256Mi")},
            "podAnnotations": reload,
        },
        "database": {
            // core reads the password from here whatever the database type
            "external": {"existingSecret": INTERNAL_SECRET},
            "internal": {
                // no default password in the chart's Secret; the variable below wins
                "password": "",
                "extraEnvVars": [{
                    "name": "POSTGRES_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": INTERNAL_SECRET, "key": "password"}},
                }],
            },
            "podAnnotations": reload,
        },
        "nginx": {"podAnnotations": reload},
        "portal": {"podAnnotations": reload},
        "trivy": {"podAnnotations": reload},
    })
}

/// Trivy reads its Redis URL and GitHub token from the chart's Secret: the URL (no
/// credentials in it) becomes a plain variable and the empty token goes; each step checks
/// the variable it changes, so a chart that moves them fails the synth instead.
fn trivy_env() -> JsonPatch {
    let env = "/spec/template/spec/containers/0/env";
    let mut patch = JsonPatch::from_operations(json!([]));
    for (index, name) in [
        (20, "SCANNER_REDIS_URL"),
        (21, "SCANNER_STORE_REDIS_URL"),
        (22, "SCANNER_JOB_QUEUE_REDIS_URL"),
    ] {
        patch = patch
            .then(JsonPatch::test(&format!("{env}/{index}/name"), json!(name)))
            .then(JsonPatch::replace(
                &format!("{env}/{index}"),
                json!({"name": name, "value": TRIVY_REDIS_URL}),
            ));
    }
    patch
        .then(JsonPatch::test(
            &format!("{env}/9/name"),
            json!("SCANNER_TRIVY_GITHUB_TOKEN"),
        ))
        .then(JsonPatch::remove(&format!("{env}/9")))
}

/// The pod whose CSI volume makes the driver sync the class's Secrets (Harbor's own pods
/// cannot mount extra volumes). OpenBao's `harbor` role admits its ServiceAccount.
fn secret_sync(chart: &mut homelab_synth::Chart<'_>, secrets: &OpenBaoSecrets) {
    chart.add(
        "secret-sync-account",
        ServiceAccount {
            metadata: named("secret-sync"),
            ..Default::default()
        },
    );
    let mut pod = PodBuilder::new("secret-sync");
    // the seed's selector: Kubernetes refuses to change a Deployment's selector in place
    pod.replace_selector(&[("app", "secret-sync")]);
    pod.service_account("secret-sync")
        .annotation(RELOADER, "true")
        // the pause image's own user
        .run_as(65535, 65535);
    let store = pod.secrets_store("openbao-secrets", secrets);
    pod.container(
        ContainerBuilder::new("pause", "registry.k8s.io/pause:3.10")
            .mount_read_only(&store, "/mnt/secrets")
            .requests(&[("cpu", "1m"), ("memory", "8Mi")])
            .limits(&[("memory", "16Mi")]),
    );
    chart.add(
        "secret-sync",
        DeploymentBuilder::new(pod).replicas(1).build(),
    );
}

/// The token service's RSA signing key (PKCS#1, what Harbor's core loads), from a
/// self-signed Issuer; renewals keep the key so issued tokens stay valid.
fn token_service_key(chart: &mut homelab_synth::Chart<'_>) {
    chart.add(
        "token-issuer",
        Issuer {
            metadata: named("harbor-self-signed"),
            spec: IssuerSpec {
                self_signed: Some(IssuerSpecSelfSigned::default()),
                ..Default::default()
            },
            status: None,
        },
    );
    chart.add(
        "token-certificate",
        Certificate {
            metadata: named(TOKEN_SECRET),
            spec: Some(CertificateSpec {
                secret_name: TOKEN_SECRET.into(),
                common_name: Some("harbor-token-ca".into()),
                duration: Some("87600h".into()),
                issuer_ref: CertificateSpecIssuerRef {
                    group: Some("cert-manager.io".into()),
                    kind: Some("Issuer".into()),
                    name: "harbor-self-signed".into(),
                },
                private_key: Some(CertificateSpecPrivateKey {
                    algorithm: Some(CertificateSpecPrivateKeyAlgorithm::Rsa),
                    encoding: Some(CertificateSpecPrivateKeyEncoding::Pkcs1),
                    size: Some(2048),
                    rotation_policy: Some(CertificateSpecPrivateKeyRotationPolicy::Never),
                }),
                ..Default::default()
            }),
            status: None,
        },
    );
}
