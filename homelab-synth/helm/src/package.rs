//! Reading a chart package (`.tgz`): name, version, default values (with each subchart's
//! defaults under its name or alias, subcharts packaged as folders or nested archives) and
//! `values.schema.json`.

use std::collections::BTreeMap;
use std::io::Read;

use homelab_synth_core::helm_release::ChartInfo;
use homelab_synth_core::helm_release::values::coalesce;
use homelab_synth_core::yaml::{ReadError, read_documents};
use serde_json::{Map, Value};

/// Why a package cannot be read; each names the file inside the package at fault.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// No `<chart>/Chart.yaml` at the top of the archive.
    #[error("the package has no Chart.yaml")]
    NoChartYaml,
    /// `values.schema.json` is not JSON.
    #[error("values.schema.json is not JSON: {0}")]
    SchemaNotJson(serde_json::Error),
    /// The archive (gzip or tar) cannot be read.
    #[error("cannot read the package: {0}")]
    Archive(std::io::Error),
    /// An entry's path cannot be read.
    #[error("bad path in the package: {0}")]
    BadPath(std::io::Error),
    /// A file inside the package cannot be read.
    #[error("cannot read {path} in the package: {error}")]
    File {
        /// The file's path inside the archive.
        path: String,
        /// What reading it reported.
        error: std::io::Error,
    },
    /// A YAML file is not UTF-8.
    #[error("{path} is not UTF-8")]
    NotUtf8 {
        /// The file's path inside the archive.
        path: String,
    },
    /// A YAML file is not YAML.
    #[error("{path}: {error}")]
    Yaml {
        /// The file's path inside the archive.
        path: String,
        /// What the YAML reader reported.
        error: ReadError,
    },
}

/// A package reading's result.
pub type Result<T, E = PackageError> = std::result::Result<T, E>;

/// The files of a package, by path inside the archive.
type Files = BTreeMap<String, Vec<u8>>;

/// The chart in package `bytes`, whose digest is `digest`.
pub fn chart_info(bytes: &[u8], digest: &str) -> Result<ChartInfo> {
    let files = unpack(bytes)?;
    let root = files
        .keys()
        .find_map(|path| {
            path.strip_suffix("/Chart.yaml")
                .filter(|p| !p.contains('/'))
        })
        .ok_or(PackageError::NoChartYaml)?
        .to_owned();
    let (name, version, values) = chart_values(&files, &format!("{root}/"))?;
    let schema = match files.get(&format!("{root}/values.schema.json")) {
        Some(bytes) => Some(serde_json::from_slice(bytes).map_err(PackageError::SchemaNotJson)?),
        None => None,
    };
    let conditions = dependency_conditions(&yaml(&files, &format!("{root}/Chart.yaml"))?);
    Ok(ChartInfo {
        name,
        version,
        digest: digest.to_owned(),
        values,
        schema,
        conditions,
    })
}

/// The value paths a `Chart.yaml` reads to enable its dependencies: each `condition` (a
/// comma-separated list of paths) and each tag as `tags.<tag>`; sorted, without duplicates.
fn dependency_conditions(chart: &Value) -> Vec<String> {
    let mut paths = std::collections::BTreeSet::new();
    for dependency in chart["dependencies"].as_array().into_iter().flatten() {
        if let Some(condition) = dependency["condition"].as_str() {
            paths.extend(
                condition
                    .split(',')
                    .map(str::trim)
                    .filter(|path| !path.is_empty())
                    .map(str::to_owned),
            );
        }
        for tag in dependency["tags"].as_array().into_iter().flatten() {
            if let Some(tag) = tag.as_str() {
                paths.insert(format!("tags.{tag}"));
            }
        }
    }
    paths.into_iter().collect()
}

fn unpack(bytes: &[u8]) -> Result<Files> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut files = Files::new();
    let entries = archive.entries().map_err(PackageError::Archive)?;
    for entry in entries {
        let mut entry = entry.map_err(PackageError::Archive)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(PackageError::BadPath)?
            .to_string_lossy()
            .into_owned();
        let wanted = path.ends_with("/Chart.yaml")
            || path.ends_with("/values.yaml")
            || path.ends_with("/values.schema.json")
            || (path.contains("/charts/") && path.ends_with(".tgz"));
        if !wanted {
            continue;
        }
        let mut content = Vec::new();
        if let Err(error) = entry.read_to_end(&mut content) {
            return Err(PackageError::File { path, error });
        }
        files.insert(path, content);
    }
    Ok(files)
}

fn yaml(files: &Files, path: &str) -> Result<Value> {
    let Some(bytes) = files.get(path) else {
        return Ok(Value::Object(Map::new()));
    };
    let text = std::str::from_utf8(bytes).map_err(|_| PackageError::NotUtf8 {
        path: path.to_owned(),
    })?;
    let value = read_documents(text)
        .map_err(|error| PackageError::Yaml {
            path: path.to_owned(),
            error,
        })?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    Ok(if value.is_null() {
        Value::Object(Map::new())
    } else {
        value
    })
}

/// Name, version and default values of the chart whose files start with `prefix`.
fn chart_values(files: &Files, prefix: &str) -> Result<(String, String, Value)> {
    let chart = yaml(files, &format!("{prefix}Chart.yaml"))?;
    let name = chart["name"].as_str().unwrap_or_default().to_owned();
    let version = match &chart["version"] {
        Value::String(v) => v.clone(),
        other => other.to_string(),
    };
    let mut values = yaml(files, &format!("{prefix}values.yaml"))?;
    let aliases: BTreeMap<String, String> = chart["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d["name"].as_str()?.to_owned(),
                d["alias"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let mut subcharts = Vec::new();
    let charts = format!("{prefix}charts/");
    for path in files.keys() {
        let Some(rest) = path.strip_prefix(&charts) else {
            continue;
        };
        if let Some(folder) = rest
            .strip_suffix("/Chart.yaml")
            .filter(|f| !f.contains('/'))
        {
            subcharts.push(chart_values(files, &format!("{charts}{folder}/"))?);
        } else if rest.ends_with(".tgz") && !rest.contains('/') {
            let nested = unpack(&files[path])?;
            let root = nested
                .keys()
                .find_map(|p| p.strip_suffix("/Chart.yaml").filter(|p| !p.contains('/')))
                .map(str::to_owned);
            if let Some(root) = root {
                subcharts.push(chart_values(&nested, &format!("{root}/"))?);
            }
        }
    }
    if let Value::Object(map) = &mut values {
        for (sub_name, _, sub_values) in subcharts {
            let key = aliases.get(&sub_name).cloned().unwrap_or(sub_name);
            let merged = match map.get(&key) {
                Some(parent) => coalesce(&sub_values, parent),
                None => sub_values,
            };
            map.insert(key, merged);
        }
    }
    Ok((name, version, values))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn conditions_and_tags_of_dependencies_are_value_paths() {
        let chart = json!({"dependencies": [
            {"name": "node-feature-discovery", "alias": "nfd",
             "condition": "nfd.enabled, gfd.enabled"},
            {"name": "grafana", "condition": "grafana.enabled", "tags": ["dashboards"]},
            {"name": "plain"},
        ]});
        assert_eq!(
            dependency_conditions(&chart),
            [
                "gfd.enabled",
                "grafana.enabled",
                "nfd.enabled",
                "tags.dashboards"
            ]
        );
        assert!(dependency_conditions(&json!({"name": "x"})).is_empty());
    }
}
