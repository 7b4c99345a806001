//! Workflow automation.

mod n8n;

use homelab_clusters::{STORAGE, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("n8n", n8n::n8n)
        .depends_on(&[
            "cnpg-operator",
            "csi-driver",
            "openbao",
            "longhorn",
            "gateway",
        ])
        .when(|cluster| cluster.has_role(STORAGE));
}
