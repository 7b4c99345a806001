//! A pod template: containers, volumes, scheduling, identity, and the one label set that both
//! the workload selector and the pod template labels derive from.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, CSIVolumeSource, ConfigMap, ConfigMapVolumeSource, EmptyDirVolumeSource,
    HostPathVolumeSource, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec,
    SecretVolumeSource, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::kit::workload::container::ContainerBuilder;
use crate::kit::workload::security::{
    PodSecurity, SECURITY_EXCEPTIONS_ANNOTATION, SecurityException, annotation_value,
};

/// The label every kit workload selects on, set to the pod's name.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// The homelab's GPU conventions (see the reference, rows 11-12).
const GPU_RUNTIME_CLASS: &str = "nvidia";
const GPU_NODE_LABEL: &str = "nvidia.com/gpu.present";

/// A volume of a pod (or a StatefulSet claim template), to mount into containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeRef(String);

impl VolumeRef {
    /// A reference by name, for volumes declared outside the kit (prefer the handles the
    /// pod's volume methods return).
    pub fn named(name: &str) -> Self {
        VolumeRef(name.to_owned())
    }

    /// The volume name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// A pod under construction. Methods take `&mut self` and chain; volume methods return the
/// [`VolumeRef`] to mount.
#[derive(Clone, Debug, PartialEq)]
pub struct PodBuilder {
    name: String,
    selector: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    containers: Vec<ContainerBuilder>,
    init_containers: Vec<ContainerBuilder>,
    volumes: Vec<Volume>,
    node_selector: BTreeMap<String, String>,
    tolerations: Vec<Toleration>,
    affinity: Option<Affinity>,
    runtime_class: Option<String>,
    service_account: Option<String>,
    host_network: bool,
    host_pid: bool,
    restart_policy: Option<String>,
    termination_grace_seconds: Option<i64>,
    security: PodSecurity,
    exceptions: Vec<SecurityException>,
    config_hashes: BTreeMap<String, String>,
}

/// The pod template annotation holding the hash of the ConfigMaps the pod rolls on
/// ([`PodBuilder::roll_on`]): a content change changes the template, so the workload rolls.
pub const CONFIG_HASH_ANNOTATION: &str = "homelab-synth.dev/config-hash";

/// An object whose content rolls the pods that use it ([`PodBuilder::roll_on`]).
pub trait RollSource {
    /// Distinguishes it among the pod's sources (its name; `Secret/<name>` for a Secret).
    fn key(&self) -> String;
    /// The content whose hash goes on the pod template.
    fn content(&self) -> serde_json::Value;
}

impl RollSource for ConfigMap {
    fn key(&self) -> String {
        self.metadata.name.clone().unwrap_or_default()
    }

    fn content(&self) -> serde_json::Value {
        serde_json::json!({"data": self.data, "binaryData": self.binary_data})
    }
}

impl RollSource for k8s_openapi::api::core::v1::Secret {
    fn key(&self) -> String {
        format!(
            "Secret/{}",
            self.metadata.name.as_deref().unwrap_or_default()
        )
    }

    fn content(&self) -> serde_json::Value {
        serde_json::json!({"data": self.data, "stringData": self.string_data})
    }
}

impl PodBuilder {
    /// A pod named `name`: it selects on `app.kubernetes.io/name: <name>`.
    pub fn new(name: &str) -> Self {
        PodBuilder {
            name: name.to_owned(),
            selector: BTreeMap::from([(NAME_LABEL.to_owned(), name.to_owned())]),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            containers: Vec::new(),
            init_containers: Vec::new(),
            volumes: Vec::new(),
            node_selector: BTreeMap::new(),
            tolerations: Vec::new(),
            affinity: None,
            runtime_class: None,
            service_account: None,
            host_network: false,
            host_pid: false,
            restart_policy: None,
            termination_grace_seconds: None,
            security: PodSecurity::default(),
            exceptions: Vec::new(),
            config_hashes: BTreeMap::new(),
        }
    }

    /// Rolls the workload when `source`'s content changes: the sha256 of a ConfigMap's
    /// `data` and `binaryData` (or a Secret's `data` and `stringData`) joins
    /// [`CONFIG_HASH_ANNOTATION`] on the pod template (one hash over every object the pod
    /// rolls on). Mount or reference the object as usual. A Secret synced into the cluster
    /// (SecretProviderClass, ExternalSecret) has no content in the synthesis: its pods roll
    /// with Reloader's `reloader.stakater.com/auto` annotation instead.
    ///
    /// ```
    /// use homelab_synth_core::kit::named;
    /// use homelab_synth_core::kit::workload::{CONFIG_HASH_ANNOTATION, DeploymentBuilder, PodBuilder};
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// let script = ConfigMap { metadata: named("script"), ..Default::default() };
    /// let mut pod = PodBuilder::new("controller");
    /// pod.config_map("script", "script");
    /// pod.roll_on(&script);
    /// let deployment = DeploymentBuilder::new(pod).build();
    /// let template = deployment.spec.unwrap().template.metadata.unwrap();
    /// assert!(template.annotations.unwrap().contains_key(CONFIG_HASH_ANNOTATION));
    /// ```
    pub fn roll_on(&mut self, source: &impl RollSource) -> &mut Self {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(crate::to_sorted_json(&source.content()).as_bytes());
        self.config_hashes
            .insert(source.key(), crate::names::hex(&hash));
        self
    }

    /// The name (also the workload's and the default Service's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a label to the selector set (e.g. `app.kubernetes.io/component`): the workload
    /// selector, the pod template and any exposed Service all get it.
    pub fn selector_label(&mut self, key: &str, value: &str) -> &mut Self {
        self.selector.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Replaces the selector set (default `app.kubernetes.io/name: <name>`) with `labels`: for
    /// a workload that already runs with another selector, since Kubernetes refuses to change
    /// the selector of a Deployment, StatefulSet or DaemonSet in place.
    pub fn replace_selector(&mut self, labels: &[(&str, &str)]) -> &mut Self {
        self.selector = labels
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        self
    }

    /// Adds a label to the pod template only (not selected on).
    pub fn label(&mut self, key: &str, value: &str) -> &mut Self {
        self.labels.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Adds an annotation to the pod template.
    pub fn annotation(&mut self, key: &str, value: &str) -> &mut Self {
        self.annotations.insert(key.to_owned(), value.to_owned());
        self
    }

    /// The selector labels.
    pub fn selector_labels(&self) -> &BTreeMap<String, String> {
        &self.selector
    }

    /// The pod template labels: the extra labels, then the selector set (which wins).
    pub fn template_labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.labels.clone();
        labels.extend(self.selector.clone());
        labels
    }

    /// Adds a container.
    pub fn container(&mut self, container: ContainerBuilder) -> &mut Self {
        self.containers.push(container);
        self
    }

    /// Adds an init container.
    pub fn init_container(&mut self, container: ContainerBuilder) -> &mut Self {
        self.init_containers.push(container);
        self
    }

    /// The regular containers.
    pub fn containers(&self) -> &[ContainerBuilder] {
        &self.containers
    }

    /// A PersistentVolumeClaim `claim` as volume `name`.
    pub fn pvc(&mut self, name: &str, claim: &str) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.to_owned(),
                ..PersistentVolumeClaimVolumeSource::default()
            }),
            ..Volume::default()
        })
    }

    /// ConfigMap `config_map` as volume `name`.
    pub fn config_map(&mut self, name: &str, config_map: &str) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            config_map: Some(ConfigMapVolumeSource {
                name: config_map.to_owned(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        })
    }

    /// Secret `secret` as volume `name`.
    pub fn secret(&mut self, name: &str, secret: &str) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.to_owned()),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        })
    }

    /// An `emptyDir` volume `name`.
    pub fn empty_dir(&mut self, name: &str) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        })
    }

    /// A memory-backed `emptyDir` volume `name` of at most `size` (e.g. `1Gi`).
    pub fn memory_dir(&mut self, name: &str, size: &str) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".to_owned()),
                size_limit: Some(Quantity(size.to_owned())),
            }),
            ..Volume::default()
        })
    }

    /// A CSI volume `name` of `driver` with `attributes` (read-only: CSI volumes in this
    /// homelab are secret stores).
    pub fn csi(&mut self, name: &str, driver: &str, attributes: &[(&str, &str)]) -> VolumeRef {
        self.volume(Volume {
            name: name.to_owned(),
            csi: Some(CSIVolumeSource {
                driver: driver.to_owned(),
                read_only: Some(true),
                volume_attributes: (!attributes.is_empty())
                    .then(|| crate::kit::meta::string_map(attributes)),
                ..CSIVolumeSource::default()
            }),
            ..Volume::default()
        })
    }

    /// The secrets-store CSI volume `name` for `class` (mounting it is what makes the driver
    /// sync the class's Secrets).
    pub fn secrets_store(&mut self, name: &str, class: &crate::kit::OpenBaoSecrets) -> VolumeRef {
        self.csi(
            name,
            crate::kit::SECRETS_STORE_DRIVER,
            &[("secretProviderClass", class.name())],
        )
    }

    /// Opt-out: host directory `path` as volume `name` (forbidden by the baseline and
    /// restricted profiles).
    pub fn host_path(&mut self, name: &str, path: &str, reason: &str) -> VolumeRef {
        self.except(format!("hostPath: {path}"), reason);
        self.volume(Volume {
            name: name.to_owned(),
            host_path: Some(HostPathVolumeSource {
                path: path.to_owned(),
                ..HostPathVolumeSource::default()
            }),
            ..Volume::default()
        })
    }

    /// Any volume, as written (escape hatch).
    pub fn volume(&mut self, volume: Volume) -> VolumeRef {
        let handle = VolumeRef(volume.name.clone());
        self.volumes.push(volume);
        handle
    }

    /// Adds a node selector term.
    pub fn node_selector(&mut self, key: &str, value: &str) -> &mut Self {
        self.node_selector.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Tolerates taint `key=value:effect`.
    pub fn toleration(&mut self, key: &str, value: &str, effect: &str) -> &mut Self {
        self.tolerate(Toleration {
            key: Some(key.to_owned()),
            operator: Some("Equal".to_owned()),
            value: Some(value.to_owned()),
            effect: Some(effect.to_owned()),
            ..Toleration::default()
        })
    }

    /// Adds a toleration, as written.
    pub fn tolerate(&mut self, toleration: Toleration) -> &mut Self {
        if !self.tolerations.contains(&toleration) {
            self.tolerations.push(toleration);
        }
        self
    }

    /// `affinity`, as written.
    pub fn affinity(&mut self, affinity: Affinity) -> &mut Self {
        self.affinity = Some(affinity);
        self
    }

    /// `runtimeClassName`.
    pub fn runtime_class(&mut self, name: &str) -> &mut Self {
        self.runtime_class = Some(name.to_owned());
        self
    }

    /// `serviceAccountName`.
    pub fn service_account(&mut self, name: &str) -> &mut Self {
        self.service_account = Some(name.to_owned());
        self
    }

    /// `restartPolicy` (`Always`, `OnFailure`, `Never`); Jobs default to `OnFailure`.
    pub fn restart_policy(&mut self, policy: &str) -> &mut Self {
        self.restart_policy = Some(policy.to_owned());
        self
    }

    /// `terminationGracePeriodSeconds`.
    pub fn termination_grace_seconds(&mut self, seconds: i64) -> &mut Self {
        self.termination_grace_seconds = Some(seconds);
        self
    }

    /// Pod-level `runAsUser`/`runAsGroup`/`fsGroup` (volume ownership).
    pub fn run_as(&mut self, uid: i64, gid: i64) -> &mut Self {
        self.security.run_as_user = Some(uid);
        self.security.run_as_group = Some(gid);
        self.security.fs_group = Some(gid);
        self
    }

    /// Opt-out: the node's network namespace (`hostNetwork: true`, and
    /// `dnsPolicy: ClusterFirstWithHostNet` so cluster DNS still resolves).
    pub fn host_network(&mut self, reason: &str) -> &mut Self {
        self.host_network = true;
        self.except("hostNetwork: true".to_owned(), reason)
    }

    /// Opt-out: the node's process namespace (`hostPID: true`).
    pub fn host_pid(&mut self, reason: &str) -> &mut Self {
        self.host_pid = true;
        self.except("hostPID: true".to_owned(), reason)
    }

    fn except(&mut self, setting: String, reason: &str) -> &mut Self {
        self.exceptions
            .push(SecurityException::new("pod", setting, reason));
        self
    }

    /// Every exception of the pod and its containers, in declaration order (pod first).
    pub fn security_exceptions(&self) -> Vec<SecurityException> {
        let mut all = self.exceptions.clone();
        for container in self.init_containers.iter().chain(&self.containers) {
            all.extend(container.security_exceptions().iter().cloned());
        }
        all
    }

    /// The pod `securityContext`: `runAsNonRoot: true` only when no container was allowed to
    /// run as root, so the pod level never contradicts a container's recorded exception.
    fn pod_security_context(&self) -> k8s_openapi::api::core::v1::PodSecurityContext {
        let mut context = self.security.context();
        if self
            .init_containers
            .iter()
            .chain(&self.containers)
            .any(ContainerBuilder::runs_as_root)
        {
            context.run_as_non_root = None;
        }
        context
    }

    /// Named ports of the regular containers: `(name, number, protocol)`.
    pub(crate) fn named_ports(&self) -> Vec<(String, i32, String)> {
        self.containers
            .iter()
            .flat_map(ContainerBuilder::named_ports)
            .map(|(name, number, protocol)| (name.to_owned(), number, protocol.to_owned()))
            .collect()
    }

    /// The pod template, with `restartPolicy` defaulting to `default_restart` when given.
    pub(crate) fn template(&self, default_restart: Option<&str>) -> PodTemplateSpec {
        let all_containers = || self.init_containers.iter().chain(&self.containers);
        let gpu = all_containers().any(|container| container.gpus > 0);
        let mut node_selector = self.node_selector.clone();
        let mut tolerations = self.tolerations.clone();
        let mut runtime_class = self.runtime_class.clone();
        if gpu {
            node_selector
                .entry(GPU_NODE_LABEL.to_owned())
                .or_insert_with(|| "true".to_owned());
            let toleration = Toleration {
                key: Some("dedicated".to_owned()),
                operator: Some("Equal".to_owned()),
                value: Some("ai".to_owned()),
                effect: Some("NoSchedule".to_owned()),
                ..Toleration::default()
            };
            if !tolerations.contains(&toleration) {
                tolerations.push(toleration);
            }
            runtime_class.get_or_insert_with(|| GPU_RUNTIME_CLASS.to_owned());
        }
        let mut volumes = self.volumes.clone();
        for container in all_containers() {
            for (name, _) in container.scratch_volumes() {
                volumes.push(Volume {
                    name,
                    empty_dir: Some(EmptyDirVolumeSource::default()),
                    ..Volume::default()
                });
            }
        }
        let mut annotations = self.annotations.clone();
        if let Some(value) = annotation_value(&self.security_exceptions()) {
            annotations.insert(SECURITY_EXCEPTIONS_ANNOTATION.to_owned(), value);
        }
        if !self.config_hashes.is_empty() {
            use sha2::Digest;
            let mut all = sha2::Sha256::new();
            for (name, hash) in &self.config_hashes {
                all.update(format!("{name}={hash}\n"));
            }
            annotations.insert(
                CONFIG_HASH_ANNOTATION.to_owned(),
                crate::names::hex(&all.finalize()),
            );
        }
        let build = |list: &[ContainerBuilder]| list.iter().map(ContainerBuilder::build).collect();
        let init_containers: Vec<_> = build(&self.init_containers);
        PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(self.template_labels()),
                annotations: (!annotations.is_empty()).then_some(annotations),
                ..ObjectMeta::default()
            }),
            spec: Some(PodSpec {
                containers: build(&self.containers),
                init_containers: (!init_containers.is_empty()).then_some(init_containers),
                volumes: (!volumes.is_empty()).then_some(volumes),
                node_selector: (!node_selector.is_empty()).then_some(node_selector),
                tolerations: (!tolerations.is_empty()).then_some(tolerations),
                affinity: self.affinity.clone(),
                runtime_class_name: runtime_class,
                service_account_name: self.service_account.clone(),
                host_network: self.host_network.then_some(true),
                host_pid: self.host_pid.then_some(true),
                dns_policy: self
                    .host_network
                    .then(|| "ClusterFirstWithHostNet".to_owned()),
                restart_policy: self
                    .restart_policy
                    .clone()
                    .or_else(|| default_restart.map(str::to_owned)),
                termination_grace_period_seconds: self.termination_grace_seconds,
                security_context: Some(self.pod_security_context()),
                ..PodSpec::default()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn template(pod: &PodBuilder) -> Value {
        serde_json::to_value(pod.template(None)).unwrap()
    }

    #[test]
    fn minimal_pod_is_restricted_and_labelled() {
        let mut pod = PodBuilder::new("web");
        pod.container(ContainerBuilder::new("web", "nginx:1.29"));
        assert_eq!(
            template(&pod),
            json!({
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {
                    "containers": [{
                        "name": "web",
                        "image": "nginx:1.29",
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": true
                        }
                    }],
                    "securityContext": {
                        "runAsNonRoot": true,
                        "seccompProfile": {"type": "RuntimeDefault"}
                    }
                }
            })
        );
    }

    #[test]
    fn volumes_of_every_kind() {
        let mut pod = PodBuilder::new("app");
        let data = pod.pvc("data", "app-data");
        let config = pod.config_map("config", "app-config");
        let secret = pod.secret("creds", "app-secret");
        let cache = pod.empty_dir("cache");
        let shm = pod.memory_dir("shm", "1Gi");
        let store = pod.csi(
            "secrets-store",
            "secrets-store.csi.k8s.io",
            &[("secretProviderClass", "app-secrets")],
        );
        let host = pod.host_path("dev", "/dev", "reads GPU device nodes");
        let mut container = ContainerBuilder::new("app", "app:1");
        for (volume, path) in [
            (&data, "/data"),
            (&config, "/config"),
            (&secret, "/secret"),
            (&cache, "/cache"),
            (&shm, "/dev/shm"),
            (&store, "/mnt/secrets"),
            (&host, "/host-dev"),
        ] {
            container = container.mount(volume, path);
        }
        pod.container(container.scratch("/tmp"));
        let json = template(&pod);
        assert_eq!(
            json["spec"]["volumes"],
            json!([
                {"name": "data", "persistentVolumeClaim": {"claimName": "app-data"}},
                {"name": "config", "configMap": {"name": "app-config"}},
                {"name": "creds", "secret": {"secretName": "app-secret"}},
                {"name": "cache", "emptyDir": {}},
                {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                {"name": "secrets-store", "csi": {
                    "driver": "secrets-store.csi.k8s.io",
                    "readOnly": true,
                    "volumeAttributes": {"secretProviderClass": "app-secrets"}
                }},
                {"name": "dev", "hostPath": {"path": "/dev"}},
                {"name": "app-scratch-0", "emptyDir": {}}
            ])
        );
        assert_eq!(
            json["metadata"]["annotations"],
            json!({SECURITY_EXCEPTIONS_ANNOTATION: "pod: hostPath: /dev: reads GPU device nodes"})
        );
    }

    #[test]
    fn scheduling_identity_and_host_network() {
        let mut pod = PodBuilder::new("agent");
        pod.selector_label("app.kubernetes.io/component", "agent")
            .label("team", "infra")
            .annotation("reloader.stakater.com/auto", "true")
            .node_selector("kubernetes.io/os", "linux")
            .toleration("node-role.kubernetes.io/control-plane", "", "NoSchedule")
            .runtime_class("gvisor")
            .service_account("agent")
            .restart_policy("Always")
            .termination_grace_seconds(5)
            .run_as(1000, 2000)
            .host_network("serves the node's WireGuard port")
            .container(ContainerBuilder::new("agent", "agent:1"));
        let json = template(&pod);
        assert_eq!(
            json["metadata"],
            json!({
                "labels": {
                    "app.kubernetes.io/component": "agent",
                    "app.kubernetes.io/name": "agent",
                    "team": "infra"
                },
                "annotations": {
                    "homelab-synth.dev/security-exceptions":
                        "pod: hostNetwork: true: serves the node's WireGuard port",
                    "reloader.stakater.com/auto": "true"
                }
            })
        );
        let mut spec = json["spec"].clone();
        spec.as_object_mut().unwrap().remove("containers");
        assert_eq!(
            spec,
            json!({
                "dnsPolicy": "ClusterFirstWithHostNet",
                "hostNetwork": true,
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "restartPolicy": "Always",
                "runtimeClassName": "gvisor",
                "securityContext": {
                    "fsGroup": 2000,
                    "runAsGroup": 2000,
                    "runAsNonRoot": true,
                    "runAsUser": 1000,
                    "seccompProfile": {"type": "RuntimeDefault"}
                },
                "serviceAccountName": "agent",
                "terminationGracePeriodSeconds": 5,
                "tolerations": [{
                    "key": "node-role.kubernetes.io/control-plane",
                    "operator": "Equal",
                    "value": "",
                    "effect": "NoSchedule"
                }]
            })
        );
    }

    #[test]
    fn gpu_container_brings_the_gpu_conventions() {
        let mut pod = PodBuilder::new("ai");
        pod.container(ContainerBuilder::new("ai", "ai:1").gpu(2));
        let json = template(&pod);
        assert_eq!(json["spec"]["runtimeClassName"], json!("nvidia"));
        assert_eq!(
            json["spec"]["nodeSelector"],
            json!({"nvidia.com/gpu.present": "true"})
        );
        assert_eq!(
            json["spec"]["tolerations"],
            json!([{"key": "dedicated", "operator": "Equal", "value": "ai", "effect": "NoSchedule"}])
        );
        assert_eq!(
            json["spec"]["containers"][0]["resources"],
            json!({"limits": {"nvidia.com/gpu": "2"}})
        );
    }

    #[test]
    fn affinity_is_passed_through() {
        use k8s_openapi::api::core::v1::{
            NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
        };
        let mut pod = PodBuilder::new("web");
        pod.affinity(Affinity {
            node_affinity: Some(NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "nvidia.com/gpu.present".into(),
                            operator: "In".into(),
                            values: Some(vec!["true".into()]),
                        }]),
                        ..NodeSelectorTerm::default()
                    }],
                }),
                ..NodeAffinity::default()
            }),
            ..Affinity::default()
        });
        assert_eq!(
            template(&pod)["spec"]["affinity"],
            json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}
                ]}]
            }}})
        );
    }

    #[test]
    fn selector_labels_win_over_template_labels() {
        let mut pod = PodBuilder::new("web");
        pod.label(NAME_LABEL, "other");
        assert_eq!(
            pod.template_labels(),
            BTreeMap::from([(NAME_LABEL.to_owned(), "web".to_owned())])
        );
    }

    #[test]
    fn exceptions_of_pod_and_containers_are_annotated_in_order() {
        let mut pod = PodBuilder::new("vpn");
        pod.host_pid("inspects node processes")
            .init_container(ContainerBuilder::new("init", "busybox:1").privileged("loads a module"))
            .container(ContainerBuilder::new("vpn", "vpn:1").run_as_root("upstream image"));
        assert_eq!(
            template(&pod)["metadata"]["annotations"][SECURITY_EXCEPTIONS_ANNOTATION],
            json!(
                "pod: hostPID: true: inspects node processes\n\
                 init: privileged: true: loads a module\n\
                 vpn: runAsUser: 0: upstream image"
            )
        );
    }
}
