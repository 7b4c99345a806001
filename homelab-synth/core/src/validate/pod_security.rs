//! Pod Security Standards: every pod template in a namespace whose Namespace object (emitted
//! by any app of the synthesis) carries `pod-security.kubernetes.io/enforce` is checked
//! against that level, as the admission controller would check it, so a pod the cluster
//! would refuse fails synthesis instead of a rollout. The checks follow the published
//! standard (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>); each
//! finding names the workload, the container and the field.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    AppArmorProfile, Namespace, PodSecurityContext, PodSpec, SELinuxOptions, SeccompProfile,
    SecurityContext, Volume, WindowsSecurityContextOptions,
};

use crate::finding::{Finding, Severity};
use crate::pod_security::{ENFORCE_LABEL, PodSecurityLevel};
use crate::validate::context::Context;
use crate::validate::pods::{ContainerView, PodTemplate, containers};
use crate::validate::{PodCheck, about, describe};

/// Capabilities the baseline level admits in `capabilities.add`.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls the baseline level admits.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// Volume types the restricted level admits.
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// SELinux types the baseline level admits.
const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t"];

/// Reports what the enforce level of the pod template's namespace refuses in it.
pub(crate) fn pod_check<'c>(context: &'c Context<'_>) -> PodCheck<'c> {
    let levels = enforced_levels(context);
    Box::new(move |template, findings| check_pod(&levels, template, findings))
}

fn check_pod(
    levels: &BTreeMap<&str, PodSecurityLevel>,
    template: &PodTemplate<'_>,
    findings: &mut Vec<Finding>,
) {
    let document = template.record.document;
    let Some(namespace) = document.namespace() else {
        return;
    };
    let Some(&level) = levels.get(namespace) else {
        return;
    };
    if level == PodSecurityLevel::Privileged {
        return;
    }
    let mut problems = baseline(&template.spec);
    if level == PodSecurityLevel::Restricted {
        problems.extend(restricted(&template.spec));
    }
    if problems.is_empty() {
        return;
    }
    findings.push(about(
        Severity::Error,
        template.record.app,
        document,
        format!(
            "{} would be refused by Namespace `{namespace}` ({ENFORCE_LABEL}: {}): {}",
            describe(document),
            level.as_str(),
            problems.join("; ")
        ),
    ));
}

/// Namespace name → enforced level, from the Namespace objects of the synthesis (those that
/// decode).
fn enforced_levels<'a>(context: &Context<'a>) -> BTreeMap<&'a str, PodSecurityLevel> {
    let mut levels = BTreeMap::new();
    for ((_, document), namespace) in context.typed::<Namespace>() {
        let level = namespace
            .metadata
            .labels
            .as_ref()
            .and_then(|labels| labels.get(ENFORCE_LABEL))
            .and_then(|level| PodSecurityLevel::parse(level));
        if let Some(level) = level {
            levels.insert(document.name(), level);
        }
    }
    levels
}

/// The security-context fields the pod and its containers share.
#[derive(Clone, Copy)]
struct SharedContext<'a> {
    seccomp: Option<&'a SeccompProfile>,
    app_armor: Option<&'a AppArmorProfile>,
    se_linux: Option<&'a SELinuxOptions>,
    windows: Option<&'a WindowsSecurityContextOptions>,
}

impl<'a> From<&'a PodSecurityContext> for SharedContext<'a> {
    fn from(context: &'a PodSecurityContext) -> Self {
        SharedContext {
            seccomp: context.seccomp_profile.as_ref(),
            app_armor: context.app_armor_profile.as_ref(),
            se_linux: context.se_linux_options.as_ref(),
            windows: context.windows_options.as_ref(),
        }
    }
}

impl<'a> From<&'a SecurityContext> for SharedContext<'a> {
    fn from(context: &'a SecurityContext) -> Self {
        SharedContext {
            seccomp: context.seccomp_profile.as_ref(),
            app_armor: context.app_armor_profile.as_ref(),
            se_linux: context.se_linux_options.as_ref(),
            windows: context.windows_options.as_ref(),
        }
    }
}

fn volume_name(volume: &Volume) -> &str {
    if volume.name.is_empty() {
        "?"
    } else {
        &volume.name
    }
}

fn who(list: &str, container: ContainerView<'_>) -> String {
    format!("{} `{}`", list_noun(list), container.name())
}

/// What the baseline level forbids in `spec`, one line per problem.
fn baseline(spec: &PodSpec) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, value) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if value == Some(true) {
            problems.push(format!("`{field}: true`"));
        }
    }
    for volume in spec.volumes.iter().flatten() {
        if volume.host_path.is_some() {
            problems.push(format!("volume `{}` is a hostPath", volume_name(volume)));
        }
    }
    if let Some(context) = &spec.security_context {
        problems.extend(context_baseline("the pod", context.into()));
        for sysctl in context.sysctls.iter().flatten() {
            let name = if sysctl.name.is_empty() {
                "?"
            } else {
                sysctl.name.as_str()
            };
            if !SAFE_SYSCTLS.contains(&name) {
                problems.push(format!("sysctl `{name}` is not a safe sysctl"));
            }
        }
    }
    for (list, _, container) in containers(spec) {
        let who = who(list, container);
        if let Some(context) = container.security_context() {
            if context.privileged == Some(true) {
                problems.push(format!("{who} is privileged"));
            }
            for capability in added_capabilities(context) {
                if !BASELINE_CAPABILITIES.contains(&capability) {
                    problems.push(format!("{who} adds capability `{capability}`"));
                }
            }
            if context.proc_mount.as_deref().unwrap_or("Default") != "Default" {
                problems.push(format!("{who} sets a non-default procMount"));
            }
            problems.extend(context_baseline(&who, context.into()));
        }
        for port in container.ports() {
            if let Some(host_port) = port.host_port
                && host_port != 0
            {
                problems.push(format!("{who} uses hostPort {host_port}"));
            }
        }
    }
    problems
}

/// Checks shared by pod and container security contexts: seccomp, AppArmor, SELinux and
/// Windows host processes.
fn context_baseline(who: &str, context: SharedContext<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    if context
        .seccomp
        .is_some_and(|profile| profile.type_ == "Unconfined")
    {
        problems.push(format!("{who} sets seccomp profile `Unconfined`"));
    }
    if context
        .app_armor
        .is_some_and(|profile| profile.type_ == "Unconfined")
    {
        problems.push(format!("{who} sets AppArmor profile `Unconfined`"));
    }
    if let Some(options) = context.se_linux {
        if let Some(kind) = options.type_.as_deref()
            && !kind.is_empty()
            && !SELINUX_TYPES.contains(&kind)
        {
            problems.push(format!("{who} sets SELinux type `{kind}`"));
        }
        for (field, value) in [("user", &options.user), ("role", &options.role)] {
            if value.as_deref().is_some_and(|value| !value.is_empty()) {
                problems.push(format!("{who} sets SELinux {field}"));
            }
        }
    }
    if context.windows.and_then(|options| options.host_process) == Some(true) {
        problems.push(format!("{who} is a Windows host process"));
    }
    problems
}

/// The volume types set on `volume`, by field name, in name order.
fn volume_types(volume: &Volume) -> impl Iterator<Item = &'static str> {
    [
        (
            "awsElasticBlockStore",
            volume.aws_elastic_block_store.is_some(),
        ),
        ("azureDisk", volume.azure_disk.is_some()),
        ("azureFile", volume.azure_file.is_some()),
        ("cephfs", volume.cephfs.is_some()),
        ("cinder", volume.cinder.is_some()),
        ("configMap", volume.config_map.is_some()),
        ("csi", volume.csi.is_some()),
        ("downwardAPI", volume.downward_api.is_some()),
        ("emptyDir", volume.empty_dir.is_some()),
        ("ephemeral", volume.ephemeral.is_some()),
        ("fc", volume.fc.is_some()),
        ("flexVolume", volume.flex_volume.is_some()),
        ("flocker", volume.flocker.is_some()),
        ("gcePersistentDisk", volume.gce_persistent_disk.is_some()),
        ("gitRepo", volume.git_repo.is_some()),
        ("glusterfs", volume.glusterfs.is_some()),
        ("hostPath", volume.host_path.is_some()),
        ("image", volume.image.is_some()),
        ("iscsi", volume.iscsi.is_some()),
        ("nfs", volume.nfs.is_some()),
        (
            "persistentVolumeClaim",
            volume.persistent_volume_claim.is_some(),
        ),
        (
            "photonPersistentDisk",
            volume.photon_persistent_disk.is_some(),
        ),
        ("portworxVolume", volume.portworx_volume.is_some()),
        ("projected", volume.projected.is_some()),
        ("quobyte", volume.quobyte.is_some()),
        ("rbd", volume.rbd.is_some()),
        ("scaleIO", volume.scale_io.is_some()),
        ("secret", volume.secret.is_some()),
        ("storageos", volume.storageos.is_some()),
        ("vsphereVolume", volume.vsphere_volume.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
}

/// What the restricted level forbids beyond baseline.
fn restricted(spec: &PodSpec) -> Vec<String> {
    let mut problems = Vec::new();
    for volume in spec.volumes.iter().flatten() {
        for kind in volume_types(volume) {
            if !RESTRICTED_VOLUMES.contains(&kind) && kind != "hostPath" {
                problems.push(format!(
                    "volume `{}` is of type `{kind}`",
                    volume_name(volume)
                ));
            }
        }
    }
    let pod = spec.security_context.as_ref();
    let pod_non_root = pod.and_then(|context| context.run_as_non_root);
    let pod_seccomp = pod
        .and_then(|context| context.seccomp_profile.as_ref())
        .map(|profile| profile.type_.as_str());
    if pod.and_then(|context| context.run_as_user) == Some(0) {
        problems.push("the pod sets `runAsUser: 0`".to_owned());
    }
    for (list, _, container) in containers(spec) {
        let who = who(list, container);
        let context = container.security_context();
        if context.and_then(|context| context.allow_privilege_escalation) != Some(false) {
            problems.push(format!("{who} must set `allowPrivilegeEscalation: false`"));
        }
        let non_root = context
            .and_then(|context| context.run_as_non_root)
            .or(pod_non_root);
        if non_root != Some(true) {
            problems.push(format!("{who} must run with `runAsNonRoot: true`"));
        }
        if context.and_then(|context| context.run_as_user) == Some(0) {
            problems.push(format!("{who} sets `runAsUser: 0`"));
        }
        let seccomp = context
            .and_then(|context| context.seccomp_profile.as_ref())
            .map(|profile| profile.type_.as_str())
            .or(pod_seccomp);
        if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
            problems.push(format!(
                "{who} needs seccomp profile `RuntimeDefault` or `Localhost`"
            ));
        }
        let drops_all = context
            .and_then(|context| context.capabilities.as_ref())
            .and_then(|capabilities| capabilities.drop.as_ref())
            .is_some_and(|drop| drop.iter().any(|capability| capability == "ALL"));
        if !drops_all {
            problems.push(format!("{who} must drop capability `ALL`"));
        }
        if let Some(context) = context {
            for capability in added_capabilities(context) {
                if capability != "NET_BIND_SERVICE" && BASELINE_CAPABILITIES.contains(&capability) {
                    problems.push(format!("{who} adds capability `{capability}`"));
                }
            }
        }
    }
    problems
}

fn added_capabilities(context: &SecurityContext) -> impl Iterator<Item = &str> {
    context
        .capabilities
        .iter()
        .flat_map(|capabilities| capabilities.add.iter().flatten())
        .map(String::as_str)
}

fn list_noun(list: &str) -> &'static str {
    match list {
        "initContainers" => "init container",
        "ephemeralContainers" => "ephemeral container",
        _ => "container",
    }
}
