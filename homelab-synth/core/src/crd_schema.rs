//! Custom resources checked against their CRD's schema, as the API server would: each served
//! version's `openAPIV3Schema` becomes a JSON Schema (draft 4, the dialect OpenAPI 3.0 is
//! built on) with Kubernetes' extensions spelled out:
//!
//! - `nullable: true` admits `null`;
//! - unknown fields are errors (the API server would prune them silently, so a typo would be
//!   lost without a word) unless `x-kubernetes-preserve-unknown-fields` says otherwise; an
//!   `x-kubernetes-embedded-resource` also admits `apiVersion`, `kind` and `metadata`;
//! - `x-kubernetes-int-or-string` admits an integer or a string.
//!
//! The CEL rules (`x-kubernetes-validations`) run too, through [`crate::crd_rules`], once
//! the object has no structural violation; formats are not checked.
//!
//! [`CrdSchemas`] holds the schemas by group, version and kind: from CRDs in the synthesis
//! (borrowed, not copied; a rendered CRD's are JSON text, parsed when first read), then from the imported CRDs (a [`CrdCatalog`] the workspace hands
//! in, e.g. its bindings crate's table), each parsed the first time a resource of its group is
//! checked. A validator is compiled the first time a resource of its kind is checked, so a
//! synthesis pays only for the kinds it emits, and once per process: compiled validators are
//! kept by kind and schema, so the clusters of one run (and the runs of one
//! test process) share them. Compiling a large CRD's schema costs far more than checking
//! every resource of its kind, so an object that [`SchemaVerdicts`] know valid against its
//! schema (from an earlier run, see [`crate::crd_verdicts`]) is not checked again.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::crd_catalog::{CrdCatalog, is_crd};
pub use crate::crd_rules::SchemaViolation;
use crate::crd_verdicts::{SchemaVerdicts, VerdictKey, schema_digest};
use crate::deferred_schemas::DeferredSchemas;
use crate::manifest::{AppManifest, Document};

/// Where a schema came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaSource {
    /// A CustomResourceDefinition emitted by an app of this synthesis.
    App {
        /// The app that emits the CRD.
        app: String,
        /// The CRD's `metadata.name` (`widgets.example.com`), empty when it has none.
        crd: String,
    },
    /// An imported CRD (from the [`CrdCatalog`] the synthesis was handed).
    Imported {
        /// The CRD's name in the catalog (`widgets.example.com`).
        crd: String,
    },
}

impl std::fmt::Display for SchemaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaSource::App { app, crd } => write!(f, "CRD `{crd}` of app `{app}`"),
            SchemaSource::Imported { crd } => write!(f, "imported CRD `{crd}`"),
        }
    }
}

struct Entry<'a> {
    source: SchemaSource,
    /// The version's `openAPIV3Schema`.
    schema: Schema<'a>,
    /// The sha256 of `schema` ([`schema_digest`]), computed on first use.
    digest: OnceLock<[u8; 32]>,
    validator: OnceLock<Arc<Compiled>>,
}

/// A version's `openAPIV3Schema`: borrowed from a CRD of the synthesis, owned when parsed
/// from an imported CRD or copied by [`CrdSchemas::add_crd`], or text — a rendered CRD's
/// ([`DeferredSchemas`]) or an imported CRD's as its catalog holds it — parsed the first time
/// it is read.
enum Schema<'a> {
    Parsed(Cow<'a, Value>),
    Text {
        text: Cow<'a, str>,
        parsed: OnceLock<Value>,
    },
}

impl Schema<'_> {
    fn value(&self) -> &Value {
        match self {
            Schema::Parsed(schema) => schema,
            Schema::Text { text, parsed } => parsed.get_or_init(|| {
                serde_json::from_str(text).expect("a schema kept as text was read as JSON")
            }),
        }
    }

    /// The schema's digest: [`schema_digest`] of a parsed one; the sha256 of a text, which
    /// for a rendered CRD is the same (the text is the schema's compact JSON, see
    /// [`crate::deferred_schemas`]) and for an imported one names the schema as the catalog
    /// holds it.
    fn digest(&self) -> [u8; 32] {
        match self {
            Schema::Parsed(schema) => schema_digest(schema),
            Schema::Text { text, .. } => Sha256::digest(text.as_bytes()).into(),
        }
    }
}

/// A schema compiled to a validator, or why it does not compile.
type Compiled = Result<jsonschema::Validator, jsonschema::ValidationError<'static>>;

/// The validators compiled in this process: by `(group, version, kind)`, each with the
/// sha256 of the `openAPIV3Schema` it was compiled from (two syntheses may hold different
/// schemas for one kind, e.g. two versions of a chart's CRDs, so a validator is reused only
/// for the same schema; a digest rather than a copy, as a large CRD's schema held for the
/// whole run would cost more memory than its validator).
type CompiledCache = HashMap<(String, String, String), Vec<([u8; 32], Arc<OnceCompiled>)>>;

/// A validator compiled by the first thread that needs it; the others wait for it.
type OnceCompiled = OnceLock<Arc<Compiled>>;

/// The validator of `schema` (whose sha256 is `digest`) for `key`: compiled once per process
/// and kept (see the module doc). The lock is held only to find or add the kind's slot, so
/// kinds compile in parallel, and two clusters checking the same kind at once compile it once.
fn compiled(key: (&str, &str, &str), digest: [u8; 32], schema: &Schema<'_>) -> Arc<Compiled> {
    static CACHE: OnceLock<Mutex<CompiledCache>> = OnceLock::new();
    let slot = {
        let mut cache = CACHE
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let slots = cache
            .entry((key.0.to_owned(), key.1.to_owned(), key.2.to_owned()))
            .or_default();
        match slots.iter().find(|(known, _)| *known == digest) {
            Some((_, slot)) => Arc::clone(slot),
            None => {
                let slot = Arc::new(OnceCompiled::new());
                slots.push((digest, Arc::clone(&slot)));
                slot
            }
        }
    };
    Arc::clone(slot.get_or_init(|| {
        Arc::new(jsonschema::draft4::options().build(&to_json_schema(schema.value())))
    }))
}

impl<'a> Entry<'a> {
    fn new(source: SchemaSource, schema: Schema<'a>) -> Self {
        Entry {
            source,
            schema,
            digest: OnceLock::new(),
            validator: OnceLock::new(),
        }
    }

    fn digest(&self) -> [u8; 32] {
        *self.digest.get_or_init(|| self.schema.digest())
    }
}

/// An imported CRD, parsed the first time a custom resource of its group is checked: most
/// syntheses use a few of the imported CRDs, and parsing all of them (a megabyte of JSON)
/// took a tenth of a warm synthesis.
struct Imported<'a> {
    /// `metadata.name`, `<plural>.<group>`.
    name: &'a str,
    parsed: OnceLock<Option<ImportedCrd>>,
}

/// The served versions of one imported CRD.
struct ImportedCrd {
    group: String,
    kind: String,
    versions: BTreeMap<String, Entry<'static>>,
}

/// What a schema lookup reads of a CRD's JSON text: its names, and each version's schema as
/// the text it is (borrowed, not parsed).
#[derive(serde::Deserialize)]
struct CrdText<'t> {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(borrow)]
    spec: CrdSpecText<'t>,
}

#[derive(serde::Deserialize)]
struct CrdSpecText<'t> {
    group: String,
    names: CrdNamesText,
    #[serde(borrow, default)]
    versions: Vec<CrdVersionText<'t>>,
}

#[derive(serde::Deserialize)]
struct CrdNamesText {
    kind: String,
}

#[derive(serde::Deserialize)]
struct CrdVersionText<'t> {
    name: String,
    #[serde(default)]
    served: Option<bool>,
    #[serde(borrow, default)]
    schema: Option<CrdSchemaText<'t>>,
}

#[derive(serde::Deserialize)]
struct CrdSchemaText<'t> {
    #[serde(rename = "openAPIV3Schema", borrow, default)]
    open_api_v3_schema: Option<&'t RawValue>,
}

impl ImportedCrd {
    /// The CRD `crd_name` of `catalog`: read from its text when the catalog holds it as
    /// text, each schema kept as text, else parsed.
    fn parse(catalog: &dyn CrdCatalog, crd_name: &str) -> Option<Self> {
        let (group, kind, served) = match catalog.definition_text(crd_name) {
            Some(text) => served_texts(text)?,
            None => served_values(catalog.definition(crd_name)?)?,
        };
        let mut versions = BTreeMap::new();
        for (name, schema) in served {
            let source = SchemaSource::Imported {
                crd: crd_name.to_owned(),
            };
            versions
                .entry(name)
                .or_insert_with(|| Entry::new(source, schema));
        }
        Some(ImportedCrd {
            group,
            kind,
            versions,
        })
    }
}

/// A CRD's group, kind and the schema of each served version, in order.
type ServedSchemas = (String, String, Vec<(String, Schema<'static>)>);

/// [`ServedSchemas`] of a CRD's JSON text, each schema a copy of its text (compact, unlike
/// its parsed form).
fn served_texts(text: &str) -> Option<ServedSchemas> {
    let crd: CrdText<'_> = serde_json::from_str(text).ok()?;
    if !is_crd(&crd.api_version, &crd.kind) {
        return None;
    }
    let served = crd
        .spec
        .versions
        .into_iter()
        .filter(|version| version.served != Some(false))
        .filter_map(|version| {
            let schema = version.schema?.open_api_v3_schema?;
            let schema = Schema::Text {
                text: Cow::Owned(schema.get().to_owned()),
                parsed: OnceLock::new(),
            };
            Some((version.name, schema))
        })
        .collect();
    Some((crd.spec.group, crd.spec.names.kind, served))
}

/// [`ServedSchemas`] of a parsed CRD, each schema moved out of it.
fn served_values(mut crd: Value) -> Option<ServedSchemas> {
    let (group, kind) = crd_kind(&crd).map(|(g, k)| (g.to_owned(), k.to_owned()))?;
    let listed = crd
        .pointer_mut("/spec/versions")
        .and_then(Value::as_array_mut);
    let served = listed
        .into_iter()
        .flatten()
        .filter_map(served_schema)
        .map(|(name, schema)| (name, Schema::Parsed(Cow::Owned(schema.take()))))
        .collect();
    Some((group, kind, served))
}

/// Schemas of custom resources by `(group, version, kind)`: those added from CRDs (borrowed
/// for `'a` where possible), then the imported CRDs, parsed on first use.
#[derive(Default)]
pub struct CrdSchemas<'a> {
    entries: BTreeMap<(String, String, String), Entry<'a>>,
    /// Every imported CRD once [`CrdSchemas::add_imported`] was called, in name order.
    imported: Vec<Imported<'a>>,
    /// Where the imported CRDs are read from.
    catalog: Option<&'a dyn CrdCatalog>,
    /// Objects known valid, asked before checking and told of each valid one.
    verdicts: Option<&'a SchemaVerdicts>,
}

impl<'a> CrdSchemas<'a> {
    /// No schemas.
    pub fn new() -> Self {
        CrdSchemas {
            entries: BTreeMap::new(),
            imported: Vec::new(),
            catalog: None,
            verdicts: None,
        }
    }

    /// Skips the check of an object `verdicts` knows valid against its schema, and tells it
    /// of every object found valid ([`crate::crd_verdicts`]).
    pub fn remember_in(&mut self, verdicts: &'a SchemaVerdicts) {
        self.verdicts = Some(verdicts);
    }

    /// Adds every served version of `crd` (a CustomResourceDefinition document), copying
    /// its schemas; versions already known are kept (the first source wins).
    pub fn add_crd(&mut self, crd: &Value, source: SchemaSource) {
        self.add(crd, None, source, |schema| Cow::Owned(schema.clone()));
    }

    /// [`CrdSchemas::add_crd`] for `crd`, a document of the synthesis: the schemas it keeps
    /// as text are borrowed (and parsed when first read), those in its body copied.
    pub fn add_crd_of(&mut self, crd: &'a Document, source: SchemaSource) {
        self.add(&crd.body(), Some(&crd.schemas), source, |schema| {
            Cow::Owned(schema.clone())
        });
    }

    fn add<'c>(
        &mut self,
        crd: &'c Value,
        deferred: Option<&'a DeferredSchemas>,
        source: SchemaSource,
        keep: impl Fn(&'c Value) -> Cow<'a, Value>,
    ) {
        let Some((group, kind)) = crd_kind(crd) else {
            return;
        };
        let versions = crd.pointer("/spec/versions").and_then(Value::as_array);
        for (index, version) in versions.into_iter().flatten().enumerate() {
            let served = version.get("served").and_then(Value::as_bool) != Some(false);
            let name = version.get("name").and_then(Value::as_str);
            let (true, Some(name)) = (served, name) else {
                continue;
            };
            if self.imported_entry(group, name, kind).is_some() {
                continue;
            }
            let text = deferred.and_then(|deferred| deferred.text(index));
            let schema = match (text, version.pointer("/schema/openAPIV3Schema")) {
                (Some(text), _) => Schema::Text {
                    text: Cow::Borrowed(text),
                    parsed: OnceLock::new(),
                },
                (None, Some(schema)) => Schema::Parsed(keep(schema)),
                (None, None) => continue,
            };
            self.entries
                .entry((group.to_owned(), name.to_owned(), kind.to_owned()))
                .or_insert_with(|| Entry::new(source.clone(), schema));
        }
    }

    /// Adds every CRD of `catalog` (after those already added). Each is parsed only when a
    /// custom resource of its group is looked up.
    pub fn add_imported(&mut self, catalog: &'a dyn CrdCatalog) {
        if !self.imported.is_empty() {
            return;
        }
        self.catalog = Some(catalog);
        self.imported = catalog
            .names()
            .into_iter()
            .map(|name| Imported {
                name,
                parsed: OnceLock::new(),
            })
            .collect();
    }

    /// The schema of `group`/`version`/`kind`: added ones first, then the imported ones.
    fn entry(&self, group: &str, version: &str, kind: &str) -> Option<&Entry<'_>> {
        let key = (group.to_owned(), version.to_owned(), kind.to_owned());
        match self.entries.get(&key) {
            Some(entry) => Some(entry),
            None => self.imported_entry(group, version, kind),
        }
    }

    /// The first imported CRD (in name order) serving `group`/`version`/`kind`. A CRD's name
    /// is `<plural>.<group>` (the API server enforces it), so only the CRDs whose name ends
    /// in `.<group>` are parsed.
    fn imported_entry(&self, group: &str, version: &str, kind: &str) -> Option<&Entry<'static>> {
        if group.is_empty() {
            return None;
        }
        let catalog = self.catalog?;
        self.imported
            .iter()
            .filter(|imported| {
                imported
                    .name
                    .strip_suffix(group)
                    .is_some_and(|plural| plural.ends_with('.'))
            })
            .filter_map(|imported| {
                imported
                    .parsed
                    .get_or_init(|| ImportedCrd::parse(catalog, imported.name))
                    .as_ref()
            })
            .filter(|crd| crd.group == group && crd.kind == kind)
            .find_map(|crd| crd.versions.get(version))
    }

    /// Where the schema of `group`/`version`/`kind` comes from, if known.
    pub fn source(&self, group: &str, version: &str, kind: &str) -> Option<&SchemaSource> {
        self.entry(group, version, kind).map(|entry| &entry.source)
    }

    /// Checks `object` against the schema of its `apiVersion` and `kind`: `None` when no
    /// schema is known, otherwise every violation (empty when the object is valid). A schema
    /// that does not compile is reported as one violation at the root. A schema is compiled
    /// the first time an object of its kind is checked that the verdicts (if any) do not know
    /// valid.
    pub fn validate(&self, object: &Value) -> Option<Vec<SchemaViolation>> {
        let api_version = object.get("apiVersion").and_then(Value::as_str)?;
        let kind = object.get("kind").and_then(Value::as_str)?;
        self.check(
            api_version,
            kind,
            |digest| VerdictKey::of(digest, object),
            || Cow::Borrowed(object),
        )
    }

    /// [`CrdSchemas::validate`] for a document of the synthesis: its body is parsed only
    /// when its kind has a schema and the verdicts do not know it valid (the verdict key is
    /// hashed from the body's text, which is the compact form the key is defined over).
    pub fn validate_document(&self, document: &Document) -> Option<Vec<SchemaViolation>> {
        self.check(
            document.api_version(),
            document.kind(),
            |digest| VerdictKey::of_text(digest, document.body_text()),
            || Cow::Owned(document.body()),
        )
    }

    fn check<'o>(
        &self,
        api_version: &str,
        kind: &str,
        key: impl FnOnce(&[u8; 32]) -> VerdictKey,
        object: impl FnOnce() -> Cow<'o, Value>,
    ) -> Option<Vec<SchemaViolation>> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let entry = self.entry(group, version, kind)?;
        let verdict = self
            .verdicts
            .map(|verdicts| (verdicts, key(&entry.digest())));
        if let Some((verdicts, key)) = &verdict
            && verdicts.is_known_valid(key)
        {
            return Some(Vec::new());
        }
        let validator = entry
            .validator
            .get_or_init(|| compiled((group, version, kind), entry.digest(), &entry.schema));
        let validator = match &**validator {
            Ok(validator) => validator,
            Err(error) => {
                return Some(vec![SchemaViolation {
                    path: String::new(),
                    message: format!("the schema does not compile: {error}"),
                }]);
            }
        };
        let object = object();
        let mut violations: Vec<SchemaViolation> = validator
            .iter_errors(&object)
            .map(|error| SchemaViolation {
                path: error.instance_path().to_string(),
                message: error.to_string(),
            })
            .collect();
        if violations.is_empty() {
            violations = crate::crd_rules::rule_violations(entry.schema.value(), &object);
        }
        violations.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        violations.dedup();
        if let (Some((verdicts, key)), true) = (verdict, violations.is_empty()) {
            verdicts.record_valid(key);
        }
        Some(violations)
    }
}

/// `(name, openAPIV3Schema)` of a served version of a CRD.
fn served_schema(version: &mut Value) -> Option<(String, &mut Value)> {
    if version.get("served").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let name = version.get("name").and_then(Value::as_str)?.to_owned();
    Some((name, version.pointer_mut("/schema/openAPIV3Schema")?))
}

/// A CRD's structural schema as a draft-4 JSON Schema (see the module doc).
pub fn to_json_schema(schema: &Value) -> Value {
    let mut schema = schema.clone();
    convert(&mut schema, false, true);
    schema
}

fn convert(node: &mut Value, in_junctor: bool, root: bool) {
    let Some(object) = node.as_object_mut() else {
        return;
    };
    if object.remove("nullable") == Some(Value::Bool(true))
        && let Some(Value::String(kind)) = object.get("type").cloned()
    {
        object.insert("type".into(), json!([kind, "null"]));
    }
    if object.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        && !object.contains_key("type")
        && !object.contains_key("anyOf")
    {
        object.insert("type".into(), json!(["integer", "string"]));
    }
    let preserve = object.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    let embedded = object.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true));
    if (root || embedded)
        && let Some(Value::Object(properties)) = object.get_mut("properties")
    {
        for field in ["apiVersion", "kind"] {
            properties
                .entry(field)
                .or_insert_with(|| json!({"type": "string"}));
        }
        properties
            .entry("metadata")
            .or_insert_with(|| json!({"type": "object"}));
    }
    if !in_junctor
        && !preserve
        && object.contains_key("properties")
        && !object.contains_key("additionalProperties")
    {
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, child) in object.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" => {
                if let Some(children) = child.as_object_mut() {
                    for child in children.values_mut() {
                        convert(child, in_junctor, false);
                    }
                }
            }
            "items" | "additionalProperties" => convert(child, in_junctor, false),
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(children) = child.as_array_mut() {
                    for child in children {
                        convert(child, true, false);
                    }
                }
            }
            "not" => convert(child, true, false),
            _ => {}
        }
    }
}

/// `(group, kind)` that `object` defines when it is an `apiextensions.k8s.io`
/// CustomResourceDefinition; `None` for anything else.
pub fn crd_kind(object: &Value) -> Option<(&str, &str)> {
    let api_version = object.get("apiVersion").and_then(Value::as_str)?;
    let own_kind = object.get("kind").and_then(Value::as_str)?;
    if !is_crd(api_version, own_kind) {
        return None;
    }
    let group = object.pointer("/spec/group").and_then(Value::as_str)?;
    let defined = object.pointer("/spec/names/kind").and_then(Value::as_str)?;
    Some((group, defined))
}

/// The schemas of a synthesis: the CRDs its apps emit, then those of `catalog`.
pub fn schemas_for_apps<'a>(
    apps: &'a [AppManifest],
    catalog: &'a dyn CrdCatalog,
) -> CrdSchemas<'a> {
    schemas_for(
        apps.iter().flat_map(|app| {
            app.documents
                .iter()
                .filter(|document| document.defined_kind().is_some())
                .map(move |document| (app.name.as_str(), document))
        }),
        catalog,
    )
}

/// The schemas a synthesis checks custom resources against: the CRDs of `crds` (each with
/// the app that emits it), then those of `catalog` (the imported CRDs).
pub fn schemas_for<'a>(
    crds: impl IntoIterator<Item = (&'a str, &'a Document)>,
    catalog: &'a dyn CrdCatalog,
) -> CrdSchemas<'a> {
    let mut schemas = CrdSchemas::new();
    for (app, crd) in crds {
        schemas.add_crd_of(
            crd,
            SchemaSource::App {
                app: app.to_owned(),
                crd: crd.name().to_owned(),
            },
        );
    }
    schemas.add_imported(catalog);
    schemas
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(schema: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "scope": "Namespaced",
                "versions": [
                    {"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": schema}},
                    {"name": "v0", "served": false, "storage": false,
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                ],
            },
        })
    }

    fn schemas() -> CrdSchemas<'static> {
        let mut schemas = CrdSchemas::new();
        schemas.add_crd(
            &crd(json!({
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": {"type": "integer", "minimum": 1},
                            "port": {"x-kubernetes-int-or-string": true},
                            "note": {"type": "string", "nullable": true},
                            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                                         "properties": {"spec": {"type": "object"}}},
                            "mode": {"type": "string", "enum": ["a", "b"]},
                        },
                    },
                },
            })),
            SchemaSource::App {
                app: "widgets".into(),
                crd: "widgets.example.com".into(),
            },
        );
        schemas
    }

    fn widget(spec: Value) -> Value {
        json!({"apiVersion": "example.com/v1", "kind": "Widget",
               "metadata": {"name": "w"}, "spec": spec})
    }

    fn paths(violations: &[SchemaViolation]) -> Vec<&str> {
        violations.iter().map(|v| v.path.as_str()).collect()
    }

    #[test]
    fn a_valid_object_has_no_violations() {
        let object = widget(json!({
            "size": 3, "port": "http", "note": null, "extra": {"anything": [1]},
            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {}},
            "mode": "a",
        }));
        assert_eq!(schemas().validate(&object), Some(vec![]));
        let numeric_port = widget(json!({"size": 1, "port": 8080}));
        assert_eq!(schemas().validate(&numeric_port), Some(vec![]));
    }

    #[test]
    fn valid_objects_are_remembered_and_not_checked_again() {
        let verdicts = SchemaVerdicts::new("g");
        let mut schemas = schemas();
        schemas.remember_in(&verdicts);
        let valid = widget(json!({"size": 3}));
        let invalid = widget(json!({"size": 0}));
        assert_eq!(schemas.validate(&valid), Some(vec![]));
        assert!(!schemas.validate(&invalid).expect("known kind").is_empty());
        let written = verdicts.to_bytes();
        let digest = schemas
            .entry("example.com", "v1", "Widget")
            .expect("known")
            .digest();
        let next = SchemaVerdicts::from_bytes(&written, "g");
        assert!(next.is_known_valid(&VerdictKey::of(&digest, &valid)));
        // a violation is never remembered: it is found and reported again
        assert!(!next.is_known_valid(&VerdictKey::of(&digest, &invalid)));

        // what a set says is valid is not checked: forge a set that calls the invalid
        // object valid, and its violation goes unseen
        let forged = SchemaVerdicts::new("g");
        forged.record_valid(VerdictKey::of(&digest, &invalid));
        let forged = SchemaVerdicts::from_bytes(&forged.to_bytes(), "g");
        let mut trusting = self::schemas();
        trusting.remember_in(&forged);
        assert_eq!(trusting.validate(&invalid), Some(vec![]));
        // ... but the same object against another schema is checked
        let mut other = CrdSchemas::new();
        other.add_crd(
            &crd(
                json!({"type": "object", "properties": {"spec": {"type": "object",
                "properties": {"size": {"type": "integer", "minimum": 2}}}}}),
            ),
            SchemaSource::Imported {
                crd: "widgets.example.com".into(),
            },
        );
        other.remember_in(&forged);
        assert!(!other.validate(&invalid).expect("known kind").is_empty());
    }

    #[test]
    fn violations_carry_the_path() {
        let object = widget(json!({"size": 0, "mode": "c", "colour": "red", "port": true}));
        let violations = schemas().validate(&object).expect("known kind");
        assert_eq!(
            paths(&violations),
            ["/spec", "/spec/mode", "/spec/port", "/spec/size"],
            "{violations:#?}"
        );
        assert!(violations[0].message.contains("colour"), "{violations:#?}");
        let missing = schemas().validate(&widget(json!({}))).expect("known kind");
        assert!(missing[0].message.contains("size"), "{missing:#?}");
    }

    #[test]
    fn unknown_kinds_and_unserved_versions_are_not_checked() {
        let other = json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {}});
        assert_eq!(schemas().validate(&other), None);
        let unserved = json!({"apiVersion": "example.com/v0", "kind": "Widget", "metadata": {}});
        assert_eq!(schemas().validate(&unserved), None);
    }

    /// A catalog of one CRD, `gadgets.example.org`, standing in for a bindings crate's.
    const CATALOG: crate::crd_catalog::StaticCrds = crate::crd_catalog::StaticCrds(&[(
        "gadgets.example.org",
        r#"{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
            "metadata":{"name":"gadgets.example.org"},
            "spec":{"group":"example.org","names":{"kind":"Gadget","plural":"gadgets"},
              "scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,
              "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{
                "type":"object","properties":{"endpoints":{"type":"array","items":{
                  "type":"object","properties":{"port":{"type":"string"},
                  "interval":{"type":"string"}}}}}}}}}}]}}"#,
    )]);

    /// Whether the schema of `Gadget` (imported) has been parsed.
    fn gadget_schema_parsed(schemas: &CrdSchemas<'_>) -> bool {
        match &schemas
            .entry("example.org", "v1", "Gadget")
            .expect("imported")
            .schema
        {
            Schema::Text { parsed, .. } => parsed.get().is_some(),
            Schema::Parsed(_) => true,
        }
    }

    #[test]
    fn an_imported_schema_stays_text_until_a_resource_is_checked_against_it() {
        let gadget = json!({
            "apiVersion": "example.org/v1",
            "kind": "Gadget",
            "metadata": {"name": "m"},
            "spec": {"endpoints": [{"port": "http"}]},
        });
        let earlier = SchemaVerdicts::new("g");
        let mut schemas = schemas_for([], &CATALOG);
        schemas.remember_in(&earlier);
        assert!(!gadget_schema_parsed(&schemas), "looked up, not parsed");
        assert_eq!(schemas.validate(&gadget), Some(vec![]));
        assert!(gadget_schema_parsed(&schemas), "checked: parsed");
        // a later run that knows the Gadget valid reads the schema's text only
        let known = SchemaVerdicts::from_bytes(&earlier.to_bytes(), "g");
        let mut schemas = schemas_for([], &CATALOG);
        schemas.remember_in(&known);
        assert_eq!(schemas.validate(&gadget), Some(vec![]));
        assert!(!gadget_schema_parsed(&schemas));
        let mut broken = gadget.clone();
        broken["spec"]["endpoints"][0]["port"] = json!(80);
        assert_eq!(
            paths(&schemas.validate(&broken).expect("imported")),
            ["/spec/endpoints/0/port"]
        );
    }

    #[test]
    fn an_imported_crd_added_first_wins_over_a_later_one() {
        let mut schemas = schemas_for([], &CATALOG);
        let imported = CATALOG.definition("gadgets.example.org").expect("imported");
        let mut loose = imported.clone();
        for version in loose["spec"]["versions"].as_array_mut().expect("versions") {
            version["schema"]["openAPIV3Schema"] = json!({"type": "object"});
        }
        schemas.add_crd(
            &loose,
            SchemaSource::App {
                app: "a".into(),
                crd: "x".into(),
            },
        );
        assert!(matches!(
            schemas.source("example.org", "v1", "Gadget"),
            Some(SchemaSource::Imported { .. })
        ));
    }

    #[test]
    fn imported_crds_give_schemas_and_app_crds_come_first() {
        let mut schemas = schemas_for([], &CATALOG);
        let gadget = json!({
            "apiVersion": "example.org/v1",
            "kind": "Gadget",
            "metadata": {"name": "m"},
            "spec": {"endpoints": [{"port": "http", "interval": "30s"}]},
        });
        assert_eq!(schemas.validate(&gadget), Some(vec![]));
        let broken = json!({
            "apiVersion": "example.org/v1",
            "kind": "Gadget",
            "metadata": {"name": "m"},
            "spec": {"endpoints": [{"prot": "http"}]},
        });
        let violations = schemas.validate(&broken).expect("imported");
        assert_eq!(paths(&violations), ["/spec/endpoints/0"], "{violations:#?}");
        assert!(matches!(
            schemas.source("example.org", "v1", "Gadget"),
            Some(SchemaSource::Imported { .. })
        ));
        schemas.add_crd(
            &crd(json!({"type": "object"})),
            SchemaSource::Imported { crd: "x".into() },
        );
        let mut first = CrdSchemas::new();
        first.add_crd(
            &crd(json!({"type": "object"})),
            SchemaSource::App {
                app: "a".into(),
                crd: "widgets.example.com".into(),
            },
        );
        first.add_imported(&CATALOG);
        assert!(matches!(
            first.source("example.com", "v1", "Widget"),
            Some(SchemaSource::App { .. })
        ));
    }

    #[test]
    fn without_a_catalog_only_added_crds_give_schemas() {
        let schemas = schemas_for([], &crate::crd_catalog::NoCrds);
        let gadget = json!({"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {}});
        assert_eq!(schemas.validate(&gadget), None);
    }
}
