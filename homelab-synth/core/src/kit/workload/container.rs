//! One container: image, command, named ports, env, resources, probes, mounts, and the
//! explicit opt-outs of the restricted security profile.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, ConfigMapKeySelector, Container, ContainerPort, EnvFromSource, EnvVar,
    EnvVarSource, ExecAction, HTTPGetAction, ObjectFieldSelector, Probe as K8sProbe,
    ResourceRequirements, SecretEnvSource, SecretKeySelector, TCPSocketAction, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::kit::workload::pod::VolumeRef;
use crate::kit::workload::security::{ContainerSecurity, SecurityException};

/// The extended resource the NVIDIA device plugin advertises.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// A probe (liveness, readiness or startup) against a named container port or a command.
/// Unset timings keep the API defaults.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Probe(K8sProbe);

impl Probe {
    /// `httpGet` of `path` on the container port named `port`.
    pub fn http(port: &str, path: &str) -> Self {
        Probe(K8sProbe {
            http_get: Some(HTTPGetAction {
                path: Some(path.to_owned()),
                port: IntOrString::String(port.to_owned()),
                ..HTTPGetAction::default()
            }),
            ..K8sProbe::default()
        })
    }

    /// A TCP connect to the container port named `port`.
    pub fn tcp(port: &str) -> Self {
        Probe(K8sProbe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::String(port.to_owned()),
                ..TCPSocketAction::default()
            }),
            ..K8sProbe::default()
        })
    }

    /// Runs `command` in the container; exit code 0 is success.
    pub fn exec(command: &[&str]) -> Self {
        Probe(K8sProbe {
            exec: Some(ExecAction {
                command: Some(strings(command)),
            }),
            ..K8sProbe::default()
        })
    }

    /// `initialDelaySeconds`.
    pub fn initial_delay(mut self, seconds: i32) -> Self {
        self.0.initial_delay_seconds = Some(seconds);
        self
    }

    /// `periodSeconds`.
    pub fn period(mut self, seconds: i32) -> Self {
        self.0.period_seconds = Some(seconds);
        self
    }

    /// `timeoutSeconds`.
    pub fn timeout(mut self, seconds: i32) -> Self {
        self.0.timeout_seconds = Some(seconds);
        self
    }

    /// `failureThreshold`.
    pub fn failure_threshold(mut self, count: i32) -> Self {
        self.0.failure_threshold = Some(count);
        self
    }

    /// The k8s-openapi probe.
    pub fn build(self) -> K8sProbe {
        self.0
    }
}

/// A container under construction. Security defaults follow the restricted profile (see
/// [`crate::kit::workload`]); every opt-out takes a reason.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct ContainerBuilder {
    pub(crate) container: Container,
    pub(crate) security: ContainerSecurity,
    pub(crate) gpus: u32,
    pub(crate) scratch: Vec<String>,
}

impl ContainerBuilder {
    /// A container `name` running `image`.
    pub fn new(name: &str, image: &str) -> Self {
        ContainerBuilder {
            container: Container {
                name: name.to_owned(),
                image: Some(image.to_owned()),
                ..Container::default()
            },
            security: ContainerSecurity::default(),
            gpus: 0,
            scratch: Vec::new(),
        }
    }

    /// The container name.
    pub fn name(&self) -> &str {
        &self.container.name
    }

    /// `command` (the image's entrypoint replaced).
    pub fn command(mut self, command: &[&str]) -> Self {
        self.container.command = Some(strings(command));
        self
    }

    /// `args`.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.container.args = Some(strings(args));
        self
    }

    /// `workingDir`.
    pub fn working_dir(mut self, dir: &str) -> Self {
        self.container.working_dir = Some(dir.to_owned());
        self
    }

    /// `imagePullPolicy` (`Always`, `IfNotPresent`, `Never`).
    pub fn image_pull_policy(mut self, policy: &str) -> Self {
        self.container.image_pull_policy = Some(policy.to_owned());
        self
    }

    /// A named TCP port. Services and probes refer to it by `name`.
    pub fn port(self, name: &str, number: u16) -> Self {
        self.port_with_protocol(name, number, "TCP")
    }

    /// A named UDP port.
    pub fn udp_port(self, name: &str, number: u16) -> Self {
        self.port_with_protocol(name, number, "UDP")
    }

    fn port_with_protocol(mut self, name: &str, number: u16, protocol: &str) -> Self {
        self.container
            .ports
            .get_or_insert_with(Vec::new)
            .push(ContainerPort {
                name: Some(name.to_owned()),
                container_port: i32::from(number),
                protocol: Some(protocol.to_owned()),
                ..ContainerPort::default()
            });
        self
    }

    /// An environment variable with a literal value.
    pub fn env(self, name: &str, value: &str) -> Self {
        self.push_env(EnvVar {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            ..EnvVar::default()
        })
    }

    /// An environment variable from key `key` of ConfigMap `config_map`.
    pub fn env_from_config_map(self, name: &str, config_map: &str, key: &str) -> Self {
        self.env_source(
            name,
            EnvVarSource {
                config_map_key_ref: Some(ConfigMapKeySelector {
                    name: config_map.to_owned(),
                    key: key.to_owned(),
                    ..ConfigMapKeySelector::default()
                }),
                ..EnvVarSource::default()
            },
        )
    }

    /// An environment variable from key `key` of Secret `secret`.
    pub fn env_from_secret(self, name: &str, secret: &str, key: &str) -> Self {
        self.env_source(
            name,
            EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret.to_owned(),
                    key: key.to_owned(),
                    ..SecretKeySelector::default()
                }),
                ..EnvVarSource::default()
            },
        )
    }

    /// An environment variable from a field of the pod (`metadata.name`, `status.podIP`, ...).
    pub fn env_from_field(self, name: &str, field_path: &str) -> Self {
        self.env_source(
            name,
            EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    field_path: field_path.to_owned(),
                    ..ObjectFieldSelector::default()
                }),
                ..EnvVarSource::default()
            },
        )
    }

    /// Every key of ConfigMap `config_map` as an environment variable (`envFrom`).
    pub fn env_all_from_config_map(mut self, config_map: &str) -> Self {
        self.container
            .env_from
            .get_or_insert_with(Vec::new)
            .push(EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: config_map.to_owned(),
                    ..ConfigMapEnvSource::default()
                }),
                ..EnvFromSource::default()
            });
        self
    }

    /// Every key of Secret `secret` as an environment variable (`envFrom`).
    pub fn env_all_from_secret(mut self, secret: &str) -> Self {
        self.container
            .env_from
            .get_or_insert_with(Vec::new)
            .push(EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: secret.to_owned(),
                    ..SecretEnvSource::default()
                }),
                ..EnvFromSource::default()
            });
        self
    }

    fn env_source(self, name: &str, source: EnvVarSource) -> Self {
        self.push_env(EnvVar {
            name: name.to_owned(),
            value_from: Some(source),
            ..EnvVar::default()
        })
    }

    fn push_env(mut self, var: EnvVar) -> Self {
        self.container.env.get_or_insert_with(Vec::new).push(var);
        self
    }

    /// Resource requests, e.g. `&[("cpu", "500m"), ("memory", "1Gi")]`; later calls add to
    /// (and override keys of) earlier ones.
    pub fn requests(mut self, pairs: &[(&str, &str)]) -> Self {
        let resources = self.resources_mut();
        extend_quantities(resources.requests.get_or_insert_with(BTreeMap::new), pairs);
        self
    }

    /// Resource limits, e.g. `&[("cpu", "4"), ("memory", "8Gi")]`.
    pub fn limits(mut self, pairs: &[(&str, &str)]) -> Self {
        let resources = self.resources_mut();
        extend_quantities(resources.limits.get_or_insert_with(BTreeMap::new), pairs);
        self
    }

    fn resources_mut(&mut self) -> &mut ResourceRequirements {
        self.container
            .resources
            .get_or_insert_with(ResourceRequirements::default)
    }

    /// `n` NVIDIA GPUs: the `nvidia.com/gpu` limit on this container, and on the pod the
    /// homelab's GPU conventions: `runtimeClassName: nvidia`, the `dedicated=ai:NoSchedule`
    /// toleration and the `nvidia.com/gpu.present: "true"` node selector.
    pub fn gpu(mut self, n: u32) -> Self {
        self.gpus = n;
        let count = n.to_string();
        self.limits(&[(GPU_RESOURCE, count.as_str())])
    }

    /// `livenessProbe`.
    pub fn liveness(mut self, probe: Probe) -> Self {
        self.container.liveness_probe = Some(probe.0);
        self
    }

    /// `readinessProbe`.
    pub fn readiness(mut self, probe: Probe) -> Self {
        self.container.readiness_probe = Some(probe.0);
        self
    }

    /// `startupProbe`.
    pub fn startup(mut self, probe: Probe) -> Self {
        self.container.startup_probe = Some(probe.0);
        self
    }

    /// Mounts `volume` (a volume of the pod, or a StatefulSet claim template) at `path`.
    pub fn mount(self, volume: &VolumeRef, path: &str) -> Self {
        self.push_mount(volume, path, None, false)
    }

    /// Mounts `volume` read-only at `path`.
    pub fn mount_read_only(self, volume: &VolumeRef, path: &str) -> Self {
        self.push_mount(volume, path, None, true)
    }

    /// Mounts the `sub_path` of `volume` at `path`.
    pub fn mount_sub_path(self, volume: &VolumeRef, path: &str, sub_path: &str) -> Self {
        self.push_mount(volume, path, Some(sub_path), false)
    }

    fn push_mount(
        mut self,
        volume: &VolumeRef,
        path: &str,
        sub_path: Option<&str>,
        read_only: bool,
    ) -> Self {
        self.container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(VolumeMount {
                name: volume.name().to_owned(),
                mount_path: path.to_owned(),
                sub_path: sub_path.map(str::to_owned),
                read_only: read_only.then_some(true),
                ..VolumeMount::default()
            });
        self
    }

    /// A writable, pod-lifetime directory at `path` (an `emptyDir` named
    /// `<container>-scratch-<n>`), so the root filesystem can stay read-only.
    pub fn scratch(mut self, path: &str) -> Self {
        self.scratch.push(path.to_owned());
        self
    }

    /// Runs as user `uid` (and group `gid`), e.g. for images whose `USER` is a name, which
    /// `runAsNonRoot` cannot verify.
    pub fn run_as(mut self, uid: i64, gid: i64) -> Self {
        self.security.run_as_user = Some(uid);
        self.security.run_as_group = Some(gid);
        self
    }

    /// Whether this container was allowed to run as root.
    pub(crate) fn runs_as_root(&self) -> bool {
        self.security.run_as_root
    }

    /// Opt-out: runs as root (`runAsNonRoot: false`, `runAsUser: 0`, `runAsGroup: 0`).
    pub fn run_as_root(mut self, reason: &str) -> Self {
        self.security.run_as_root = true;
        self.except("runAsUser: 0", reason)
    }

    /// Opt-out: a privileged container (implies privilege escalation).
    pub fn privileged(mut self, reason: &str) -> Self {
        self.security.privileged = true;
        self.except("privileged: true", reason)
    }

    /// Opt-out: `allowPrivilegeEscalation: true` (setuid binaries such as `sudo`).
    pub fn allow_privilege_escalation(mut self, reason: &str) -> Self {
        self.security.privilege_escalation = true;
        self.except("allowPrivilegeEscalation: true", reason)
    }

    /// Opt-out: a writable root filesystem (prefer [`ContainerBuilder::scratch`]).
    pub fn writable_root_filesystem(mut self, reason: &str) -> Self {
        self.security.writable_root = true;
        self.except("readOnlyRootFilesystem: false", reason)
    }

    /// Opt-out: adds Linux capabilities (after dropping `ALL`).
    pub fn add_capabilities(mut self, capabilities: &[&str], reason: &str) -> Self {
        self.security
            .add_capabilities
            .extend(capabilities.iter().map(|cap| (*cap).to_owned()));
        self.except(
            format!("capabilities.add: {}", capabilities.join(", ")),
            reason,
        )
    }

    fn except(mut self, setting: impl Into<String>, reason: &str) -> Self {
        let exception = SecurityException::new(&self.container.name, setting, reason);
        self.security.exceptions.push(exception);
        self
    }

    /// Escape hatch: edits the k8s-openapi container directly (fields the builder does not
    /// cover). The security context is still written by the builder.
    pub fn with(mut self, edit: impl FnOnce(&mut Container)) -> Self {
        edit(&mut self.container);
        self
    }

    /// The named ports: `(name, number, protocol)`.
    pub(crate) fn named_ports(&self) -> impl Iterator<Item = (&str, i32, &str)> {
        self.container.ports.iter().flatten().filter_map(|port| {
            Some((
                port.name.as_deref()?,
                port.container_port,
                port.protocol.as_deref().unwrap_or("TCP"),
            ))
        })
    }

    /// The exceptions declared on this container.
    pub fn security_exceptions(&self) -> &[SecurityException] {
        &self.security.exceptions
    }

    /// The scratch volume names with their mount paths.
    pub(crate) fn scratch_volumes(&self) -> Vec<(String, String)> {
        self.scratch
            .iter()
            .enumerate()
            .map(|(index, path)| {
                (
                    format!("{}-scratch-{index}", self.container.name),
                    path.clone(),
                )
            })
            .collect()
    }

    /// The finished container: security context written, scratch directories mounted.
    pub fn build(&self) -> Container {
        let mut container = self.container.clone();
        for (volume, path) in self.scratch_volumes() {
            container
                .volume_mounts
                .get_or_insert_with(Vec::new)
                .push(VolumeMount {
                    name: volume,
                    mount_path: path,
                    ..VolumeMount::default()
                });
        }
        container.security_context = Some(self.security.context());
        container
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn extend_quantities(map: &mut BTreeMap<String, Quantity>, pairs: &[(&str, &str)]) {
    for (resource, amount) in pairs {
        map.insert((*resource).to_owned(), Quantity((*amount).to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn json_of(container: &ContainerBuilder) -> serde_json::Value {
        serde_json::to_value(container.build()).unwrap()
    }

    #[test]
    fn minimal_container_is_restricted() {
        assert_eq!(
            json_of(&ContainerBuilder::new("web", "nginx:1.29")),
            json!({
                "name": "web",
                "image": "nginx:1.29",
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"]},
                    "readOnlyRootFilesystem": true
                }
            })
        );
    }

    #[test]
    fn ports_env_resources_probes_and_mounts() {
        let data = VolumeRef::named("data");
        let container = ContainerBuilder::new("app", "example/app:1")
            .command(&["/app"])
            .args(&["--port", "8080"])
            .port("http", 8080)
            .udp_port("dns", 53)
            .env("MODE", "prod")
            .env_from_config_map("LEVEL", "app-config", "level")
            .env_from_secret("TOKEN", "app-secret", "token")
            .env_from_field("POD_IP", "status.podIP")
            .env_all_from_secret("extra")
            .requests(&[("cpu", "100m"), ("memory", "128Mi")])
            .limits(&[("memory", "256Mi")])
            .liveness(Probe::http("http", "/healthz").initial_delay(5).period(20))
            .readiness(Probe::tcp("http").timeout(2).failure_threshold(6))
            .startup(Probe::exec(&["cat", "/ready"]))
            .mount(&data, "/data")
            .mount_read_only(&data, "/ro")
            .mount_sub_path(&data, "/etc/app.conf", "app.conf")
            .scratch("/tmp");
        assert_eq!(
            json_of(&container),
            json!({
                "name": "app",
                "image": "example/app:1",
                "command": ["/app"],
                "args": ["--port", "8080"],
                "ports": [
                    {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                    {"name": "dns", "containerPort": 53, "protocol": "UDP"}
                ],
                "env": [
                    {"name": "MODE", "value": "prod"},
                    {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "level"}}},
                    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "token"}}},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
                ],
                "envFrom": [{"secretRef": {"name": "extra"}}],
                "resources": {
                    "requests": {"cpu": "100m", "memory": "128Mi"},
                    "limits": {"memory": "256Mi"}
                },
                "livenessProbe": {
                    "httpGet": {"path": "/healthz", "port": "http"},
                    "initialDelaySeconds": 5,
                    "periodSeconds": 20
                },
                "readinessProbe": {
                    "tcpSocket": {"port": "http"},
                    "timeoutSeconds": 2,
                    "failureThreshold": 6
                },
                "startupProbe": {"exec": {"command": ["cat", "/ready"]}},
                "volumeMounts": [
                    {"name": "data", "mountPath": "/data"},
                    {"name": "data", "mountPath": "/ro", "readOnly": true},
                    {"name": "data", "mountPath": "/etc/app.conf", "subPath": "app.conf"},
                    {"name": "app-scratch-0", "mountPath": "/tmp"}
                ],
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"]},
                    "readOnlyRootFilesystem": true
                }
            })
        );
    }

    #[test]
    fn gpu_sets_the_limit() {
        let container = ContainerBuilder::new("ai", "ollama/ollama:0.24.0")
            .limits(&[("memory", "4Gi")])
            .gpu(1);
        assert_eq!(
            json_of(&container)["resources"],
            json!({"limits": {"memory": "4Gi", "nvidia.com/gpu": "1"}})
        );
        assert_eq!(container.gpus, 1);
    }

    #[test]
    fn opt_outs_are_recorded_with_reasons() {
        let container = ContainerBuilder::new("vpn", "netbird:1")
            .run_as_root("needs root to manage routes")
            .writable_root_filesystem("writes its state under /etc")
            .add_capabilities(
                &["NET_ADMIN", "SYS_MODULE"],
                "creates the WireGuard interface",
            );
        assert_eq!(
            json_of(&container)["securityContext"],
            json!({
                "allowPrivilegeEscalation": false,
                "capabilities": {"add": ["NET_ADMIN", "SYS_MODULE"], "drop": ["ALL"]},
                "readOnlyRootFilesystem": false,
                "runAsGroup": 0,
                "runAsNonRoot": false,
                "runAsUser": 0
            })
        );
        let settings: Vec<_> = container
            .security_exceptions()
            .iter()
            .map(|e| (e.setting.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            settings,
            [
                ("runAsUser: 0", "needs root to manage routes"),
                (
                    "readOnlyRootFilesystem: false",
                    "writes its state under /etc"
                ),
                (
                    "capabilities.add: NET_ADMIN, SYS_MODULE",
                    "creates the WireGuard interface"
                ),
            ]
        );
    }

    #[test]
    fn run_as_sets_ids_without_exception() {
        let container = ContainerBuilder::new("app", "app:1").run_as(1000, 1000);
        assert_eq!(
            json_of(&container)["securityContext"]["runAsUser"],
            json!(1000)
        );
        assert!(container.security_exceptions().is_empty());
    }
}
