//! ComfyUI: a node-based Stable Diffusion UI on the GPU node, with its models and outputs on
//! a shared Longhorn volume.

use homelab_synth::kit::{GatewayRef, HttpRouteBuilder, named, quantities, string_map};
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, Namespace, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, ResourceRequirements, Service,
    ServicePort, ServiceSpec, Toleration, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

const NAME: &str = "comfyui";
const IMAGE: &str = "yanwk/comfyui-boot:cu128-megapak-20260223";
const PORT: i32 = 8188;

pub fn comfyui(app: &mut App) {
    let mut chart = app.chart(NAME, ChartProps::namespace(NAME));
    let labels = string_map(&[("app.kubernetes.io/name", NAME)]);

    chart.add(
        "namespace",
        Namespace {
            metadata: named(NAME),
            ..Default::default()
        },
    );
    chart.add(
        "data",
        PersistentVolumeClaim {
            metadata: named("comfyui-data"),
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteMany".into()]),
                storage_class_name: Some("longhorn".into()),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(quantities(&[("storage", "50Gi")])),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    chart.add(
        "deployment",
        Deployment {
            metadata: named(NAME),
            spec: Some(DeploymentSpec {
                replicas: Some(1),
                // one GPU, one writer of the volume: never run two pods side by side
                strategy: Some(DeploymentStrategy {
                    type_: Some("Recreate".into()),
                    ..Default::default()
                }),
                selector: LabelSelector {
                    match_labels: Some(labels.clone()),
                    ..Default::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels.clone()),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        runtime_class_name: Some("nvidia".into()),
                        node_selector: Some(string_map(&[("nvidia.com/gpu.present", "true")])),
                        tolerations: Some(vec![Toleration {
                            key: Some("dedicated".into()),
                            operator: Some("Equal".into()),
                            value: Some("ai".into()),
                            effect: Some("NoSchedule".into()),
                            ..Default::default()
                        }]),
                        containers: vec![Container {
                            name: NAME.into(),
                            image: Some(IMAGE.into()),
                            ports: Some(vec![ContainerPort {
                                name: Some("http".into()),
                                container_port: PORT,
                                protocol: Some("TCP".into()),
                                ..Default::default()
                            }]),
                            env: Some(vec![EnvVar {
                                name: "CLI_ARGS".into(),
                                value: Some("--listen 0.0.0.0".into()),
                                ..Default::default()
                            }]),
                            resources: Some(ResourceRequirements {
                                limits: Some(quantities(&[
                                    ("cpu", "4000m"),
                                    ("memory", "8Gi"),
                                    ("nvidia.com/gpu", "1"),
                                ])),
                                ..Default::default()
                            }),
                            volume_mounts: Some(vec![VolumeMount {
                                name: "data".into(),
                                mount_path: "/root".into(),
                                ..Default::default()
                            }]),
                            ..Default::default()
                        }],
                        volumes: Some(vec![Volume {
                            name: "data".into(),
                            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                                claim_name: "comfyui-data".into(),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }),
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    chart.add(
        "service",
        Service {
            metadata: named(NAME),
            spec: Some(ServiceSpec {
                selector: Some(labels),
                ports: Some(vec![ServicePort {
                    name: Some("http".into()),
                    port: PORT,
                    target_port: Some(IntOrString::String("http".into())),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let gateway = GatewayRef::new("homelab-gateway", "kube-system");
    chart.add(
        "route",
        HttpRouteBuilder::new(NAME, &gateway, "comfyui.madhan.app")
            .to_service(NAME, PORT as u16)
            .build(),
    );
}
