//! Web apps, and the Gateway their routes attach to.

mod gateway;

use homelab_synth::prelude::*;

use {{clusters_crate}}::Settings;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("gateway", gateway::gateway);
}
