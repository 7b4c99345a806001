//! File names inside an app directory: `<Kind>.<name>.yaml`, readable and deterministic.
//!
//! Characters outside `[A-Za-z0-9._-]` (the `:` of RBAC names, `/`, spaces...) become `_`.
//! When two objects of an app would get the same name (compared case-insensitively, so the
//! tree also works on case-insensitive file systems), for example a Service `x` in two
//! namespaces, each of them gets `.<hash>` before `.yaml`: the first 8 hex digits of the
//! sha256 of `group/kind/namespace/name`, which is unique per object and stable.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Identity of one object for naming its file.
pub(crate) struct FileKey<'a> {
    pub(crate) group: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) name: &'a str,
}

/// File names for the objects of one app, in the same order as `keys`.
pub(crate) fn file_names(keys: &[FileKey<'_>]) -> Vec<String> {
    let bases: Vec<String> = keys
        .iter()
        .map(|key| format!("{}.{}", sanitize(key.kind), sanitize(key.name)))
        .collect();
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for base in &bases {
        *uses.entry(base.to_lowercase()).or_default() += 1;
    }
    keys.iter()
        .zip(bases)
        .map(|(key, base)| {
            if uses[&base.to_lowercase()] > 1 {
                format!("{base}.{}.yaml", short_hash(key))
            } else {
                format!("{base}.yaml")
            }
        })
        .collect()
}

fn sanitize(text: &str) -> String {
    if text.is_empty() {
        return "_".to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn short_hash(key: &FileKey<'_>) -> String {
    let digest = Sha256::digest(
        format!("{}/{}/{}/{}", key.group, key.kind, key.namespace, key.name).as_bytes(),
    );
    crate::names::hex(&digest[..4])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(group: &'a str, kind: &'a str, namespace: &'a str, name: &'a str) -> FileKey<'a> {
        FileKey {
            group,
            kind,
            namespace,
            name,
        }
    }

    #[test]
    fn readable_names_with_unsafe_characters_replaced() {
        let names = file_names(&[
            key("apps", "Deployment", "ai", "comfyui"),
            key(
                "rbac.authorization.k8s.io",
                "ClusterRole",
                "",
                "system:metrics-server",
            ),
            key("", "ConfigMap", "ai", "a/b c"),
        ]);
        assert_eq!(
            names,
            [
                "Deployment.comfyui.yaml",
                "ClusterRole.system_metrics-server.yaml",
                "ConfigMap.a_b_c.yaml"
            ]
        );
    }

    #[test]
    fn colliding_names_get_a_stable_hash_each() {
        let names = file_names(&[
            key("", "Service", "kube-system", "x"),
            key("", "Service", "monitoring", "x"),
            key("", "Service", "monitoring", "y"),
            key("rbac.authorization.k8s.io", "ClusterRole", "", "a:b"),
            key("rbac.authorization.k8s.io", "ClusterRole", "", "a_b"),
            key("", "ConfigMap", "n", "Data"),
            key("example.com", "ConfigMap", "n", "data"),
        ]);
        assert_eq!(names[2], "Service.y.yaml");
        for (i, name) in names.iter().enumerate() {
            if i != 2 {
                assert_eq!(name.matches('.').count(), 3, "{name}");
            }
        }
        let unique: std::collections::BTreeSet<_> =
            names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(
            names,
            file_names(&[
                key("", "Service", "kube-system", "x"),
                key("", "Service", "monitoring", "x"),
                key("", "Service", "monitoring", "y"),
                key("rbac.authorization.k8s.io", "ClusterRole", "", "a:b"),
                key("rbac.authorization.k8s.io", "ClusterRole", "", "a_b"),
                key("", "ConfigMap", "n", "Data"),
                key("example.com", "ConfigMap", "n", "data"),
            ])
        );
    }
}
