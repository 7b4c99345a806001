//! Homelab apps: security (runtime detection, vulnerability scanning, policy).

mod falco;
mod kyverno;
mod trivy;

use homelab_clusters::{SECURITY, Settings};
use homelab_synth::prelude::*;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_, Settings>) {
    apps.add("falco", falco::falco)
        .depends_on(&["monitoring-crds", "csi-driver", "openbao", "gateway"])
        .when(|cluster| cluster.has_role(SECURITY));
    apps.add("trivy", trivy::trivy)
        .depends_on(&["monitoring-crds"])
        .when(|cluster| cluster.has_role(SECURITY));
    apps.add("kyverno", kyverno::kyverno)
        .depends_on(&["monitoring-crds"])
        .when(|cluster| cluster.has_role(SECURITY));
}
