//! [`KustomizeCli`]: the [`KustomizeRenderer`] that localizes each kustomization against the
//! lock and runs the real kustomize on the scratch copy, with a render cache.
//!
//! A render is cached under a key over the kustomize version, every file of the workspace
//! folders the kustomization reaches, and the lock's sources (what any remote reference can
//! resolve to); each entry holds the manifest and its split documents (what a warm run reads),
//! sealed with the sha256 of both and checked on every read, so an entry edited or damaged
//! since it was written is rendered again, with a warning.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use homelab_synth_core::kustomization::{
    KustomizeError, KustomizeRenderer, KustomizeRequest, Kustomized,
};
use homelab_synth_core::rendering::RenderOutput;
use homelab_synth_helm::cache::{Cache, hex};
use homelab_synth_helm::in_flight::InFlight;
use homelab_synth_helm::render_entry::RenderEntry;
use sha2::{Digest, Sha256};

use crate::binary::KustomizeBinary;
use crate::config::KustomizeConfig;
use crate::localize::{Resolved, Resolver, localize, workspace_files};
use crate::lock::{KustomizeLock, LockError};
use crate::reference::SourceKey;
use crate::source::{SourceError, Sources, unpack};

/// Renders kustomizations with the real kustomize; see the crate documentation.
pub struct KustomizeCli {
    config: KustomizeConfig,
    cache: Cache,
    lock: OnceLock<Result<KustomizeLock, LockError>>,
    binary: OnceLock<Result<KustomizeBinary, KustomizeError>>,
    cache_hits: AtomicUsize,
    warnings: Mutex<Vec<String>>,
    /// Renders in progress: two clusters asking for the same one render it once.
    in_flight: InFlight,
    missing_input: AtomicUsize,
}

impl KustomizeCli {
    /// A renderer with `config`; nothing is read until the first render.
    pub fn new(config: KustomizeConfig) -> Self {
        KustomizeCli {
            cache: Cache::new(&config.cache_dir),
            config,
            lock: OnceLock::new(),
            binary: OnceLock::new(),
            cache_hits: AtomicUsize::new(0),
            warnings: Mutex::new(Vec::new()),
            in_flight: InFlight::default(),
            missing_input: AtomicUsize::new(0),
        }
    }

    /// A renderer configured from the environment for `workspace`.
    pub fn from_env(workspace: impl Into<std::path::PathBuf>) -> Self {
        KustomizeCli::new(KustomizeConfig::from_env(workspace))
    }

    /// The configuration.
    pub fn config(&self) -> &KustomizeConfig {
        &self.config
    }

    /// How many times this renderer ran kustomize (0 when every render came from the cache).
    pub fn invocations(&self) -> usize {
        match self.binary.get() {
            Some(Ok(binary)) => binary.invocations(),
            _ => 0,
        }
    }

    /// How many renders came from the render cache.
    pub fn cache_hits(&self) -> usize {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// Whether a render failed for want of an input (the tool, a lock entry, a source): the
    /// command line exits 2 then.
    pub fn missing_input(&self) -> bool {
        self.missing_input.load(Ordering::Relaxed) > 0
    }

    /// The warnings so far (cache entries that were not used, and why), taken.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn binary(&self) -> Result<&KustomizeBinary, KustomizeError> {
        self.binary
            .get_or_init(|| {
                KustomizeBinary::find(
                    self.config.tool.as_ref(),
                    &self.config.workspace,
                    &self.cache,
                    self.config.timeout,
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn lock(&self) -> Result<&KustomizeLock, KustomizeError> {
        self.lock
            .get_or_init(|| KustomizeLock::read(&self.config.lock_file))
            .as_ref()
            .map_err(|e| KustomizeError::Other(e.to_string()))
    }

    /// Where sources are looked up: the lock's mirrors, then the configured ones.
    pub(crate) fn sources(&self, lock_mirrors: &[String]) -> Sources {
        Sources {
            cache: self.cache.clone(),
            mirrors: lock_mirrors
                .iter()
                .chain(&self.config.mirrors)
                .map(|m| self.config.resolve_mirror(m))
                .collect(),
            offline: self.config.offline,
        }
    }

    fn render_one(&self, request: &KustomizeRequest) -> Result<Kustomized, KustomizeError> {
        let lock = self.lock()?;
        let local = workspace_files(&self.config.workspace, &request.kustomization)?;
        let binary = self.binary()?;
        let key = render_key(&binary.version, &local, lock);
        // another cluster building the same kustomization now: wait for it, then read its entry
        let _claim = self.in_flight.claim(&key);
        let path = self
            .cache
            .root()
            .join("renders")
            .join(format!("{key}.json"));
        if let Some(entry) = RenderEntry::read(&path) {
            match entry {
                Ok(mut entry) => {
                    self.cache_hits.fetch_add(1, Ordering::Relaxed);
                    // split by another reader: split again, and keep that for the next run
                    if let Some(files) = entry.resplit() {
                        let _ = files.write(&self.cache, &path);
                    }
                    return Ok(Kustomized {
                        output: entry.output,
                        version: binary.version.clone(),
                    });
                }
                Err(_) => self.warn(format!(
                    "cached kustomize render {} does not match the digest stored with it (edited \
                     or damaged); rendering again",
                    path.display()
                )),
            }
        }
        let scratch = tempfile::Builder::new()
            .prefix("synth-kustomize-")
            .tempdir()
            .map_err(|e| KustomizeError::Other(format!("cannot make a scratch folder: {e}")))?;
        let mut resolver = LockResolver {
            lock,
            lock_name: lock_name(&self.config),
            sources: self.sources(&lock.mirrors),
        };
        let localized = localize(
            &self.config.workspace,
            &request.kustomization,
            scratch.path(),
            &mut resolver,
        )?;
        let home = scratch.path().join("home");
        let manifest =
            binary
                .build(&localized.root, &home)
                .map_err(|error| KustomizeError::Kustomize {
                    file: format!("{}/kustomization.yaml", request.kustomization),
                    stderr: error
                        .to_string()
                        .replace(&scratch.path().join("workspace").display().to_string(), ".")
                        .replace(&scratch.path().display().to_string(), "<scratch>"),
                })?;
        let output = RenderOutput::of_text(manifest.clone());
        // a cache that cannot be written only costs a later render
        let _ = RenderEntry::write(&self.cache, &path, &manifest, None, &output);
        Ok(Kustomized {
            output,
            version: binary.version.clone(),
        })
    }

    fn warn(&self, warning: String) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(warning);
    }
}

impl KustomizeRenderer for KustomizeCli {
    fn render(&self, requests: &[KustomizeRequest]) -> Vec<Result<Kustomized, KustomizeError>> {
        requests
            .iter()
            .map(|request| {
                let result = self.render_one(request);
                if let Err(error) = &result
                    && error.is_missing_input()
                {
                    self.missing_input.fetch_add(1, Ordering::Relaxed);
                }
                result
            })
            .collect()
    }
}

/// The lock file's name for messages: relative to the workspace when inside it.
pub(crate) fn lock_name(config: &KustomizeConfig) -> String {
    config
        .lock_file
        .strip_prefix(&config.workspace)
        .unwrap_or(&config.lock_file)
        .display()
        .to_string()
}

/// Resolves remote references from the lock only.
struct LockResolver<'a> {
    lock: &'a KustomizeLock,
    lock_name: String,
    sources: Sources,
}

impl Resolver for LockResolver<'_> {
    fn resolve(
        &mut self,
        key: &SourceKey,
        file: &str,
        entry: &str,
        folder: &Path,
    ) -> Result<Resolved, KustomizeError> {
        let locked = self
            .lock
            .get(key)
            .ok_or_else(|| KustomizeError::NotLocked {
                file: file.to_owned(),
                reference: entry.to_owned(),
                lock: self.lock_name.clone(),
            })?;
        let bytes = self
            .sources
            .get(locked)
            .map_err(|error| source_error(error, file, entry, &locked.file))?;
        materialize(key, bytes, &locked.file, file, folder)
    }
}

/// A source's bytes as a tree (unpacked into `folder`) or a file.
pub(crate) fn materialize(
    key: &SourceKey,
    bytes: Vec<u8>,
    name: &str,
    file: &str,
    folder: &Path,
) -> Result<Resolved, KustomizeError> {
    if key.reference.is_empty() {
        return Ok(Resolved::File(bytes));
    }
    unpack(&bytes, name, folder).map_err(|e| KustomizeError::Invalid {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    Ok(Resolved::Tree(folder.to_path_buf()))
}

pub(crate) fn source_error(
    error: SourceError,
    file: &str,
    entry: &str,
    mirror_file: &str,
) -> KustomizeError {
    match error {
        SourceError::Unavailable { tried } => KustomizeError::Unavailable {
            file: file.to_owned(),
            reference: entry.to_owned(),
            mirror_file: mirror_file.to_owned(),
            tried,
        },
        SourceError::Mismatch {
            origin,
            expected,
            actual,
        } => KustomizeError::DigestMismatch {
            file: file.to_owned(),
            reference: entry.to_owned(),
            origin,
            expected,
            actual,
        },
        SourceError::Unpack { .. } => KustomizeError::Invalid {
            file: file.to_owned(),
            message: error.to_string(),
        },
    }
}

/// The render cache key: kustomize version, workspace files, locked sources.
fn render_key(version: &str, local: &[(String, Vec<u8>)], lock: &KustomizeLock) -> String {
    let mut hasher = Sha256::new();
    // v2: entries sealed, with the split documents
    hasher.update(b"kustomize-render-v2\0");
    hasher.update(version.as_bytes());
    for (path, bytes) in local {
        hasher.update(b"\0");
        hasher.update(path.as_bytes());
        hasher.update(b"\0");
        hasher.update(Sha256::digest(bytes));
    }
    for source in &lock.sources {
        hasher.update(format!(
            "\0{}\0{}\0{}",
            source.url, source.reference, source.sha256
        ));
    }
    hex(&hasher.finalize())
}
