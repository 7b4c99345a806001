//! `synth-bench`: the cdk8s comparison workload, built through the public homelab-synth API.
//!
//! `synth-bench --apps N --out DIR [--workspace DIR] [--variant K]` builds `N` apps named
//! `app-0000`, `app-0001`, ... Each app has one chart whose namespace is the app name, holding
//! five objects (one output file each):
//!
//! - a `Deployment` with readiness and liveness probes, CPU/memory requests and limits,
//!   environment from the `ConfigMap` (`envFrom` plus one `valueFrom.configMapKeyRef`) and the
//!   claim mounted as a volume;
//! - a `Service` selecting the Deployment's pod labels, with a named `targetPort` that the
//!   container declares;
//! - a `ConfigMap` with five keys;
//! - a 10Gi `PersistentVolumeClaim`;
//! - a `networking.k8s.io/v1` `Ingress` to the Service.
//!
//! The apps are synthesized, rendered and written atomically to `DIR`, which must lie inside
//! the workspace. `--variant K` changes the content of every file (a chart annotation and a
//! ConfigMap value carry `K`) but not the set of files, so two variants give two complete,
//! distinguishable trees; the kill test relies on that.
//!
//! One summary line goes to stderr: apps, objects, files, warnings and the time of each
//! phase (build, synth, render, write) in milliseconds. Exit codes: 0 success, 1 synthesis
//! errors, 2 usage or I/O errors.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use homelab_synth_core::output::{WriteOutcome, render_owned, write_tree};
use homelab_synth_core::{App, BuiltApp, ChartProps, MemoryFiles, SynthError, synthesize_owned};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, ConfigMapKeySelector, Container, ContainerPort, EnvFromSource,
    EnvVar, EnvVarSource, HTTPGetAction, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    Service, ServicePort, ServiceSpec, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The allocator `synth` runs with (see the root package), so the bench measures what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Pinned image of every bench Deployment (a pinned tag, so validation warns about nothing).
const IMAGE: &str = "nginx:1.27.3";
/// Container port of the web server.
const HTTP_PORT: i32 = 8080;
/// Name of the container port, used by the probes, the Service and the Ingress.
const HTTP_PORT_NAME: &str = "http";
/// Chart annotation carrying the variant, so every file of the tree depends on it.
const VARIANT_ANNOTATION: &str = "bench.homelab-synth.dev/variant";

/// Build, synthesize and write the cdk8s comparison workload.
#[derive(Parser, Debug)]
#[command(name = "synth-bench", version, about, long_about = None)]
struct Cli {
    /// Number of apps (`app-0000`, `app-0001`, ...), five objects each.
    #[arg(long, value_name = "N")]
    apps: usize,
    /// Output folder; must be inside the workspace.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Workspace root the output must stay inside. Default: the current folder.
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Content variant: changes every file's content, never the set of files.
    #[arg(long, value_name = "K", default_value_t = 0)]
    variant: u32,
}

/// Wall time of each phase of one run.
#[derive(Debug, Default)]
struct PhaseTimes {
    build: Duration,
    synth: Duration,
    render: Duration,
    write: Duration,
    /// Freeing the rendered files after writing (left to process exit).
    drop: Duration,
}

impl PhaseTimes {
    fn total(&self) -> Duration {
        self.build + self.synth + self.render + self.write + self.drop
    }
}

/// Peak RSS (MiB, as text) observed at the end of each phase.
#[derive(Debug, Default)]
struct PeakRss {
    build: String,
    synth: String,
    render: String,
    write: String,
}

/// Peak resident set size of the process so far (`VmHWM`), in MiB, where Linux reports it.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `peak_rss_mib` as text for the summary line (`?` when unknown).
fn peak_rss_text() -> String {
    peak_rss_mib().map_or_else(|| "?".to_owned(), |mib| format!("{mib:.1}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.downcast_ref::<SynthError>().is_some() => {
            eprintln!("synth-bench: {error:#}");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("synth-bench: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let workspace = match &cli.workspace {
        Some(workspace) => workspace.clone(),
        None => std::env::current_dir().context("cannot read the current folder")?,
    };
    let mut times = PhaseTimes::default();
    let mut peaks = PeakRss::default();

    let apps: Vec<BuiltApp> = timed(&mut times.build, || {
        (0..cli.apps)
            .map(|index| BuiltApp {
                app: bench_app(&app_name(index), cli.variant),
                category: "bench".into(),
            })
            .collect()
    });
    peaks.build = peak_rss_text();

    let synthesized = timed(&mut times.synth, || {
        synthesize_owned(apps, &MemoryFiles::new())
    });
    peaks.synth = peak_rss_text();
    let set = synthesized.inspect_err(|error| {
        for finding in error.warnings.iter().chain(&error.errors) {
            eprintln!("synth-bench: {finding}");
        }
    })?;
    for warning in &set.warnings {
        eprintln!("synth-bench: {warning}");
    }
    let objects: usize = set.apps.iter().map(|app| app.documents.len()).sum();
    let warnings = set.warnings.len();

    // each app's documents are freed as soon as the app is rendered: they are several times
    // the size of their YAML, and holding both set the peak
    let files =
        timed(&mut times.render, || render_owned(set)).context("cannot render the manifests")?;
    peaks.render = peak_rss_text();

    let outcome = timed(&mut times.write, || {
        write_tree(&files, &cli.out, &workspace)
    })
    .with_context(|| format!("cannot write {}", cli.out.display()))?;
    peaks.write = peak_rss_text();
    let file_count = files.len();
    std::mem::forget(files);

    let tree = match outcome {
        WriteOutcome::Unchanged => "unchanged",
        WriteOutcome::Replaced(_) => "replaced",
    };
    eprintln!(
        "synth-bench: apps={} objects={objects} files={} warnings={warnings} tree={tree} \
         build_ms={:.1} synth_ms={:.1} render_ms={:.1} write_ms={:.1} drop_ms={:.1} \
         total_ms={:.1} peak_rss_mib(build/synth/render/write)={}/{}/{}/{}",
        cli.apps,
        file_count,
        millis(times.build),
        millis(times.synth),
        millis(times.render),
        millis(times.write),
        millis(times.drop),
        millis(times.total()),
        peaks.build,
        peaks.synth,
        peaks.render,
        peaks.write,
    );
    Ok(())
}

/// Runs `phase`, adding its wall time to `slot`.
fn timed<T>(slot: &mut Duration, phase: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = phase();
    *slot += started.elapsed();
    result
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Name of app number `index`: `app-0000`, `app-0001`, ...
fn app_name(index: usize) -> String {
    format!("app-{index:04}")
}

/// One app of the workload: a chart in namespace `name` with the five objects.
fn bench_app(name: &str, variant: u32) -> App {
    let mut app = App::new(name);
    let props = ChartProps {
        annotations: BTreeMap::from([(VARIANT_ANNOTATION.to_owned(), variant.to_string())]),
        ..ChartProps::namespace(name)
    };
    let mut chart = app.chart(name, props);
    let config_name = format!("{name}-config");
    let claim_name = format!("{name}-data");
    let pod_labels = labels(&[
        ("app.kubernetes.io/name", name),
        ("app.kubernetes.io/part-of", "synth-bench"),
    ]);

    chart.add("config", config_map(&config_name, name, variant));
    chart.add("data", claim(&claim_name));
    chart.add(
        "deployment",
        deployment(name, &pod_labels, &config_name, &claim_name),
    );
    chart.add("service", service(name, &pod_labels));
    chart.add("ingress", ingress(name));
    app
}

fn metadata(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        ..ObjectMeta::default()
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn quantities(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), Quantity((*value).to_owned())))
        .collect()
}

/// The app's settings: five keys, one of them carrying the variant.
fn config_map(name: &str, app: &str, variant: u32) -> ConfigMap {
    ConfigMap {
        metadata: metadata(name),
        data: Some(labels(&[
            ("LOG_LEVEL", "info"),
            ("LISTEN_PORT", &HTTP_PORT.to_string()),
            ("PUBLIC_URL", &format!("https://{app}.bench.example.com")),
            ("CACHE_SIZE_MB", "64"),
            ("GREETING", &format!("hello from {app}, variant {variant}")),
        ])),
        ..ConfigMap::default()
    }
}

/// A 10Gi ReadWriteOnce claim.
fn claim(name: &str) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: metadata(name),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: Some("standard".into()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(quantities(&[("storage", "10Gi")])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

fn http_probe(path: &str, initial_delay_seconds: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::String(HTTP_PORT_NAME.into()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(initial_delay_seconds),
        period_seconds: Some(10),
        ..Probe::default()
    }
}

/// The web server: probes, resources, environment from the ConfigMap, the claim mounted.
fn deployment(
    name: &str,
    pod_labels: &BTreeMap<String, String>,
    config_name: &str,
    claim_name: &str,
) -> Deployment {
    let container = Container {
        name: "web".into(),
        image: Some(IMAGE.into()),
        ports: Some(vec![ContainerPort {
            name: Some(HTTP_PORT_NAME.into()),
            container_port: HTTP_PORT,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        env_from: Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: config_name.to_owned(),
                optional: Some(false),
            }),
            ..EnvFromSource::default()
        }]),
        env: Some(vec![EnvVar {
            name: "APP_GREETING".into(),
            value_from: Some(EnvVarSource {
                config_map_key_ref: Some(ConfigMapKeySelector {
                    name: config_name.to_owned(),
                    key: "GREETING".into(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        }]),
        readiness_probe: Some(http_probe("/ready", 2)),
        liveness_probe: Some(http_probe("/healthz", 10)),
        resources: Some(ResourceRequirements {
            requests: Some(quantities(&[("cpu", "100m"), ("memory", "128Mi")])),
            limits: Some(quantities(&[("cpu", "500m"), ("memory", "256Mi")])),
            ..ResourceRequirements::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "data".into(),
            mount_path: "/var/lib/app".into(),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    };
    Deployment {
        metadata: metadata(name),
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(pod_labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels.clone()),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes: Some(vec![Volume {
                        name: "data".into(),
                        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                            claim_name: claim_name.to_owned(),
                            ..PersistentVolumeClaimVolumeSource::default()
                        }),
                        ..Volume::default()
                    }]),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// A ClusterIP Service over the Deployment's pods, targeting the named container port.
fn service(name: &str, pod_labels: &BTreeMap<String, String>) -> Service {
    Service {
        metadata: metadata(name),
        spec: Some(ServiceSpec {
            selector: Some(pod_labels.clone()),
            ports: Some(vec![ServicePort {
                name: Some(HTTP_PORT_NAME.into()),
                port: 80,
                target_port: Some(IntOrString::String(HTTP_PORT_NAME.into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// An Ingress sending `https://<app>.bench.example.com/` to the Service.
fn ingress(name: &str) -> Ingress {
    Ingress {
        metadata: metadata(name),
        spec: Some(IngressSpec {
            ingress_class_name: Some("nginx".into()),
            rules: Some(vec![IngressRule {
                host: Some(format!("{name}.bench.example.com")),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: name.to_owned(),
                                port: Some(ServiceBackendPort {
                                    name: Some(HTTP_PORT_NAME.into()),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}
