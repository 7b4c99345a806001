//! Publish never waits forever: a server that accepts connections and never answers, and a
//! pre-receive hook that sleeps, both end in a timeout error with the branch unchanged. Each
//! publish runs on a thread watched with a generous upper bound, so a regression fails
//! instead of hanging the test run.

use std::sync::mpsc;
use std::time::Duration;

use crate::support::{
    BRANCH, Setup, bare_repo, expect_published, git, source_repo, tree, write_hook,
};
use homelab_synth_publish::{PublishError, PublishOutcome};

/// How long a publish may take here before the test calls it a hang.
const HANG: Duration = Duration::from_secs(90);

fn run_bounded(setup: Setup) -> Result<PublishOutcome, PublishError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(setup.run());
    });
    receiver
        .recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("publish still running after {} s: it hangs", HANG.as_secs()))
}

#[test]
fn a_server_that_accepts_and_never_answers_times_out() {
    let address = crate::support::silent_server(HANG);
    let (source, commits) = source_repo(1);
    let url = format!("http://{address}/manifests.git");
    let mut setup = Setup::new(source.path(), &commits[0], &url, tree(&["a"], "v"));
    setup.timeout = Duration::from_secs(2);
    let error = run_bounded(setup).unwrap_err();
    assert_eq!(
        error,
        PublishError::Timeout {
            action: "answer a fetch".into(),
            remote: url.clone(),
            seconds: 2,
        }
    );
    assert!(
        error.to_string().starts_with(&format!(
            "timed out after 2 s waiting for {url} to answer a fetch"
        )),
        "{error}"
    );
}

/// The state letter of process `pid` in `/proc/<pid>/stat`, `None` once it is gone.
fn process_state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[test]
fn a_sleeping_pre_receive_hook_times_out_and_is_stopped() {
    let remote = bare_repo();
    let url = remote.path().to_str().unwrap();
    let (source, commits) = source_repo(2);
    let (tip, _) =
        expect_published(Setup::new(source.path(), &commits[0], url, tree(&["a"], "v0")).run());
    let pid_file = remote.path().join("hook.pid");
    write_hook(
        remote.path(),
        "pre-receive",
        &format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 120\n",
            pid_file.display()
        ),
    );
    let mut setup = Setup::new(source.path(), &commits[1], url, tree(&["a"], "v1"));
    setup.timeout = Duration::from_secs(2);
    let error = run_bounded(setup).unwrap_err();
    assert_eq!(
        error,
        PublishError::Timeout {
            action: "answer a push".into(),
            remote: url.to_owned(),
            seconds: 2,
        }
    );
    assert_eq!(
        git(remote.path(), &["rev-parse", BRANCH]),
        tip,
        "nothing pushed"
    );
    // the hook was stopped with the push (gone, or a zombie waiting for its reaper)
    let pid = std::fs::read_to_string(&pid_file).expect("the hook ran");
    let pid = pid.trim();
    let stopped = (0..1000).any(|_| {
        let state = process_state(pid);
        std::thread::sleep(Duration::from_millis(10));
        matches!(state, None | Some('Z' | 'X'))
    });
    assert!(stopped, "the hook's sleep {pid} still runs");
}
