//! Skipping a write whose inputs did not change, as make and cargo do: after a successful
//! write (`synth` with its selection flags and `--out DIR`), a stamp records everything the
//! run depended on and what it printed; the next identical write whose inputs all match, and
//! whose output folder still holds exactly what was written, prints the same lines and exits
//! 0 without synthesizing.
//!
//! What must match (any difference, or any doubt, means a full run):
//! - the binary: it has a build fingerprint equal to the checkout's (the stale check's rule),
//!   and it is the same file (path, size, modification time);
//! - every other file of the workspace a run can read: a digest over every regular file
//!   below the root outside hidden entries, `target` and `CACHEDIR.TAG` folders and the output
//!   folder (`homelab_synth_fingerprint::workspace_digest`, one walk with the fingerprint's);
//!   a workspace holding a symbolic link to a folder, which the walk does not follow, never
//!   skips;
//! - the arguments (selection, output folder, message format) and the values of the
//!   environment variables a run reads ([`ENVIRONMENT`], [`ENVIRONMENT_PREFIXES`]), hashed;
//! - the helm and kubectl (or kustomize) binaries the run would find, by resolved path, size
//!   and modification time;
//! - the output folder: a digest over its files' paths and contents equals the one recorded
//!   when the tree was written.
//!
//! Stamps live beside the renderers' caches (`$XDG_CACHE_HOME/homelab-synth/up-to-date`, else
//! `$HOME/.cache/...`), one file per workspace root and output folder, never in the output
//! tree or the repository. A stamp holds digests and the printed lines (which must never hold
//! secrets), no environment value in clear. It is written to a temporary file and renamed; an
//! unreadable, corrupt or older-format stamp means a full run. `--no-skip` forces one.
//!
//! Only runs that print nothing but findings are recorded: a run that warned about its cache
//! (a repaired entry) would not warn again, so it is not replayed.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use homelab_synth_core::BuildInfo;
use homelab_synth_core::output::{ComparedTree, tree_file_digests};
use homelab_synth_fingerprint::workspace_digest;
use homelab_synth_helm::cache::hex;
use sha2::{Digest, Sha256};

use crate::SynthArgs;
use crate::cmd::stale::{self, Stale};

/// The stamp format; a stamp of another version is ignored.
const STAMP_VERSION: u64 = 3;

/// The environment variables a run reads, by name (the Helm and kustomize renderers' settings,
/// where their binaries and caches are found, colors). Every variable whose name starts with
/// one of [`ENVIRONMENT_PREFIXES`] counts too.
pub(crate) const ENVIRONMENT: &[&str] = &[
    "HELM",
    "HOME",
    "KUBECTL",
    "KUSTOMIZE",
    "NO_COLOR",
    "PATH",
    "SYNTH_CHART_CACHE",
    "SYNTH_CHART_MIRRORS",
    "SYNTH_KUSTOMIZE_CACHE",
    "SYNTH_KUSTOMIZE_MIRRORS",
    "SYNTH_KUSTOMIZE_TIMEOUT",
    "SYNTH_OFFLINE",
    "TMPDIR",
    "XDG_CACHE_HOME",
];

/// Prefixes of environment variables a run reads: synth's own settings, and what helm and
/// kustomize (run with the process's environment) read of theirs.
pub(crate) const ENVIRONMENT_PREFIXES: &[&str] = &["SYNTH_", "HELM_", "KUSTOMIZE_", "KUBE"];

/// What the run about to start depends on, before it starts.
pub(crate) enum Probe {
    /// Nothing a stamp could vouch for (the binary has no fingerprint or is no file, the
    /// checkout is not its package's, a workspace file cannot be read, a link to a folder the
    /// digest does not follow): never skipped, never recorded.
    Unknown,
    /// The binary was built from other sources than the checkout: never skipped.
    Stale(Stale),
    /// Everything known: compared with the stamp, recorded after a successful write.
    Known(Inputs),
}

/// The digest of every input of a write, and where its stamp lives.
pub(crate) struct Inputs {
    /// The stamp file.
    stamp: PathBuf,
    /// sha256 over every input, lowercase hex.
    digest: String,
}

/// Computes the inputs of a write of `out` (as given, or the default) by `args` in the
/// workspace at `root`, fingerprinting the checkout once for the stale check and the stamp.
pub(crate) fn probe(
    build: &BuildInfo,
    root: &Path,
    args: &SynthArgs,
    out: &Path,
) -> anyhow::Result<Probe> {
    let Some(built) = build.fingerprint else {
        return Ok(Probe::Unknown);
    };
    if !stale::same_package(build, root)? {
        return Ok(Probe::Unknown);
    }
    let out_path = absolute(out);
    let Ok(digests) = workspace_digest(root, std::slice::from_ref(&out_path)) else {
        // a workspace file cannot be read: no skip; the stale check reads the sources alone
        // and says so if one of them is what cannot be read
        return Ok(match stale::check(build, root)? {
            Some(stale) => Probe::Stale(stale),
            None => Probe::Unknown,
        });
    };
    if let Some(stale) = stale::compare(build, &digests.sources.digest) {
        return Ok(Probe::Stale(stale));
    }
    if !digests.linked_folders.is_empty() {
        // what a run reads through a link to a folder is not in the digest
        return Ok(Probe::Unknown);
    }
    let (Some(binary), Some(dir)) = (current_binary(), stamp_dir()) else {
        return Ok(Probe::Unknown);
    };
    let mut inputs = Parts::default();
    inputs.add("root", root.as_os_str().as_encoded_bytes());
    inputs.add("out", out_path.as_os_str().as_encoded_bytes());
    inputs.add("fingerprint", built.as_bytes());
    inputs.add("workspace files", digests.others.as_bytes());
    inputs.add("binary", binary.as_bytes());
    inputs.add("arguments", arguments(args).as_bytes());
    inputs.add("environment", environment(std::env::vars_os()).as_bytes());
    inputs.add("helm", tool(&helm(root)).as_bytes());
    inputs.add("kustomize", tool(&kustomize(root)).as_bytes());
    let mut key = Parts::default();
    key.add("root", root.as_os_str().as_encoded_bytes());
    key.add("out", out_path.as_os_str().as_encoded_bytes());
    Ok(Probe::Known(Inputs {
        stamp: dir.join(key.finish()),
        digest: inputs.finish(),
    }))
}

impl Inputs {
    /// When the stamp says a write with these inputs left the output folder `out` as it is
    /// now: prints what that run printed and returns true.
    pub(crate) fn replay(&self, out: &Path, root: &Path) -> bool {
        let Some(stamp) = Stamp::read(&self.stamp) else {
            return false;
        };
        if stamp.inputs != self.digest {
            return false;
        }
        let Ok(files) = tree_file_digests(out, root) else {
            return false;
        };
        if digest_of_file_digests(files.iter().map(|(path, digest)| (path, *digest)))
            != stamp.output
        {
            return false;
        }
        // the printing fails only when the reader went away, as a full run's would
        let _ = std::io::stderr().lock().write_all(stamp.stderr.as_bytes());
        let _ = std::io::stdout().lock().write_all(stamp.stdout.as_bytes());
        true
    }

    /// Records a successful write of `files`, which printed `stdout` and `stderr`; a stamp that
    /// cannot be written only costs the next run its skip.
    pub(crate) fn record(&self, tree: &ComparedTree, stdout: &str, stderr: &str) {
        let stamp = Stamp {
            inputs: self.digest.clone(),
            output: tree_digest(tree.digests()),
            stdout: stdout.to_owned(),
            stderr: stderr.to_owned(),
        };
        let _ = stamp.write(&self.stamp);
        if let Some(dir) = self.stamp.parent() {
            prune(dir);
        }
    }
}

/// How long a stamp no write refreshed is kept (the output folders of removed checkouts and
/// tests leave theirs behind).
const KEPT: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// Removes the stamps (and temporary files of killed writes) in `dir` older than [`KEPT`].
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > KEPT));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A recorded write.
struct Stamp {
    inputs: String,
    output: String,
    stdout: String,
    stderr: String,
}

impl Stamp {
    fn read(path: &Path) -> Option<Stamp> {
        let bytes = std::fs::read(path).ok()?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        if value.get("version")?.as_u64()? != STAMP_VERSION || value.get("exit")?.as_u64()? != 0 {
            return None;
        }
        let text = |name: &str| value.get(name)?.as_str().map(str::to_owned);
        Some(Stamp {
            inputs: text("inputs")?,
            output: text("output")?,
            stdout: text("stdout")?,
            stderr: text("stderr")?,
        })
    }

    /// Writes the stamp to a temporary file beside `path`, then renames it over `path`.
    fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::json!({
            "version": STAMP_VERSION,
            "inputs": self.inputs,
            "output": self.output,
            "exit": 0,
            "stdout": self.stdout,
            "stderr": self.stderr,
        });
        crate::cmd::cache_file::write_atomically(path, &serde_json::to_vec(&json)?)
    }
}

/// sha256 over labelled parts, each with its length, so no two lists of parts collide.
#[derive(Default)]
struct Parts(Sha256);

impl Parts {
    fn add(&mut self, label: &str, value: &[u8]) {
        for part in [label.as_bytes(), value] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }

    fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// The digest of an output tree: every file's relative path and the sha256 of its content,
/// in path order (what [`digest_of_file_digests`] computes from the files on disk).
pub(crate) fn tree_digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8; 32])>) -> String {
    digest_of_file_digests(files.into_iter().map(|(path, digest)| (path, *digest)))
}

/// The tree digest from each file's path and content digest, in path order.
fn digest_of_file_digests<P: AsRef<str>>(files: impl IntoIterator<Item = (P, [u8; 32])>) -> String {
    let mut parts = Parts::default();
    for (path, digest) in files {
        parts.add(path.as_ref(), &digest);
    }
    parts.finish()
}

/// `path` made absolute against the current folder, and resolved when it exists, so it
/// names the folder as the workspace walk sees it.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(resolved) = path.canonicalize() {
        return resolved;
    }
    match std::env::current_dir() {
        Ok(current) if path.is_relative() => current.join(path),
        _ => path.to_path_buf(),
    }
}

/// What of the arguments can change a write's output or what it prints: all of them but
/// `--no-skip`.
fn arguments(args: &SynthArgs) -> String {
    let mut args = args.clone();
    args.no_skip = false;
    format!("{args:?}")
}

/// A digest of the values of the variables a run reads, from `vars` (the environment).
fn environment(vars: impl Iterator<Item = (OsString, OsString)>) -> String {
    let mut read: Vec<(OsString, OsString)> = vars
        .filter(|(name, _)| {
            name.to_str().is_some_and(|name| {
                ENVIRONMENT.contains(&name)
                    || ENVIRONMENT_PREFIXES
                        .iter()
                        .any(|prefix| name.starts_with(prefix))
            })
        })
        .collect();
    read.sort();
    let mut parts = Parts::default();
    for (name, value) in &read {
        parts.add(
            &name.to_string_lossy(),
            value.as_os_str().as_encoded_bytes(),
        );
    }
    parts.finish()
}

/// A non-empty environment variable.
fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|value| !value.is_empty())
}

/// The first `name` on `PATH` that is a file.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}

/// The helm binary a run would use, found as the Helm renderer finds it: `HELM`, `helm` on
/// `PATH`, `<workspace>/target/tools/helm`.
fn helm(root: &Path) -> Option<PathBuf> {
    var("HELM").map(PathBuf::from).or_else(|| {
        on_path("helm").or_else(|| {
            let local = root.join("target/tools/helm");
            local.is_file().then_some(local)
        })
    })
}

/// The kustomize tool a run would use, found as the kustomize renderer finds it: `KUSTOMIZE`,
/// `KUBECTL`, `kubectl` then `kustomize` on `PATH`, `<workspace>/target/tools/kubectl`.
fn kustomize(root: &Path) -> Option<PathBuf> {
    var("KUSTOMIZE")
        .or_else(|| var("KUBECTL"))
        .map(PathBuf::from)
        .or_else(|| on_path("kubectl"))
        .or_else(|| on_path("kustomize"))
        .or_else(|| {
            let local = root.join("target/tools/kubectl");
            local.is_file().then_some(local)
        })
}

/// A file's identity: its resolved path, size and modification time (`none` when there is
/// no such file).
fn tool(path: &Option<PathBuf>) -> String {
    path.as_deref()
        .and_then(identity)
        .unwrap_or_else(|| "none".to_owned())
}

fn identity(path: &Path) -> Option<String> {
    let resolved = path.canonicalize().ok()?;
    let metadata = std::fs::metadata(&resolved).ok()?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!(
        "{}\0{}\0{modified}",
        resolved.display(),
        metadata.len()
    ))
}

/// The running binary's identity: a rebuilt binary never replays an older one's stamp.
pub(crate) fn current_binary() -> Option<String> {
    identity(&std::env::current_exe().ok()?)
}

/// Where stamps live: `up-to-date` beside the chart cache's default folder.
fn stamp_dir() -> Option<PathBuf> {
    let charts = homelab_synth_helm::config::default_cache_dir();
    Some(charts.parent()?.join("up-to-date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_the_renderers_and_the_cli_read_is_hashed() {
        // what reads an environment variable by name in the crates a write runs
        let crates = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        // read by commands that never skip (diff, publish, new app, seed), or by tests
        let not_read_by_a_write = [
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            // compiled in (`env!`): part of the binary, whose identity the stamp holds
            "CARGO_PKG_VERSION",
            "CARGO_TARGET_DIR",
            "GITHUB_REF_NAME",
            "K8S_YAML_CHECK",
            "RUSTFMT",
            "SYNTH_BUILD_FINGERPRINT",
            "SYNTH_DIFF_TARGET_DIR",
        ];
        let mut found = Vec::new();
        for krate in ["cli", "core", "helm", "kustomize"] {
            let mut pending = vec![Path::new(crates).join(krate).join("src")];
            while let Some(folder) = pending.pop() {
                for entry in std::fs::read_dir(&folder).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        pending.push(path);
                    } else if path.extension().is_some_and(|ext| ext == "rs")
                        // this file holds the list, and names in its tests
                        && !path.ends_with("cmd/up_to_date.rs")
                    {
                        let text = std::fs::read_to_string(&path).unwrap();
                        for name in names_read(&text) {
                            found.push((name, path.clone()));
                        }
                    }
                }
            }
        }
        assert!(
            found.iter().any(|(name, _)| name == "SYNTH_CHART_CACHE"),
            "the scan finds what config.rs reads: {found:?}"
        );
        for (name, path) in found {
            let hashed = ENVIRONMENT.contains(&name.as_str())
                || ENVIRONMENT_PREFIXES
                    .iter()
                    .any(|prefix| name.starts_with(prefix));
            assert!(
                hashed || not_read_by_a_write.contains(&name.as_str()),
                "{} reads `{name}`: add it to ENVIRONMENT in up_to_date.rs (or, if no write \
                 reads it, to this test's list)",
                path.display()
            );
        }
    }

    /// The names in calls that read the environment: `env::var("X")`, `var_os("X")`, a
    /// helper `var("X")`, `list_from_env("X")`, `env!("X")`, `option_env!("X")`.
    fn names_read(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for call in ["var(\"", "var_os(\"", "from_env(\"", "env!(\""] {
            for (start, _) in text.match_indices(call) {
                let rest = &text[start + call.len()..];
                if let Some(end) = rest.find('"') {
                    names.push(rest[..end].to_owned());
                }
            }
        }
        names
    }

    #[test]
    fn the_environment_digest_changes_with_a_read_variable_only() {
        let env = |pairs: &[(&str, &str)]| {
            environment(
                pairs
                    .iter()
                    .map(|(name, value)| (OsString::from(name), OsString::from(value))),
            )
        };
        let base = env(&[("HELM", "/bin/helm"), ("SYNTH_OFFLINE", "1")]);
        assert_eq!(
            env(&[("SYNTH_OFFLINE", "1"), ("HELM", "/bin/helm")]),
            base,
            "order"
        );
        assert_eq!(
            env(&[
                ("HELM", "/bin/helm"),
                ("SYNTH_OFFLINE", "1"),
                ("EDITOR", "vi")
            ]),
            base,
            "a variable no run reads"
        );
        for changed in [
            env(&[("HELM", "/bin/helm2"), ("SYNTH_OFFLINE", "1")]),
            env(&[("HELM", "/bin/helm")]),
            env(&[
                ("HELM", "/bin/helm"),
                ("SYNTH_OFFLINE", "1"),
                ("HELM_DEBUG", "1"),
            ]),
            env(&[
                ("HELM", "/bin/helm"),
                ("SYNTH_OFFLINE", "1"),
                ("NO_COLOR", ""),
            ]),
        ] {
            assert_ne!(changed, base);
        }
        assert!(!base.contains("/bin/helm"), "values are hashed");
    }

    #[test]
    fn a_corrupt_or_other_version_stamp_is_no_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stamp");
        let stamp = Stamp {
            inputs: "a".into(),
            output: "b".into(),
            stdout: "synth: app is up to date (1 objects)\n".into(),
            stderr: "synth: warning: app `x`: ...\n".into(),
        };
        stamp.write(&path).unwrap();
        let read = Stamp::read(&path).unwrap();
        assert_eq!(
            (read.inputs, read.output, read.stdout, read.stderr),
            (stamp.inputs, stamp.output, stamp.stdout, stamp.stderr)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert!(Stamp::read(&path).is_none(), "truncated");
        let current = format!("\"version\":{STAMP_VERSION}");
        assert!(text.contains(&current), "{text}");
        std::fs::write(&path, text.replace(&current, "\"version\":0")).unwrap();
        assert!(Stamp::read(&path).is_none(), "another version");
        std::fs::write(&path, text.replace("\"exit\":0", "\"exit\":1")).unwrap();
        assert!(Stamp::read(&path).is_none(), "not a success");
        assert!(Stamp::read(&dir.path().join("missing")).is_none());
    }

    #[test]
    fn stamps_older_than_a_month_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let (old, fresh) = (dir.path().join("old"), dir.path().join("fresh"));
        for path in [&old, &fresh] {
            std::fs::write(path, "{}").unwrap();
        }
        let month_ago = std::time::SystemTime::now() - KEPT - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .append(true)
            .open(&old)
            .unwrap()
            .set_modified(month_ago)
            .unwrap();
        prune(dir.path());
        assert!(!old.exists());
        assert!(fresh.exists());
    }

    #[test]
    fn the_tree_digest_covers_paths_and_contents() {
        let digest = |entries: &[(&str, &str)]| {
            let hashed: Vec<(&str, [u8; 32])> = entries
                .iter()
                .map(|(path, content)| (*path, Sha256::digest(content.as_bytes()).into()))
                .collect();
            tree_digest(hashed.iter().map(|(path, digest)| (*path, digest)))
        };
        let base = digest(&[("a/x.yaml", "1"), ("b/y.yaml", "2")]);
        assert_ne!(digest(&[("a/x.yaml", "1"), ("b/y.yaml", "3")]), base);
        assert_ne!(digest(&[("a/x.yaml", "1"), ("b/z.yaml", "2")]), base);
        assert_ne!(digest(&[("a/x.yaml", "1")]), base);
        assert_ne!(digest(&[("a/x.yaml", "1b/y.yaml2")]), base);
    }
}
