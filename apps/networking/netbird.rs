//! NetBird peer: a routing peer that joins the node's LAN to the NetBird VPN, so remote peers
//! reach LAN hosts (it masquerades their traffic into the LAN). It runs on the host network, privileged with NET_ADMIN (it programs routes and
//! iptables), takes its setup key from OpenBao through the secrets-store CSI driver, and
//! keeps its peer identity on a small volume so a restart does not register a new peer.
//!
//! Built with the workload kit: every opt-out of the restricted profile carries its reason
//! (recorded on the pod template), and the identity volume's claim template is written in
//! full, so Argo CD shows no drift on the StatefulSet.

use homelab_synth::prelude::*;
use k8s_openapi::api::core::v1::{Service, ServiceSpec};

const NAMESPACE: &str = "netbird";
const NAME: &str = "netbird-peer";
const IMAGE: &str = "netbirdio/netbird:0.71.4";
const SECRET_CLASS: &str = "netbird-secrets";
/// The NetBird management server the peer registers with (one for the whole VPN).
const MANAGEMENT_URL: &str = "https://netbird.madhan.app";
/// The node's LAN interface and the LAN remote peers reach through this peer.
const LAN_INTERFACE: &str = "ens18";
const LAN: &str = "192.168.1.0/24";
/// Where NetBird keeps its peer key and state: on the claim, so a restart keeps the peer.
const STATE_DIR: &str = "/var/lib/netbird";
/// The peer's name in the NetBird dashboard, as the homelab registered it.
const PEER_HOSTNAME: &str = "k8s-routing-peer";

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
            &[("NETBIRD_SETUP_KEY", "NETBIRD_SETUP_KEY")],
        );

    let mut pod = PodBuilder::new(NAME);
    // the seed's selector: Kubernetes refuses to change a StatefulSet's selector in place
    pod.replace_selector(&[("app", NAME)]);
    pod.host_network("the peer routes VPN traffic to and from the node's network")
        .annotation("reloader.stakater.com/auto", "true");
    // mounting the CSI volume is what makes the driver sync the setup key's Secret
    let secrets_volume = pod.secrets_store("openbao-secrets", &secrets);
    let identity = Claim::new("netbird-config", "100Mi");
    let root = "iptables and the WireGuard interface need root on the host network";
    // VPN clients reach the LAN through this node: traffic leaving the LAN interface for the
    // LAN is masqueraded, so LAN hosts answer the node. Added once: the init container runs
    // again on every pod start.
    let rule = |action: &str| {
        format!("iptables -t nat {action} POSTROUTING -o {LAN_INTERFACE} -d {LAN} -j MASQUERADE")
    };
    let script = format!("{} 2>/dev/null || {}", rule("-C"), rule("-A"));
    pod.init_container(
        ContainerBuilder::new("setup-iptables", IMAGE)
            .command(&["/bin/sh"])
            .args(&["-c", &script])
            .run_as_root(root)
            .privileged("NET_ADMIN on the node: adds the LAN masquerade rule"),
    );
    pod.container(
        ContainerBuilder::new("netbird", IMAGE)
            .env_from_secret("NB_SETUP_KEY", "netbird-setup-key", "NETBIRD_SETUP_KEY")
            .env("NB_MANAGEMENT_URL", MANAGEMENT_URL)
            .env("NB_HOSTNAME", PEER_HOSTNAME)
            .requests(&[("cpu", "50m"), ("memory", "64Mi")])
            .limits(&[("memory", "256Mi")])
            .mount(&StatefulSetBuilder::claim_volume(&identity), STATE_DIR)
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
