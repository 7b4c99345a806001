//! NetBird peer: joins the cluster network to the NetBird VPN so remote peers reach cluster
//! services. It runs on the host network with NET_ADMIN (it programs routes and iptables),
//! takes its setup key from OpenBao through the secrets-store CSI driver, and keeps its peer
//! identity on a small volume so a restart does not register a new peer.

use homelab_synth::kit::{
    OpenBaoSecrets, PodSecurityLevel, named, namespace, quantities, string_map,
};
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    CSIVolumeSource, Capabilities, Container, EnvVar, EnvVarSource, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec, ResourceRequirements, SecretKeySelector,
    SecurityContext, Service, ServiceSpec, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

const NAMESPACE: &str = "netbird";
const NAME: &str = "netbird-peer";
const IMAGE: &str = "netbirdio/netbird:0.71.4";
const SECRET_CLASS: &str = "netbird-secrets";

pub fn netbird(app: &mut App) {
    let mut chart = app.chart("netbird", ChartProps::namespace(NAMESPACE));
    let labels = string_map(&[("app.kubernetes.io/name", NAME)]);

    // privileged: the peer runs on the host network with NET_ADMIN and SYS_MODULE
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    chart.add_untyped(
        "secrets",
        OpenBaoSecrets::new(SECRET_CLASS, "netbird")
            .object(
                "NETBIRD_SETUP_KEY",
                "secret/data/netbird",
                "NETBIRD_SETUP_KEY",
            )
            .sync(
                "netbird-setup-key",
                &[("NETBIRD_SETUP_KEY", "NB_SETUP_KEY")],
            )
            .build(),
    );
    chart.add(
        "service",
        Service {
            metadata: named(NAME),
            spec: Some(ServiceSpec {
                cluster_ip: Some("None".into()),
                selector: Some(labels.clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let net_admin = |extra: &[&str]| SecurityContext {
        privileged: Some(true),
        capabilities: Some(Capabilities {
            add: Some(
                std::iter::once("NET_ADMIN")
                    .chain(extra.iter().copied())
                    .map(str::to_owned)
                    .collect(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    };
    chart.add(
        "peer",
        StatefulSet {
            metadata: named(NAME),
            spec: Some(StatefulSetSpec {
                service_name: Some(NAME.into()),
                replicas: Some(1),
                selector: LabelSelector {
                    match_labels: Some(labels.clone()),
                    ..Default::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels),
                        annotations: Some(string_map(&[("reloader.stakater.com/auto", "true")])),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        host_network: Some(true),
                        dns_policy: Some("ClusterFirstWithHostNet".into()),
                        init_containers: Some(vec![Container {
                            name: "masquerade".into(),
                            image: Some(IMAGE.into()),
                            command: Some(vec![
                                "sh".into(),
                                "-c".into(),
                                "iptables -t nat -C POSTROUTING -o wt0 -j MASQUERADE 2>/dev/null \
                                 || iptables -t nat -A POSTROUTING -o wt0 -j MASQUERADE"
                                    .into(),
                            ]),
                            security_context: Some(net_admin(&[])),
                            ..Default::default()
                        }]),
                        containers: vec![Container {
                            name: "netbird".into(),
                            image: Some(IMAGE.into()),
                            env: Some(vec![
                                EnvVar {
                                    name: "NB_SETUP_KEY".into(),
                                    value_from: Some(EnvVarSource {
                                        secret_key_ref: Some(SecretKeySelector {
                                            name: "netbird-setup-key".into(),
                                            key: "NB_SETUP_KEY".into(),
                                            ..Default::default()
                                        }),
                                        ..Default::default()
                                    }),
                                    ..Default::default()
                                },
                                literal("NB_MANAGEMENT_URL", "https://netbird.madhan.app"),
                                literal("NB_HOSTNAME", "homelab-k8s"),
                            ]),
                            security_context: Some(net_admin(&["SYS_MODULE"])),
                            resources: Some(ResourceRequirements {
                                requests: Some(quantities(&[("cpu", "50m"), ("memory", "64Mi")])),
                                limits: Some(quantities(&[("memory", "256Mi")])),
                                ..Default::default()
                            }),
                            volume_mounts: Some(vec![
                                VolumeMount {
                                    name: "netbird-config".into(),
                                    mount_path: "/etc/netbird".into(),
                                    ..Default::default()
                                },
                                VolumeMount {
                                    name: "secrets".into(),
                                    mount_path: "/mnt/secrets".into(),
                                    read_only: Some(true),
                                    ..Default::default()
                                },
                            ]),
                            ..Default::default()
                        }],
                        volumes: Some(vec![Volume {
                            name: "secrets".into(),
                            // mounting the CSI volume is what makes the driver sync the Secret
                            csi: Some(CSIVolumeSource {
                                driver: "secrets-store.csi.k8s.io".into(),
                                read_only: Some(true),
                                volume_attributes: Some(string_map(&[(
                                    "secretProviderClass",
                                    SECRET_CLASS,
                                )])),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }),
                },
                volume_claim_templates: Some(vec![PersistentVolumeClaim {
                    metadata: named("netbird-config"),
                    spec: Some(PersistentVolumeClaimSpec {
                        access_modes: Some(vec!["ReadWriteOnce".into()]),
                        resources: Some(VolumeResourceRequirements {
                            requests: Some(quantities(&[("storage", "100Mi")])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
}

fn literal(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}
