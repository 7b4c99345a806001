//! {{name}}: a web app with its Service and a route at `{{name}}.<cluster domain>`. Written by
//! `synth new app` with a placeholder image (nginx, unprivileged): make it yours.

use homelab_synth::prelude::*;

use {{clusters_crate}}::Cluster;

const NAME: &str = "{{name}}";
const IMAGE: &str = "nginxinc/nginx-unprivileged:1.27.4-alpine";
const PORT: u16 = 8080;

/// The app: its namespace (restricted Pod Security), a Deployment, its Service{{and_route}}.
pub fn {{function}}(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart(NAME, ChartProps::namespace(NAME));
    chart.add("namespace", namespace(NAME, PodSecurityLevel::Restricted));
    let mut pod = PodBuilder::new(NAME);
    // nginx writes its temporary files here; the root filesystem stays read-only
    let tmp = pod.empty_dir("tmp");
    pod.container(
        ContainerBuilder::new(NAME, IMAGE)
            .port("http", PORT)
            .mount(&tmp, "/tmp")
            .requests(&[("cpu", "10m"), ("memory", "32Mi")])
            .limits(&[("cpu", "200m"), ("memory", "64Mi")])
            .readiness(Probe::http("http", "/")),
    );
    let web = DeploymentBuilder::new(pod).replicas(cluster.settings.replicas);
    let service = web.expose();
    chart.add("deployment", web.build());
    chart.add("service", service.build());{{route}}
}
