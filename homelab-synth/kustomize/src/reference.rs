//! Remote references as kustomization files write them, and what each one names: a folder of
//! a git repository at a ref (`github.com/org/repo//path?ref=R`,
//! `https://github.com/org/repo/path?ref=R`, `git@`/`.git` forms), or a plain file at an
//! `https://` URL (`.../releases/download/v1/manifests.yaml`). Anything without a scheme or
//! host is a local path. Pure.

/// What a remote reference points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Remote {
    /// A folder (or file) of a git repository at a ref.
    Git {
        /// The repository, normalized: `github.com/org/repo`.
        repo: String,
        /// Path inside the repository, without leading or trailing `/` (empty: the root).
        path: String,
        /// The `ref` (tag, branch or commit); empty when the reference names none.
        reference: String,
    },
    /// A file at a URL.
    File {
        /// The URL, as written.
        url: String,
    },
}

/// Why a reference cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A git reference without `?ref=`: it would follow a moving branch.
    #[error("`{0}` names no `?ref=`: pin a tag or commit so the build is reproducible")]
    NoRef(String),
    /// A scheme or host kustomize would try, but synth cannot pin.
    #[error("`{0}` is a remote reference synth does not understand")]
    Unsupported(String),
}

impl Remote {
    /// The source a lock entry pins: the repository at its ref, or the file URL.
    pub fn source(&self) -> SourceKey {
        match self {
            Remote::Git {
                repo, reference, ..
            } => SourceKey {
                url: repo.clone(),
                reference: reference.clone(),
            },
            Remote::File { url } => SourceKey {
                url: url.clone(),
                reference: String::new(),
            },
        }
    }
}

/// The identity of one locked source: a repository and a ref, or a file URL (ref empty).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKey {
    /// `github.com/org/repo`, or the file URL.
    pub url: String,
    /// The git ref; empty for a file.
    pub reference: String,
}

impl std::fmt::Display for SourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reference.is_empty() {
            f.write_str(&self.url)
        } else {
            write!(f, "{}?ref={}", self.url, self.reference)
        }
    }
}

/// Whether `entry` (a `resources`/`components`/`bases` entry) is remote: it has a scheme, or
/// starts with a host name (`github.com/...`, `gitlab.com/...`, `git@...`).
pub fn is_remote(entry: &str) -> bool {
    if entry.contains("://") || entry.starts_with("git@") {
        return true;
    }
    let first = entry.split('/').next().unwrap_or_default();
    entry.contains('/') && first.contains('.') && first != "." && first != ".." && {
        // a host: labels of letters, digits and `-`, and a known top-level domain shape
        let labels: Vec<&str> = first.split('.').collect();
        labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
            && !first.ends_with(".yaml")
            && !first.ends_with(".yml")
            && !first.ends_with(".json")
    }
}

/// Parses a remote reference.
pub fn parse(entry: &str) -> Result<Remote, ReferenceError> {
    let (without_query, query) = match entry.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (entry, None),
    };
    let reference = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| {
            pair.strip_prefix("ref=")
                .or_else(|| pair.strip_prefix("version="))
        })
        .unwrap_or_default()
        .to_owned();
    let scheme_less = without_query
        .strip_prefix("https://")
        .or_else(|| without_query.strip_prefix("http://"))
        .or_else(|| without_query.strip_prefix("git::https://"))
        .or_else(|| without_query.strip_prefix("ssh://git@"))
        .or_else(|| without_query.strip_prefix("git@"))
        .unwrap_or(without_query);
    let has_scheme = scheme_less.len() != without_query.len() || entry.contains("://");
    let scheme_less = scheme_less.replacen(':', "/", usize::from(entry.starts_with("git@")));
    let (host, rest) = scheme_less
        .split_once('/')
        .ok_or_else(|| ReferenceError::Unsupported(entry.to_owned()))?;
    let looks_git = query.is_some_and(|q| q.contains("ref=") || q.contains("version="))
        || rest.contains("//")
        || rest.contains(".git")
        || !has_scheme
        || entry.starts_with("git@");
    let is_release_asset =
        rest.contains("/releases/download/") || host == "raw.githubusercontent.com";
    let forge = matches!(host, "github.com" | "gitlab.com" | "bitbucket.org");
    if is_release_asset || (has_scheme && !forge && !looks_git) {
        return Ok(Remote::File {
            url: entry.to_owned(),
        });
    }
    // the repository is `org/repo` below the host; what follows is the path
    let (repo_part, path) = match rest.split_once("//") {
        Some((repo, path)) => (repo.to_owned(), path.to_owned()),
        None => {
            let mut segments = rest.splitn(3, '/');
            let org = segments.next().unwrap_or_default();
            let name = segments.next().unwrap_or_default();
            let path = segments.next().unwrap_or_default();
            (format!("{org}/{name}"), path.to_owned())
        }
    };
    let repo_part = repo_part.trim_end_matches('/').trim_end_matches(".git");
    if repo_part.split('/').filter(|s| !s.is_empty()).count() < 2 {
        return Err(ReferenceError::Unsupported(entry.to_owned()));
    }
    if reference.is_empty() {
        return Err(ReferenceError::NoRef(entry.to_owned()));
    }
    Ok(Remote::Git {
        repo: format!("{host}/{repo_part}"),
        path: path.trim_matches('/').to_owned(),
        reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(repo: &str, path: &str, reference: &str) -> Remote {
        Remote::Git {
            repo: repo.into(),
            path: path.into(),
            reference: reference.into(),
        }
    }

    #[test]
    fn every_form_kubeflow_uses() {
        assert_eq!(
            parse("github.com/kubeflow/manifests//common/kubeflow-namespace/base?ref=v1.11.0"),
            Ok(git(
                "github.com/kubeflow/manifests",
                "common/kubeflow-namespace/base",
                "v1.11.0"
            ))
        );
        assert_eq!(
            parse(
                "https://github.com/argoproj/argo-workflows/manifests/base/crds/minimal?ref=v3.7.3"
            ),
            Ok(git(
                "github.com/argoproj/argo-workflows",
                "manifests/base/crds/minimal",
                "v3.7.3"
            ))
        );
        assert_eq!(
            parse("https://github.com/kubernetes-sigs/lws//config/default?ref=v0.7.0"),
            Ok(git(
                "github.com/kubernetes-sigs/lws",
                "config/default",
                "v0.7.0"
            ))
        );
        let file =
            "https://github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml";
        assert_eq!(parse(file), Ok(Remote::File { url: file.into() }));
        assert_eq!(
            parse("http://127.0.0.1:8080/files/app.yaml"),
            Ok(Remote::File {
                url: "http://127.0.0.1:8080/files/app.yaml".into()
            })
        );
        assert_eq!(
            parse("git@github.com:org/repo.git//deploy?ref=abc"),
            Ok(git("github.com/org/repo", "deploy", "abc"))
        );
        assert!(matches!(
            parse("github.com/org/repo//deploy"),
            Err(ReferenceError::NoRef(_))
        ));
    }

    #[test]
    fn local_paths_are_not_remote() {
        for local in [
            "../base",
            "deployment.yaml",
            "./x",
            "base",
            "stub-istio-crds.yaml",
            "a.b/c",
        ] {
            assert!(!is_remote(local), "{local}");
        }
        for remote in [
            "github.com/org/repo//x?ref=v1",
            "https://example.com/a.yaml",
            "git@github.com:org/repo",
        ] {
            assert!(is_remote(remote), "{remote}");
        }
    }
}
