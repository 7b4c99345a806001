//! The Markdown report for pull requests: a summary table, then one collapsible section per
//! app with a diff block per object. With a limit (a PR comment takes 65,536 characters) the
//! report stops adding object sections before the limit and says what it left out.

use std::fmt::Write as _;

use crate::compare::{Change, Report};

/// Largest comment body GitHub accepts, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Largest job summary written, in bytes: GitHub drops a step summary over 1 MiB.
pub const SUMMARY_LIMIT: usize = 1_000_000;

/// Room kept for the closing truncation note.
const NOTE_RESERVE: usize = 2_048;

/// Renders `report` as Markdown, at most `limit` bytes (so also characters) when given.
pub fn markdown(report: &Report, limit: Option<usize>) -> String {
    markdown_noting(report, limit, None)
}

/// Like [`markdown`]; when the report is cut, its note says the whole diff is in
/// `full_diff_at` (say, "the job summary"), or else how to get it.
pub fn markdown_noting(
    report: &Report,
    limit: Option<usize>,
    full_diff_at: Option<&str>,
) -> String {
    let mut out = String::from("### Rendered manifests\n\n");
    if report.is_empty() {
        out.push_str("No changes to the rendered manifests.\n");
        return out;
    }
    for app in &report.deleted_apps {
        let _ = writeln!(
            out,
            "> **Deletes app `{app}`:** publishing removes its folder, and Argo CD or Flux \
             deletes every resource in it. `synth publish` refuses unless allowed (see \
             Publishing in the README).\n"
        );
    }
    let _ = writeln!(
        out,
        "{} object{} changed in {} app{}.\n",
        report.count(),
        plural(report.count()),
        report.apps.len(),
        plural(report.apps.len())
    );
    out.push_str("| App | Added | Changed | Removed |\n| --- | ---: | ---: | ---: |\n");
    for (app, changes) in &report.apps {
        let _ = writeln!(
            out,
            "| `{app}` | {} | {} | {} |",
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len()
        );
    }
    out.push('\n');

    let budget = limit.map(|limit| limit.saturating_sub(NOTE_RESERVE));
    let mut left_out: Vec<String> = Vec::new();
    for (app, changes) in &report.apps {
        let mut section = format!(
            "<details><summary><code>{app}</code>: {}</summary>\n\n",
            summary(
                changes.added.len(),
                changes.changed.len(),
                changes.removed.len()
            )
        );
        let closing = "</details>\n\n";
        let sections = [
            ("+", "added", &changes.added),
            ("~", "changed", &changes.changed),
            ("-", "removed", &changes.removed),
        ];
        for (sign, verb, list) in sections {
            for change in list.iter() {
                let block = object_block(sign, verb, change);
                let fits = budget.is_none_or(|budget| {
                    out.len() + section.len() + block.len() + closing.len() <= budget
                });
                if fits {
                    section.push_str(&block);
                } else {
                    left_out.push(format!("{app}: {} ({verb})", change.key));
                }
            }
        }
        section.push_str(closing);
        let fits = budget.is_none_or(|budget| out.len() + section.len() <= budget);
        if fits {
            out.push_str(&section);
        } else {
            left_out.push(format!("{app}: the whole section"));
        }
    }
    if !left_out.is_empty() {
        let mut note = format!(
            "> **Truncated:** {} object diff{} did not fit; {}.\n",
            left_out.len(),
            plural(left_out.len()),
            match full_diff_at {
                Some(place) => format!("{place} has the full diff"),
                None => "run `synth diff` locally for the full diff".to_owned(),
            }
        );
        for item in &left_out {
            let line = format!("> - {item}\n");
            if note.len() + line.len() + 64 > NOTE_RESERVE {
                let _ = writeln!(note, "> - and more");
                break;
            }
            note.push_str(&line);
        }
        out.push_str(&note);
    }
    out
}

fn object_block(sign: &str, verb: &str, change: &Change) -> String {
    let fence = fence_for(&change.text);
    let language = if verb == "changed" { "diff" } else { "yaml" };
    format!(
        "**{sign} {}** ({verb})\n\n{fence}{language}\n{}{}{fence}\n\n",
        change.key,
        change.text,
        if change.text.ends_with('\n') {
            ""
        } else {
            "\n"
        }
    )
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn summary(added: usize, changed: usize, removed: usize) -> String {
    [(added, "added"), (changed, "changed"), (removed, "removed")]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, label)| format!("{count} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
