//! What the server printed during a push (hook output, receive-pack's errors): the lines git
//! shows prefixed `remote: `, redacted, of which the last [`KEPT_LINES`] are kept, to be shown
//! one per line.

use std::fmt;

use crate::redact::Redactor;

/// How many of the server's last lines a message shows.
pub const KEPT_LINES: usize = 20;

/// The last lines the server printed, token masked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerOutput {
    /// The kept lines, oldest first, without the `remote: ` prefix.
    pub lines: Vec<String>,
    /// How many earlier lines were left out.
    pub omitted: usize,
}

impl ServerOutput {
    /// The server's lines in git's standard error: those prefixed `remote: `, with the
    /// padding git adds to clear the terminal line removed; blank lines at either end dropped.
    pub(crate) fn from_stderr(stderr: &str, redactor: &Redactor) -> Self {
        let mut lines: Vec<String> = stderr
            .split(['\n', '\r'])
            .filter_map(|line| line.strip_prefix("remote:"))
            .map(|line| redactor.clean(line.strip_prefix(' ').unwrap_or(line).trim_end()))
            .collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        let first = lines.iter().position(|line| !line.is_empty());
        lines.drain(..first.unwrap_or(lines.len()));
        let omitted = lines.len().saturating_sub(KEPT_LINES);
        lines.drain(..omitted);
        ServerOutput { lines, omitted }
    }

    /// Whether the server printed nothing.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Nothing when empty; otherwise a line break, then each line indented and prefixed
/// `remote: ` on its own line.
impl fmt::Display for ServerOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return Ok(());
        }
        write!(f, "; the server said:")?;
        if self.omitted > 0 {
            write!(f, "\n  remote: [{} earlier line(s) left out]", self.omitted)?;
        }
        for line in &self.lines {
            write!(f, "\n  remote: {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_redacted_and_one_per_line() {
        let mut stderr = String::from("To /srv/manifests.git\n");
        for index in 1..=25 {
            stderr.push_str(&format!("remote: line {index} token=s3cr3t        \n"));
        }
        stderr.push_str("remote: \nerror: failed to push some refs to '/srv/manifests.git'\n");
        let output = ServerOutput::from_stderr(&stderr, &Redactor::new(Some("s3cr3t")));
        assert_eq!(output.omitted, 5);
        assert_eq!(output.lines.len(), KEPT_LINES);
        assert_eq!(output.lines[0], "line 6 token=***");
        assert_eq!(output.lines[19], "line 25 token=***");
        let shown = output.to_string();
        assert!(
            shown.starts_with("; the server said:\n  remote: [5 earlier line(s) left out]\n  remote: line 6 token=***\n"),
            "{shown}"
        );
        assert!(!shown.contains("s3cr3t") && !shown.contains("failed to push"));
        assert_eq!(
            ServerOutput::from_stderr("fatal: x\n", &Redactor::default()).to_string(),
            ""
        );
    }
}
