//! Homelab apps: security (runtime detection, vulnerability scanning, policy).

mod falco;
mod kyverno;
mod trivy;

use homelab_synth::Category;

/// Registers the category's apps, one line each.
pub fn register(apps: &mut Category<'_>) {
    apps.add("falco", falco::falco).depends_on(&[
        "monitoring-crds",
        "csi-driver",
        "openbao",
        "gateway",
    ]);
    apps.add("trivy", trivy::trivy)
        .depends_on(&["monitoring-crds"]);
    apps.add("kyverno", kyverno::kyverno)
        .depends_on(&["monitoring-crds"]);
}
