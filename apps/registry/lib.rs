//! Homelab apps: registry.

mod harbor;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("harbor", harbor::harbor)
        .depends_on(&["csi-driver", "openbao", "longhorn", "gateway"])
        .when(|cluster| cluster.has_role(STORAGE));
}
