//! [`HelmCli`]: the [`HelmRenderer`] that runs the real `helm template` on locked, cached
//! packages, with a render cache and parallel renders.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use homelab_synth_core::helm_release::values::coalesce;
use homelab_synth_core::helm_release::{
    ChartInfo, ChartSource, HelmError, HelmRenderer, RenderRequest, Rendered,
};
use homelab_synth_core::rendering::{RenderOutput, split_digest};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::binary::HelmBinary;
use crate::cache::{self, Cache, CacheError, digest, hex, seal, unseal};
use crate::config::HelmConfig;
use crate::fetch::{self, FetchError};
use crate::in_flight::InFlight;
use crate::lock::{LockError, LockFile, LockedChart};
use crate::package::chart_info;
use crate::progress::Progress;
use crate::render_entry::{RenderEntry, Unusable};
use crate::schema;

/// A cache that cannot be written stops a render like any other unusable input, its text
/// unchanged.
impl From<CacheError> for HelmError {
    fn from(error: CacheError) -> Self {
        HelmError::Other(error.to_string())
    }
}

/// Why a chart's own repository did not give its package; the text joins the list of places
/// tried that [`HelmError::Unavailable`] reports.
#[derive(Debug, thiserror::Error)]
enum DownloadError {
    /// No helm binary to pull an OCI chart with.
    #[error(transparent)]
    Helm(Box<HelmError>),
    /// No scratch folder in the cache to pull into.
    #[error(transparent)]
    Scratch(#[from] CacheError),
    /// `helm pull` failed.
    #[error("helm pull {repository}: {error}")]
    Pull {
        /// The `oci://` reference.
        repository: String,
        /// What helm reported.
        error: Box<HelmError>,
    },
    /// What `helm pull` wrote cannot be read.
    #[error("helm pull {repository}: {error}")]
    Pulled {
        /// The `oci://` reference.
        repository: String,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// The repository's index or the package cannot be read.
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// Renders Helm releases with the real helm binary; see the crate documentation.
pub struct HelmCli {
    config: HelmConfig,
    cache: Cache,
    lock: OnceLock<Result<LockFile, LockError>>,
    helm: OnceLock<Result<HelmBinary, HelmError>>,
    cache_hits: AtomicUsize,
    warnings: Mutex<Vec<String>>,
    /// Renders in progress: two clusters asking for the same one render it once.
    in_flight: InFlight,
}

impl HelmCli {
    /// A renderer with `config`; nothing is read until the first render.
    pub fn new(config: HelmConfig) -> Self {
        HelmCli {
            cache: Cache::new(&config.cache_dir),
            config,
            lock: OnceLock::new(),
            helm: OnceLock::new(),
            cache_hits: AtomicUsize::new(0),
            warnings: Mutex::new(Vec::new()),
            in_flight: InFlight::default(),
        }
    }

    /// A renderer configured from the environment for `workspace`.
    pub fn from_env(workspace: impl Into<PathBuf>) -> Self {
        HelmCli::new(HelmConfig::from_env(workspace))
    }

    /// The configuration.
    pub fn config(&self) -> &HelmConfig {
        &self.config
    }

    /// How many times this renderer ran helm (0 when every render came from the cache).
    pub fn helm_invocations(&self) -> usize {
        match self.helm.get() {
            Some(Ok(helm)) => helm.invocations(),
            _ => 0,
        }
    }

    /// How many renders came from the render cache.
    pub fn cache_hits(&self) -> usize {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// The warnings of the renders so far (cache entries that were not used, and why),
    /// taken: each is returned once.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn warn(&self, warning: String) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(warning);
    }

    fn helm(&self) -> Result<&HelmBinary, HelmError> {
        self.helm
            .get_or_init(|| {
                HelmBinary::find(
                    self.config.helm.as_deref(),
                    &self.config.workspace,
                    &self.cache,
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn lock(&self) -> Result<&LockFile, HelmError> {
        self.lock
            .get_or_init(|| LockFile::read(&self.config.lock_file))
            .as_ref()
            .map_err(|error| HelmError::Other(error.to_string()))
    }

    /// Every mirror: the lock file's (relative to the workspace), then the configured ones.
    fn mirrors(&self, lock_mirrors: &[String]) -> Vec<String> {
        lock_mirrors
            .iter()
            .chain(&self.config.mirrors)
            .map(|m| self.config.resolve_mirror(m))
            .collect()
    }

    /// The package of a locked chart: from the cache, a mirror, or the chart's repository,
    /// checked against the locked digest and kept in the cache.
    pub fn package(&self, locked: &LockedChart) -> Result<Vec<u8>, HelmError> {
        let cached = self.cache.package_path(&locked.digest);
        if let Ok(bytes) = std::fs::read(&cached)
            && digest(&bytes) == locked.digest
        {
            return Ok(bytes);
        }
        let mut tried = vec![format!("cache {}", cached.display())];
        let file = format!("{}-{}.tgz", locked.name, locked.version);
        let mirrors = self.mirrors(&self.lock()?.mirrors);
        for mirror in &mirrors {
            let location = fetch::join(mirror, &file);
            match fetch::read(&location) {
                Ok(bytes) => return self.keep(locked, &location, bytes),
                Err(error) => tried.push(format!("mirror {error}")),
            }
        }
        if self.config.offline {
            tried.push(format!("{} (offline: not contacted)", locked.repository));
        } else {
            match self.download(&locked.repository, &locked.name, &locked.version) {
                Ok((location, bytes)) => return self.keep(locked, &location, bytes),
                Err(error) => tried.push(error.to_string()),
            }
        }
        Err(HelmError::Unavailable {
            chart: format!("{} {}", locked.name, locked.version),
            file,
            digest: locked.digest.clone(),
            location: locked.repository.clone(),
            tried,
        })
    }

    /// Checks `bytes` against the lock and stores them in the cache.
    fn keep(
        &self,
        locked: &LockedChart,
        origin: &str,
        bytes: Vec<u8>,
    ) -> Result<Vec<u8>, HelmError> {
        let actual = digest(&bytes);
        if actual != locked.digest {
            return Err(HelmError::DigestMismatch {
                chart: format!("{} {}", locked.name, locked.version),
                origin: origin.to_owned(),
                expected: locked.digest.clone(),
                actual,
            });
        }
        self.cache
            .write(&self.cache.package_path(&actual), &bytes)?;
        Ok(bytes)
    }

    /// Downloads a package from its own repository (a classic repository's index, or
    /// `helm pull` for `oci://`).
    fn download(
        &self,
        repository: &str,
        name: &str,
        version: &str,
    ) -> Result<(String, Vec<u8>), DownloadError> {
        if repository.starts_with("oci://") {
            let helm = self
                .helm()
                .map_err(|error| DownloadError::Helm(Box::new(error)))?;
            let folder = tempdir(&self.cache)?;
            let result = helm
                .run(&[
                    "pull",
                    repository,
                    "--version",
                    version,
                    "--destination",
                    &folder.display().to_string(),
                ])
                .map_err(|error| DownloadError::Pull {
                    repository: repository.to_owned(),
                    error: Box::new(error),
                })
                .and_then(|_| {
                    std::fs::read(folder.join(format!("{name}-{version}.tgz"))).map_err(|error| {
                        DownloadError::Pulled {
                            repository: repository.to_owned(),
                            error,
                        }
                    })
                });
            let _ = std::fs::remove_dir_all(&folder);
            return result.map(|bytes| (repository.to_owned(), bytes));
        }
        let entry = fetch::index_entry(repository, name, version)?;
        let bytes = fetch::read(&entry.url)?;
        Ok((entry.url, bytes))
    }

    /// Resolves a chart version for the lock: finds it in a mirror's or its repository's
    /// index, downloads the package into the cache, checks it against the index digest and
    /// returns its `sha256:` digest.
    pub fn resolve(
        &self,
        chart: &ChartSource,
        version: &str,
        lock_mirrors: &[String],
    ) -> Result<String, HelmError> {
        let name = chart.name();
        let mut tried = Vec::new();
        let mut candidates: Vec<(String, Option<String>)> = Vec::new();
        for mirror in self.mirrors(lock_mirrors) {
            match fetch::index_entry(&mirror, name, version) {
                Ok(entry) => candidates.push((entry.url, entry.digest)),
                Err(error) => tried.push(format!("mirror {error}")),
            }
        }
        for (url, expected) in candidates {
            match fetch::read(&url) {
                Ok(bytes) => return self.resolved(name, version, &url, bytes, expected),
                Err(error) => tried.push(error.to_string()),
            }
        }
        if !self.config.offline {
            match self.download(chart.location(), name, version) {
                Ok((url, bytes)) => {
                    let expected = if chart.location().starts_with("oci://") {
                        None
                    } else {
                        fetch::index_entry(chart.location(), name, version)
                            .ok()
                            .and_then(|e| e.digest)
                    };
                    return self.resolved(name, version, &url, bytes, expected);
                }
                Err(error) => tried.push(error.to_string()),
            }
        }
        Err(HelmError::Unavailable {
            chart: format!("{name} {version}"),
            file: format!("{name}-{version}.tgz"),
            digest: "not locked yet".into(),
            location: chart.location().to_owned(),
            tried,
        })
    }

    fn resolved(
        &self,
        name: &str,
        version: &str,
        origin: &str,
        bytes: Vec<u8>,
        expected: Option<String>,
    ) -> Result<String, HelmError> {
        let actual = digest(&bytes);
        if let Some(expected) = expected
            && expected != actual
        {
            return Err(HelmError::DigestMismatch {
                chart: format!("{name} {version}"),
                origin: origin.to_owned(),
                expected,
                actual,
            });
        }
        self.cache
            .write(&self.cache.package_path(&actual), &bytes)?;
        Ok(actual)
    }

    /// What the package of `locked` says about its chart: from the cache of what was read
    /// from packages (sealed, and only while the reader that read it is the one running), or
    /// read from the package and kept there.
    fn chart_info(&self, locked: &LockedChart) -> Result<ChartInfo, HelmError> {
        let cached = self.cache.chart_info_path(&locked.digest);
        if let Ok(bytes) = std::fs::read(&cached)
            && let Some(info) = unseal(&bytes).and_then(|body| chart_info_from_json(body, locked))
        {
            return Ok(info);
        }
        let bytes = self.package(locked)?;
        let chart = chart_info(&bytes, &locked.digest).map_err(|error| {
            HelmError::Other(format!(
                "cannot read chart {} {}: {error}",
                locked.name, locked.version
            ))
        })?;
        // a cache that cannot be written only costs the next run the reading
        let _ = self
            .cache
            .write(&cached, &seal(chart_info_to_json(&chart).as_bytes()));
        Ok(chart)
    }

    fn render_one(&self, request: &RenderRequest) -> Result<(Rendered, bool), HelmError> {
        let lock = self.lock()?;
        let locked =
            lock.find(&request.chart, &request.version)
                .ok_or_else(|| HelmError::NotLocked {
                    name: request.chart.name().to_owned(),
                    version: request.version.clone(),
                    location: request.chart.location().to_owned(),
                    lock: self.config.lock_file.display().to_string(),
                })?;
        let chart = self.chart_info(locked)?;
        let label = format!("{} {}", chart.name, chart.version);
        let helm = self.helm()?;
        let key = render_key(&locked.digest, request, &helm.version);
        // another cluster rendering the same release now: wait for it, then read its entry
        let _claim = self.in_flight.claim(&key);
        let cached = self.cache.render_path(&key);
        // a render is cached only after its values passed the chart's schema, and the key
        // holds the package digest and the values: a cached render needs no second check
        if let Some(entry) = RenderEntry::read(&cached) {
            match entry {
                Ok(mut entry) => {
                    self.cache_hits.fetch_add(1, Ordering::Relaxed);
                    if let Some(files) = entry.resplit() {
                        let _ = files.write(&self.cache, &cached);
                    }
                    return Ok((
                        Rendered {
                            chart,
                            output: entry.output,
                            second: entry.second.filter(|_| request.twice),
                        },
                        false,
                    ));
                }
                Err(problem) => self.warn(format!(
                    "ignoring the cached render {} of {label} (release `{}`): {}; rendering it again",
                    cached.display(),
                    request.release,
                    match problem {
                        Unusable::DigestMismatch =>
                            "its content does not match the digest stored with it (edited or damaged)",
                        Unusable::Unreadable => "it is not a render cache entry",
                    }
                )),
            }
        }
        if let Some(schema) = &chart.schema {
            let merged = coalesce(&chart.values, &request.values);
            if let Ok(violations) = schema::violations(schema, &merged)
                && !violations.is_empty()
            {
                return Err(HelmError::Schema {
                    chart: label,
                    violations,
                });
            }
        }
        // the package itself: the chart's information may have come from the cache
        self.package(locked)?;
        let package = self.cache.package_path(&locked.digest);
        let manifest = self.template(helm, &package, request, &chart)?;
        let second = if request.twice {
            Some(self.template(helm, &package, request, &chart)?)
        } else {
            None
        };
        let differing = second.filter(|second| *second != manifest);
        let output = RenderOutput::of_text(manifest.clone());
        RenderEntry::write(
            &self.cache,
            &cached,
            &manifest,
            differing.as_deref(),
            &output,
        )?;
        Ok((
            Rendered {
                chart,
                output,
                second: differing,
            },
            true,
        ))
    }

    fn template(
        &self,
        helm: &HelmBinary,
        package: &std::path::Path,
        request: &RenderRequest,
        chart: &ChartInfo,
    ) -> Result<String, HelmError> {
        let folder = tempdir(&self.cache)?;
        let values = folder.join("values.json");
        std::fs::write(&values, request.values.to_string())
            .map_err(|error| HelmError::Other(format!("cannot write values: {error}")))?;
        let mut args: Vec<String> = vec![
            "template".into(),
            request.release.clone(),
            package.display().to_string(),
            "--namespace".into(),
            request.namespace.clone(),
            "--include-crds".into(),
            "--values".into(),
            values.display().to_string(),
        ];
        if let Some(kube_version) = &request.kube_version {
            args.extend(["--kube-version".into(), kube_version.clone()]);
        }
        for api_version in &request.api_versions {
            args.extend(["--api-versions".into(), api_version.clone()]);
        }
        let result = helm.run(&args);
        let _ = std::fs::remove_dir_all(&folder);
        let output = result.map_err(|error| match error {
            HelmError::Helm { stderr, .. } => HelmError::Helm {
                chart: format!("{} {}", chart.name, chart.version),
                stderr,
            },
            other => other,
        })?;
        String::from_utf8(output)
            .map_err(|_| HelmError::Other("helm template printed non-UTF-8 text".into()))
    }
}

impl HelmRenderer for HelmCli {
    fn render(&self, requests: &[RenderRequest]) -> Vec<Result<Rendered, HelmError>> {
        let progress = Progress::new(requests.len(), self.config.progress);
        let next = AtomicUsize::new(0);
        let results: Vec<OnceLock<Result<Rendered, HelmError>>> =
            requests.iter().map(|_| OnceLock::new()).collect();
        let workers = self.config.jobs.clamp(1, requests.len().max(1));
        let work = || {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(index) else {
                    break;
                };
                let outcome = self.render_one(request);
                let rendered = matches!(outcome, Ok((_, true)));
                progress.finished(&request.path, rendered);
                let _ = results[index].set(outcome.map(|(r, _)| r));
            }
        };
        // the calling thread is one of the workers
        std::thread::scope(|scope| {
            for _ in 1..workers {
                scope.spawn(work);
            }
            work();
        });
        results
            .into_iter()
            .map(|cell| {
                cell.into_inner()
                    .unwrap_or_else(|| Err(HelmError::Other("render did not run".into())))
            })
            .collect()
    }
}

/// The render cache key: sha256 over everything that determines the output.
fn render_key(digest: &str, request: &RenderRequest, helm_version: &str) -> String {
    let key = json!({
        // 2: entries carry the digest of their content; 3: sealed, with the split documents
        "format": 3,
        "digest": digest,
        "values": request.values,
        "release": request.release,
        "namespace": request.namespace,
        "kubeVersion": request.kube_version,
        "apiVersions": request.api_versions,
        "helm": helm_version,
        "twice": request.twice,
    });
    // sorted keys: the key depends on the values, not on the order they were inserted in
    hex(&Sha256::digest(
        homelab_synth_core::to_sorted_json(&key).as_bytes(),
    ))
}

/// A new scratch folder in the cache.
fn tempdir(cache: &Cache) -> cache::Result<PathBuf> {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let folder = cache.root().join("tmp").join(format!(
        "{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    match std::fs::create_dir_all(&folder) {
        Ok(()) => Ok(folder),
        Err(error) => Err(CacheError::CreateFolder { folder, error }),
    }
}

/// The code that reads a package: this crate's `package.rs` and the YAML reader under it.
fn package_reader() -> &'static str {
    static READER: OnceLock<String> = OnceLock::new();
    READER.get_or_init(|| {
        digest(
            format!(
                "{}\n{}",
                split_digest(),
                digest(include_bytes!("package.rs"))
            )
            .as_bytes(),
        )
    })
}

/// What [`chart_info`] read from a package, as the chart cache keeps it (with the reader that
/// read its YAML).
fn chart_info_to_json(chart: &ChartInfo) -> String {
    json!({
        "reader": package_reader(),
        "name": chart.name,
        "version": chart.version,
        "values": chart.values,
        "schema": chart.schema,
        "conditions": chart.conditions,
    })
    .to_string()
}

/// [`chart_info_to_json`] read back, for the package `locked`; `None` when it was read by
/// another reader or is not of that form.
fn chart_info_from_json(body: &[u8], locked: &LockedChart) -> Option<ChartInfo> {
    let Ok(Value::Object(mut entry)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    if entry.get("reader")?.as_str()? != package_reader() {
        return None;
    }
    let mut text = |field: &str| match entry.remove(field) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    let (name, version) = (text("name")?, text("version")?);
    let conditions = match entry.remove("conditions")? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(path) => Some(path),
                _ => None,
            })
            .collect::<Option<Vec<String>>>()?,
        _ => return None,
    };
    let schema = match entry.remove("schema")? {
        Value::Null => None,
        schema => Some(schema),
    };
    Some(ChartInfo {
        name,
        version,
        digest: locked.digest.clone(),
        values: entry.remove("values")?,
        schema,
        conditions,
    })
}
