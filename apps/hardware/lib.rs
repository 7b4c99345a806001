//! Hardware support: GPU drivers' cluster side.

mod nvidia_gpu_operator;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add(
        "nvidia-gpu-operator",
        nvidia_gpu_operator::nvidia_gpu_operator,
    )
    .depends_on(&["monitoring-crds"]);
}
