//! Rust names for schema names: type names from kinds and property paths, field names from
//! property names, variant names from enum values, module names from API groups and versions.
//!
//! Every function here is pure and total: any input string gives a valid Rust identifier.
//! Uniqueness is not decided here but by [`NameSet`], which hands out a name once and resolves
//! a clash by appending the smallest free number (`Foo`, `Foo2`, `Foo3`; `foo`, `foo_2`), so
//! the order in which names are requested (sorted wire names) decides, predictably, who keeps
//! the plain name.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, every edition) that cannot be used as plain
/// identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either; they get a trailing `_`.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// Type names the generated code refers to unqualified; generated types never take them.
pub const RESERVED_TYPES: &[&str] = &[
    "BTreeMap",
    "Box",
    "Default",
    "Deserialize",
    "Deserializer",
    "Err",
    "IntOrString",
    "None",
    "ObjectMeta",
    "Ok",
    "Option",
    "Result",
    "Self",
    "Serialize",
    "Serializer",
    "Some",
    "String",
    "Value",
    "Vec",
];

/// Whether `ident` must be written as a raw identifier (`r#type`).
pub fn needs_raw(ident: &str) -> bool {
    KEYWORDS.contains(&ident) && !NOT_RAW.contains(&ident)
}

/// Keeps ASCII letters and digits of `text`, treating everything else as a word break, and
/// spells out the few symbols that carry meaning in enum values (`*`, `.`, `+`, `/`).
fn words(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            '*' => out.push_str(" Star "),
            '.' => out.push_str(" Dot "),
            '+' => out.push_str(" Plus "),
            '/' => out.push_str(" Slash "),
            _ => out.push(' '),
        }
    }
    out
}

/// A type name (`UpperCamelCase`) for a kind, property or value: `HTTPRoute` → `HttpRoute`,
/// `parentRefs` → `ParentRefs`, `""` → `Empty`, `1.0` → `V1Dot0`.
pub fn type_name(text: &str) -> String {
    let name = words(text).to_upper_camel_case();
    if name.is_empty() {
        "Empty".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// A field name (`snake_case`) for a property: `parentRefs` → `parent_refs`, `$ref` → `ref`,
/// `1x` → `f_1x`, `""` → `field`. Keywords are returned as they are; see [`needs_raw`].
pub fn field_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let name = cleaned.to_snake_case();
    if name.is_empty() {
        "field".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{name}")
    } else if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A module name for an API group or version: `gateway.networking.k8s.io` →
/// `gateway_networking_k8s_io`, `v1beta1` → `v1beta1`; the core group (`""`) is `core`.
pub fn module_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "core".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&name.as_str()) {
        format!("m_{name}")
    } else {
        name
    }
}

/// Names already handed out in one namespace (a module's types, a struct's fields, an enum's
/// variants).
#[derive(Clone, Debug, Default)]
pub struct NameSet {
    taken: BTreeSet<String>,
    separator: &'static str,
}

impl NameSet {
    /// A namespace of type or variant names: clashes become `Name2`, `Name3`...
    pub fn types() -> Self {
        let mut set = NameSet::default();
        for name in RESERVED_TYPES {
            set.taken.insert((*name).to_owned());
        }
        set
    }

    /// A namespace of variant names: clashes become `Name2`, `Name3`...
    pub fn variants() -> Self {
        let mut set = NameSet::default();
        set.taken.insert("Self".to_owned());
        set
    }

    /// A namespace of field names: clashes become `name_2`, `name_3`...
    pub fn fields() -> Self {
        NameSet {
            taken: BTreeSet::new(),
            separator: "_",
        }
    }

    /// Whether `name` is already taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `wanted`, or the first of `wanted2`, `wanted3`... that is free.
    pub fn take(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut number = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{}{number}", self.separator);
            number += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_become_camel_case_types() {
        assert_eq!(type_name("HTTPRoute"), "HttpRoute");
        assert_eq!(type_name("GRPCRoute"), "GrpcRoute");
        assert_eq!(type_name("VMServiceScrape"), "VmServiceScrape");
        assert_eq!(
            type_name("CiliumLoadBalancerIPPool"),
            "CiliumLoadBalancerIpPool"
        );
    }

    #[test]
    fn enum_values_become_identifiers() {
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name("*"), "Star");
        assert_eq!(type_name("1.0"), "V1Dot0");
        assert_eq!(type_name("Exists"), "Exists");
        assert_eq!(type_name("exists"), "Exists");
        assert_eq!(type_name("kebab-case value"), "KebabCaseValue");
    }

    #[test]
    fn properties_become_snake_case_fields() {
        assert_eq!(field_name("parentRefs"), "parent_refs");
        assert_eq!(field_name("foo_bar"), "foo_bar");
        assert_eq!(field_name("fooBar"), "foo_bar");
        assert_eq!(field_name("$ref"), "ref");
        assert_eq!(field_name("x-kubernetes-thing"), "x_kubernetes_thing");
        assert_eq!(field_name("2fa"), "f_2fa");
        assert_eq!(field_name(""), "field");
        assert_eq!(field_name("self"), "self_");
        assert!(needs_raw("type"));
        assert!(needs_raw("match"));
        assert!(!needs_raw("self_"));
        assert!(!needs_raw("name"));
    }

    #[test]
    fn modules_are_lowercase_identifiers() {
        assert_eq!(
            module_name("gateway.networking.k8s.io"),
            "gateway_networking_k8s_io"
        );
        assert_eq!(module_name("cert-manager.io"), "cert_manager_io");
        assert_eq!(module_name("v1beta1"), "v1beta1");
        assert_eq!(module_name(""), "core");
    }

    #[test]
    fn clashes_get_the_smallest_free_number() {
        let mut types = NameSet::types();
        assert_eq!(types.take("Foo"), "Foo");
        assert_eq!(types.take("Foo"), "Foo2");
        assert_eq!(types.take("Foo"), "Foo3");
        assert_eq!(types.take("Value"), "Value2");
        let mut fields = NameSet::fields();
        assert_eq!(fields.take("foo_bar"), "foo_bar");
        assert_eq!(fields.take("foo_bar"), "foo_bar_2");
    }
}
