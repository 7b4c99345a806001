//! What a chart is: a group of objects of one app that share a namespace, labels and
//! annotations, as in cdk8s, described by its [`ChartProps`]. Most apps have one chart; an app
//! may have several (e.g. a dashboard and the controller that serves it), each with its own
//! props. The handle objects are added through, `Chart`, is the app's (`crate::app::Chart`):
//! it borrows the app, which stores these props.

use std::collections::BTreeMap;

/// How names are generated for objects that do not set `metadata.name`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Naming {
    /// The object's construct id below the chart, made a valid DNS-1123 label; a short hash is
    /// appended only when the id cannot be used as it is (see [`crate::names::path_name`]).
    #[default]
    Readable,
    /// The cdk8s algorithm over the chart id and the construct ids: lowercased components
    /// joined by `-` plus an 8-character hash of the path (see
    /// [`crate::names::dns_label_name`]), so names match what cdk8s generates.
    Cdk8s,
}

/// Settings shared by every object of a chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartProps {
    /// Namespace set on every namespaced object that does not set its own. Default: none
    /// (then every namespaced object must set one).
    pub namespace: Option<String>,
    /// Labels added to every object; an object's own label with the same key wins.
    /// Default: none.
    pub labels: BTreeMap<String, String>,
    /// Annotations added to every object; an object's own annotation wins. Default: none.
    pub annotations: BTreeMap<String, String>,
    /// How names are generated for objects without `metadata.name`. Default:
    /// [`Naming::Readable`].
    pub naming: Naming,
}

impl ChartProps {
    /// Props with only a namespace set.
    pub fn namespace(namespace: impl Into<String>) -> Self {
        ChartProps {
            namespace: Some(namespace.into()),
            ..ChartProps::default()
        }
    }
}
