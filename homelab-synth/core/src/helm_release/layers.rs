//! Helm values layered per cluster, the way [`crate::cluster`] layers settings: a
//! [`ValueLayers`] field in the workspace's settings type is filled by the layers
//! (defaults → environment → roles → cluster), each [`ValueLayers::set`] merging over what the
//! layers before it set for that release, by the rule of [`HelmProps::overlay`]: maps merge key
//! by key; a list, a scalar or `null` replaces (lists are never concatenated, so a layer that
//! changes one list item restates the list). An app reads them with
//! [`HelmProps::layered`]; the merged result then goes through the chart's value checks like
//! any value, so a misspelt key in a layer is reported against the chart.
//!
//! A layer that sets values for a release no app on the cluster reads would be a silent
//! no-op: [`check_read`] reports it, and a release that has layered values but does not read
//! them.
//!
//! ```
//! use homelab_synth_core::helm_release::{ChartSource, HelmProps, ValueLayers};
//! use serde_json::json;
//! let mut layers = ValueLayers::default();
//! // environment layer, then a role layer
//! layers.set("vm", json!({"retention": "30d", "args": ["--a"], "ingress": {"enabled": true}}));
//! layers.set("vm", json!({"retention": "90d", "args": ["--b"]}));
//! let props = HelmProps::new(ChartSource::repo("https://example.com", "vm"), "1.0.0")
//!     .values(json!({"replicas": 1, "retention": "7d"}))
//!     .layered(&layers, "vm");
//! assert_eq!(
//!     props.values,
//!     json!({"replicas": 1, "retention": "90d", "args": ["--b"], "ingress": {"enabled": true}})
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

#[cfg(doc)]
use super::construct::HelmProps;
use super::construct::{HelmReleases, ValuesError, merge};

/// Values per release, merged layer over layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueLayers {
    releases: BTreeMap<String, Value>,
    /// The first layer per release that did not serialize.
    errors: BTreeMap<String, ValuesError>,
}

impl ValueLayers {
    /// Merges `values` (a JSON object, or anything serializing to one) over what earlier
    /// layers set for `release`.
    pub fn set(&mut self, release: &str, values: impl Serialize) {
        let values = match serde_json::to_value(values) {
            Ok(values) => values,
            Err(error) => {
                self.errors
                    .entry(release.to_owned())
                    .or_insert_with(|| ValuesError::serialize(&error));
                // the release still has layers, so a release nobody reads is still reported
                Value::Object(serde_json::Map::new())
            }
        };
        match self.releases.get_mut(release) {
            Some(existing) => merge(existing, values),
            None => {
                self.releases.insert(release.to_owned(), values);
            }
        }
    }

    /// What the layers set for `release`, merged.
    pub fn values_for(&self, release: &str) -> Option<&Value> {
        self.releases.get(release)
    }

    /// Why the layers' values for `release` cannot be used, if a layer did not serialize.
    pub fn error_for(&self, release: &str) -> Option<&ValuesError> {
        self.errors.get(release)
    }

    /// The releases the layers set values for, sorted.
    pub fn releases(&self) -> impl Iterator<Item = &str> {
        self.releases.keys().map(String::as_str)
    }
}

/// A layered release nobody reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    /// The layers set values for a release no app renders or reads.
    #[error(
        "the cluster's layers set Helm values for release `{release}`, which no app on the \
         cluster renders or reads with `HelmProps::layered`; layered releases read: {read}"
    )]
    Unread {
        /// The release name the layers set values for.
        release: String,
        /// The layered releases the apps do read, sorted and joined with `, `, or `none`.
        read: String,
    },
    /// An app renders a release the layers set values for, without reading them.
    #[error(
        "app `{app}` renders release `{release}`, for which the cluster's layers set Helm \
         values, without reading them: add `.layered(&layers, \"{release}\")` to its HelmProps"
    )]
    Ignored {
        /// The app rendering the release.
        app: String,
        /// The release's name, which the layers set values for.
        release: String,
    },
}

/// Every layered release must be read: by some app's [`HelmProps::layered`] on the cluster,
/// and by every release of that name. Only meaningful over all of a cluster's apps.
pub fn check_read<'a, A: HelmReleases + 'a>(
    layers: &ValueLayers,
    apps: impl IntoIterator<Item = &'a A>,
) -> Vec<LayerError> {
    let mut read = BTreeSet::new();
    let mut rendered = BTreeSet::new();
    let mut errors = Vec::new();
    for app in apps {
        for (release, props) in app.helm_releases() {
            rendered.insert(release.to_owned());
            if let Some(key) = &props.layered_as {
                read.insert(key.clone());
            } else if layers.values_for(release).is_some() {
                errors.push(LayerError::Ignored {
                    app: app.app_name().to_owned(),
                    release: release.to_owned(),
                });
            }
        }
    }
    let listed = read.iter().cloned().collect::<Vec<_>>().join(", ");
    for release in layers.releases() {
        if !read.contains(release) && !rendered.contains(release) {
            errors.push(LayerError::Unread {
                release: release.to_owned(),
                read: if listed.is_empty() {
                    "none".to_owned()
                } else {
                    listed.clone()
                },
            });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::helm_release::{ChartSource, HelmProps};
    use crate::{App, ChartProps};

    fn props() -> HelmProps {
        HelmProps::new(ChartSource::repo("https://example.com", "c"), "1.0.0")
    }

    #[test]
    fn later_layers_win_maps_merge_lists_and_nulls_replace() {
        let mut layers = ValueLayers::default();
        layers.set(
            "r",
            json!({"a": 1, "list": [1, 2], "map": {"x": 1, "y": 2}, "gone": {"k": 1}}),
        );
        layers.set(
            "r",
            json!({"a": 2, "list": [3], "map": {"y": 3}, "gone": null}),
        );
        assert_eq!(
            layers.values_for("r"),
            Some(&json!({"a": 2, "list": [3], "map": {"x": 1, "y": 3}, "gone": null}))
        );
        assert_eq!(layers.values_for("other"), None);
    }

    #[test]
    fn values_that_do_not_serialize_are_a_typed_error_that_layering_keeps() {
        let unserializable = BTreeMap::from([((1, 2), 3)]);
        let mut layers = ValueLayers::default();
        layers.set("r", unserializable.clone());
        layers.set("r", json!({"a": 1}));
        let error = "values do not serialize: key must be a string";
        assert_eq!(
            layers.error_for("r").map(ToString::to_string).as_deref(),
            Some(error)
        );
        let layered = props().layered(&layers, "r");
        assert_eq!(layered.values, json!({"a": 1}));
        assert_eq!(layered.values_map().unwrap_err().to_string(), error);
        let direct = props().values(unserializable).overlay(json!({"b": 2}));
        assert_eq!(direct.values_map().unwrap_err().to_string(), error);
        let scalar = props().values(3);
        assert_eq!(
            scalar.values_map().unwrap_err().to_string(),
            "values must be a mapping, found 3"
        );
    }

    #[test]
    fn a_layer_nobody_reads_and_a_release_that_ignores_its_layer_are_errors() {
        let mut layers = ValueLayers::default();
        layers.set("metrics-server", json!({"replicas": 2}));
        layers.set("metrics-servr", json!({"replicas": 2}));
        layers.set("grafana", json!({"replicas": 2}));
        let mut app = App::new("monitoring");
        let mut chart = app.chart("monitoring", ChartProps::namespace("monitoring"));
        chart.helm("metrics-server", props().layered(&layers, "metrics-server"));
        chart.helm("grafana", props());
        let errors: Vec<String> = check_read(&layers, [&app])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            [
                "app `monitoring` renders release `grafana`, for which the cluster's layers set \
                 Helm values, without reading them: add `.layered(&layers, \"grafana\")` to its \
                 HelmProps",
                "the cluster's layers set Helm values for release `metrics-servr`, which no app \
                 on the cluster renders or reads with `HelmProps::layered`; layered releases \
                 read: metrics-server",
            ]
        );
    }
}
