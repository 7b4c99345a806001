//! Schema → IR: walks the OpenAPI v3 schema of one CRD version and adds its root type and
//! every nested struct and enum to the [`Module`] of its group and version.
//!
//! Names of nested types are the name of the type holding the property followed by the
//! property name in `UpperCamelCase` (`HttpRoute` → `HttpRouteSpec` → `HttpRouteSpecRules`;
//! items of a list and values of a map take the name of their property). Properties are
//! walked in byte order of their wire names, so naming is deterministic. Field names are
//! `snake_case`; a property already spelled that way keeps its name, and the others that
//! collide with it (`fooBar`, `FooBar` next to `foo_bar`) get `_2`, `_3` in byte order.

use std::collections::{BTreeMap, BTreeSet};

use homelab_synth_core::Scope;
use serde_json::Value;

use crate::crd::{Crd, CrdVersion};
use crate::docs::{self, Docs};
use crate::ir::{Enum, Extra, Field, Module, Root, Struct, Ty, TypeDef, Variant};
use crate::names::{NameSet, field_name, type_name};
use crate::shape::{EnumValue, Shape, ShapeError, Width, nullable, shape};

/// Deepest nesting of properties, items and map values the generator follows. Real CRDs
/// stay far below (the deepest of the shared corpus, cert-manager's issuers, nests 18
/// levels); the limit only stops runaway input before it costs stack or compile time.
pub const MAX_DEPTH: usize = 64;

/// Why a schema cannot be turned into types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A node is malformed.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// Nesting goes deeper than [`MAX_DEPTH`].
    #[error("{path}: schema nests deeper than {limit} levels")]
    TooDeep {
        /// Where in the CRD document the node past the limit is.
        path: String,
        /// The deepest nesting allowed ([`MAX_DEPTH`]).
        limit: usize,
    },
}

/// Top-level properties that the root type provides itself.
const ROOT_OWNED: &[&str] = &["apiVersion", "kind", "metadata"];

/// Adds the root type of `crd` at `version` (its name already reserved as `root_name`) and
/// its nested types to `module`.
pub fn add_kind(
    module: &mut Module,
    crd: &Crd,
    version: &CrdVersion,
    root_name: &str,
    docs: Docs,
) -> Result<(), SchemaError> {
    module.begin_kind();
    let mut builder = Builder { module, docs };
    let path = version.path.as_str();
    let (properties, required, unknown) = match shape(&version.schema, path)? {
        Shape::Object {
            properties,
            required,
            unknown,
        } => (properties, required, unknown),
        _ => (BTreeMap::new(), BTreeSet::new(), true),
    };
    let properties = properties
        .into_iter()
        .filter(|(name, _)| !ROOT_OWNED.contains(name))
        .collect();
    let (fields, extra, default) =
        builder.fields(&properties, &required, unknown, path, root_name, 0)?;
    let mut root_docs = docs::description(&version.schema, docs);
    if !root_docs.is_empty() {
        root_docs.push(String::new());
    }
    root_docs.push(format!(
        "`{}` (`{}`), {}, plural `{}`.",
        crd.kind,
        crd.api_version(&version.name),
        match crd.scope {
            Scope::Namespaced => "namespaced",
            Scope::Cluster => "cluster-scoped",
        },
        crd.plural
    ));
    builder.module.roots.insert(
        root_name.to_owned(),
        Root {
            name: root_name.to_owned(),
            group: crd.group.clone(),
            version: version.name.clone(),
            kind: crd.kind.clone(),
            plural: crd.plural.clone(),
            scope: crd.scope,
            docs: root_docs,
            fields,
            extra,
            default,
        },
    );
    Ok(())
}

struct Builder<'m> {
    module: &'m mut Module,
    docs: Docs,
}

type Fields = (Vec<Field>, Option<Extra>, bool);

impl Builder<'_> {
    fn fields(
        &mut self,
        properties: &BTreeMap<&str, &Value>,
        required: &BTreeSet<&str>,
        unknown: bool,
        path: &str,
        hint: &str,
        depth: usize,
    ) -> Result<Fields, SchemaError> {
        // a property already spelled in snake_case keeps its name; the others take theirs
        // (numbered on a clash) in byte order of their wire names
        let mut idents = NameSet::fields();
        let mut chosen: BTreeMap<&str, String> = BTreeMap::new();
        for wire in properties.keys() {
            if field_name(wire) == *wire {
                chosen.insert(wire, idents.take(wire));
            }
        }
        for wire in properties.keys() {
            if !chosen.contains_key(wire) {
                chosen.insert(wire, idents.take(&field_name(wire)));
            }
        }
        let mut fields = Vec::with_capacity(properties.len());
        for (wire, schema) in properties {
            let ident = chosen.remove(wire).unwrap_or_default();
            let child = format!("{hint}{}", type_name(wire));
            let at = format!("{path}.properties.{wire}");
            let ty = self.ty(schema, &at, &child, depth + 1)?;
            let is_required = required.contains(wire);
            fields.push(Field {
                wire: (*wire).to_owned(),
                ident,
                ty,
                optional: !is_required,
                nullable: is_required && nullable(schema),
                docs: docs::field_docs(schema, is_required, self.docs),
            });
        }
        let extra = unknown.then(|| Extra {
            ident: idents.take("unknown_fields"),
        });
        let default = fields
            .iter()
            .all(|field| field.is_option() || self.module.has_default(&field.ty));
        Ok((fields, extra, default))
    }

    fn ty(
        &mut self,
        schema: &Value,
        path: &str,
        hint: &str,
        depth: usize,
    ) -> Result<Ty, SchemaError> {
        if depth > MAX_DEPTH {
            return Err(SchemaError::TooDeep {
                path: path.to_owned(),
                limit: MAX_DEPTH,
            });
        }
        let ty = match shape(schema, path)? {
            Shape::IntOrString => Ty::IntOrString,
            Shape::Any => Ty::Json,
            Shape::String { values: None } => Ty::String,
            Shape::Integer {
                width: Width::I32,
                values: None,
            } => Ty::I32,
            Shape::Integer {
                width: Width::I64,
                values: None,
            } => Ty::I64,
            Shape::String {
                values: Some(values),
            }
            | Shape::Integer {
                values: Some(values),
                ..
            } => self.enumeration(schema, values, hint),
            Shape::Number => Ty::F64,
            Shape::Bool => Ty::Bool,
            Shape::Array { items } => Ty::List(Box::new(self.element(
                items,
                &format!("{path}.items"),
                hint,
                depth,
            )?)),
            Shape::Map { values } => Ty::Map(Box::new(self.element(
                values,
                &format!("{path}.additionalProperties"),
                hint,
                depth,
            )?)),
            Shape::Object {
                properties,
                required,
                unknown,
            } => {
                let (fields, extra, default) =
                    self.fields(&properties, &required, unknown, path, hint, depth)?;
                let definition = TypeDef::Struct(Struct {
                    docs: docs::description(schema, self.docs),
                    fields,
                    extra,
                    default,
                });
                Ty::Named(self.module.add_type(hint, definition))
            }
        };
        Ok(ty)
    }

    /// The type of list items or map values (`None`: any JSON value).
    fn element(
        &mut self,
        schema: Option<&Value>,
        path: &str,
        hint: &str,
        depth: usize,
    ) -> Result<Ty, SchemaError> {
        let Some(schema) = schema else {
            return Ok(Ty::Json);
        };
        let ty = self.ty(schema, path, hint, depth + 1)?;
        Ok(if nullable(schema) {
            Ty::Nullable(Box::new(ty))
        } else {
            ty
        })
    }

    fn enumeration(&mut self, schema: &Value, values: Vec<EnumValue>, hint: &str) -> Ty {
        let mut names = NameSet::variants();
        let variants: Vec<Variant> = values
            .into_iter()
            .map(|wire| {
                let wanted = match &wire {
                    EnumValue::Str(text) => type_name(text),
                    EnumValue::Int(number) if *number < 0 => {
                        format!("Minus{}", number.unsigned_abs())
                    }
                    EnumValue::Int(number) => format!("V{number}"),
                };
                Variant {
                    ident: names.take(&wanted),
                    wire,
                }
            })
            .collect();
        let default = schema.get("default").and_then(|default| {
            variants.iter().position(|variant| match &variant.wire {
                EnumValue::Str(text) => default.as_str() == Some(text),
                EnumValue::Int(number) => default.as_i64() == Some(*number),
            })
        });
        let definition = TypeDef::Enum(Enum {
            docs: docs::description(schema, self.docs),
            variants,
            default,
        });
        Ty::Named(self.module.add_type(hint, definition))
    }
}
