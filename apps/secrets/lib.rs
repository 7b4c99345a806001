//! Homelab apps: secrets.

mod csi_driver;
mod openbao;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("openbao", openbao::openbao);
    apps.add("csi-driver", csi_driver::csi_driver);
}
