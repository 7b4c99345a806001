//! The Gateway every route of the cluster attaches to (Gateway API; the Gateway class is
//! the controller's, Cilium here). Routes from every namespace are admitted on port 80.

use homelab_synth::prelude::*;

/// Name of the Gateway routes attach to.
pub const NAME: &str = "gateway";
/// Its namespace.
pub const NAMESPACE: &str = "kube-system";

/// The app: one Gateway.
pub fn gateway(app: &mut App) {
    let mut chart = app.chart("gateway", ChartProps::namespace(NAMESPACE));
    chart.add_untyped(
        "gateway",
        Untyped::new(
            "gateway.networking.k8s.io/v1",
            "Gateway",
            json!({
                "metadata": {"name": NAME},
                "spec": {
                    "gatewayClassName": "cilium",
                    "listeners": [{
                        "name": "http",
                        "protocol": "HTTP",
                        "port": 80,
                        "allowedRoutes": {"namespaces": {"from": "All"}}
                    }]
                }
            }),
        ),
    );
}
