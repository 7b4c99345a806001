//! Homelab apps: storage.

mod longhorn;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("longhorn", longhorn::longhorn)
        .depends_on(&["monitoring-crds", "gateway"])
        .when(|cluster| cluster.has_role(STORAGE));
}
