//! A side of `synth diff` given as a git revision: synthesized by that revision's own code,
//! built with cargo in a persistent worktree so that a second diff rebuilds only what changed.
//!
//! Layout, below `<target>/synth-diff` (`<target>`: `CARGO_TARGET_DIR`, else the workspace's
//! `target`; `SYNTH_DIFF_TARGET_DIR` replaces the whole folder):
//!
//! - `tree/`: one detached git worktree at a stable path, moved to each revision with
//!   `git checkout --detach --force` and cleaned, so only the files that differ get new
//!   modification times and cargo rebuilds only the crates they belong to; relative path
//!   dependencies that leave the repository are made absolute in its manifests
//!   ([`crate::cmd::revision_paths`]), since the worktree is not where the repository is;
//! - `target/`: that worktree's own target folder. Sharing the workspace's target folder
//!   would be wrong: cargo hashes workspace packages by their path relative to the workspace
//!   root and writes relative paths in dep-info, so artifacts of one checkout can look fresh
//!   to the other;
//! - `lock`: held (flock) for the whole diff, so two diffs never move the worktree under
//!   each other.
//!
//! Before every build that target folder takes over the workspace's builds of its
//! dependencies and of the crates the revision has unchanged
//! ([`crate::cmd::revision_builds`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use homelab_synth_diff::Tree;

/// What a git command may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// The persistent worktree and its target folder, locked for this process.
pub(crate) struct Revisions {
    workspace: PathBuf,
    tree: PathBuf,
    target: PathBuf,
    /// The workspace's own `debug` folder, whose units the worktree adopts.
    built: PathBuf,
    package: String,
    build_timeout: Duration,
    _lock: File,
}

impl Revisions {
    /// Opens (creating on first use) the worktree folder of the workspace at
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
        Ok(Revisions {
            workspace: workspace.to_path_buf(),
            tree: base.join("tree"),
            target: base.join("target"),
            built: main_target.join("debug"),
            package: package.to_owned(),
            build_timeout,
            _lock: lock,
        })
    }

    /// Synthesizes `commit` (named `revision` on the command line) with its own code.
    pub(crate) fn synthesize(&self, revision: &str, commit: &str) -> anyhow::Result<Tree> {
        self.checkout(commit)?;
        // relative path dependencies leaving the repository name nothing from the worktree
        crate::cmd::revision_paths::anchor_paths_outside(&self.tree, &self.workspace)?;
        // what the workspace has built of crates the revision did not change is not built again
        let adoption = crate::cmd::revision_builds::adopt(
            &self.workspace,
            &self.built,
            &self.tree,
            &self.target.join("debug"),
        )?;
        // the index learns the times adoption gave the sources, so the next checkout of the
        // same revision leaves them as they are
        git(&self.tree, &["update-index", "-q", "--refresh"])?;
        if adoption.adopted > 0 {
            eprintln!(
                "synth: the revision takes {} of the workspace's {} crate builds from {}",
                adoption.adopted,
                adoption.adopted + adoption.left,
                self.built.display()
            );
        }
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
pub(crate) fn output_with_deadline(
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
