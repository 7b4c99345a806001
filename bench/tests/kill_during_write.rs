//! The atomic output contract, tested by killing `synth-bench` with SIGKILL at every moment
//! of a run: whenever the process dies, the output folder holds exactly one complete tree,
//! the previous one or the new one, file set and every byte. Never a mix of both, never a
//! missing or partial tree.
//!
//! The two trees are the bench workload under `--variant 0` and `--variant 1`, which change
//! the content of every file but not the set of files, so any mix is visible file by file.
//! Each run in the replace phase writes the variant that is not on disk, so every run really
//! replaces the tree. Kill delays are spread from 0 to a little more than the typical run
//! time, measured first, so kills land before, during and after the write. A short first
//! phase does the same for a first write into a folder that does not exist yet (the tree
//! must then be absent or complete). After a final normal run no staging folder may remain.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Apps per run: 1,000 files plus 200 folders, a run of well under a second in a debug build
/// on tmpfs and around a second on a slow disk.
const APPS: usize = 200;
/// Kills while replacing an existing tree.
const REPLACE_ITERATIONS: u32 = 40;
/// Kills while writing a tree into a folder that does not exist yet.
const FIRST_WRITE_ITERATIONS: u32 = 8;
/// The latest kill comes this many typical run times after the start, so that the last
/// iterations also see runs that completed.
const LATEST_KILL: f64 = 1.25;
/// Prefix of the library's staging folders beside the output folder.
const STAGING_PREFIX: &str = ".synth-staging-";

/// A complete output tree: relative path (`<app>/<file>`) to the SHA-256 of its content.
type Tree = BTreeMap<String, [u8; 32]>;

/// A workspace with its output folder `app/`.
struct Workspace {
    root: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            root: tempfile::tempdir().expect("create a temporary workspace"),
        }
    }

    fn root(&self) -> &Path {
        self.root.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("app")
    }

    /// Spawns one bench run writing `variant` into this workspace, output discarded.
    fn spawn(&self, variant: u32) -> Child {
        bench_command(self, variant)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn synth-bench")
    }

    /// Runs the bench to completion and returns its wall time; panics unless it succeeds
    /// without warnings.
    fn run_to_completion(&self, variant: u32) -> Duration {
        let started = Instant::now();
        let output = bench_command(self, variant)
            .output()
            .expect("run synth-bench");
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "synth-bench failed: {stderr}");
        assert!(
            stderr.contains(" warnings=0 "),
            "synth-bench reported warnings: {stderr}"
        );
        elapsed
    }

    /// Names of the staging folders currently beside the output folder.
    fn staging_folders(&self) -> Vec<String> {
        fs::read_dir(self.root())
            .expect("list the workspace")
            .map(|entry| entry.expect("read a workspace entry").file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .filter(|name| name.starts_with(STAGING_PREFIX))
            .collect()
    }
}

fn bench_command(workspace: &Workspace, variant: u32) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_synth-bench"));
    command
        .arg("--apps")
        .arg(APPS.to_string())
        .arg("--out")
        .arg(workspace.out())
        .arg("--workspace")
        .arg(workspace.root())
        .arg("--variant")
        .arg(variant.to_string());
    command
}

/// Reads the tree at `out`: app folders holding files only. `None` when `out` is absent.
fn read_tree(out: &Path) -> Option<Tree> {
    let apps = match fs::read_dir(out) {
        Ok(apps) => apps,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => panic!("cannot list {}: {error}", out.display()),
    };
    let mut tree = Tree::new();
    for app in apps {
        let app = app.expect("read an app folder entry");
        let app_name = app.file_name().to_string_lossy().into_owned();
        assert!(
            app.file_type().expect("app folder type").is_dir(),
            "`{app_name}` in {} is not a folder",
            out.display()
        );
        for file in fs::read_dir(app.path()).expect("list an app folder") {
            let file = file.expect("read a file entry");
            let file_name = file.file_name().to_string_lossy().into_owned();
            assert!(
                file.file_type().expect("file type").is_file(),
                "`{app_name}/{file_name}` is not a regular file"
            );
            let content = fs::read(file.path()).expect("read an output file");
            tree.insert(
                format!("{app_name}/{file_name}"),
                Sha256::digest(&content).into(),
            );
        }
    }
    Some(tree)
}

/// Describes how `actual` differs from `expected`, for assertion messages.
fn difference(actual: &Tree, expected: &Tree) -> String {
    let missing = expected
        .keys()
        .filter(|path| !actual.contains_key(*path))
        .count();
    let extra = actual
        .keys()
        .filter(|path| !expected.contains_key(*path))
        .count();
    let changed = expected
        .iter()
        .filter(|(path, hash)| actual.get(*path).is_some_and(|other| other != *hash))
        .count();
    format!("{missing} missing, {extra} extra and {changed} different files")
}

/// The variant whose complete tree `actual` is, among `candidates`; panics naming the
/// difference to each when it is none of them.
fn identify(actual: &Tree, trees: &[Tree; 2], candidates: &[u32], context: &str) -> u32 {
    if let Some(&variant) = candidates
        .iter()
        .find(|&&variant| *actual == trees[variant as usize])
    {
        return variant;
    }
    let report: Vec<String> = candidates
        .iter()
        .map(|&variant| {
            format!(
                "vs variant {variant}: {}",
                difference(actual, &trees[variant as usize])
            )
        })
        .collect();
    panic!(
        "{context}: the output is not one complete tree ({})",
        report.join("; ")
    );
}

/// Delay of kill number `iteration` of `iterations`, spread evenly from 0 to
/// `LATEST_KILL` typical run times.
fn kill_delay(iteration: u32, iterations: u32, typical: Duration) -> Duration {
    typical.mul_f64(LATEST_KILL * f64::from(iteration) / f64::from(iterations - 1))
}

/// Spawns a run, sends SIGKILL after `delay` and reaps it. Returns whether the run was
/// killed (`false`: it had already finished, successfully).
fn run_and_kill(workspace: &Workspace, variant: u32, delay: Duration) -> bool {
    let mut child = workspace.spawn(variant);
    sleep(delay);
    child.kill().expect("send SIGKILL");
    let status: ExitStatus = child.wait().expect("reap synth-bench");
    match status.signal() {
        Some(9) => true,
        None if status.success() => false,
        _ => panic!("synth-bench ended neither killed nor successful: {status}"),
    }
}

/// What the kills of one phase left behind.
#[derive(Debug, Default)]
struct Outcomes {
    /// Runs killed before they finished.
    killed: u32,
    /// Kills after which a staging folder was present: the run died while writing.
    killed_mid_write: u32,
    /// Kills that left the previous tree (or no tree, for a first write).
    previous_tree: u32,
    /// Kills that left the new complete tree.
    new_tree: u32,
}

#[test]
fn a_killed_run_leaves_exactly_one_complete_tree() {
    let started = Instant::now();

    // The two complete trees, each written once into its own fresh workspace.
    let workspace = Workspace::new();
    let first_write = workspace.run_to_completion(0);
    let reference = Workspace::new();
    reference.run_to_completion(1);
    let trees = [
        read_tree(&workspace.out()).expect("variant 0 tree"),
        read_tree(&reference.out()).expect("variant 1 tree"),
    ];
    assert_eq!(trees[0].len(), APPS * 5, "five files per app");
    assert!(
        trees[0].keys().eq(trees[1].keys()),
        "both variants write the same files"
    );
    assert!(
        trees[0]
            .iter()
            .zip(&trees[1])
            .all(|((_, zero), (_, one))| zero != one),
        "the variant changes every file"
    );

    // Typical run time of a replacement, measured both ways.
    let replace_times = [
        workspace.run_to_completion(1),
        workspace.run_to_completion(0),
    ];
    let typical = (replace_times[0] + replace_times[1]) / 2;
    let mut on_disk = identify(
        &read_tree(&workspace.out()).expect("tree after the measured runs"),
        &trees,
        &[0],
        "after the measured runs",
    );

    // Kills while replacing an existing tree.
    let mut replace = Outcomes::default();
    for iteration in 0..REPLACE_ITERATIONS {
        let next = 1 - on_disk;
        let delay = kill_delay(iteration, REPLACE_ITERATIONS, typical);
        let killed = run_and_kill(&workspace, next, delay);
        let mid_write = !workspace.staging_folders().is_empty();
        let context = format!(
            "replace iteration {iteration}: variant {on_disk} -> {next}, killed after {delay:?}"
        );
        let tree = read_tree(&workspace.out())
            .unwrap_or_else(|| panic!("{context}: the output folder is missing"));
        let found = identify(&tree, &trees, &[on_disk, next], &context);
        if !killed {
            assert_eq!(found, next, "{context}: a finished run left the old tree");
        }
        replace.killed += u32::from(killed);
        replace.killed_mid_write += u32::from(killed && mid_write);
        if found == next {
            replace.new_tree += 1;
        } else {
            replace.previous_tree += 1;
        }
        on_disk = found;
    }

    // A normal run after the kills writes the other tree and leaves no staging folder.
    let next = 1 - on_disk;
    workspace.run_to_completion(next);
    let tree = read_tree(&workspace.out()).expect("tree after the final run");
    identify(&tree, &trees, &[next], "after the final run");
    assert_eq!(
        workspace.staging_folders(),
        Vec::<String>::new(),
        "a staging folder was left behind after a normal run"
    );

    // Kills during a first write: no tree or the complete new tree, nothing else.
    let fresh = Workspace::new();
    let mut first = Outcomes::default();
    for iteration in 0..FIRST_WRITE_ITERATIONS {
        let delay = kill_delay(iteration, FIRST_WRITE_ITERATIONS, first_write);
        let killed = run_and_kill(&fresh, 0, delay);
        let mid_write = !fresh.staging_folders().is_empty();
        let context = format!("first-write iteration {iteration}: killed after {delay:?}");
        first.killed += u32::from(killed);
        first.killed_mid_write += u32::from(killed && mid_write);
        match read_tree(&fresh.out()) {
            None => {
                assert!(killed, "{context}: a finished run wrote no tree");
                first.previous_tree += 1;
            }
            Some(tree) => {
                identify(&tree, &trees, &[0], &context);
                first.new_tree += 1;
                fs::remove_dir_all(fresh.out()).expect("remove the tree for the next iteration");
            }
        }
    }
    fresh.run_to_completion(0);
    assert_eq!(fresh.staging_folders(), Vec::<String>::new());

    eprintln!(
        "kill test: {APPS} apps, typical replace {typical:?}, first write {first_write:?}; \
         replace: {replace:?}; first write: {first:?}; total {:?}",
        started.elapsed()
    );
}
