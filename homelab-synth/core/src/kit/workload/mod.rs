//! The workload kit: typed, secure-by-default pods and workloads in a few lines.
//!
//! - [`ContainerBuilder`]: image, command/args, named ports, env (literal, ConfigMap key,
//!   Secret key, field ref), requests/limits, probes ([`Probe`]) on named ports, mounts,
//!   [`ContainerBuilder::gpu`].
//! - [`PodBuilder`]: containers, volumes (PVC, ConfigMap, Secret, emptyDir, hostPath, CSI)
//!   returning [`VolumeRef`]s to mount, node selector, tolerations, affinity, runtime class,
//!   service account, host network. The pod's name gives the selector label
//!   `app.kubernetes.io/name`; workload selectors, pod template labels and exposed Services
//!   all derive from that one set.
//! - Workloads: [`DeploymentBuilder`], [`StatefulSetBuilder`] (claim templates via [`Claim`],
//!   written in full as the API returns them), [`DaemonSetBuilder`], [`JobBuilder`],
//!   [`CronJobBuilder`]. `build()` returns the k8s-openapi object, added with `Chart::add`.
//! - [`Expose::expose`]: a Service on the workload's named ports, targetPort = port name.
//!
//! Security: every pod meets the Pod Security "restricted" profile unless an opt-out with a
//! reason says otherwise; reasons are listed in the pod template annotation
//! [`SECURITY_EXCEPTIONS_ANNOTATION`] (see [`security`] for the format).
//!
//! ```
//! use homelab_synth_core::kit::workload::{ContainerBuilder, DeploymentBuilder, Expose, PodBuilder};
//!
//! let mut pod = PodBuilder::new("comfyui");
//! let data = pod.pvc("data", "comfyui-data");
//! pod.container(
//!     ContainerBuilder::new("comfyui", "yanwk/comfyui-boot:cu128-megapak-20260223")
//!         .port("http", 8188)
//!         .env("CLI_ARGS", "--listen 0.0.0.0")
//!         .mount(&data, "/root")
//!         .limits(&[("cpu", "4"), ("memory", "8Gi")])
//!         .gpu(1)
//!         .run_as_root("the image runs as root")
//!         .writable_root_filesystem("installs custom nodes at start"),
//! );
//! let web = DeploymentBuilder::new(pod).recreate();
//! let service = web.expose();
//! assert_eq!(service.service_port("http"), Some(8188));
//! let _objects = (web.build(), service.build());
//! ```

mod container;
mod expose;
mod pod;
pub mod security;
mod workloads;

pub use container::{ContainerBuilder, GPU_RESOURCE, Probe};
pub use expose::{Expose, ServiceBuilder};
pub use pod::{CONFIG_HASH_ANNOTATION, NAME_LABEL, PodBuilder, RollSource, VolumeRef};
pub use security::{SECURITY_EXCEPTIONS_ANNOTATION, SecurityException};
pub use workloads::{
    AccessMode, Claim, CronJobBuilder, DaemonSetBuilder, DeploymentBuilder, JobBuilder,
    StatefulSetBuilder, Workload,
};
