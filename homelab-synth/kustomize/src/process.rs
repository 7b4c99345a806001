//! Running a tool with a deadline: standard output and error are read on their own threads
//! (so a chatty tool never blocks on a full pipe), and a process still running at the
//! deadline is killed and reported as such.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a run ended, when it did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The program could not be started.
    #[error("cannot run {program}: {reason}")]
    Start {
        /// The program's file name, without its folder (`kustomize`).
        program: String,
        /// What the operating system reported.
        reason: String,
    },
    /// The program ran past its deadline and was killed.
    #[error("{program} did not finish within {seconds} s and was stopped")]
    Timeout {
        /// The program's file name, without its folder (`kustomize`).
        program: String,
        /// The limit that passed.
        seconds: u64,
    },
    /// The program exited unsuccessfully.
    #[error("{stderr}")]
    Failed {
        /// The program's file name, without its folder (`kustomize`).
        program: String,
        /// Its standard error without `# Warning:` lines, or its exit status when that leaves
        /// nothing.
        stderr: String,
    },
}

/// Runs `command` to completion within `timeout`; its standard output on success.
pub fn run(mut command: Command, timeout: Duration) -> Result<Vec<u8>, RunError> {
    let program = Path::new(command.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|error| RunError::Start {
        program: program.clone(),
        reason: error.to_string(),
    })?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stderr.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => {
                let _ = child.kill();
                return Err(RunError::Start {
                    program,
                    reason: error.to_string(),
                });
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        None => Err(RunError::Timeout {
            program,
            seconds: timeout.as_secs(),
        }),
        Some(status) if status.success() => Ok(stdout),
        Some(status) => {
            let text = String::from_utf8_lossy(&stderr);
            // kustomize prints deprecation warnings of the upstream bases first: keep errors
            let lines: Vec<&str> = text
                .lines()
                .filter(|line| !line.starts_with("# Warning:"))
                .collect();
            let mut message = lines.join("\n").trim().to_owned();
            if message.is_empty() {
                message = format!("{program} exited with {status}");
            }
            Err(RunError::Failed {
                program,
                stderr: message,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_process_is_stopped_at_its_deadline() {
        let mut command = Command::new("sleep");
        command.arg("10");
        let started = Instant::now();
        let result = run(command, Duration::from_millis(200));
        assert!(
            matches!(result, Err(RunError::Timeout { .. })),
            "{result:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn output_and_failures_are_reported() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo out; echo '# Warning: old' >&2; echo bad >&2; exit 3",
        ]);
        assert_eq!(
            run(command, Duration::from_secs(10)),
            Err(RunError::Failed {
                program: "sh".into(),
                stderr: "bad".into()
            })
        );
        let mut command = Command::new("echo");
        command.arg("hi");
        assert_eq!(run(command, Duration::from_secs(10)), Ok(b"hi\n".to_vec()));
    }
}
