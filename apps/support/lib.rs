//! Homelab apps: support.

mod reloader;

use homelab_clusters::Settings;
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("reloader", reloader::reloader);
}
