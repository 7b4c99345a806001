//! VictoriaMetrics: the cluster's metrics, from one chart (`victoria-metrics-k8s-stack`): the
//! VM operator (and its CRDs, from the chart's own `crds/`), VMSingle (storage and queries,
//! 30 days on 100Gi), VMAgent (scrapes every ServiceMonitor, PodMonitor and VM scrape object
//! of the cluster), VMAlert with the default rules, VMAlertmanager, node-exporter,
//! kube-state-metrics, the Kubernetes components' scrapes and the default Grafana dashboards
//! (ConfigMaps the `grafana` app's sidecar picks up). Routes: `vmselect.madhan.app` (the VM UI;
//! the hostname predates single-node mode) and `alertmanager.madhan.app`.
//!
//! Changes from the seed, each because the seed's output was wrong:
//! - the operator's admission webhook gets its certificate from cert-manager (the chart's
//!   `admissionWebhooks.certManager`: a self-signed root, a CA issuer and the serving
//!   certificate, injected into the webhook by cert-manager's CA injector) instead of a CA
//!   that Helm generated anew on every render (a Secret plus the webhook's `caBundle`, which
//!   Argo CD had to ignore);
//! - VMSingle's volume size is `spec.storage.resources` (its `storage` is a PVC spec); the
//!   seed's `storage.volumeClaimTemplate` is not a field of VMSingle, so it got the chart's
//!   20Gi;
//! - the Alertmanager configuration (a blackhole receiver, nothing secret) is inline in the
//!   VMAlertmanager (`spec.configRawYaml`) rather than a Secret with the config in
//!   `stringData`; a receiver with credentials would come from OpenBao by `configSecret`.
//!
//! The namespace is `privileged`: node-exporter is a node agent on the host's network, PID
//! namespace and filesystem.

use homelab_clusters::Cluster;
use homelab_imports::gateway_networking_k8s_io::v1::{
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirect,
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPath,
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPathType,
    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectStatusCode,
    HttpRouteSpecRulesBackendRefsFiltersType, HttpRouteSpecRulesMatchesPath,
    HttpRouteSpecRulesMatchesPathType,
};
use homelab_synth::prelude::*;

const NAMESPACE: &str = "victoria-metrics";
/// Short names: `victoria-metrics-victoria-metrics-k8s-stack` pushes VMAlertmanager's
/// generated pod labels past 63 characters. Services become `vmsingle-vm-stack`, ...
const FULLNAME: &str = "vm-stack";

/// OpenBao has no ServiceMonitor (its metrics need a path and a query parameter).
const OPENBAO_SCRAPE: &str = r#"- job_name: openbao
  static_configs:
    - targets: ["openbao.openbao.svc.cluster.local:8200"]
  metrics_path: /v1/sys/metrics
  params:
    format: [prometheus]
"#;

/// Alerts go nowhere yet, on purpose.
const ALERTMANAGER_CONFIG: &str = "route:
  group_by: [alertname, namespace]
  group_wait: 10s
  group_interval: 10m
  repeat_interval: 1h
  receiver: blackhole
receivers:
  - name: blackhole
";

pub fn victoria_metrics(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("victoria-metrics", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );

    // The prometheus-operator ServiceMonitor and PrometheusRule CRDs, which the VM operator
    // watches and converts, come from the `monitoring-crds` app, rolled out before this one.

    let stack = chart.helm(
        "victoria-metrics",
        HelmProps::new(
            ChartSource::repo(
                "https://victoriametrics.github.io/helm-charts",
                "victoria-metrics-k8s-stack",
            ),
            "0.72.4",
        )
        .release("victoria-metrics")
        // The chart copies each `spec` into its custom resource whole: the VM operator's
        // CRDs define the keys, not the chart's values.yaml, and synthesis checks every
        // rendered custom resource against those CRDs.
        .allow_value("vmsingle.spec")
        .allow_value("vmagent.spec")
        .allow_value("vmalert.spec")
        .allow_value("alertmanager.spec")
        .values(json!({
            "fullnameOverride": FULLNAME,
            "victoria-metrics-operator": {
                // short names here too: the operator's admin ClusterRole would otherwise be
                // `victoria-metrics-victoria-metrics-operator-victoriametrics-admin` (64)
                "fullnameOverride": format!("{FULLNAME}-operator"),
                // the cleanup is a pre-delete hook Job; Argo CD would run it on every sync
                "crds": {"cleanup": {"enabled": false}},
                "admissionWebhooks": {"certManager": {"enabled": true}},
            },
            "vmsingle": {
                "enabled": true,
                "spec": {
                    "retentionPeriod": "30d",
                    "storage": {"resources": {"requests": {"storage": "100Gi"}}},
                    "resources": resources(("1000m", "2Gi"), ("200m", "512Mi")),
                },
            },
            "vmcluster": {"enabled": false},
            "vmagent": {
                "enabled": true,
                "spec": {
                    "selectAllByDefault": true,
                    "scrapeInterval": "30s",
                    "resources": resources(("500m", "512Mi"), ("100m", "128Mi")),
                    "tolerations": [{"operator": "Exists"}],
                    "inlineScrapeConfig": OPENBAO_SCRAPE,
                },
            },
            "vmalert": {
                "enabled": true,
                "spec": {"resources": resources(("200m", "256Mi"), ("50m", "64Mi"))},
            },
            "alertmanager": {
                "enabled": true,
                "spec": {
                    "replicaCount": 1,
                    "resources": resources(("200m", "256Mi"), ("50m", "64Mi")),
                    "configRawYaml": ALERTMANAGER_CONFIG,
                },
                // the chart refuses `config` and `configRawYaml` together; null drops its
                // default `config`
                "config": null,
            },
            // the `grafana` app runs Grafana
            "grafana": {"enabled": false},
            "prometheus-node-exporter": {
                "enabled": true,
                "tolerations": [{"operator": "Exists"}],
            },
            "kube-state-metrics": {"enabled": true},
            "kubelet": {"enabled": true},
            "kubeApiServer": {"enabled": true},
            "coreDns": {"enabled": true},
            "kubeEtcd": {"enabled": true},
            "kubeScheduler": {"enabled": true},
            "kubeControllerManager": {"enabled": true},
            // Cilium replaces kube-proxy
            "kubeProxy": {"enabled": false},
            "defaultDashboards": {
                "enabled": true,
                // the node-exporter-full dashboard is too big for client-side apply's
                // last-applied annotation
                "annotations": {"argocd.argoproj.io/sync-options": "Replace=true"},
            },
            "defaultRules": {"create": true},
        })),
    );

    // Services in kube-system that give the control plane's pods (static pods of Talos, and
    // CoreDNS) a scrape target
    for component in [
        "core-dns",
        "kube-controller-manager",
        "kube-etcd",
        "kube-scheduler",
    ] {
        chart.allow_rendered(
            stack,
            "Service",
            &format!("{FULLNAME}-{component}"),
            Allow::ExternalSelector,
            "selects control-plane pods that the cluster itself runs in kube-system",
        );
    }

    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    chart.add(
        "vmselect-route",
        HttpRouteBuilder::new("victoria-metrics", &gateway, &cluster.host("vmselect"))
            // the bare root goes to the UI (single-node serves it at /vmui/)
            .rule(RouteRule {
                matches: Some(vec![RouteMatch {
                    path: Some(HttpRouteSpecRulesMatchesPath {
                        r#type: Some(HttpRouteSpecRulesMatchesPathType::Exact),
                        value: Some("/".into()),
                    }),
                    ..RouteMatch::default()
                }]),
                filters: Some(vec![redirect_to("/vmui/")]),
                ..RouteRule::default()
            })
            .to_service(&format!("vmsingle-{FULLNAME}"), 8428)
            .build(),
    );
    chart.add(
        "alertmanager-route",
        HttpRouteBuilder::new("alertmanager", &gateway, &cluster.host("alertmanager"))
            .to_service(&format!("vmalertmanager-{FULLNAME}"), 9093)
            .build(),
    );
}

/// CPU and memory limits and requests.
fn resources(limits: (&str, &str), requests: (&str, &str)) -> Value {
    json!({
        "limits": {"cpu": limits.0, "memory": limits.1},
        "requests": {"cpu": requests.0, "memory": requests.1},
    })
}

/// A `RequestRedirect` filter to the full path `path`, status 302.
fn redirect_to(path: &str) -> RouteFilter {
    RouteFilter {
        r#type: HttpRouteSpecRulesBackendRefsFiltersType::RequestRedirect,
        request_redirect: Some(HttpRouteSpecRulesBackendRefsFiltersRequestRedirect {
            path: Some(HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPath {
                r#type:
                    HttpRouteSpecRulesBackendRefsFiltersRequestRedirectPathType::ReplaceFullPath,
                replace_full_path: Some(path.into()),
                replace_prefix_match: None,
            }),
            status_code: Some(HttpRouteSpecRulesBackendRefsFiltersRequestRedirectStatusCode::V302),
            hostname: None,
            port: None,
            scheme: None,
        }),
        cors: None,
        extension_ref: None,
        request_header_modifier: None,
        request_mirror: None,
        response_header_modifier: None,
        url_rewrite: None,
    }
}
