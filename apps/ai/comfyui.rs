//! ComfyUI: a node-based Stable Diffusion UI on the GPU node, with its models and outputs on
//! a shared Longhorn volume. Built with the workload kit: restricted by default, with the two
//! exceptions the image needs spelled out.

use homelab_clusters::Cluster;
use homelab_synth::prelude::*;

const NAME: &str = "comfyui";
const IMAGE: &str = "yanwk/comfyui-boot:cu128-megapak-20260223";

pub fn comfyui(app: &mut App, cluster: &Cluster) {
    let mut chart = app.chart(NAME, ChartProps::namespace(NAME));
    // baseline: the image runs as root (recorded below), which restricted refuses
    chart.add("namespace", namespace(NAME, PodSecurityLevel::Baseline));
    let data = Claim::new("comfyui-data", "50Gi")
        .access(AccessMode::ReadWriteMany)
        .storage_class("longhorn");
    chart.add("data", data.build());

    let mut pod = PodBuilder::new(NAME);
    // the seed's selector: Kubernetes refuses to change a Deployment's selector in place
    pod.replace_selector(&[("app", NAME)]);
    let volume = pod.pvc("data", data.name());
    pod.container(
        ContainerBuilder::new(NAME, IMAGE)
            .image_pull_policy("IfNotPresent")
            .port("http", 8188)
            .env("NVIDIA_VISIBLE_DEVICES", "all")
            .env("CLI_ARGS", "--listen 0.0.0.0 --port 8188")
            // the image keeps ComfyUI (models, custom nodes, outputs) here
            .mount(&volume, "/home/user/opt/ComfyUI")
            // requests well below the limits, so the pod schedules beside ollama on the GPU node
            .requests(&[("cpu", "1000m"), ("memory", "1Gi")])
            .limits(&[("cpu", "4000m"), ("memory", "8Gi")])
            .gpu(1)
            .readiness(Probe::http("http", "/"))
            .run_as_root("the image runs ComfyUI as root")
            .writable_root_filesystem("the image installs custom nodes into itself at start"),
    );
    // one GPU, one writer of the volume: never run two pods side by side
    let web = DeploymentBuilder::new(pod).replicas(1).recreate();
    let service = web.expose();
    chart.add("deployment", web.build());
    chart.add("service", service.build());
    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    chart.add(
        "route",
        HttpRouteBuilder::new(NAME, &gateway, &cluster.host("comfyui"))
            .to_service(NAME, 8188)
            .build(),
    );
}
