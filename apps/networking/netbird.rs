//! NetBird peer: joins the cluster network to the NetBird VPN so remote peers reach cluster
//! services. It runs on the host network, privileged with NET_ADMIN (it programs routes and
//! iptables), takes its setup key from OpenBao through the secrets-store CSI driver, and
//! keeps its peer identity on a small volume so a restart does not register a new peer.
//!
//! Built with the workload kit: every opt-out of the restricted profile carries its reason
//! (recorded on the pod template), and the identity volume's claim template is written in
//! full, so Argo CD shows no drift on the StatefulSet.

use homelab_synth::kit::workload::{Claim, ContainerBuilder, PodBuilder, StatefulSetBuilder};
use homelab_synth::kit::{OpenBaoSecrets, PodSecurityLevel, named, namespace};
use homelab_synth::{App, ChartProps};
use k8s_openapi::api::core::v1::{Service, ServiceSpec};

const NAMESPACE: &str = "netbird";
const NAME: &str = "netbird-peer";
const IMAGE: &str = "netbirdio/netbird:0.71.4";
const SECRET_CLASS: &str = "netbird-secrets";
/// The NetBird management server the peer registers with (one for the whole VPN).
const MANAGEMENT_URL: &str = "https://netbird.madhan.app";
/// Adds the NAT rule once: an init container runs again on every pod start.
const MASQUERADE: &str = "iptables -t nat -C POSTROUTING -o wt0 -j MASQUERADE 2>/dev/null \
                          || iptables -t nat -A POSTROUTING -o wt0 -j MASQUERADE";

pub fn netbird(app: &mut App) {
    let mut chart = app.chart("netbird", ChartProps::namespace(NAMESPACE));
    // privileged: the peer runs privileged on the host network
    chart.add(
        "namespace",
        namespace(NAMESPACE, PodSecurityLevel::Privileged),
    );
    let secrets = OpenBaoSecrets::new(SECRET_CLASS, "netbird")
        .object(
            "NETBIRD_SETUP_KEY",
            "secret/data/netbird",
            "NETBIRD_SETUP_KEY",
        )
        .sync(
            "netbird-setup-key",
            &[("NETBIRD_SETUP_KEY", "NB_SETUP_KEY")],
        );

    let mut pod = PodBuilder::new(NAME);
    pod.host_network("the peer routes VPN traffic to and from the node's network")
        .annotation("reloader.stakater.com/auto", "true");
    // mounting the CSI volume is what makes the driver sync the setup key's Secret
    let secrets_volume = pod.secrets_store("secrets", &secrets);
    let identity = Claim::new("netbird-config", "100Mi");
    let root = "iptables and the WireGuard interface need root on the host network";
    pod.init_container(
        ContainerBuilder::new("masquerade", IMAGE)
            .command(&["sh", "-c", MASQUERADE])
            .run_as_root(root)
            .privileged("NET_ADMIN on the node: adds the masquerade rule for wt0"),
    );
    pod.container(
        ContainerBuilder::new("netbird", IMAGE)
            .env_from_secret("NB_SETUP_KEY", "netbird-setup-key", "NB_SETUP_KEY")
            .env("NB_MANAGEMENT_URL", MANAGEMENT_URL)
            .env("NB_HOSTNAME", "homelab-k8s")
            .requests(&[("cpu", "50m"), ("memory", "64Mi")])
            .limits(&[("memory", "256Mi")])
            .mount(&StatefulSetBuilder::claim_volume(&identity), "/etc/netbird")
            .mount_read_only(&secrets_volume, "/mnt/secrets")
            .run_as_root(root)
            .privileged(
                "NET_ADMIN and SYS_MODULE on the node: creates the wt0 WireGuard interface, \
                 its routes, and loads the kernel module",
            )
            .writable_root_filesystem("the daemon keeps its socket and logs under /var"),
    );

    chart.add_untyped("secrets", secrets.build());
    chart.add(
        "service",
        Service {
            metadata: named(NAME),
            spec: Some(ServiceSpec {
                // headless: the StatefulSet's governing Service, no ports of its own
                cluster_ip: Some("None".into()),
                selector: Some(pod.selector_labels().clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    chart.add(
        "peer",
        StatefulSetBuilder::new(pod)
            .replicas(1)
            .claim(identity)
            .build(),
    );
}
