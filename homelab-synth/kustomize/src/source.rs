//! Remote sources: found in the cache (by digest), then in mirrors (folders or URLs holding
//! the lock's `file`), then at their origin (GitHub's archive of a repository at a ref, or the
//! file URL) unless offline; every copy checked against the locked sha256 before use and kept
//! in the cache. Also what `synth charts lock` needs: the names a mirror may hold a source
//! under, the commit an archive says it was made from, and extraction.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use homelab_synth_helm::cache::{Cache, digest};
use homelab_synth_helm::fetch;

use crate::lock::LockedSource;
use crate::reference::SourceKey;

/// Why a source could not be had or unpacked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// No cache, mirror or origin had it.
    #[error("not available: tried {}", tried.join("; "))]
    Unavailable {
        /// Each place looked in, in order, with why it failed (`cache ...`, `mirror ...`).
        tried: Vec<String>,
    },
    /// A copy with another digest.
    #[error("{origin} has digest {actual}, but the lock says {expected}")]
    Mismatch {
        /// Where the copy came from (a mirror's or the origin's URL).
        origin: String,
        /// The SHA-256 digest the lock records.
        expected: String,
        /// The SHA-256 digest of the copy.
        actual: String,
    },
    /// An archive that cannot be unpacked.
    #[error("cannot unpack {file}: {reason}")]
    Unpack {
        /// The archive's file name.
        file: String,
        /// What unpacking reported, or why an entry was refused.
        reason: String,
    },
}

/// Where sources are looked up.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The cache (`sources/sha256-<hex>`).
    pub cache: Cache,
    /// Mirror folders or URLs, resolved.
    pub mirrors: Vec<String>,
    /// Never contact an origin.
    pub offline: bool,
}

impl Sources {
    /// Where a source of digest `sha256` is cached.
    fn cached(&self, sha256: &str) -> PathBuf {
        self.cache
            .root()
            .join("sources")
            .join(sha256.replace(':', "-"))
    }

    /// The bytes of a locked source, checked against its digest.
    pub fn get(&self, locked: &LockedSource) -> Result<Vec<u8>, SourceError> {
        let cached = self.cached(&locked.sha256);
        if let Ok(bytes) = std::fs::read(&cached)
            && digest(&bytes) == locked.sha256
        {
            return Ok(bytes);
        }
        let mut tried = vec![format!("cache {}", cached.display())];
        for mirror in &self.mirrors {
            let location = fetch::join(mirror, &locked.file);
            match fetch::read(&location) {
                Ok(bytes) => return self.keep(locked, &location, bytes),
                Err(error) => tried.push(format!("mirror {error}")),
            }
        }
        let origin = origin_url(&locked.key());
        if self.offline {
            tried.push(format!("{origin} (offline: not contacted)"));
        } else {
            match fetch::read(&origin) {
                Ok(bytes) => return self.keep(locked, &origin, bytes),
                Err(error) => tried.push(error.to_string()),
            }
        }
        Err(SourceError::Unavailable { tried })
    }

    fn keep(
        &self,
        locked: &LockedSource,
        origin: &str,
        bytes: Vec<u8>,
    ) -> Result<Vec<u8>, SourceError> {
        let actual = digest(&bytes);
        if actual != locked.sha256 {
            return Err(SourceError::Mismatch {
                origin: origin.to_owned(),
                expected: locked.sha256.clone(),
                actual,
            });
        }
        // a cache that cannot be written only costs a later lookup
        let _ = self.cache.write(&self.cached(&actual), &bytes);
        Ok(bytes)
    }

    /// A source that is not locked yet, for `synth charts lock`: the first mirror copy under
    /// one of its [`mirror_names`], else its origin (unless offline). Returns the file name
    /// and the bytes.
    pub fn find_new(&self, key: &SourceKey) -> Result<(String, Vec<u8>), SourceError> {
        let names = mirror_names(key);
        let mut tried = Vec::new();
        for mirror in &self.mirrors {
            let mut candidates: Vec<String> = names.exact.clone();
            if !mirror.contains("://")
                && let Ok(entries) = std::fs::read_dir(mirror)
            {
                let mut listed: Vec<String> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| {
                        name.ends_with(".tar.gz")
                            && names.prefixes.iter().any(|p| name.starts_with(p.as_str()))
                    })
                    .collect();
                listed.sort();
                candidates.extend(listed);
            }
            for name in candidates {
                let location = fetch::join(mirror, &name);
                if let Ok(bytes) = fetch::read(&location) {
                    let _ = self.cache.write(&self.cached(&digest(&bytes)), &bytes);
                    return Ok((name, bytes));
                }
            }
            tried.push(format!("mirror {mirror} ({})", names.exact.join(", ")));
        }
        let origin = origin_url(key);
        if self.offline {
            tried.push(format!("{origin} (offline: not contacted)"));
        } else {
            match fetch::read(&origin) {
                Ok(bytes) => {
                    let _ = self.cache.write(&self.cached(&digest(&bytes)), &bytes);
                    return Ok((names.exact[0].clone(), bytes));
                }
                Err(error) => tried.push(error.to_string()),
            }
        }
        Err(SourceError::Unavailable { tried })
    }
}

/// The names a mirror may hold a source under: exact names, and prefixes of `.tar.gz`
/// archives that hold part of a repository (`argo-workflows-v3.7.3-manifests.tar.gz`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorNames {
    /// Exact file names, the preferred first.
    pub exact: Vec<String>,
    /// Prefixes of archive names.
    pub prefixes: Vec<String>,
}

/// The names a mirror may hold `key` under: `<repo>-<ref>.tar.gz` or
/// `<org>-<repo>-<ref>.tar.gz` for a repository; `<repo>-<tag>-<file>` for a GitHub release
/// asset, else the URL's last segment, for a file.
pub fn mirror_names(key: &SourceKey) -> MirrorNames {
    let segments: Vec<&str> = key.url.split('/').filter(|s| !s.is_empty()).collect();
    if key.reference.is_empty() {
        let base = segments.last().copied().unwrap_or("file").to_owned();
        let mut exact = Vec::new();
        if let Some(at) = segments.iter().position(|s| *s == "releases")
            && segments.get(at + 1) == Some(&"download")
            && at >= 1
            && let Some(tag) = segments.get(at + 2)
        {
            exact.push(format!("{}-{tag}-{base}", segments[at - 1]));
        }
        exact.push(base);
        return MirrorNames {
            exact,
            prefixes: Vec::new(),
        };
    }
    let name = segments.last().copied().unwrap_or("repo");
    let org = segments.iter().rev().nth(1).copied().unwrap_or("org");
    let reference = key.reference.replace('/', "-");
    MirrorNames {
        exact: vec![
            format!("{name}-{reference}.tar.gz"),
            format!("{org}-{name}-{reference}.tar.gz"),
        ],
        prefixes: vec![
            format!("{name}-{reference}-"),
            format!("{org}-{name}-{reference}-"),
        ],
    }
}

/// Where a source comes from at its origin: GitHub's archive of the repository at the ref,
/// or the file URL.
pub fn origin_url(key: &SourceKey) -> String {
    if key.reference.is_empty() {
        return key.url.clone();
    }
    match key.url.strip_prefix("github.com/") {
        Some(repo) => format!(
            "https://codeload.github.com/{repo}/tar.gz/{}",
            key.reference
        ),
        None => format!("https://{}/archive/{}.tar.gz", key.url, key.reference),
    }
}

/// The commit a `git archive` (or GitHub) tarball says it was made from: the `comment` of its
/// pax global header.
pub fn archive_commit(bytes: &[u8]) -> Option<String> {
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let mut entries = archive.entries().ok()?;
    let mut first = entries.next()?.ok()?;
    if first.header().entry_type() != tar::EntryType::XGlobalHeader {
        return None;
    }
    let mut text = String::new();
    first.read_to_string(&mut text).ok()?;
    // pax records: "<length> <key>=<value>\n"
    text.lines().find_map(|line| {
        let (_, record) = line.split_once(' ')?;
        let commit = record.strip_prefix("comment=")?;
        (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| commit.to_owned())
    })
}

/// Unpacks a `.tar.gz` into `destination`, dropping its one top folder. Links and entries
/// that would leave `destination` are refused.
pub fn unpack(bytes: &[u8], file: &str, destination: &Path) -> Result<(), SourceError> {
    let error = |reason: String| SourceError::Unpack {
        file: file.to_owned(),
        reason,
    };
    std::fs::create_dir_all(destination).map_err(|e| error(e.to_string()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    for entry in archive.entries().map_err(|e| error(e.to_string()))? {
        let mut entry = entry.map_err(|e| error(e.to_string()))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            continue;
        }
        let path = entry.path().map_err(|e| error(e.to_string()))?.into_owned();
        let mut parts = path.components();
        parts.next();
        let relative: PathBuf = parts.collect();
        if relative.as_os_str().is_empty() {
            continue;
        }
        if relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(error(format!(
                "entry {} leaves the archive",
                path.display()
            )));
        }
        let target = destination.join(&relative);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| error(e.to_string()))?;
        } else {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| error(e.to_string()))?;
            }
            let mut content = Vec::new();
            entry
                .read_to_end(&mut content)
                .map_err(|e| error(e.to_string()))?;
            std::fs::write(&target, content).map_err(|e| error(e.to_string()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_names_follow_the_shared_copies() {
        let names = mirror_names(&SourceKey {
            url: "github.com/kubeflow/manifests".into(),
            reference: "v1.11.0".into(),
        });
        assert!(
            names
                .exact
                .contains(&"kubeflow-manifests-v1.11.0.tar.gz".to_owned())
        );
        let names = mirror_names(&SourceKey {
            url: "github.com/argoproj/argo-workflows".into(),
            reference: "v3.7.3".into(),
        });
        assert!("argo-workflows-v3.7.3-manifests.tar.gz".starts_with(names.prefixes[0].as_str()));
        let names = mirror_names(&SourceKey {
            url:
                "https://github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml"
                    .into(),
            reference: String::new(),
        });
        assert_eq!(names.exact[0], "jobset-v0.10.1-manifests.yaml");
    }
}
