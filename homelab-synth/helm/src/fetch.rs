//! Reading a location: a local file, or an `http(s)://` URL with a small blocking client
//! (plain http is accepted, for local chart repositories and mirrors). Repository indexes
//! (`index.yaml`) are read with the shared YAML reader.

use std::time::Duration;

use homelab_synth_core::yaml::read_documents;
use serde_json::Value;

/// Bytes at `location` (a path or a URL).
pub fn read(location: &str) -> Result<Vec<u8>, String> {
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
        let mut response = agent
            .get(location)
            .call()
            .map_err(|error| format!("GET {location}: {error}"))?;
        response
            .body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_vec()
            .map_err(|error| format!("GET {location}: {error}"))
    } else {
        std::fs::read(location).map_err(|error| format!("{location}: {error}"))
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
pub fn index_entry(repository: &str, name: &str, version: &str) -> Result<IndexEntry, String> {
    let location = join(repository, "index.yaml");
    let bytes = read(&location)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{location} is not UTF-8"))?;
    let index = read_documents(&text)
        .map_err(|error| format!("{location}: {error}"))?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    let versions = index["entries"][name]
        .as_array()
        .ok_or_else(|| format!("{location} has no chart named `{name}`"))?;
    let entry = versions
        .iter()
        .find(|entry| entry["version"].as_str() == Some(version))
        .ok_or_else(|| {
            let known: Vec<&str> = versions
                .iter()
                .filter_map(|e| e["version"].as_str())
                .take(10)
                .collect();
            format!(
                "{location} has no version {version} of `{name}` (has {})",
                known.join(", ")
            )
        })?;
    let url = entry["urls"][0]
        .as_str()
        .ok_or_else(|| format!("{location}: `{name}` {version} has no url"))?;
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
