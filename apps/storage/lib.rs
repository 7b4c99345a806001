//! Homelab apps: storage.

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(_apps: &mut Category<'_>) {}
