//! The report for a terminal: one line per object (`+` added, `~` changed, `-` removed) and
//! the unified diff of each changed object, colored when asked.

use std::fmt::Write as _;

use crate::compare::Report;

const GREEN: &str = "\u{1b}[32m";
const RED: &str = "\u{1b}[31m";
const YELLOW: &str = "\u{1b}[33m";
const CYAN: &str = "\u{1b}[36m";
const BOLD: &str = "\u{1b}[1m";
const RESET: &str = "\u{1b}[0m";

/// Renders `report` as text, with ANSI colors when `color` is set.
pub fn terminal(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    if report.is_empty() {
        return "no changes\n".to_owned();
    }
    let mut out = String::new();
    for app in &report.deleted_apps {
        let _ = writeln!(
            out,
            "{}",
            paint(
                RED,
                &format!("deletes app {app}/: publishing removes it and every resource in it")
            )
        );
    }
    for (app, changes) in &report.apps {
        let _ = writeln!(out, "{}", paint(BOLD, &format!("{app}/")));
        for change in &changes.added {
            let _ = writeln!(out, "{}", paint(GREEN, &format!("+ {}", change.key)));
        }
        for change in &changes.changed {
            let _ = writeln!(out, "{}", paint(YELLOW, &format!("~ {}", change.key)));
            for line in change.text.lines() {
                let code = if line.starts_with("+++") || line.starts_with("---") {
                    BOLD
                } else if line.starts_with('+') {
                    GREEN
                } else if line.starts_with('-') {
                    RED
                } else if line.starts_with("@@") {
                    CYAN
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "    {}",
                    if code.is_empty() {
                        line.to_owned()
                    } else {
                        paint(code, line)
                    }
                );
            }
        }
        for change in &changes.removed {
            let _ = writeln!(out, "{}", paint(RED, &format!("- {}", change.key)));
        }
    }
    let _ = writeln!(
        out,
        "{} object(s) differ in {} app(s)",
        report.count(),
        report.apps.len()
    );
    out
}
