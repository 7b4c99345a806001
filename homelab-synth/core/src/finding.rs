//! Findings: what synthesis reports about an app, each naming the app, the construct path and
//! the file (the output file, and the source file for included objects). Errors fail the run;
//! warnings are printed and the output is still written.

use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fails the run; nothing is written.
    Error,
    /// Reported; the output is written.
    Warning,
}

/// One problem, located.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The app (output directory) the finding belongs to.
    pub app: String,
    /// Construct path, e.g. `comfyui/comfyui/data`, or the app name for app-wide findings.
    pub path: String,
    /// The files involved: the output file (`<app>/<file>`, relative to the output folder)
    /// and, for included objects, the source file (relative to the workspace) and document.
    pub files: Vec<String>,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
    /// Which check found it, a stable id for scripts (`pod-security`, `routes`, `include`,
    /// ...; the list is in the README).
    pub rule: &'static str,
}

impl Finding {
    /// An error at `path` of `app`.
    pub fn error(app: &str, path: &str, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            app: app.to_owned(),
            path: path.to_owned(),
            files: Vec::new(),
            message: message.into(),
            rule: "",
        }
    }

    /// A warning at `path` of `app`.
    pub fn warning(app: &str, path: &str, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(app, path, message)
        }
    }

    /// The same finding, attributed to `rule` unless a rule is already named.
    #[must_use]
    pub fn by_rule(mut self, rule: &'static str) -> Self {
        if self.rule.is_empty() {
            self.rule = rule;
        }
        self
    }

    /// The same finding, naming a file too.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.files.push(file.into());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: app `{}`: `{}`", self.app, self.path)?;
        if !self.files.is_empty() {
            write!(f, " ({})", self.files.join(", "))?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_app_path_and_files() {
        let finding = Finding::error("comfyui", "comfyui/comfyui/data", "bad quantity `5 Gi`")
            .in_file("comfyui/PersistentVolumeClaim.data.yaml");
        assert_eq!(
            finding.to_string(),
            "error: app `comfyui`: `comfyui/comfyui/data` \
             (comfyui/PersistentVolumeClaim.data.yaml): bad quantity `5 Gi`"
        );
        assert_eq!(
            Finding::warning("a", "a", "m").to_string(),
            "warning: app `a`: `a`: m"
        );
    }
}
