//! Running the real `git` binary with a deadline: in a process group of its own, so that a
//! timeout stops git and everything it started (`git-remote-http`, a local `receive-pack`
//! and its hooks); with an environment that cannot point it at another repository, never
//! prompts, and speaks English (its answers are read).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Variables that would make git work on another repository than the one it is given, or
/// ask a person for a password.
const CLEARED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_QUARANTINE_PATH",
    "GIT_SHALLOW_FILE",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "LANGUAGE",
];

/// A finished git process.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Whether it exited with status 0.
    pub(crate) success: bool,
    /// Its standard output.
    pub(crate) stdout: String,
    /// Its standard error.
    pub(crate) stderr: String,
}

/// Why git did not finish.
#[derive(Debug)]
pub(crate) enum Unfinished {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran past the deadline and was stopped with its process group.
    TimedOut,
}

/// `git --git-dir=<repo> -c <config>... <args>...` with `env` added, stopped after `timeout`.
pub(crate) fn run_git(
    repo: &Path,
    config: &[String],
    args: &[&str],
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<Finished, Unfinished> {
    let mut command = Command::new("git");
    command.arg("--git-dir").arg(repo);
    for setting in config {
        command.arg("-c").arg(setting);
    }
    command.args(args).current_dir(repo);
    for name in CLEARED {
        command.env_remove(name);
    }
    command
        .env("LC_ALL", "C")
        .env("GIT_TERMINAL_PROMPT", "0")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = command.spawn().map_err(Unfinished::Spawn)?;
    wait(child, timeout)
}

/// Reads both pipes to their end on threads and waits for the child until `timeout`.
fn wait(mut child: Child, timeout: Duration) -> Result<Finished, Unfinished> {
    let deadline = Instant::now() + timeout;
    let (sender, outputs) = mpsc::channel();
    let mut readers = 0;
    for (index, pipe) in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(mut pipe) = pipe else { continue };
        let sender = sender.clone();
        readers += 1;
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = sender.send((index, bytes));
        });
    }
    drop(sender);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                stop_group(&child);
                let _ = child.wait();
                return Err(Unfinished::TimedOut);
            }
        }
    };
    // git has exited; something it started may still hold the pipes until the deadline
    let mut texts = [String::new(), String::new()];
    for _ in 0..readers {
        let left = deadline.saturating_duration_since(Instant::now());
        match outputs.recv_timeout(left) {
            Ok((index, bytes)) => texts[index] = String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => {
                // the group outlives git only while one of its processes runs, so its id
                // cannot have been reused
                stop_group(&child);
                return Err(Unfinished::TimedOut);
            }
        }
    }
    let [stdout, stderr] = texts;
    Ok(Finished {
        success: status.success(),
        stdout,
        stderr,
    })
}

/// SIGKILL to the child's process group (its id is the child's, see `process_group(0)`).
fn stop_group(child: &Child) {
    let pid = rustix::process::Pid::from_child(child);
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}
