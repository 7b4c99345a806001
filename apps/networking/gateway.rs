//! The homelab Gateway, kept as plain YAML (as the platform team hands it over) and included
//! as it is: the Gateway every HTTPRoute attaches to, its wildcard certificate, and the Cilium
//! address pool and L2 announcement that give it an address on the LAN. Each cluster has its
//! own file (hostnames, certificate, address range): `Settings::gateway_manifest`.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

pub fn gateway(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart("gateway", ChartProps::namespace("kube-system"));
    chart.include("manifests", cluster.settings.gateway_manifest);
}
