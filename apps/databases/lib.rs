//! Homelab apps: databases.

mod cnpg;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("cnpg-operator", cnpg::cnpg_operator);
}
