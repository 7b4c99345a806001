//! CloudNativePG operator: runs the PostgreSQL `Cluster`s of the homelab (n8n's database).
//! The upstream chart with its defaults, in its own namespace; its CRDs are templates of the
//! chart, so they come with the render.

use homelab_synth::prelude::*;

const NAMESPACE: &str = "cnpg-system";

pub fn cnpg_operator(app: &mut App) {
    let mut chart = app.chart("cnpg-operator", ChartProps::namespace(NAMESPACE));
    // the operator's pod meets the restricted profile (checked at synthesis)
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Restricted),
    );
    chart.helm(
        "cnpg",
        HelmProps::new(
            ChartSource::repo("https://cloudnative-pg.github.io/charts", "cloudnative-pg"),
            "0.28.2",
        )
        .release("cnpg"),
    );
}
