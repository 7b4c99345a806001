//! Falco: runtime threat detection. A DaemonSet on every node (control plane included: it
//! tolerates every taint) watches syscalls with the modern eBPF probe, so the namespace is
//! `privileged`. Falco's alerts go to falcosidekick, which forwards them to its web UI
//! (`falco.madhan.app`, behind the homelab gateway) and exposes Prometheus metrics, scraped by
//! a typed ServiceMonitor.
//!
//! Choices worth knowing:
//! - Nothing secret is in the output. The UI's login (`FALCOSIDEKICK_UI_USER`, `user:password`)
//!   comes from OpenBao (`secret/data/falco`), synced by a SecretProviderClass into the Secret
//!   `falco-falcosidekick-ui-auth`; the chart offers no extra volume for the UI pods, so a patch
//!   mounts the CSI volume there (mounting it is what makes the driver sync the Secret). The
//!   chart's default `admin:admin` login is switched off (`webui.user: ""`).
//! - falcosidekick's chart always writes its whole output configuration into a Secret. Every
//!   output is off and each value equals falcosidekick's built-in default, so the patch below
//!   empties that Secret and the one value that is not a default, the UI's address, is passed as
//!   an environment variable instead. Credentials of any output enabled later belong in
//!   `falcosidekick.config.existingSecret`, by reference.
//! - The UI's Redis runs without a password: the chart only takes one as a plaintext value.
//!   Redis is reachable inside the cluster only.
//! - gRPC server and gRPC output stay on as in the homelab, although Falco 0.43 deprecates them
//!   and nothing here consumes the gRPC output.
//! - The chart's Helm test pod is left out (default hook policy).

use homelab_clusters::Cluster;
use homelab_imports::monitoring_coreos_com::v1::{
    ServiceMonitor, ServiceMonitorSpec, ServiceMonitorSpecEndpoints, ServiceMonitorSpecSelector,
};
use homelab_synth::prelude::*;

const NAMESPACE: &str = "falco";
const RELEASE: &str = "falco";
/// falcosidekick's objects are named after the release: `<release>-falcosidekick`.
const SIDEKICK: &str = "falco-falcosidekick";
const UI: &str = "falco-falcosidekick-ui";
const UI_PORT: u16 = 2802;
const UI_AUTH_SECRET: &str = "falco-falcosidekick-ui-auth";

pub fn falco(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("falco", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );

    let secrets = OpenBaoSecrets::new("falco-secrets", "falco")
        .object(
            "FALCOSIDEKICK_UI_USER",
            "secret/data/falco",
            "FALCOSIDEKICK_UI_USER",
        )
        .sync(
            UI_AUTH_SECRET,
            &[("FALCOSIDEKICK_UI_USER", "FALCOSIDEKICK_UI_USER")],
        );
    chart.add_untyped("secrets", secrets.build());

    let reloader = json!({"reloader.stakater.com/auto": "true"});
    let falco = chart.helm(
        "falco",
        HelmProps::new(
            ChartSource::repo("https://falcosecurity.github.io/charts", "falco"),
            "8.0.5",
        )
        .release(RELEASE)
        .values(json!({
            "podAnnotations": reloader,
            "driver": {"kind": "modern_ebpf", "sysfsMountPath": "/sys/kernel"},
            "tolerations": [{"operator": "Exists"}],
            "falco": {
                "grpc": {"enabled": true},
                "grpc_output": {"enabled": true},
                "json_output": true,
            },
            "falcosidekick": {
                "enabled": true,
                "resources": {
                    "requests": {"cpu": "50m", "memory": "128Mi"},
                    "limits": {"cpu": "200m", "memory": "256Mi"},
                },
                "config": {
                    // without the TLS server the chart's Service would still point a port
                    // at `http-notls`, which no container declares
                    "tlsserver": {"notlspaths": ""},
                    "extraEnv": [{
                        "name": "WEBUI_URL",
                        "value": format!("http://{UI}:{UI_PORT}"),
                    }],
                },
                "webui": {
                    "enabled": true,
                    "user": "",
                    "existingSecret": UI_AUTH_SECRET,
                    "podAnnotations": reloader,
                    "resources": {
                        "requests": {"cpu": "50m", "memory": "64Mi"},
                        "limits": {"cpu": "200m", "memory": "128Mi"},
                    },
                },
            },
        })),
    );
    // the configuration Secret holds only falcosidekick's own defaults (see the module doc)
    chart.patch_rendered(falco, "Secret", SIDEKICK, JsonPatch::remove("/data"));
    chart.patch_rendered(
        falco,
        "Deployment",
        UI,
        JsonPatch::add(
            "/spec/template/spec/volumes/-",
            json!({
                "name": "secrets",
                "csi": {
                    "driver": SECRETS_STORE_DRIVER,
                    "readOnly": true,
                    "volumeAttributes": {"secretProviderClass": secrets.name()},
                },
            }),
        )
        .then(JsonPatch::add(
            "/spec/template/spec/containers/0/volumeMounts",
            json!([{"name": "secrets", "mountPath": "/mnt/secrets", "readOnly": true}]),
        )),
    );

    chart.add(
        "servicemonitor",
        ServiceMonitor {
            metadata: named(SIDEKICK),
            spec: ServiceMonitorSpec {
                selector: ServiceMonitorSpecSelector {
                    match_labels: Some(string_map(&[
                        ("app.kubernetes.io/name", "falcosidekick"),
                        ("app.kubernetes.io/instance", RELEASE),
                        ("app.kubernetes.io/component", "core"),
                    ])),
                    ..Default::default()
                },
                endpoints: vec![ServiceMonitorSpecEndpoints {
                    port: Some("http".into()),
                    path: Some("/metrics".into()),
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
            "falco",
            &GatewayRef::new("homelab-gateway", "kube-system"),
            &cluster.host("falco"),
        )
        .to_service(UI, UI_PORT)
        .build(),
    );
}
