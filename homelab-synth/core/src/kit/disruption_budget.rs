//! PodDisruptionBudgets from a workload: the selector is the workload's own selector labels,
//! so the budget always covers exactly its pods.
//!
//! ```
//! use homelab_synth_core::kit::disruption_budget;
//! use homelab_synth_core::kit::workload::{ContainerBuilder, DeploymentBuilder, PodBuilder};
//! let mut pod = PodBuilder::new("web");
//! pod.container(ContainerBuilder::new("web", "nginx:1.27"));
//! let web = DeploymentBuilder::new(pod).replicas(3);
//! let budget = disruption_budget(&web, 1);
//! assert_eq!(budget.metadata.name.as_deref(), Some("web"));
//! ```

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::named;
use super::workload::Workload;

/// A budget named after `workload` that lets at most `max_unavailable` of its pods be evicted
/// at once (node drains, upgrades).
pub fn disruption_budget(workload: &impl Workload, max_unavailable: u16) -> PodDisruptionBudget {
    let pod = workload.pod();
    PodDisruptionBudget {
        metadata: named(pod.name()),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(i32::from(max_unavailable))),
            selector: Some(LabelSelector {
                match_labels: Some(pod.selector_labels().clone()),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}
