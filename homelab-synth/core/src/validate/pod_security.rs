//! Pod Security Standards: every pod template in a namespace whose Namespace object (emitted
//! by any app of the synthesis) carries `pod-security.kubernetes.io/enforce` is checked
//! against that level, as the admission controller would check it, so a pod the cluster
//! would refuse fails synthesis instead of a rollout. The checks follow the published
//! standard (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>); each
//! finding names the workload, the container and the field.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::pod_security::{ENFORCE_LABEL, PodSecurityLevel};
use crate::validate::context::Context;
use crate::validate::pods::{containers, items, pod_templates};
use crate::validate::{about, describe};

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

pub(crate) fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    let apps = context.apps;
    let levels = enforced_levels(context);
    for app in apps {
        for document in &app.documents {
            let Some(namespace) = document.namespace() else {
                continue;
            };
            let Some(&level) = levels.get(namespace) else {
                continue;
            };
            if level == PodSecurityLevel::Privileged {
                continue;
            }
            for template in pod_templates(document) {
                let mut problems = baseline(template.spec);
                if level == PodSecurityLevel::Restricted {
                    problems.extend(restricted(template.spec));
                }
                if problems.is_empty() {
                    continue;
                }
                findings.push(about(
                    Severity::Error,
                    app,
                    document,
                    format!(
                        "{} would be refused by Namespace `{namespace}` \
                         ({ENFORCE_LABEL}: {}): {}",
                        describe(document),
                        level.as_str(),
                        problems.join("; ")
                    ),
                ));
            }
        }
    }
}

/// Namespace name → enforced level, from the Namespace objects of the synthesis.
fn enforced_levels<'a>(context: &Context<'a>) -> BTreeMap<&'a str, PodSecurityLevel> {
    let mut levels = BTreeMap::new();
    for (_, document) in context.of_kind("", "Namespace") {
        let level = document
            .body
            .pointer("/metadata/labels")
            .and_then(|labels| labels.get(ENFORCE_LABEL))
            .and_then(Value::as_str)
            .and_then(PodSecurityLevel::parse);
        if let Some(level) = level {
            levels.insert(document.name(), level);
        }
    }
    levels
}

fn is_true(value: Option<&Value>) -> bool {
    value == Some(&Value::Bool(true))
}

fn container_name(container: &Value) -> &str {
    container.get("name").and_then(Value::as_str).unwrap_or("?")
}

/// What the baseline level forbids in `spec`, one line per problem.
fn baseline(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(spec.get(field)) {
            problems.push(format!("`{field}: true`"));
        }
    }
    for volume in items(spec, "/volumes") {
        if volume.get("hostPath").is_some() {
            problems.push(format!(
                "volume `{}` is a hostPath",
                volume.get("name").and_then(Value::as_str).unwrap_or("?")
            ));
        }
    }
    let pod_context = spec.get("securityContext");
    if let Some(context) = pod_context {
        problems.extend(context_baseline("the pod", context));
        for sysctl in items(context, "/sysctls") {
            let name = sysctl.get("name").and_then(Value::as_str).unwrap_or("?");
            if !SAFE_SYSCTLS.contains(&name) {
                problems.push(format!("sysctl `{name}` is not a safe sysctl"));
            }
        }
    }
    for (list, container) in containers(spec) {
        let who = format!("{} `{}`", list_noun(list), container_name(container));
        if let Some(context) = container.get("securityContext") {
            if is_true(context.get("privileged")) {
                problems.push(format!("{who} is privileged"));
            }
            for capability in added_capabilities(context) {
                if !BASELINE_CAPABILITIES.contains(&capability) {
                    problems.push(format!("{who} adds capability `{capability}`"));
                }
            }
            if context
                .get("procMount")
                .and_then(Value::as_str)
                .unwrap_or("Default")
                != "Default"
            {
                problems.push(format!("{who} sets a non-default procMount"));
            }
            problems.extend(context_baseline(&who, context));
        }
        for port in items(container, "/ports") {
            if let Some(host_port) = port.get("hostPort").and_then(Value::as_i64)
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
fn context_baseline(who: &str, context: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if context
        .pointer("/seccompProfile/type")
        .and_then(Value::as_str)
        == Some("Unconfined")
    {
        problems.push(format!("{who} sets seccomp profile `Unconfined`"));
    }
    if context
        .pointer("/appArmorProfile/type")
        .and_then(Value::as_str)
        == Some("Unconfined")
    {
        problems.push(format!("{who} sets AppArmor profile `Unconfined`"));
    }
    if let Some(options) = context.get("seLinuxOptions") {
        if let Some(kind) = options.get("type").and_then(Value::as_str)
            && !kind.is_empty()
            && !SELINUX_TYPES.contains(&kind)
        {
            problems.push(format!("{who} sets SELinux type `{kind}`"));
        }
        for field in ["user", "role"] {
            if options
                .get(field)
                .and_then(Value::as_str)
                .is_some_and(|value| !value.is_empty())
            {
                problems.push(format!("{who} sets SELinux {field}"));
            }
        }
    }
    if is_true(context.pointer("/windowsOptions/hostProcess")) {
        problems.push(format!("{who} is a Windows host process"));
    }
    problems
}

/// What the restricted level forbids beyond baseline.
fn restricted(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for volume in items(spec, "/volumes") {
        let Some(object) = volume.as_object() else {
            continue;
        };
        for key in object.keys().filter(|key| *key != "name") {
            if !RESTRICTED_VOLUMES.contains(&key.as_str()) && key != "hostPath" {
                problems.push(format!(
                    "volume `{}` is of type `{key}`",
                    volume.get("name").and_then(Value::as_str).unwrap_or("?")
                ));
            }
        }
    }
    let pod = spec.get("securityContext");
    let pod_non_root = pod.and_then(|context| context.get("runAsNonRoot"));
    let pod_user = pod.and_then(|context| context.get("runAsUser"));
    let pod_seccomp = pod
        .and_then(|context| context.pointer("/seccompProfile/type"))
        .and_then(Value::as_str);
    if pod_user.and_then(Value::as_i64) == Some(0) {
        problems.push("the pod sets `runAsUser: 0`".to_owned());
    }
    for (list, container) in containers(spec) {
        let who = format!("{} `{}`", list_noun(list), container_name(container));
        let context = container.get("securityContext");
        let field = |name: &str| context.and_then(|context| context.get(name));
        if field("allowPrivilegeEscalation") != Some(&Value::Bool(false)) {
            problems.push(format!("{who} must set `allowPrivilegeEscalation: false`"));
        }
        let non_root = field("runAsNonRoot").or(pod_non_root);
        if !is_true(non_root) {
            problems.push(format!("{who} must run with `runAsNonRoot: true`"));
        }
        if field("runAsUser").and_then(Value::as_i64) == Some(0) {
            problems.push(format!("{who} sets `runAsUser: 0`"));
        }
        let seccomp = context
            .and_then(|context| context.pointer("/seccompProfile/type"))
            .and_then(Value::as_str)
            .or(pod_seccomp);
        if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
            problems.push(format!(
                "{who} needs seccomp profile `RuntimeDefault` or `Localhost`"
            ));
        }
        let drops_all = context
            .and_then(|context| context.pointer("/capabilities/drop"))
            .and_then(Value::as_array)
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

fn added_capabilities(context: &Value) -> impl Iterator<Item = &str> {
    items(context, "/capabilities/add").filter_map(Value::as_str)
}

fn list_noun(list: &str) -> &'static str {
    match list {
        "initContainers" => "init container",
        "ephemeralContainers" => "ephemeral container",
        _ => "container",
    }
}
