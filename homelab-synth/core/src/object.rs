//! API objects as a chart holds them: typed objects (any k8s-openapi type or
//! `kube::CustomResource` type) and untyped objects, both turned into one record that keeps
//! the JSON body, the scope, the patches, the dependencies and the checks the author
//! explicitly allowed.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::compact_json::CompactJson;
use crate::deferred_schemas::DeferredSchemas;
use crate::patch::JsonPatch;
use crate::scope::{Scope, ScopeMarker, builtin_scope, group_of};

/// Anything that can be added to a chart as a typed object: every `k8s-openapi` resource and
/// every `kube::CustomResource` type (both implement `kube::Resource` with a static type and a
/// namespaced or cluster scope marker).
pub trait TypedObject: Serialize {
    /// `apiVersion` of the type.
    fn api_version() -> String;
    /// `kind` of the type.
    fn kind() -> String;
    /// Whether objects of the type live in a namespace.
    fn scope() -> Scope;
}

impl<K> TypedObject for K
where
    K: kube::Resource<DynamicType = ()> + Serialize,
    K::Scope: ScopeMarker,
{
    fn api_version() -> String {
        K::api_version(&()).into_owned()
    }
    fn kind() -> String {
        K::kind(&()).into_owned()
    }
    fn scope() -> Scope {
        <K::Scope as ScopeMarker>::SCOPE
    }
}

/// The escape hatch: an object given as `apiVersion`, `kind` and a JSON body.
///
/// Its scope comes from [`Untyped::scope`] when set, otherwise from the built-in table of
/// well-known kinds or from a `CustomResourceDefinition` in the same synthesis; when none of
/// them knows the kind, synthesis fails naming the object.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Untyped {
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) body: Map<String, Value>,
    pub(crate) scope: Option<Scope>,
    pub(crate) invalid: Option<UntypedError>,
}

/// Why an [`Untyped`] cannot become an object; synthesis reports it at the object's path and
/// leaves the object out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UntypedError {
    /// The body given to [`Untyped::new`] was neither a JSON object nor `null`.
    #[error("the body of an untyped object must be a JSON object, found {0}")]
    BodyNotAnObject(Value),
    /// No CustomResourceDefinition of the workspace's imported bindings has this name.
    #[error("no imported CustomResourceDefinition is named `{name}`; see `synth import`")]
    UnknownImportedCrd {
        /// The CRD's name (`plural.group`).
        name: String,
    },
}

impl Untyped {
    /// An object of `api_version`/`kind` whose other top-level fields (`metadata`, `spec`,
    /// ...) come from `body`. `body` must be a JSON object; `apiVersion` and `kind` inside
    /// it are replaced by the arguments.
    pub fn new(api_version: impl Into<String>, kind: impl Into<String>, body: Value) -> Self {
        let (body, invalid) = match body {
            Value::Object(map) => (map, None),
            Value::Null => (Map::new(), None),
            other => (Map::new(), Some(UntypedError::BodyNotAnObject(other))),
        };
        Untyped {
            api_version: api_version.into(),
            kind: kind.into(),
            body,
            scope: None,
            invalid,
        }
    }

    /// An object of `api_version`/`kind` that could not be made: adding it to a chart
    /// records nothing but `error`, which synthesis reports at the object's path.
    pub fn invalid(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        error: UntypedError,
    ) -> Self {
        Untyped {
            invalid: Some(error),
            ..Untyped::new(api_version, kind, Value::Null)
        }
    }

    /// Why the object cannot be made, if it cannot.
    pub fn error(&self) -> Option<&UntypedError> {
        self.invalid.as_ref()
    }

    /// Declares the scope of a kind the built-in table does not know.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// The object's `apiVersion`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The object's `kind`.
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

/// A check that an object may explicitly opt out of, always with a reason that stays visible
/// in review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Allow {
    /// A `Secret` that carries `data` or `stringData` in the output.
    SecretData,
    /// A `Service` whose selector matches pods that are not part of this app.
    ExternalSelector,
    /// A workload that needs a ConfigMap or Secret made outside GitOps (a bootstrap Secret,
    /// one an operator creates that synth does not know about).
    ExternalReference,
}

/// Where an object came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built in Rust code.
    Code,
    /// Document `index` (0-based) of an included YAML file (workspace-relative path).
    Included {
        /// Where the document came from: the include's workspace-relative path,
        /// `chart <name> <version>: <template>` for a Helm render, or
        /// `kustomize build <folder>` for a kustomization.
        file: String,
        /// The document's index in that file or render, counted from 0.
        index: usize,
    },
}

/// An object held by a chart, before synthesis resolves its name and metadata.
#[derive(Clone, Debug)]
pub struct ObjectNode {
    pub(crate) chart: usize,
    pub(crate) id: String,
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) scope: Option<Scope>,
    pub(crate) body: NodeBody,
    /// A rendered CRD's schemas, kept as text ([`DeferredSchemas`]).
    pub(crate) schemas: DeferredSchemas,
    pub(crate) patches: Vec<JsonPatch>,
    pub(crate) allowed: Vec<(Allow, String)>,
    pub(crate) origin: Origin,
    /// Why the object cannot be made ([`Untyped::invalid`]): reported when it is resolved.
    pub(crate) invalid: Option<UntypedError>,
}

impl ObjectNode {
    pub(crate) fn typed<T: TypedObject>(
        chart: usize,
        id: String,
        object: &T,
    ) -> Result<Self, serde_json::Error> {
        let body = match serde_json::to_value(object)? {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Ok(ObjectNode::new(
            chart,
            id,
            T::api_version(),
            T::kind(),
            Some(T::scope()),
            body,
            Origin::Code,
        ))
    }

    pub(crate) fn new(
        chart: usize,
        id: String,
        api_version: String,
        kind: String,
        scope: Option<Scope>,
        mut body: Map<String, Value>,
        origin: Origin,
    ) -> Self {
        body.insert("apiVersion".into(), Value::String(api_version.clone()));
        body.insert("kind".into(), Value::String(kind.clone()));
        let scope = scope.or_else(|| builtin_scope(group_of(&api_version), &kind));
        ObjectNode {
            chart,
            id,
            api_version,
            kind,
            scope,
            body: NodeBody::Parsed(body),
            schemas: DeferredSchemas::default(),
            patches: Vec::new(),
            allowed: Vec::new(),
            origin,
            invalid: None,
        }
    }

    pub(crate) fn group(&self) -> &str {
        group_of(&self.api_version)
    }
}

/// An object's body between construction and resolution: parsed, or compact JSON text.
/// An app holds the objects built in code from construction until synthesis resolves them,
/// and a synthesis holds every app of a cluster: those bodies are kept as text
/// ([`NodeBody::compact`]), parsed when resolved. Rendered and included objects are read just
/// before they are resolved and stay parsed.
#[derive(Clone, Debug)]
pub(crate) enum NodeBody {
    /// A parsed JSON object.
    Parsed(Map<String, Value>),
    /// A JSON object as compact text.
    Compact(CompactJson),
}

impl Default for NodeBody {
    fn default() -> Self {
        NodeBody::Parsed(Map::new())
    }
}

impl NodeBody {
    /// The body kept as text.
    pub(crate) fn compact(&mut self) {
        if let NodeBody::Parsed(map) = self {
            let value = Value::Object(std::mem::take(map));
            *self = NodeBody::Compact(CompactJson::new(&value));
        }
    }

    /// The body parsed, for reading and changing it.
    pub(crate) fn parsed(&mut self) -> &mut Map<String, Value> {
        if let NodeBody::Compact(text) = self {
            let map = match text.value() {
                Value::Object(map) => map,
                // only a JSON object is ever kept as text
                _ => Map::new(),
            };
            *self = NodeBody::Parsed(map);
        }
        match self {
            NodeBody::Parsed(map) => map,
            NodeBody::Compact(_) => unreachable!("parsed above"),
        }
    }

    /// The body parsed, leaving an empty one.
    pub(crate) fn take(&mut self) -> Map<String, Value> {
        std::mem::take(self.parsed())
    }

    /// What `read` makes of the body (parsed for it when it is text).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Map<String, Value>) -> T) -> T {
        match self {
            NodeBody::Parsed(map) => read(map),
            NodeBody::Compact(text) => match text.value() {
                Value::Object(map) => read(&map),
                _ => read(&Map::new()),
            },
        }
    }
}

/// A handle to an object of an [`App`](crate::App), returned when the object is added; use it
/// to patch the object, declare dependencies or allow a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef(pub(crate) usize);

/// A handle to a chart of an [`App`](crate::App), for dependencies between charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChartRef(pub(crate) usize);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_body_kept_as_text_parses_back_to_the_same_object() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings"}, "data": {"b": "2", "a": "1"}});
        let Value::Object(map) = object.clone() else {
            unreachable!()
        };
        let mut body = NodeBody::Parsed(map.clone());
        body.compact();
        assert!(matches!(body, NodeBody::Compact(_)));
        assert_eq!(body.read(|read| read.clone()), map);
        assert_eq!(body.parsed()["data"]["b"], "2");
        assert!(matches!(body, NodeBody::Parsed(_)), "parsed to be changed");
        body.parsed().insert("extra".into(), json!(true));
        body.compact();
        let taken = body.take();
        assert_eq!(taken["extra"], true);
        assert_eq!(Value::Object(taken.clone())["metadata"], object["metadata"]);
        assert!(body.take().is_empty(), "taking leaves an empty body");
    }
}
