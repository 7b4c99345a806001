//! Homelab apps: databases.

mod cnpg;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("cnpg-operator", cnpg::cnpg_operator)
        .when(|cluster| cluster.has_role(STORAGE));
}
