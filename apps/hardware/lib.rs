//! Hardware support: GPU drivers' cluster side.

mod nvidia_gpu_operator;

use homelab_clusters::{GPU, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add(
        "nvidia-gpu-operator",
        nvidia_gpu_operator::nvidia_gpu_operator,
    )
    .depends_on(&["monitoring-crds"])
    .when(|cluster| cluster.has_role(GPU));
}
