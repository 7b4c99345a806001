//! Workload wrappers around a [`PodBuilder`]: Deployment, StatefulSet, DaemonSet, Job and
//! CronJob. Each takes its name, selector and pod template labels from the pod, so the
//! selector always matches the template.

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, DeploymentStrategy,
    RollingUpdateDeployment, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::kit::meta::quantities;
use crate::kit::workload::pod::{PodBuilder, VolumeRef};

/// A workload with a long-running pod that a Service can select.
pub trait Workload {
    /// The pod the workload runs.
    fn pod(&self) -> &PodBuilder;
}

fn metadata(pod: &PodBuilder) -> ObjectMeta {
    ObjectMeta {
        name: Some(pod.name().to_owned()),
        labels: Some(pod.selector_labels().clone()),
        ..ObjectMeta::default()
    }
}

fn selector(pod: &PodBuilder) -> LabelSelector {
    LabelSelector {
        match_labels: Some(pod.selector_labels().clone()),
        ..LabelSelector::default()
    }
}

/// A Deployment of a pod.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct DeploymentBuilder {
    pod: PodBuilder,
    replicas: Option<i32>,
    strategy: Option<DeploymentStrategy>,
}

impl DeploymentBuilder {
    /// A Deployment named after `pod`.
    pub fn new(pod: PodBuilder) -> Self {
        DeploymentBuilder {
            pod,
            replicas: None,
            strategy: None,
        }
    }

    /// `replicas` (API default 1).
    pub fn replicas(mut self, replicas: i32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// The `Recreate` strategy: the old pod stops before the new one starts (one GPU, one
    /// writer of a ReadWriteOnce volume).
    pub fn recreate(mut self) -> Self {
        self.strategy = Some(DeploymentStrategy {
            type_: Some("Recreate".to_owned()),
            ..DeploymentStrategy::default()
        });
        self
    }

    /// The `RollingUpdate` strategy with `maxSurge` and `maxUnavailable` (counts or
    /// percentages such as `25%`).
    pub fn rolling_update(mut self, max_surge: &str, max_unavailable: &str) -> Self {
        self.strategy = Some(DeploymentStrategy {
            type_: Some("RollingUpdate".to_owned()),
            rolling_update: Some(RollingUpdateDeployment {
                max_surge: Some(int_or_string(max_surge)),
                max_unavailable: Some(int_or_string(max_unavailable)),
            }),
        });
        self
    }

    /// The Deployment.
    pub fn build(&self) -> Deployment {
        Deployment {
            metadata: metadata(&self.pod),
            spec: Some(DeploymentSpec {
                replicas: self.replicas,
                strategy: self.strategy.clone(),
                selector: selector(&self.pod),
                template: self.pod.template(None),
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        }
    }
}

impl Workload for DeploymentBuilder {
    fn pod(&self) -> &PodBuilder {
        &self.pod
    }
}

fn int_or_string(text: &str) -> IntOrString {
    text.parse()
        .map_or_else(|_| IntOrString::String(text.to_owned()), IntOrString::Int)
}

/// Access mode of a volume claim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccessMode {
    /// `ReadWriteOnce`: one node mounts it read-write.
    #[default]
    ReadWriteOnce,
    /// `ReadWriteOncePod`: one pod mounts it read-write.
    ReadWriteOncePod,
    /// `ReadWriteMany`: many nodes mount it read-write.
    ReadWriteMany,
    /// `ReadOnlyMany`: many nodes mount it read-only.
    ReadOnlyMany,
}

impl AccessMode {
    fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadWriteOncePod => "ReadWriteOncePod",
            AccessMode::ReadWriteMany => "ReadWriteMany",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
        }
    }
}

/// A PersistentVolumeClaim, written in full as the API server returns it (`apiVersion`,
/// `kind`, `spec.volumeMode: Filesystem`), so a StatefulSet claim template shows no drift in
/// Argo CD. Also usable as a standalone PVC object.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Claim {
    name: String,
    size: String,
    access: AccessMode,
    storage_class: Option<String>,
}

impl Claim {
    /// A `ReadWriteOnce` claim `name` of `size` (e.g. `10Gi`) on the default storage class.
    pub fn new(name: &str, size: &str) -> Self {
        Claim {
            name: name.to_owned(),
            size: size.to_owned(),
            access: AccessMode::default(),
            storage_class: None,
        }
    }

    /// The access mode.
    pub fn access(mut self, access: AccessMode) -> Self {
        self.access = access;
        self
    }

    /// `storageClassName`.
    pub fn storage_class(mut self, class: &str) -> Self {
        self.storage_class = Some(class.to_owned());
        self
    }

    /// The claim name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The PersistentVolumeClaim.
    pub fn build(&self) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: crate::kit::meta::named(&self.name),
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec![self.access.as_str().to_owned()]),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(quantities(&[("storage", &self.size)])),
                    ..VolumeResourceRequirements::default()
                }),
                storage_class_name: self.storage_class.clone(),
                volume_mode: Some("Filesystem".to_owned()),
                ..PersistentVolumeClaimSpec::default()
            }),
            ..PersistentVolumeClaim::default()
        }
    }
}

/// A StatefulSet of a pod, with claim templates.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct StatefulSetBuilder {
    pod: PodBuilder,
    replicas: Option<i32>,
    service_name: String,
    claims: Vec<Claim>,
    parallel: bool,
}

impl StatefulSetBuilder {
    /// A StatefulSet named after `pod`, governed by the (headless) Service of the same name.
    pub fn new(pod: PodBuilder) -> Self {
        let service_name = pod.name().to_owned();
        StatefulSetBuilder {
            pod,
            replicas: None,
            service_name,
            claims: Vec::new(),
            parallel: false,
        }
    }

    /// The volume reference a claim template gets, to mount into the pod's containers
    /// before the StatefulSet is built.
    pub fn claim_volume(claim: &Claim) -> VolumeRef {
        VolumeRef::named(claim.name())
    }

    /// `replicas`.
    pub fn replicas(mut self, replicas: i32) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// `serviceName` (default: the pod's name).
    pub fn service_name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.service_name);
        self
    }

    /// Adds a volume claim template (mount it with [`StatefulSetBuilder::claim_volume`]).
    pub fn claim(mut self, claim: Claim) -> Self {
        self.claims.push(claim);
        self
    }

    /// `podManagementPolicy: Parallel`.
    pub fn parallel(mut self) -> Self {
        self.parallel = true;
        self
    }

    /// The StatefulSet.
    pub fn build(&self) -> StatefulSet {
        let templates: Vec<_> = self.claims.iter().map(Claim::build).collect();
        StatefulSet {
            metadata: metadata(&self.pod),
            spec: Some(StatefulSetSpec {
                replicas: self.replicas,
                service_name: Some(self.service_name.clone()),
                selector: selector(&self.pod),
                template: self.pod.template(None),
                volume_claim_templates: (!templates.is_empty()).then_some(templates),
                pod_management_policy: self.parallel.then(|| "Parallel".to_owned()),
                ..StatefulSetSpec::default()
            }),
            ..StatefulSet::default()
        }
    }
}

impl Workload for StatefulSetBuilder {
    fn pod(&self) -> &PodBuilder {
        &self.pod
    }
}

/// A DaemonSet of a pod: one per (matching) node.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct DaemonSetBuilder {
    pod: PodBuilder,
}

impl DaemonSetBuilder {
    /// A DaemonSet named after `pod`.
    pub fn new(pod: PodBuilder) -> Self {
        DaemonSetBuilder { pod }
    }

    /// The DaemonSet.
    pub fn build(&self) -> DaemonSet {
        DaemonSet {
            metadata: metadata(&self.pod),
            spec: Some(DaemonSetSpec {
                selector: selector(&self.pod),
                template: self.pod.template(None),
                ..DaemonSetSpec::default()
            }),
            ..DaemonSet::default()
        }
    }
}

impl Workload for DaemonSetBuilder {
    fn pod(&self) -> &PodBuilder {
        &self.pod
    }
}

/// A Job of a pod (`restartPolicy: OnFailure` unless the pod sets one). The Job controller
/// generates its own selector, so none is written.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct JobBuilder {
    pod: PodBuilder,
    spec: JobSpec,
}

impl JobBuilder {
    /// A Job named after `pod`.
    pub fn new(pod: PodBuilder) -> Self {
        JobBuilder {
            pod,
            spec: JobSpec::default(),
        }
    }

    /// `backoffLimit`.
    pub fn backoff_limit(mut self, retries: i32) -> Self {
        self.spec.backoff_limit = Some(retries);
        self
    }

    /// `ttlSecondsAfterFinished`.
    pub fn ttl_after_finished(mut self, seconds: i32) -> Self {
        self.spec.ttl_seconds_after_finished = Some(seconds);
        self
    }

    /// `activeDeadlineSeconds`.
    pub fn active_deadline(mut self, seconds: i64) -> Self {
        self.spec.active_deadline_seconds = Some(seconds);
        self
    }

    /// `completions` and `parallelism`.
    pub fn completions(mut self, completions: i32, parallelism: i32) -> Self {
        self.spec.completions = Some(completions);
        self.spec.parallelism = Some(parallelism);
        self
    }

    fn spec(&self) -> JobSpec {
        JobSpec {
            template: self.pod.template(Some("OnFailure")),
            ..self.spec.clone()
        }
    }

    /// The Job.
    pub fn build(&self) -> Job {
        Job {
            metadata: metadata(&self.pod),
            spec: Some(self.spec()),
            ..Job::default()
        }
    }
}

/// A CronJob running a [`JobBuilder`]'s Job on a schedule; `concurrencyPolicy: Forbid` by
/// default (a run never overlaps the previous one).
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct CronJobBuilder {
    job: JobBuilder,
    schedule: String,
    time_zone: Option<String>,
    concurrency: String,
}

impl CronJobBuilder {
    /// A CronJob named after the job's pod, on cron `schedule`.
    pub fn new(schedule: &str, job: JobBuilder) -> Self {
        CronJobBuilder {
            job,
            schedule: schedule.to_owned(),
            time_zone: None,
            concurrency: "Forbid".to_owned(),
        }
    }

    /// `timeZone` (IANA name, e.g. `Europe/Berlin`).
    pub fn time_zone(mut self, zone: &str) -> Self {
        self.time_zone = Some(zone.to_owned());
        self
    }

    /// `concurrencyPolicy: Allow`.
    pub fn allow_concurrent(mut self) -> Self {
        "Allow".clone_into(&mut self.concurrency);
        self
    }

    /// `concurrencyPolicy: Replace`.
    pub fn replace_concurrent(mut self) -> Self {
        "Replace".clone_into(&mut self.concurrency);
        self
    }

    /// The CronJob.
    pub fn build(&self) -> CronJob {
        CronJob {
            metadata: metadata(&self.job.pod),
            spec: Some(CronJobSpec {
                schedule: self.schedule.clone(),
                time_zone: self.time_zone.clone(),
                concurrency_policy: Some(self.concurrency.clone()),
                job_template: JobTemplateSpec {
                    metadata: None,
                    spec: Some(self.job.spec()),
                },
                ..CronJobSpec::default()
            }),
            ..CronJob::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::kit::workload::container::ContainerBuilder;

    fn pod(name: &str) -> PodBuilder {
        let mut pod = PodBuilder::new(name);
        pod.container(ContainerBuilder::new(name, "example:1"));
        pod
    }

    fn to_json(value: impl serde::Serialize) -> Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn deployment_selector_matches_template() {
        let deployment = to_json(
            DeploymentBuilder::new(pod("web"))
                .replicas(2)
                .recreate()
                .build(),
        );
        assert_eq!(deployment["apiVersion"], json!("apps/v1"));
        assert_eq!(
            deployment["metadata"],
            json!({"name": "web", "labels": {"app.kubernetes.io/name": "web"}})
        );
        assert_eq!(deployment["spec"]["replicas"], json!(2));
        assert_eq!(deployment["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(
            deployment["spec"]["selector"],
            json!({"matchLabels": {"app.kubernetes.io/name": "web"}})
        );
        assert_eq!(
            deployment["spec"]["template"]["metadata"]["labels"],
            json!({"app.kubernetes.io/name": "web"})
        );
    }

    #[test]
    fn rolling_update_parses_counts_and_percentages() {
        let deployment = to_json(
            DeploymentBuilder::new(pod("web"))
                .rolling_update("1", "25%")
                .build(),
        );
        assert_eq!(
            deployment["spec"]["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}})
        );
    }

    #[test]
    fn claim_templates_are_written_in_full() {
        let data = Claim::new("data", "10Gi").storage_class("longhorn");
        let mut pod = PodBuilder::new("db");
        pod.container(ContainerBuilder::new("db", "postgres:18").mount(
            &StatefulSetBuilder::claim_volume(&data),
            "/var/lib/postgresql",
        ));
        let set = to_json(
            StatefulSetBuilder::new(pod)
                .replicas(1)
                .parallel()
                .claim(data)
                .build(),
        );
        assert_eq!(set["spec"]["serviceName"], json!("db"));
        assert_eq!(set["spec"]["podManagementPolicy"], json!("Parallel"));
        assert_eq!(
            set["spec"]["volumeClaimTemplates"],
            json!([{
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "10Gi"}},
                    "storageClassName": "longhorn",
                    "volumeMode": "Filesystem"
                }
            }])
        );
    }

    #[test]
    fn standalone_claim() {
        assert_eq!(
            to_json(
                Claim::new("shared", "50Gi")
                    .access(AccessMode::ReadWriteMany)
                    .build()
            ),
            json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "shared"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "resources": {"requests": {"storage": "50Gi"}},
                    "volumeMode": "Filesystem"
                }
            })
        );
    }

    #[test]
    fn daemon_set() {
        let set = to_json(DaemonSetBuilder::new(pod("agent")).build());
        assert_eq!(set["kind"], json!("DaemonSet"));
        assert_eq!(
            set["spec"]["selector"]["matchLabels"],
            set["spec"]["template"]["metadata"]["labels"]
        );
    }

    #[test]
    fn job_defaults_to_on_failure() {
        let job = to_json(
            JobBuilder::new(pod("migrate"))
                .backoff_limit(2)
                .ttl_after_finished(600)
                .active_deadline(3600)
                .completions(1, 1)
                .build(),
        );
        let mut spec = job["spec"].clone();
        let template = spec.as_object_mut().unwrap().remove("template").unwrap();
        assert_eq!(
            spec,
            json!({
                "activeDeadlineSeconds": 3600,
                "backoffLimit": 2,
                "completions": 1,
                "parallelism": 1,
                "ttlSecondsAfterFinished": 600
            })
        );
        assert_eq!(template["spec"]["restartPolicy"], json!("OnFailure"));
    }

    #[test]
    fn cron_job_forbids_overlap_by_default() {
        let mut backup = pod("backup");
        backup.restart_policy("Never");
        let cron = to_json(
            CronJobBuilder::new("0 3 * * *", JobBuilder::new(backup))
                .time_zone("Europe/Berlin")
                .build(),
        );
        assert_eq!(cron["apiVersion"], json!("batch/v1"));
        assert_eq!(cron["spec"]["schedule"], json!("0 3 * * *"));
        assert_eq!(cron["spec"]["timeZone"], json!("Europe/Berlin"));
        assert_eq!(cron["spec"]["concurrencyPolicy"], json!("Forbid"));
        assert_eq!(
            cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"],
            json!("Never")
        );
        let replace = to_json(
            CronJobBuilder::new("@hourly", JobBuilder::new(pod("sync")))
                .replace_concurrent()
                .build(),
        );
        assert_eq!(replace["spec"]["concurrencyPolicy"], json!("Replace"));
    }
}
