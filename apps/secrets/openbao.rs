//! OpenBao: the homelab's secret store. One server (standalone mode, file storage on a 10Gi
//! Longhorn volume) and the OpenBao CSI provider, which the secrets-store CSI driver
//! (`csi-driver` app) calls to mount secrets and sync them into Kubernetes Secrets for the
//! apps' `SecretProviderClass`es. The provider DaemonSet mounts host paths (the driver's
//! provider socket folder), so the namespace is `privileged`.
//!
//! Unsealing: an `unseal` sidecar (the chart's `server.extraContainers`) polls the server and
//! unseals it with the key in Secret `openbao-unseal-key`, which the bootstrap script creates
//! outside GitOps after `bao operator init`. Metrics: the listener serves `/v1/sys/metrics`
//! without a token and the telemetry stanza keeps Prometheus metrics, scraped by a typed
//! ServiceMonitor.
//!
//! Fixed from the seed: the reloader annotation goes on `server.annotations`, the key the
//! chart reads for the server pods (the seed's `server.podAnnotations` was ignored); the file
//! storage path is the data volume's mount, `/openbao/data`; the sidecar decides on `bao
//! status`'s exit code (2: sealed) instead of grepping its JSON for `"sealed":true`, which
//! the indented output (`"sealed": true`) never matches (the seed's loop only worked through
//! its error fallback); the chart's helm test Pod is left out.

use std::collections::BTreeMap;

use homelab_clusters::Cluster;
use homelab_imports::monitoring_coreos_com::v1::{
    ServiceMonitor, ServiceMonitorSpec, ServiceMonitorSpecEndpoints,
    ServiceMonitorSpecNamespaceSelector, ServiceMonitorSpecSelector,
};
use homelab_synth::prelude::*;

const NAMESPACE: &str = "openbao";
const IMAGE: &str = "openbao/openbao:2.5.4";
/// Created by the bootstrap script (outside GitOps), key `unseal-key`.
const UNSEAL_SECRET: &str = "openbao-unseal-key";

const CONFIG: &str = r#"ui = true

listener "tcp" {
  tls_disable     = 1
  address         = "[::]:8200"
  cluster_address = "[::]:8201"

  telemetry {
    unauthenticated_metrics_access = true
  }
}

storage "file" {
  path = "/openbao/data"
}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}
"#;

/// Polls the local server and unseals it whenever it reports sealed (after every restart).
/// `bao status` exits 0 when unsealed, 1 on error (not up yet) and 2 when sealed.
const UNSEAL_LOOP: &str = r#"while true; do
  bao status >/dev/null 2>&1
  if [ $? -eq 2 ]; then
    bao operator unseal "$OPENBAO_UNSEAL_KEY" >/dev/null 2>&1 || true
  fi
  sleep 15
done"#;

pub fn openbao(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("openbao", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    let unseal = ContainerBuilder::new("unseal", IMAGE)
        .command(&["sh", "-c", UNSEAL_LOOP])
        .env_from_secret("OPENBAO_UNSEAL_KEY", UNSEAL_SECRET, "unseal-key")
        .env("BAO_ADDR", "http://127.0.0.1:8200")
        .build();
    let release = chart.helm(
        "openbao",
        HelmProps::new(
            ChartSource::repo("https://openbao.github.io/openbao-helm", "openbao"),
            "0.28.3",
        )
        .release("openbao")
        .values(json!({
            // apps read secrets through the CSI provider, not injected agents
            "injector": {"enabled": false},
            "csi": {"enabled": true},
            "server": {
                "annotations": {"reloader.stakater.com/auto": "true"},
                "dataStorage": {"enabled": true, "size": "10Gi", "storageClass": "longhorn"},
                "standalone": {"enabled": true, "config": CONFIG},
                "extraSecretEnvironmentVars": [{
                    "envName": "OPENBAO_UNSEAL_KEY",
                    "secretName": UNSEAL_SECRET,
                    "secretKey": "unseal-key",
                }],
                // a sidecar, not an init container: the server must run to accept the key
                "extraContainers": [unseal],
            },
        })),
    );
    // the unseal key is the one Secret made outside GitOps: the bootstrap script creates it
    // before the first sync, so no manifest ever holds it
    chart.allow_rendered(
        release,
        "StatefulSet",
        "openbao",
        Allow::ExternalReference,
        "Secret openbao-unseal-key is created by the bootstrap script, never committed",
    );
    // the headless Service has one endpoint per server pod (the chart's own selector for
    // standalone mode); the `openbao` Service would scrape the same pod twice
    let selector = string_map(&[
        ("app.kubernetes.io/name", "openbao"),
        ("app.kubernetes.io/instance", "openbao"),
        ("openbao-internal", "true"),
    ]);
    chart.add(
        "monitor",
        ServiceMonitor {
            metadata: named("openbao"),
            spec: ServiceMonitorSpec {
                selector: ServiceMonitorSpecSelector {
                    match_labels: Some(selector),
                    ..Default::default()
                },
                namespace_selector: Some(ServiceMonitorSpecNamespaceSelector {
                    match_names: Some(vec![NAMESPACE.into()]),
                    ..Default::default()
                }),
                endpoints: vec![ServiceMonitorSpecEndpoints {
                    port: Some("http".into()),
                    path: Some("/v1/sys/metrics".into()),
                    params: Some(BTreeMap::from([(
                        "format".to_owned(),
                        vec!["prometheus".to_owned()],
                    )])),
                    interval: Some("30s".into()),
                    ..Default::default()
                }],
                ..Default::default()
            },
            status: None,
        },
    );
    chart.add(
        "route",
        HttpRouteBuilder::new(
            "openbao",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("openbao"),
        )
        .to_service("openbao", 8200)
        .build(),
    );
}
