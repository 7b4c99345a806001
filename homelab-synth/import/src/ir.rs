//! The typed intermediate representation between schemas and Rust tokens: one [`Module`]
//! per API group and version, holding root types (one per kind) and the named structs and
//! enums they use.
//!
//! The module owns the naming invariants: every type name is unique in its module (clashes
//! get the smallest free number), and two schema nodes of one kind that map to exactly the
//! same definition share one type (the name of the first one met, in the deterministic walk
//! of sorted property names). Types are kept in a `BTreeMap`, so output order is the
//! order of names, whatever order the input listed things in.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use homelab_synth_core::Scope;

use crate::names::NameSet;
use crate::shape::EnumValue;

/// A Rust type used by a field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// k8s-openapi's `IntOrString`.
    IntOrString,
    /// `serde_json::Value`.
    Json,
    /// A struct or enum of the same module.
    Named(String),
    /// `Vec<T>`.
    List(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// `Option<T>` inside a list or map (items that may be `null`).
    Nullable(Box<Ty>),
}

/// A property of a struct or root type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Field {
    /// Property name on the wire.
    pub wire: String,
    /// Rust field name (without `r#`).
    pub ident: String,
    /// Field type (without the `Option` of optional fields).
    pub ty: Ty,
    /// `Option<T>`, left out of the output when `None`.
    pub optional: bool,
    /// Required but may be `null`: `Option<T>`, always written.
    pub nullable: bool,
    /// Doc comment lines.
    pub docs: Vec<String>,
}

impl Field {
    /// Whether the field is an `Option`.
    pub fn is_option(&self) -> bool {
        self.optional || self.nullable
    }
}

/// Keys of an object that its schema does not list, kept by a flattened map.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Extra {
    /// Rust field name.
    pub ident: String,
}

/// A struct generated from an object schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Struct {
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Properties in wire-name order.
    pub fields: Vec<Field>,
    /// Unknown keys, when the schema preserves them.
    pub extra: Option<Extra>,
    /// Whether every non-optional field has a `Default`, so the struct derives it.
    pub default: bool,
}

/// One variant of a generated enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    /// Rust variant name.
    pub ident: String,
    /// Value on the wire.
    pub wire: EnumValue,
}

/// An enum generated from a string or integer `enum`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Enum {
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Variants in the schema's order.
    pub variants: Vec<Variant>,
    /// Index of the variant named by the schema's `default`.
    pub default: Option<usize>,
}

/// A named type of a module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeDef {
    /// A struct.
    Struct(Struct),
    /// An enum.
    Enum(Enum),
}

impl TypeDef {
    /// Whether the type implements `Default`.
    pub fn has_default(&self) -> bool {
        match self {
            TypeDef::Struct(definition) => definition.default,
            TypeDef::Enum(definition) => definition.default.is_some(),
        }
    }
}

/// The type generated for a kind: metadata plus every top-level property of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Root {
    /// Rust type name.
    pub name: String,
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Scope.
    pub scope: Scope,
    /// The type's description.
    pub docs: Vec<String>,
    /// The top-level properties other than `apiVersion`, `kind` and `metadata`.
    pub fields: Vec<Field>,
    /// Unknown top-level keys, when the schema preserves them.
    pub extra: Option<Extra>,
    /// Whether the root derives `Default`.
    pub default: bool,
}

/// The types of one API group and version.
#[derive(Debug)]
pub struct Module {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Root types by name.
    pub roots: BTreeMap<String, Root>,
    /// Named types by name.
    pub types: BTreeMap<String, TypeDef>,
    /// Source files (name, sha256) that contributed.
    pub sources: BTreeSet<(String, String)>,
    shared: HashMap<TypeDef, String>,
    names: NameSet,
}

impl Module {
    /// An empty module.
    pub fn new(group: &str, version: &str) -> Self {
        Module {
            group: group.to_owned(),
            version: version.to_owned(),
            roots: BTreeMap::new(),
            types: BTreeMap::new(),
            sources: BTreeSet::new(),
            shared: HashMap::new(),
            names: NameSet::types(),
        }
    }

    /// Reserves the name of a root type, before any of its nested types is named.
    pub fn reserve_root(&mut self, wanted: &str) -> String {
        self.names.take(wanted)
    }

    /// Starts the types of another kind: identical types are shared within a kind only, so
    /// every type's name starts with the name of the kind that uses it.
    pub fn begin_kind(&mut self) {
        self.shared.clear();
    }

    /// Adds a named type, or returns the name of an identical one already added.
    pub fn add_type(&mut self, wanted: &str, definition: TypeDef) -> String {
        if let Some(name) = self.shared.get(&definition) {
            return name.clone();
        }
        let name = self.names.take(wanted);
        self.shared.insert(definition.clone(), name.clone());
        self.types.insert(name.clone(), definition);
        name
    }

    /// Whether a value of `ty` can be created with `Default`.
    pub fn has_default(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(name) => self.types.get(name).is_some_and(TypeDef::has_default),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(docs: &str) -> TypeDef {
        TypeDef::Struct(Struct {
            docs: vec![docs.to_owned()],
            fields: Vec::new(),
            extra: None,
            default: true,
        })
    }

    #[test]
    fn identical_types_are_shared_and_different_ones_numbered() {
        let mut module = Module::new("example.com", "v1");
        assert_eq!(module.reserve_root("Widget"), "Widget");
        assert_eq!(module.add_type("WidgetSpec", simple("a")), "WidgetSpec");
        assert_eq!(module.add_type("OtherSpec", simple("a")), "WidgetSpec");
        assert_eq!(module.add_type("WidgetSpec", simple("b")), "WidgetSpec2");
        assert_eq!(module.add_type("Widget", simple("c")), "Widget2");
        assert_eq!(module.types.len(), 3);
        module.begin_kind();
        assert_eq!(module.add_type("OtherSpec", simple("a")), "OtherSpec");
    }
}
