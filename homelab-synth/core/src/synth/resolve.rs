//! Resolution of one object: its generated name when it has none, the chart namespace on
//! namespaced kinds, the chart labels and annotations merged under its own, and finally its
//! JSON patches. Pure: the same object and chart always resolve to the same JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::app::ChartNode;
use crate::chart::Naming;
use crate::deferred_schemas::{DeferredSchemaError, DeferredSchemas};
use crate::names::{self, NameError};
use crate::object::UntypedError;
use crate::patch::PatchError;
use crate::scope::{Scope, builtin_scope, group_of};
use crate::synth::expand::Item;

/// Why an object cannot be resolved; reported as a finding at the object's path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    /// The object could not be made in the first place.
    #[error(transparent)]
    Invalid(#[from] UntypedError),
    /// `metadata` is not a mapping.
    #[error("`metadata` must be a mapping, found {0}")]
    Metadata(Value),
    /// `metadata.<key>` (labels, annotations) is not a mapping.
    #[error("metadata.`{key}` must be a mapping, found {found}")]
    MetadataField { key: &'static str, found: Value },
    /// A cdk8s-style name could not be generated.
    #[error("cannot generate a name: {0}")]
    Name(#[from] NameError),
    /// A JSON patch does not apply.
    #[error(transparent)]
    Patch(#[from] PatchError),
    /// A rendered CRD's schemas could not be put back for its patches.
    #[error("cannot patch the CRD: {0}")]
    Schemas(#[from] DeferredSchemaError),
    /// A patch removed the `apiVersion` or the `kind`.
    #[error("after patches the object has no `apiVersion` or `kind`")]
    NoApiVersionOrKind,
    /// Neither the object, the built-in table nor a CRD knows the kind's scope.
    #[error(
        "the scope of kind `{kind}` (apiVersion `{api_version}`) is unknown: declare it with \
         `Untyped::scope(Scope::Namespaced)` or `Scope::Cluster`, or include its \
         CustomResourceDefinition"
    )]
    UnknownScope { kind: String, api_version: String },
}

/// Scopes of custom kinds declared by `CustomResourceDefinition`s: `(group, kind)`.
pub(crate) type CrdScopes = BTreeMap<(String, String), Scope>;

/// An object after resolution.
pub(crate) struct Resolved {
    pub(crate) scope: Scope,
    pub(crate) body: Value,
    /// The CRD schemas still kept as text (none once a patch needed them back).
    pub(crate) schemas: DeferredSchemas,
}

/// Resolves `item` in `chart`, moving its body into the result; the error is for a finding
/// at the item's path.
pub(crate) fn resolve(
    item: &mut Item,
    chart: &ChartNode,
    crds: &CrdScopes,
) -> Result<Resolved, ResolveError> {
    if let Some(invalid) = &item.node.invalid {
        return Err(invalid.clone().into());
    }
    let mut body = item.node.body.take();
    let mut schemas = std::mem::take(&mut item.node.schemas);
    let item = &*item;
    let node = &item.node;
    let metadata = object_field(&mut body, "metadata").map_err(ResolveError::Metadata)?;
    if !has_text(metadata, "name") && !has_text(metadata, "generateName") {
        let name = generated_name(item, chart)?;
        metadata.insert("name".into(), Value::String(name));
    }
    let mut scope = node.scope.or_else(|| {
        crds.get(&(node.group().to_owned(), node.kind.clone()))
            .copied()
    });
    if scope == Some(Scope::Namespaced)
        && !has_text(metadata, "namespace")
        && let Some(namespace) = &chart.props.namespace
    {
        metadata.insert("namespace".into(), Value::String(namespace.clone()));
    }
    merge_under(metadata, "labels", &chart.props.labels)?;
    merge_under(metadata, "annotations", &chart.props.annotations)?;

    let mut document = Value::Object(body);
    if !node.patches.is_empty() {
        // a patch may aim anywhere in the CRD, its schemas included
        std::mem::take(&mut schemas).restore(&mut document)?;
    }
    for patch in &node.patches {
        patch.apply(&mut document)?;
    }
    let api_version = document["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let kind = document["kind"].as_str().unwrap_or_default().to_owned();
    if api_version.is_empty() || kind.is_empty() {
        return Err(ResolveError::NoApiVersionOrKind);
    }
    if group_of(&api_version) != node.group() || kind != node.kind {
        // a patch changed the group or kind: the declared scope no longer applies
        let group = group_of(&api_version).to_owned();
        scope = builtin_scope(&group, &kind).or_else(|| crds.get(&(group, kind.clone())).copied());
    }
    let scope = scope.ok_or(ResolveError::UnknownScope { kind, api_version })?;
    Ok(Resolved {
        scope,
        body: document,
        schemas,
    })
}

/// The scope table of every `CustomResourceDefinition` among `items`.
pub(crate) fn crd_scopes<'a>(items: impl IntoIterator<Item = &'a Item>) -> CrdScopes {
    let mut scopes = CrdScopes::new();
    for item in items {
        let node = &item.node;
        if !crate::crd_catalog::is_crd(&node.api_version, &node.kind) {
            continue;
        }
        let defined = node.body.read(|body| {
            let spec = body.get("spec");
            let text = |pointer| {
                spec.and_then(|s| s.pointer(pointer))
                    .and_then(Value::as_str)
            };
            let scope = match text("/scope") {
                Some("Namespaced") => Scope::Namespaced,
                Some("Cluster") => Scope::Cluster,
                _ => return None,
            };
            Some((
                (text("/group")?.to_owned(), text("/names/kind")?.to_owned()),
                scope,
            ))
        });
        if let Some((key, scope)) = defined {
            scopes.insert(key, scope);
        }
    }
    scopes
}

fn generated_name(item: &Item, chart: &ChartNode) -> Result<String, NameError> {
    let ids: Vec<&str> = item.ids.iter().map(String::as_str).collect();
    match chart.props.naming {
        Naming::Readable => Ok(names::path_name(&ids)),
        Naming::Cdk8s => {
            let mut path = vec![chart.id.as_str()];
            path.extend(ids);
            names::dns_label_name(&path, &names::NameOptions::default())
        }
    }
}

/// The mapping at `key` of `body` (made empty when missing or `null`); the error is the value
/// found instead of a mapping.
fn object_field<'a>(
    body: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Map<String, Value>, Value> {
    let value = body
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if value.is_null() {
        *value = Value::Object(Map::new());
    }
    if !value.is_object() {
        return Err(value.clone());
    }
    Ok(value.as_object_mut().expect("checked to be a mapping"))
}

fn has_text(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key)
        .and_then(Value::as_str)
        .is_some_and(|text| !text.is_empty())
}

/// Adds `defaults` to `metadata.<key>` where the object has no value of its own.
fn merge_under(
    metadata: &mut Map<String, Value>,
    key: &'static str,
    defaults: &BTreeMap<String, String>,
) -> Result<(), ResolveError> {
    if defaults.is_empty() {
        return Ok(());
    }
    let own =
        object_field(metadata, key).map_err(|found| ResolveError::MetadataField { key, found })?;
    for (name, value) in defaults {
        own.entry(name.clone())
            .or_insert_with(|| Value::String(value.clone()));
    }
    Ok(())
}
