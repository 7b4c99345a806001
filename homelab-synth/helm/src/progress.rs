//! Progress of long renders, on standard error, only when it is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

pub(crate) struct Progress {
    total: usize,
    done: Mutex<usize>,
    enabled: bool,
}

impl Progress {
    pub(crate) fn new(total: usize, wanted: bool) -> Self {
        Progress {
            total,
            done: Mutex::new(0),
            enabled: wanted && total > 0 && std::io::stderr().is_terminal(),
        }
    }

    /// A render of `what` finished; `rendered` is false for cache hits.
    pub(crate) fn finished(&self, what: &str, rendered: bool) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done += 1;
        if !self.enabled || !rendered && *done < self.total {
            return;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[2Ksynth: helm {}/{} {what}",
            *done, self.total
        );
        if *done == self.total {
            let _ = writeln!(stderr);
        }
        let _ = stderr.flush();
    }
}
