//! AI workloads of the homelab: GPU apps and the Kubeflow dashboard.

mod comfyui;
mod kubeflow;
mod ollama;

use homelab_clusters::{GPU, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("comfyui", comfyui::comfyui)
        .depends_on(&["nvidia-gpu-operator", "longhorn", "gateway"])
        .when(|cluster| cluster.has_role(GPU));
    apps.add("kubeflow", kubeflow::kubeflow)
        .depends_on(&["gateway"]);
    apps.add("ollama", ollama::ollama)
        .depends_on(&["nvidia-gpu-operator", "longhorn", "gateway"])
        .when(|cluster| cluster.has_role(GPU));
}
