//! {{name}}: the Helm chart `{{chart}}` {{version}} from {{repo}}, rendered by synth (locked
//! in `charts.lock`), in its own namespace. Written by `synth new app`: set its values.

use homelab_synth::prelude::*;

use {{clusters_crate}}::Cluster;

const NAME: &str = "{{name}}";

/// The app: its namespace (baseline Pod Security: charts rarely meet restricted) and the
/// release.
pub fn {{function}}(app: &mut App, _cluster: &Cluster) {
    let mut chart = app.chart(NAME, ChartProps::namespace(NAME));
    chart.add("namespace", namespace(NAME, PodSecurityLevel::Baseline));
    chart.helm(
        NAME,
        HelmProps::new(ChartSource::repo("{{repo}}", "{{chart}}"), "{{version}}")
            .release(NAME)
            .values(json!({})),
    );
}
