//! Reading a location: a local file, or an `http(s)://` URL with a small blocking client
//! (plain http is accepted, for local chart repositories and mirrors). Repository indexes
//! (`index.yaml`) are read with the shared YAML reader.

use std::time::Duration;

use homelab_synth_core::yaml::{ReadError, read_documents};
use serde_json::Value;

/// Why a location or a repository index cannot be read; each names the location.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The request or the download of a URL failed.
    #[error("GET {location}: {error}")]
    Get {
        /// The URL.
        location: String,
        /// What the HTTP client reported.
        error: Box<ureq::Error>,
    },
    /// A local file cannot be read.
    #[error("{location}: {error}")]
    File {
        /// The path.
        location: String,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// An index is not UTF-8.
    #[error("{location} is not UTF-8")]
    NotUtf8 {
        /// The index's location.
        location: String,
    },
    /// An index is not YAML.
    #[error("{location}: {error}")]
    Yaml {
        /// The index's location.
        location: String,
        /// What the YAML reader reported.
        error: ReadError,
    },
    /// The index has no entry for the chart.
    #[error("{location} has no chart named `{name}`")]
    NoChart {
        /// The index's location.
        location: String,
        /// The chart's name.
        name: String,
    },
    /// The index has the chart, but not at that version.
    #[error("{location} has no version {version} of `{name}` (has {})", known.join(", "))]
    NoVersion {
        /// The index's location.
        location: String,
        /// The chart's name.
        name: String,
        /// The version asked for.
        version: String,
        /// The first versions the index has (at most ten).
        known: Vec<String>,
    },
    /// The index's entry for the version has no URL.
    #[error("{location}: `{name}` {version} has no url")]
    NoUrl {
        /// The index's location.
        location: String,
        /// The chart's name.
        name: String,
        /// The version.
        version: String,
    },
}

/// A fetch's result.
pub type Result<T, E = FetchError> = std::result::Result<T, E>;

/// Bytes at `location` (a path or a URL).
pub fn read(location: &str) -> Result<Vec<u8>> {
    let get = |error| FetchError::Get {
        location: location.to_owned(),
        error: Box::new(error),
    };
    if location.starts_with("http://") || location.starts_with("https://") {
        // OpenSSL (native-tls) with the system's root certificates: the one TLS stack
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::NativeTls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .tls_config(tls)
            .build()
            .into();
        let mut response = agent.get(location).call().map_err(get)?;
        response
            .body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_vec()
            .map_err(get)
    } else {
        std::fs::read(location).map_err(|error| FetchError::File {
            location: location.to_owned(),
            error,
        })
    }
}

/// `relative` resolved against the folder or URL `base`.
pub fn join(base: &str, relative: &str) -> String {
    if relative.contains("://") || relative.starts_with('/') {
        relative.to_owned()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), relative)
    }
}

/// An entry of a repository index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// Where the package is (resolved against the repository).
    pub url: String,
    /// `sha256:<hex>` from the index, if it has one.
    pub digest: Option<String>,
}

/// The entry of chart `name` at `version` in the repository at `repository`.
pub fn index_entry(repository: &str, name: &str, version: &str) -> Result<IndexEntry> {
    let location = join(repository, "index.yaml");
    let bytes = read(&location)?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(FetchError::NotUtf8 { location });
    };
    let index = match read_documents(&text) {
        Ok(documents) => documents.into_iter().next().unwrap_or(Value::Null),
        Err(error) => return Err(FetchError::Yaml { location, error }),
    };
    let Some(versions) = index["entries"][name].as_array() else {
        return Err(FetchError::NoChart {
            location,
            name: name.to_owned(),
        });
    };
    let Some(entry) = versions
        .iter()
        .find(|entry| entry["version"].as_str() == Some(version))
    else {
        return Err(FetchError::NoVersion {
            location,
            name: name.to_owned(),
            version: version.to_owned(),
            known: versions
                .iter()
                .filter_map(|e| e["version"].as_str())
                .take(10)
                .map(str::to_owned)
                .collect(),
        });
    };
    let Some(url) = entry["urls"][0].as_str() else {
        return Err(FetchError::NoUrl {
            location,
            name: name.to_owned(),
            version: version.to_owned(),
        });
    };
    let digest = entry["digest"].as_str().filter(|d| !d.is_empty()).map(|d| {
        if d.starts_with("sha256:") {
            d.to_owned()
        } else {
            format!("sha256:{d}")
        }
    });
    Ok(IndexEntry {
        url: join(repository, url),
        digest,
    })
}
