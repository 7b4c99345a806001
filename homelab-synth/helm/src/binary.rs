//! The `helm` binary: found through the configuration, `HELM`, `PATH` or
//! `<workspace>/target/tools/helm`; its version cached by the binary's path, size and
//! modification time, so that a warm synthesis never runs helm.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use homelab_synth_core::helm_release::HelmError;
use sha2::{Digest, Sha256};

use crate::cache::{Cache, hex};

/// A helm binary and its version.
#[derive(Debug)]
pub struct HelmBinary {
    /// The binary.
    pub path: PathBuf,
    /// `helm version --short`.
    pub version: String,
    /// Isolated `HELM_*_HOME` folders, so user configuration and plugins cannot change a render.
    home: PathBuf,
    invocations: AtomicUsize,
}

impl HelmBinary {
    /// Finds helm: `explicit`, else `helm` on `PATH`, else `<workspace>/target/tools/helm`.
    pub fn find(
        explicit: Option<&Path>,
        workspace: &Path,
        cache: &Cache,
    ) -> Result<HelmBinary, HelmError> {
        let path = match explicit {
            Some(path) => {
                if !path.is_file() {
                    return Err(HelmError::HelmMissing {
                        reason: format!("HELM is {}, which is not a file", path.display()),
                    });
                }
                path.to_path_buf()
            }
            None => on_path()
                .or_else(|| {
                    let local = workspace.join("target/tools/helm");
                    local.is_file().then_some(local)
                })
                .ok_or_else(|| HelmError::HelmMissing {
                    reason: "not on PATH, HELM is not set, and there is no \
                             target/tools/helm"
                        .into(),
                })?,
        };
        let home = cache.root().join("helm-home");
        let mut binary = HelmBinary {
            path,
            version: String::new(),
            home,
            invocations: AtomicUsize::new(0),
        };
        binary.version = binary.version_cached(cache)?;
        Ok(binary)
    }

    /// How many times helm was run by this process.
    pub fn invocations(&self) -> usize {
        self.invocations.load(Ordering::Relaxed)
    }

    fn version_cached(&self, cache: &Cache) -> Result<String, HelmError> {
        let metadata = std::fs::metadata(&self.path).map_err(|error| HelmError::HelmMissing {
            reason: format!("{}: {error}", self.path.display()),
        })?;
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let canonical = self
            .path
            .canonicalize()
            .unwrap_or_else(|_| self.path.clone());
        let key = hex(&Sha256::digest(
            format!("{}\0{}\0{modified}", canonical.display(), metadata.len()).as_bytes(),
        ));
        let path = cache.helm_version_path(&key);
        if let Ok(version) = std::fs::read_to_string(&path)
            && !version.trim().is_empty()
        {
            return Ok(version.trim().to_owned());
        }
        let output = self.run(&["version", "--short"])?;
        let version = String::from_utf8_lossy(&output).trim().to_owned();
        if !version.starts_with('v') {
            return Err(HelmError::HelmMissing {
                reason: format!(
                    "{} does not look like helm (`version --short` printed `{version}`)",
                    self.path.display()
                ),
            });
        }
        cache.write(&path, version.as_bytes())?;
        Ok(version)
    }

    /// Runs helm with `args`; its standard output, or the error with its standard error.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Result<Vec<u8>, HelmError> {
        self.invocations.fetch_add(1, Ordering::Relaxed);
        let output = Command::new(&self.path)
            .args(args)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .env_remove("KUBECONFIG")
            .output()
            .map_err(|error| HelmError::HelmMissing {
                reason: format!("cannot run {}: {error}", self.path.display()),
            })?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(HelmError::Helm {
                chart: String::new(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            })
        }
    }
}

fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join("helm"))
        .find(|candidate| candidate.is_file())
}
