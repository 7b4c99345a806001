//! `synth charts lock` for kustomizations: localize each one with a resolver that takes
//! locked sources from the lock (unless refreshing) and finds new ones in the mirrors or at
//! their origin, recording each with its sha256 and, for an archive that says, its commit.

use std::collections::BTreeMap;
use std::path::Path;

use homelab_synth_core::kustomization::KustomizeError;
use homelab_synth_helm::cache::digest;

use crate::config::KustomizeConfig;
use crate::localize::{Resolved, Resolver, localize};
use crate::lock::{KustomizeLock, LockedSource};
use crate::reference::SourceKey;
use crate::render::{KustomizeCli, materialize, source_error};
use crate::source::{Sources, archive_commit};

/// Resolves every remote source the `kustomizations` (folders relative to the workspace)
/// reach and returns the lock to write: existing entries kept unless `refresh`, sources no
/// kustomization reaches dropped, `mirrors` (or the lock's) recorded.
pub fn lock_kustomizations(
    config: &KustomizeConfig,
    kustomizations: &[String],
    mirrors: Vec<String>,
    refresh: bool,
) -> Result<KustomizeLock, KustomizeError> {
    let existing =
        KustomizeLock::read(&config.lock_file).map_err(|e| KustomizeError::Other(e.to_string()))?;
    let mirrors = if mirrors.is_empty() {
        existing.mirrors.clone()
    } else {
        mirrors
    };
    let cli = KustomizeCli::new(config.clone());
    let mut resolver = LockingResolver {
        existing: if refresh {
            KustomizeLock::default()
        } else {
            existing
        },
        sources: cli.sources(&mirrors),
        found: BTreeMap::new(),
    };
    for kustomization in kustomizations {
        let scratch = tempfile::Builder::new()
            .prefix("synth-kustomize-lock-")
            .tempdir()
            .map_err(|e| KustomizeError::Other(format!("cannot make a scratch folder: {e}")))?;
        localize(
            &config.workspace,
            kustomization,
            scratch.path(),
            &mut resolver,
        )?;
    }
    Ok(KustomizeLock {
        sources: resolver.found.into_values().collect(),
        mirrors,
    })
}

struct LockingResolver {
    existing: KustomizeLock,
    sources: Sources,
    found: BTreeMap<SourceKey, LockedSource>,
}

impl Resolver for LockingResolver {
    fn resolve(
        &mut self,
        key: &SourceKey,
        file: &str,
        entry: &str,
        folder: &Path,
    ) -> Result<Resolved, KustomizeError> {
        if let Some(locked) = self.existing.get(key) {
            let bytes = self
                .sources
                .get(locked)
                .map_err(|e| source_error(e, file, entry, &locked.file))?;
            self.found.insert(key.clone(), locked.clone());
            return materialize(key, bytes, &locked.file, file, folder);
        }
        let (name, bytes) = self
            .sources
            .find_new(key)
            .map_err(|e| source_error(e, file, entry, &key.url))?;
        let locked = LockedSource {
            url: key.url.clone(),
            reference: key.reference.clone(),
            commit: if key.reference.is_empty() {
                None
            } else {
                archive_commit(&bytes)
            },
            file: name.clone(),
            sha256: digest(&bytes),
        };
        self.found.insert(key.clone(), locked);
        materialize(key, bytes, &name, file, folder)
    }
}
