//! What a manifests commit says about its source: the `hydrator.metadata` file of the Argo
//! CD Source Hydrator convention (JSON with the source repository URL and commit) and the
//! `Source-Commit:` trailer of the commit message, which the never-backwards check reads.

use serde_json::{Map, json};

use crate::source::SourceCommit;

/// The trailer key naming the source commit in manifests commit messages.
pub const SOURCE_COMMIT_TRAILER: &str = "Source-Commit";

/// The content of `hydrator.metadata` for a source commit (stable key order, ends in `\n`).
pub fn hydrator_metadata(source: &SourceCommit) -> Vec<u8> {
    // keys inserted in byte order: the map keeps insertion order (`preserve_order`)
    let mut value = Map::new();
    value.insert("author".into(), json!(source.author));
    value.insert("drySha".into(), json!(source.sha));
    if let Some(url) = &source.repo_url {
        value.insert("repoURL".into(), json!(url));
    }
    value.insert("subject".into(), json!(source.subject));
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// The source commit named by the last `Source-Commit:` trailer of a commit message.
pub fn source_commit_of(message: &str) -> Option<String> {
    let prefix = format!("{SOURCE_COMMIT_TRAILER}:");
    message
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|sha| sha.trim().to_owned())
        .filter(|sha| !sha.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_found_at_the_end() {
        let message = "synth: publish abc\n\nChanged: a\n\nSource-Commit: 0123abcd\n";
        assert_eq!(source_commit_of(message).as_deref(), Some("0123abcd"));
        assert_eq!(source_commit_of("no trailer"), None);
    }

    #[test]
    fn metadata_is_stable_json() {
        let source = SourceCommit {
            sha: "abc".into(),
            branch: Some("main".into()),
            repo_url: Some("https://example.com/r.git".into()),
            subject: "Add app".into(),
            author: "A <a@example.com>".into(),
            allow_delete: Vec::new(),
        };
        let text = String::from_utf8(hydrator_metadata(&source)).unwrap();
        assert_eq!(
            text,
            "{\n  \"author\": \"A <a@example.com>\",\n  \"drySha\": \"abc\",\n  \"repoURL\": \"https://example.com/r.git\",\n  \"subject\": \"Add app\"\n}\n"
        );
    }
}
