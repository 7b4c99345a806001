//! Networking: the shared Gateway and its load-balancer addresses, and the NetBird VPN peer.

mod gateway;
mod netbird;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("gateway", gateway::gateway);
    apps.add("netbird", netbird::netbird)
        .depends_on(&["csi-driver", "openbao", "longhorn"])
        .when(|cluster| cluster.has_role(STORAGE));
}
