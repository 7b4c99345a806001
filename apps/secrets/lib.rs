//! Homelab apps: secrets.

mod csi_driver;
mod openbao;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("openbao", openbao::openbao)
        .depends_on(&["csi-driver", "longhorn", "monitoring-crds", "gateway"])
        .when(|cluster| cluster.has_role(STORAGE));
    apps.add("csi-driver", csi_driver::csi_driver)
        .when(|cluster| cluster.has_role(STORAGE));
}
