//! CloudNativePG operator: runs the PostgreSQL `Cluster`s of the homelab (n8n's database).
//! The upstream chart with its defaults, in its own namespace; its CRDs are templates of the
//! chart, so they come with the render.

use homelab_synth::helm::{ChartSource, HelmProps};
use homelab_synth::kit::named;
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::core::v1::Namespace;

const NAMESPACE: &str = "cnpg-system";

pub fn cnpg_operator(app: &mut App) {
    let mut chart = app.chart("cnpg-operator", ChartProps::namespace(NAMESPACE));
    chart.add(
        "namespace",
        Namespace {
            metadata: named(NAMESPACE),
            ..Default::default()
        },
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
