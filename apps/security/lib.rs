//! Homelab apps: security (runtime detection, vulnerability scanning, policy).

mod falco;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("falco", falco::falco);
}
