//! A side of `synth diff` given as a git revision: synthesized by that revision's own code,
//! built with cargo in a persistent worktree so that a second diff rebuilds only what changed.
//!
//! Layout, below `<target>/synth-diff` (`<target>`: `CARGO_TARGET_DIR`, else the workspace's
//! `target`; `SYNTH_DIFF_TARGET_DIR` replaces the whole folder):
//!
//! - `tree/`: one detached git worktree at a stable path, moved to each revision with
//!   `git checkout --detach --force` and cleaned, so only the files that differ get new
//!   modification times and cargo rebuilds only the crates they belong to;
//! - `target/`: that worktree's own target folder. Sharing the workspace's target folder
//!   would be wrong: cargo hashes workspace packages by their path relative to the workspace
//!   root and writes relative paths in dep-info, so artifacts of one checkout can look fresh
//!   to the other;
//! - `lock`: held (flock) for the whole diff, so two diffs never move the worktree under
//!   each other.
//!
//! On first use the new target folder is seeded with the workspace's already built
//! dependencies from the registry (never its own packages, which `cargo metadata --no-deps`
//! names): the same unit hash means the same inputs, so cargo takes them as fresh. Large
//! files (libraries, build script executables, their outputs) are hard links: rustc and the
//! linkers replace an output by renaming a new file over it, never by writing into it.
//! Small files (cargo's fingerprints, dep-info, build script output), which cargo rewrites
//! in place, are copied with their modification time.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use homelab_synth_diff::Tree;

/// Largest file copied rather than linked when seeding (see the module documentation).
const COPY_BELOW: u64 = 64 * 1024;

/// What a git command may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// The persistent worktree and its target folder, locked for this process.
pub(crate) struct Revisions {
    workspace: PathBuf,
    tree: PathBuf,
    target: PathBuf,
    package: String,
    build_timeout: Duration,
    _lock: File,
}

impl Revisions {
    /// Opens (creating and seeding on first use) the worktree folder of the workspace at
    /// `workspace`, whose binary is built from `package`; waits while another diff holds it.
    pub(crate) fn open(
        workspace: &Path,
        package: &str,
        build_timeout: Duration,
    ) -> anyhow::Result<Revisions> {
        let main_target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => std::path::absolute(dir).context("cannot read the current folder")?,
            None => workspace.join("target"),
        };
        let base = match std::env::var_os("SYNTH_DIFF_TARGET_DIR") {
            Some(dir) => std::path::absolute(dir).context("cannot read the current folder")?,
            None => main_target.join("synth-diff"),
        };
        std::fs::create_dir_all(&base)
            .with_context(|| format!("cannot create {}", base.display()))?;
        let lock = lock(&base.join("lock"))?;
        let target = base.join("target");
        if !target.exists() {
            seed(workspace, &main_target.join("debug"), &target)?;
        }
        Ok(Revisions {
            workspace: workspace.to_path_buf(),
            tree: base.join("tree"),
            target,
            package: package.to_owned(),
            build_timeout,
            _lock: lock,
        })
    }

    /// Synthesizes `commit` (named `revision` on the command line) with its own code.
    pub(crate) fn synthesize(&self, revision: &str, commit: &str) -> anyhow::Result<Tree> {
        self.checkout(commit)?;
        let out = self.tree.join("app");
        eprintln!(
            "synth: building {revision} ({}) with cargo in {} ...",
            &commit[..12.min(commit.len())],
            self.target.display()
        );
        let started = Instant::now();
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo
            .args(["run", "--locked", "-p", &self.package, "--", "--workspace"])
            .arg(&self.tree)
            .arg("--out")
            .arg(&out)
            .current_dir(&self.tree)
            .env("CARGO_TARGET_DIR", &self.target)
            // the revision's own target folder is the one it builds in
            .env_remove("SYNTH_DIFF_TARGET_DIR")
            // the report owns standard output; cargo and the revision's synth use standard error
            .stdout(std::io::stderr());
        let status = run_with_deadline(&mut cargo, self.build_timeout)
            .context("cannot run cargo to synthesize the revision")?;
        let elapsed = started.elapsed().as_secs_f64();
        match status {
            Some(status) if status.success() => {
                eprintln!("synth: built and synthesized {revision} in {elapsed:.1} s");
            }
            Some(status) => bail!("synthesizing revision `{revision}` failed ({status})"),
            None => bail!(
                "building revision `{revision}` took longer than {} s and was stopped \
                 (--build-timeout)",
                self.build_timeout.as_secs()
            ),
        }
        Ok(Tree::from_dir(&out)?)
    }

    /// Moves the worktree to `commit`, adding it when it is missing or broken.
    fn checkout(&self, commit: &str) -> anyhow::Result<()> {
        if self.tree.join(".git").exists() {
            let moved = git(
                &self.tree,
                &["checkout", "--quiet", "--detach", "--force", commit],
            )
            .and_then(|()| git(&self.tree, &["clean", "-ffdxq"]));
            if moved.is_ok() {
                return Ok(());
            }
        }
        if self.tree.exists() {
            std::fs::remove_dir_all(&self.tree)
                .with_context(|| format!("cannot remove {}", self.tree.display()))?;
        }
        git(&self.workspace, &["worktree", "prune"])?;
        let tree = self.tree.to_string_lossy();
        git(
            &self.workspace,
            &[
                "worktree", "add", "--quiet", "--detach", "--force", &tree, commit,
            ],
        )
    }
}

/// The commit `revision` names in `workspace`, or `None` when it names none.
pub(crate) fn resolve(workspace: &Path, revision: &str) -> anyhow::Result<Option<String>> {
    let spec = format!("{revision}^{{commit}}");
    let mut command = Command::new("git");
    command
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])
        .current_dir(workspace)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let output = output_with_deadline(&mut command, GIT_TIMEOUT)?;
    if !output.0.success() {
        return Ok(None);
    }
    Ok(Some(output.1.trim().to_owned()))
}

/// `git <args>` in `dir`, its error output in the error.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let (status, _, stderr) = output_with_deadline(&mut command, GIT_TIMEOUT)?;
    if !status.success() {
        bail!("git {} failed: {}", args.join(" "), stderr.trim());
    }
    Ok(())
}

/// Runs `command` (standard output and error as it sets them), stopped after `timeout`;
/// `None` when it was stopped. It stays in synth's process group, so Ctrl-C at a terminal
/// stops cargo and its compilers with synth; at the deadline cargo is killed, and the
/// compilers it started end with the crate they compile.
fn run_with_deadline(
    command: &mut Command,
    timeout: Duration,
) -> anyhow::Result<Option<ExitStatus>> {
    let mut child = command.spawn().context("cannot start it")?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `command` to the end or `timeout`, with its standard output and error.
fn output_with_deadline(
    command: &mut Command,
    timeout: Duration,
) -> anyhow::Result<(ExitStatus, String, String)> {
    let program = command.get_program().to_string_lossy().into_owned();
    // a process group of its own, stopped whole at the deadline (git's helpers included)
    std::os::unix::process::CommandExt::process_group(command, 0);
    let child = command
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    let pid = rustix::process::Pid::from_child(&child);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(timeout) {
        Ok(output) => {
            let output = output.with_context(|| format!("cannot run {program}"))?;
            Ok((
                output.status,
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            ))
        }
        Err(_) => {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            bail!(
                "{program} took longer than {} s and was stopped",
                timeout.as_secs()
            )
        }
    }
}

/// Takes the lock file, waiting (and saying so) while another diff holds it.
fn lock(path: &Path) -> anyhow::Result<File> {
    use rustix::fs::{FlockOperation, flock};
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
        eprintln!(
            "synth: waiting for another synth diff, which holds {}",
            path.display()
        );
        flock(&file, FlockOperation::LockExclusive)
            .with_context(|| format!("cannot lock {}", path.display()))?;
    }
    Ok(file)
}

/// Seeds the new target folder `target` with what `built` (the workspace's `target/debug`)
/// holds of dependencies that are not packages of the workspace.
fn seed(workspace: &Path, built: &Path, target: &Path) -> anyhow::Result<()> {
    let debug = target.join("debug");
    // a fresh folder; filled beside it and renamed, so a seed cut short is never taken
    let staging = target.with_extension("seeding");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
    }
    let staged_debug = staging.join("debug");
    std::fs::create_dir_all(&staged_debug)
        .with_context(|| format!("cannot create {}", staged_debug.display()))?;
    let mut seeded = 0;
    if built.is_dir() {
        let members = members(workspace)?;
        for folder in [".fingerprint", "deps", "build"] {
            let from = built.join(folder);
            let Ok(entries) = std::fs::read_dir(&from) else {
                continue;
            };
            let to = staged_debug.join(folder);
            std::fs::create_dir_all(&to)
                .with_context(|| format!("cannot create {}", to.display()))?;
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if !is_dependency_unit(name, &members) {
                    continue;
                }
                link_or_copy(&entry.path(), &to.join(name))?;
                seeded += 1;
            }
        }
        eprintln!(
            "synth: seeded {} with {seeded} dependency artifacts already built in {}",
            debug.display(),
            built.display()
        );
    }
    std::fs::rename(&staging, target).with_context(|| {
        format!(
            "cannot rename {} to {}",
            staging.display(),
            target.display()
        )
    })?;
    Ok(())
}

/// Names of the workspace's packages and their targets, `-` read as `_`.
fn members(workspace: &Path) -> anyhow::Result<BTreeSet<String>> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(workspace)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (status, stdout, stderr) = output_with_deadline(&mut command, GIT_TIMEOUT)?;
    if !status.success() {
        bail!("cargo metadata failed: {}", stderr.trim());
    }
    let metadata: serde_json::Value =
        serde_json::from_str(&stdout).context("cannot read cargo metadata's answer")?;
    let mut names = BTreeSet::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let package_name = package["name"].as_str().unwrap_or_default();
        names.insert(package_name.replace('-', "_"));
        for target in package["targets"].as_array().into_iter().flatten() {
            names.insert(
                target["name"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('-', "_"),
            );
        }
    }
    names.remove("");
    Ok(names)
}

/// Whether `name` (an entry of `.fingerprint/`, `deps/` or `build/`: `<name>-<hash>`,
/// `lib<name>-<hash>.<ext>`) is a unit of a dependency rather than of a workspace package.
fn is_dependency_unit(name: &str, members: &BTreeSet<String>) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let Some((unit, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    if hash.len() != 16 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return false;
    }
    let unit = unit.replace('-', "_");
    let without_lib = unit.strip_prefix("lib").unwrap_or(&unit);
    !members.contains(&unit) && !members.contains(without_lib)
}

/// Hard links a large file, copies a small one with its modification time; folders
/// recursively.
fn link_or_copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    let metadata = std::fs::symlink_metadata(from)
        .with_context(|| format!("cannot read {}", from.display()))?;
    if metadata.is_dir() {
        std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
        for entry in
            std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
        {
            let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
            link_or_copy(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if metadata.is_symlink() {
        let link =
            std::fs::read_link(from).with_context(|| format!("cannot read {}", from.display()))?;
        std::os::unix::fs::symlink(link, to)
            .with_context(|| format!("cannot create {}", to.display()))?;
        return Ok(());
    }
    if metadata.len() >= COPY_BELOW && std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    let modified = metadata.modified().context("no modification time")?;
    File::options()
        .write(true)
        .open(to)
        .and_then(|file| file.set_modified(modified))
        .with_context(|| format!("cannot set the time of {}", to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_units_are_told_from_workspace_units() {
        let members: BTreeSet<String> = ["synth", "homelab_synth", "homelab_apps_ai", "cli"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for dependency in [
            "serde-0123456789abcdef",
            "libserde-0123456789abcdef.rlib",
            "libserde-0123456789abcdef.rmeta",
            "serde-0123456789abcdef.d",
            "libgit2-sys-0123456789abcdef",
            "liblibgit2_sys-0123456789abcdef.rlib",
            "libthiserror_impl-0123456789abcdef.so",
        ] {
            assert!(is_dependency_unit(dependency, &members), "{dependency}");
        }
        for workspace in [
            "synth-0123456789abcdef",
            "libsynth-0123456789abcdef.rlib",
            "homelab-synth-0123456789abcdef",
            "libhomelab_synth-0123456789abcdef.rmeta",
            "homelab_apps_ai-0123456789abcdef.d",
            "cli-0123456789abcdef",
            "synth",
            "libsynth.rlib",
            "not-a-hash",
        ] {
            assert!(!is_dependency_unit(workspace, &members), "{workspace}");
        }
    }
}
