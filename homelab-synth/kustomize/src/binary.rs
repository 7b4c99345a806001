//! The kustomize tool: a standalone `kustomize` or `kubectl` (whose `kustomize` subcommand is
//! kustomize built in), found through the configuration, `PATH` or
//! `<workspace>/target/tools/kubectl`; its kustomize version cached by the binary's path,
//! size and modification time, so that a warm synthesis never runs it. Every run has a
//! deadline and no way to the network: proxies point at a closed local port.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use homelab_synth_core::kustomization::KustomizeError;
use homelab_synth_helm::cache::{Cache, hex};
use sha2::{Digest, Sha256};

use crate::config::Tool;
use crate::process::{RunError, run};

/// An unroutable proxy: anything in kustomize that tries the network fails at once.
pub const NO_NETWORK_PROXY: &str = "http://127.0.0.1:9";

/// A kustomize binary and its version.
#[derive(Debug)]
pub struct KustomizeBinary {
    /// The binary.
    pub tool: Tool,
    /// The kustomize version (`v5.7.1`).
    pub version: String,
    timeout: Duration,
    invocations: AtomicUsize,
}

impl KustomizeBinary {
    /// Finds the tool: `explicit`, else `kubectl` on `PATH`, else `kustomize` on `PATH`, else
    /// `<workspace>/target/tools/kubectl`.
    pub fn find(
        explicit: Option<&Tool>,
        workspace: &Path,
        cache: &Cache,
        timeout: Duration,
    ) -> Result<KustomizeBinary, KustomizeError> {
        let tool = match explicit {
            Some(tool) => {
                let (Tool::Kustomize(path) | Tool::Kubectl(path)) = tool;
                if !path.is_file() {
                    let var = match tool {
                        Tool::Kustomize(_) => "KUSTOMIZE",
                        Tool::Kubectl(_) => "KUBECTL",
                    };
                    return Err(KustomizeError::ToolMissing {
                        reason: format!("{var} is {}, which is not a file", path.display()),
                    });
                }
                tool.clone()
            }
            None => on_path("kubectl")
                .map(Tool::Kubectl)
                .or_else(|| on_path("kustomize").map(Tool::Kustomize))
                .or_else(|| {
                    let local = workspace.join("target/tools/kubectl");
                    local.is_file().then_some(Tool::Kubectl(local))
                })
                .ok_or_else(|| KustomizeError::ToolMissing {
                    reason: "no kubectl or kustomize on PATH, KUBECTL and KUSTOMIZE are not \
                             set, and there is no target/tools/kubectl"
                        .into(),
                })?,
        };
        let mut binary = KustomizeBinary {
            tool,
            version: String::new(),
            timeout,
            invocations: AtomicUsize::new(0),
        };
        binary.version = binary.version_cached(cache)?;
        Ok(binary)
    }

    /// How many times the tool was run by this process.
    pub fn invocations(&self) -> usize {
        self.invocations.load(Ordering::Relaxed)
    }

    fn path(&self) -> &Path {
        let (Tool::Kustomize(path) | Tool::Kubectl(path)) = &self.tool;
        path
    }

    fn version_cached(&self, cache: &Cache) -> Result<String, KustomizeError> {
        let path = self.path();
        let missing = |reason: String| KustomizeError::ToolMissing { reason };
        let metadata =
            std::fs::metadata(path).map_err(|e| missing(format!("{}: {e}", path.display())))?;
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let key = hex(&Sha256::digest(
            format!("{}\0{}\0{modified}", canonical.display(), metadata.len()).as_bytes(),
        ));
        let cached = cache.root().join("tool-version").join(key);
        if let Ok(version) = std::fs::read_to_string(&cached)
            && !version.trim().is_empty()
        {
            return Ok(version.trim().to_owned());
        }
        let args: &[&str] = match self.tool {
            Tool::Kustomize(_) => &["version"],
            Tool::Kubectl(_) => &["version", "--client"],
        };
        let output = self
            .run(args, None)
            .map_err(|e| missing(format!("{}: {e}", path.display())))?;
        let text = String::from_utf8_lossy(&output);
        let version = text
            .lines()
            .find_map(|line| line.strip_prefix("Kustomize Version: "))
            .or_else(|| {
                text.lines()
                    .next()
                    .filter(|_| matches!(self.tool, Tool::Kustomize(_)))
            })
            .map(|v| v.trim().to_owned())
            .filter(|v| v.starts_with('v'))
            .ok_or_else(|| {
                missing(format!(
                    "{} does not report a kustomize version (printed `{}`)",
                    path.display(),
                    text.trim()
                ))
            })?;
        cache
            .write(&cached, version.as_bytes())
            .map_err(|error| KustomizeError::Other(error.to_string()))?;
        Ok(version)
    }

    /// `kustomize build folder`: the YAML stream.
    pub fn build(&self, folder: &Path, home: &Path) -> Result<String, RunError> {
        let subcommand = match self.tool {
            Tool::Kustomize(_) => "build",
            Tool::Kubectl(_) => "kustomize",
        };
        let output = self.run(&[subcommand, &folder.display().to_string()], Some(home))?;
        Ok(String::from_utf8_lossy(&output).into_owned())
    }

    fn run(&self, args: &[&str], home: Option<&Path>) -> Result<Vec<u8>, RunError> {
        self.invocations.fetch_add(1, Ordering::Relaxed);
        let mut command = Command::new(self.path());
        command
            .args(args)
            .env_remove("KUBECONFIG")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy");
        for proxy in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "http_proxy",
            "https_proxy",
            "ALL_PROXY",
        ] {
            command.env(proxy, NO_NETWORK_PROXY);
        }
        command.env("GIT_TERMINAL_PROMPT", "0");
        if let Some(home) = home {
            // no user configuration or plugins
            command
                .env("HOME", home)
                .env("XDG_CONFIG_HOME", home.join("config"));
        }
        run(command, self.timeout)
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}
