//! Grafana: dashboards over VictoriaMetrics (metrics) and VictoriaLogs (logs), signed in
//! through Authentik (generic OAuth with PKCE). Secrets come from OpenBao by reference: the
//! pod mounts the `grafana-secrets` SecretProviderClass at `/mnt/secrets`, Grafana reads the
//! admin password from the file there (`GF_SECURITY_ADMIN_PASSWORD__FILE`), and the mount
//! syncs the OAuth client secret into the Secret `grafana-oauth-secret` that `envFromSecret`
//! loads. Setting the password file (and the admin user name) keeps the chart from
//! generating its random admin Secret, so the output is the same on every synth, and leaves no
//! reference to that missing Secret: the dashboards sidecar, which then has no credentials for
//! Grafana's reload API, skips the reload (Grafana's file provider polls the folder itself).
//!
//! The namespace is `baseline`: with persistence on, the chart's `init-chown-data` container
//! runs as root with `CHOWN` to hand the volume to Grafana's user, which `restricted` refuses.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAMESPACE: &str = "grafana";
/// Authentik's OAuth2 endpoints are the same for every application (the application's slug
/// only appears in its issuer URL).
const AUTHENTIK: &str = "https://auth.madhan.app/application/o";
/// Where the SecretProviderClass's objects appear as files.
const SECRETS_MOUNT: &str = "/mnt/secrets";
/// The Secret the SecretProviderClass syncs for `envFromSecret`.
const OAUTH_SECRET: &str = "grafana-oauth-secret";

pub fn grafana(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("grafana", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Baseline),
    );

    let secrets = OpenBaoSecrets::new("grafana-secrets", "grafana")
        .object("ADMIN_PASSWORD", "secret/data/grafana", "ADMIN_PASSWORD")
        .object(
            "OAUTH_CLIENT_SECRET",
            "secret/data/grafana",
            "OAUTH_CLIENT_SECRET",
        )
        .sync(
            OAUTH_SECRET,
            &[("OAUTH_CLIENT_SECRET", "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET")],
        );
    chart.add_untyped("secrets", secrets.build());

    chart.helm(
        "grafana",
        HelmProps::new(
            ChartSource::repo("https://grafana-community.github.io/helm-charts", "grafana"),
            "12.4.1",
        )
        .release("grafana")
        // both are read by the templates but only commented out in values.yaml:
        // deployment.yaml copies `podAnnotations` onto the pod; `_config.tpl` writes every
        // section of `grafana.ini` into the ini file
        .allow_value("podAnnotations")
        .allow_value("grafana.ini")
        .values(json!({
            "podAnnotations": {"reloader.stakater.com/auto": "true"},
            "datasources": {
                "datasources.yaml": {
                    "apiVersion": 1,
                    "datasources": [
                        {
                            "name": "VictoriaMetrics",
                            "type": "prometheus",
                            "url": "http://vmsingle-vm-stack.victoria-metrics.svc.cluster.local:8428",
                            "access": "proxy",
                            "isDefault": true,
                            "jsonData": {"timeInterval": "30s"},
                        },
                        {
                            "name": "VictoriaLogs",
                            "type": "loki",
                            "url": "http://victoria-logs-victoria-logs-single-server.victoria-logs.svc.cluster.local:9428/select",
                            "access": "proxy",
                            "jsonData": {"logsVolumeEnabled": false},
                        },
                    ],
                },
            },
            "grafana.ini": {
                "server": {"root_url": format!("https://{}", cluster.host("grafana"))},
                "auth.generic_oauth": {
                    "enabled": true,
                    "name": "Authentik",
                    "client_id": "grafana-homelab",
                    // the client secret comes from the environment (envFromSecret)
                    "scopes": "openid email profile",
                    "auth_url": format!("{AUTHENTIK}/authorize/"),
                    "token_url": format!("{AUTHENTIK}/token/"),
                    "api_url": format!("{AUTHENTIK}/userinfo/"),
                    "use_pkce": true,
                    "allow_sign_up": true,
                    // members of the Authentik group `grafana-admins` administer Grafana
                    "role_attribute_path":
                        "contains(groups[*], 'grafana-admins') && 'Admin' || 'Viewer'",
                },
            },
            "envFromSecret": OAUTH_SECRET,
            // Both set, so nothing refers to the chart's admin Secret, which is not rendered.
            "env": {
                "GF_SECURITY_ADMIN_USER": "admin",
                "GF_SECURITY_ADMIN_PASSWORD__FILE": format!("{SECRETS_MOUNT}/ADMIN_PASSWORD"),
            },
            "persistence": {
                "enabled": true,
                "size": "10Gi",
                "accessModes": ["ReadWriteMany"],
            },
            // the memory limit also sets GOMEMLIMIT (the chart derives it from the limit)
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"cpu": "500m", "memory": "512Mi"},
            },
            "service": {"type": "ClusterIP", "port": 3000},
            "ingress": {"enabled": false},
            "sidecar": {
                "dashboards": {
                    "enabled": true,
                    "label": "grafana_dashboard",
                    "labelValue": "1",
                    "searchNamespace": "ALL",
                    // a ConfigMap's `grafana_folder` annotation names its dashboard folder
                    "folderAnnotation": "grafana_folder",
                    "provider": {"foldersFromFilesStructure": true},
                    // the sidecar has no admin credentials for the reload API; Grafana's
                    // file provider picks up the files it writes on its own (every 10 s)
                    "skipReload": true,
                },
            },
            "extraVolumes": [{
                "name": "openbao-secrets",
                "csi": {
                    "driver": SECRETS_STORE_DRIVER,
                    "readOnly": true,
                    "volumeAttributes": {"secretProviderClass": secrets.name()},
                },
            }],
            "extraVolumeMounts": [{
                "name": "openbao-secrets",
                "mountPath": SECRETS_MOUNT,
                "readOnly": true,
            }],
        })),
    );

    chart.add(
        "route",
        HttpRouteBuilder::new(
            "grafana",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("grafana"),
        )
        .to_service("grafana", 3000)
        .build(),
    );
}
