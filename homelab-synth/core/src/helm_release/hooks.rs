//! Helm hooks under an explicit [`HookPolicy`]: every object annotated `helm.sh/hook` is
//! either turned into an Argo CD hook or left out (with a warning for [`HookAction::Drop`]).
//! A hook is never passed through as a plain object.

use serde_json::{Map, Value};

use super::construct::{HookAction, HookPolicy};

const HOOK: &str = "helm.sh/hook";
const WEIGHT: &str = "helm.sh/hook-weight";
const DELETE_POLICY: &str = "helm.sh/hook-delete-policy";

/// What the policy made of one object.
#[derive(Clone, Debug, PartialEq)]
pub enum HookOutcome {
    /// Not a hook: unchanged.
    Plain,
    /// A hook rewritten as an Argo CD hook (the object was changed in place).
    ArgoCd,
    /// Left out; `warn` when the policy asks for a warning. `hooks` lists the Helm hooks.
    Dropped {
        /// The object's `helm.sh/hook` annotation as written (`test`, say, or
        /// `pre-delete,post-delete`).
        hooks: String,
        /// Whether the drop should be reported: some hook was one the policy drops (unknown
        /// hooks included), or one it sends to Argo CD that Argo CD has no hook for
        /// (`pre-rollback`, say), rather than one it omits quietly.
        warn: bool,
    },
}

/// Applies `policy` to `object` (a whole Kubernetes object).
pub fn apply(policy: &HookPolicy, object: &mut Value) -> HookOutcome {
    let Some(annotations) = object
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    else {
        return HookOutcome::Plain;
    };
    let Some(hooks) = annotations
        .get(HOOK)
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return HookOutcome::Plain;
    };
    let mut argo = Vec::new();
    let mut warn = false;
    for hook in hooks.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        let (action, argo_hook) = match hook {
            "pre-install" | "pre-upgrade" => (policy.install_upgrade, Some("PreSync")),
            "post-install" | "post-upgrade" => (policy.install_upgrade, Some("PostSync")),
            "pre-rollback" | "post-rollback" => (policy.install_upgrade, None),
            "pre-delete" => (policy.delete, Some("PreDelete")),
            "post-delete" => (policy.delete, Some("PostDelete")),
            "test" | "test-success" | "test-failure" => (policy.test, None),
            _ => (HookAction::Drop, None),
        };
        match (action, argo_hook) {
            (HookAction::ArgoCd, Some(argo_hook)) => {
                if !argo.contains(&argo_hook) {
                    argo.push(argo_hook);
                }
            }
            (HookAction::Omit, _) => {}
            _ => warn = true,
        }
    }
    if argo.is_empty() {
        return HookOutcome::Dropped { hooks, warn };
    }
    rewrite_for_argo(annotations, &argo);
    HookOutcome::ArgoCd
}

fn rewrite_for_argo(annotations: &mut Map<String, Value>, argo: &[&str]) {
    annotations.remove(HOOK);
    annotations.insert(
        "argocd.argoproj.io/hook".into(),
        Value::String(argo.join(",")),
    );
    if let Some(weight) = annotations.remove(WEIGHT) {
        annotations.insert("argocd.argoproj.io/sync-wave".into(), weight);
    }
    // Helm's default delete policy is before-hook-creation; Argo CD's is the same.
    let policy = annotations
        .remove(DELETE_POLICY)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "before-hook-creation".to_owned());
    let mapped: Vec<&str> = policy
        .split(',')
        .filter_map(|p| match p.trim() {
            "before-hook-creation" => Some("BeforeHookCreation"),
            "hook-succeeded" => Some("HookSucceeded"),
            "hook-failed" => Some("HookFailed"),
            _ => None,
        })
        .collect();
    if !mapped.is_empty() {
        annotations.insert(
            "argocd.argoproj.io/hook-delete-policy".into(),
            Value::String(mapped.join(",")),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hook(annotations: Value) -> Value {
        json!({"kind": "Job", "metadata": {"name": "j", "annotations": annotations}})
    }

    #[test]
    fn install_and_upgrade_hooks_become_argo_cd_hooks() {
        let mut job = hook(json!({
            "helm.sh/hook": "pre-install,pre-upgrade",
            "helm.sh/hook-weight": "-5",
            "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
            "other": "kept"
        }));
        assert_eq!(apply(&HookPolicy::default(), &mut job), HookOutcome::ArgoCd);
        assert_eq!(
            job["metadata"]["annotations"],
            json!({
                "argocd.argoproj.io/hook": "PreSync",
                "argocd.argoproj.io/sync-wave": "-5",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
                "other": "kept"
            })
        );
        let mut both = hook(json!({"helm.sh/hook": "pre-install,post-upgrade"}));
        apply(&HookPolicy::default(), &mut both);
        assert_eq!(
            both["metadata"]["annotations"]["argocd.argoproj.io/hook"],
            "PreSync,PostSync"
        );
    }

    #[test]
    fn tests_and_delete_hooks_are_left_out_by_default_and_drop_warns() {
        let policy = HookPolicy::default();
        for hooks in ["test", "test-success", "pre-delete", "post-delete"] {
            let mut object = hook(json!({"helm.sh/hook": hooks}));
            assert_eq!(
                apply(&policy, &mut object),
                HookOutcome::Dropped {
                    hooks: hooks.into(),
                    warn: false
                }
            );
        }
        let drop = HookPolicy {
            install_upgrade: HookAction::Drop,
            ..HookPolicy::default()
        };
        let mut object = hook(json!({"helm.sh/hook": "post-install"}));
        assert_eq!(
            apply(&drop, &mut object),
            HookOutcome::Dropped {
                hooks: "post-install".into(),
                warn: true
            }
        );
        let delete = HookPolicy {
            delete: HookAction::ArgoCd,
            ..HookPolicy::default()
        };
        let mut object = hook(json!({"helm.sh/hook": "pre-delete"}));
        assert_eq!(apply(&delete, &mut object), HookOutcome::ArgoCd);
        assert_eq!(
            object["metadata"]["annotations"]["argocd.argoproj.io/hook"],
            "PreDelete"
        );
    }

    #[test]
    fn plain_objects_are_untouched() {
        let mut object = json!({"kind": "Service", "metadata": {"name": "s"}});
        let before = object.clone();
        assert_eq!(
            apply(&HookPolicy::default(), &mut object),
            HookOutcome::Plain
        );
        assert_eq!(object, before);
    }
}
