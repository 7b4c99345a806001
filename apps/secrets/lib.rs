//! Homelab apps: secrets.

mod openbao;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("openbao", openbao::openbao);
}
