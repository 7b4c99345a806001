//! Secrets Store CSI driver: mounts secrets from external stores (OpenBao, through the
//! provider the `openbao` app runs) into pods as files, and syncs them into Kubernetes
//! Secrets (`syncSecret`) that it refreshes every two minutes (rotation). It runs on every
//! node, tainted or not, in `kube-system`, which the app does not own (no Namespace object).
//!
//! CRDs: the chart ships `SecretProviderClass` and `SecretProviderClassPodStatus` in its
//! `crds/` folder and, by default, also applies them from hook Jobs (`…-upgrade-crds`,
//! `…-keep-crds`) with their own RBAC. The seed emitted those Jobs and never the CRDs; here
//! `linux.crds.enabled: false` turns the hooks off and synth includes `crds/`, so the CRDs
//! are plain objects Argo CD applies and tracks.

use homelab_synth::prelude::*;

pub fn csi_driver(app: &mut App) {
    let mut chart = app.chart("csi-driver", ChartProps::namespace("kube-system"));
    chart.helm(
        "secrets-store-csi-driver",
        HelmProps::new(
            ChartSource::repo(
                "https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts",
                "secrets-store-csi-driver",
            ),
            "1.5.6",
        )
        .release("secrets-store-csi-driver")
        .values(json!({
            "syncSecret": {"enabled": true},
            "enableSecretRotation": true,
            "rotationPollInterval": "2m",
            "linux": {
                "tolerations": [{"operator": "Exists"}],
                "crds": {"enabled": false},
            },
        })),
    );
}
