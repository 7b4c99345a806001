//! IR → Rust tokens (`quote!`) → formatted source (`prettyplease`).
//!
//! Structs derive `Serialize`, `Deserialize`, `Clone`, `Debug`, `PartialEq` and, where every
//! required field has one, `Default`. Enums get small hand-written serde impls through
//! `as_str`/`value` (string and integer values alike, no derive machinery). Root types derive
//! `Deserialize` (which ignores `apiVersion` and `kind`), write `apiVersion` and `kind` in a
//! hand-written `Serialize`, and implement `k8s_openapi::Resource` and
//! `k8s_openapi::Metadata`, which is what makes them `kube::Resource` and so `TypedObject`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use homelab_synth_core::Scope;

use crate::ir::{Enum, Extra, Field, Module, Root, Struct, Ty, TypeDef};
use crate::names::needs_raw;
use crate::shape::EnumValue;

/// Why tokens could not be formatted (a generator bug, never an input problem).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The generated tokens do not parse as a Rust file.
    #[error("generated code for {module} does not parse: {message}")]
    Parse {
        /// The generated file, relative to the output folder (`crds.rs`).
        module: String,
        /// What the Rust parser reported.
        message: String,
    },
}

fn ident(name: &str) -> Ident {
    if needs_raw(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| {
        let text = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #text])
    });
    quote!(#(#lines)*)
}

/// Which imports a module's code uses, so none is unused.
#[derive(Default)]
struct Uses {
    map: bool,
    json: bool,
    int_or_string: bool,
    required: bool,
    rest: bool,
}

impl Uses {
    fn ty(&mut self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::String => quote!(String),
            Ty::Bool => quote!(bool),
            Ty::I32 => quote!(i32),
            Ty::I64 => quote!(i64),
            Ty::F64 => quote!(f64),
            Ty::IntOrString => {
                self.int_or_string = true;
                quote!(IntOrString)
            }
            Ty::Json => {
                self.json = true;
                quote!(Value)
            }
            Ty::Named(name) => {
                let name = ident(name);
                quote!(#name)
            }
            Ty::List(inner) => {
                let inner = self.ty(inner);
                quote!(Vec<#inner>)
            }
            Ty::Map(inner) => {
                self.map = true;
                let inner = self.ty(inner);
                quote!(BTreeMap<String, #inner>)
            }
            Ty::Nullable(inner) => {
                let inner = self.ty(inner);
                quote!(Option<#inner>)
            }
        }
    }

    fn field(&mut self, field: &Field, serde_attrs: bool) -> TokenStream {
        let docs = docs(&field.docs);
        let name = ident(&field.ident);
        let mut ty = self.ty(&field.ty);
        if field.is_option() {
            ty = quote!(Option<#ty>);
        }
        let mut serde = Vec::new();
        if field.ident != field.wire {
            let wire = &field.wire;
            serde.push(quote!(rename = #wire));
        }
        if field.optional {
            serde.push(quote!(skip_serializing_if = "Option::is_none"));
        }
        let serde = if serde.is_empty() || !serde_attrs {
            quote!()
        } else {
            quote!(#[serde(#(#serde),*)])
        };
        quote! {
            #docs
            #serde
            pub #name: #ty,
        }
    }

    fn extra(&mut self, extra: Option<&Extra>, flatten: bool) -> TokenStream {
        let Some(extra) = extra else {
            return quote!();
        };
        self.map = true;
        self.json = true;
        let name = ident(&extra.ident);
        let flatten = if flatten {
            quote!(#[serde(flatten)])
        } else {
            quote!()
        };
        quote! {
            /// Keys the schema does not list; it preserves unknown fields.
            #flatten
            pub #name: BTreeMap<String, Value>,
        }
    }

    /// Field initializers reading each property out of the object `map`.
    fn read_fields(&mut self, fields: &[Field], extra: Option<&Extra>) -> TokenStream {
        let mut out = TokenStream::new();
        for field in fields {
            let name = ident(&field.ident);
            let wire = &field.wire;
            if field.optional {
                out.extend(quote!(#name: de::optional(map, #wire)?,));
            } else {
                self.required = true;
                out.extend(quote!(#name: de::required(map, #wire)?,));
            }
        }
        if let Some(extra) = extra {
            self.rest = true;
            let name = ident(&extra.ident);
            out.extend(quote!(#name: de::rest(map),));
        }
        out
    }

    fn strukt(&mut self, name: &str, definition: &Struct) -> TokenStream {
        let docs = docs(&definition.docs);
        let name = ident(name);
        let fields: Vec<TokenStream> = definition
            .fields
            .iter()
            .map(|f| self.field(f, true))
            .collect();
        let extra = self.extra(definition.extra.as_ref(), true);
        let default = definition.default.then(|| quote!(Default,));
        let read = self.read_fields(&definition.fields, definition.extra.as_ref());
        quote! {
            #docs
            #[derive(Clone, Debug, #default PartialEq, Serialize)]
            pub struct #name {
                #(#fields)*
                #extra
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    de::read(deserializer, |map| Ok(#name { #read }))
                }
            }
        }
    }

    fn root(&mut self, root: &Root) -> TokenStream {
        let docs = docs(&root.docs);
        let name = ident(&root.name);
        let fields: Vec<TokenStream> = root.fields.iter().map(|f| self.field(f, false)).collect();
        let extra = self.extra(root.extra.as_ref(), false);
        let read = self.read_fields(&root.fields, root.extra.as_ref());
        let default = root.default.then(|| quote!(Default,));
        let api_version = if root.group.is_empty() {
            root.version.clone()
        } else {
            format!("{}/{}", root.group, root.version)
        };
        let (group, kind, version, plural) = (&root.group, &root.kind, &root.version, &root.plural);
        let scope = match root.scope {
            Scope::Namespaced => quote!(::k8s_openapi::NamespaceResourceScope),
            Scope::Cluster => quote!(::k8s_openapi::ClusterResourceScope),
        };
        let entries = root.fields.iter().map(|field| {
            let wire = &field.wire;
            let name = ident(&field.ident);
            if field.optional {
                quote! {
                    if let Some(value) = &self.#name {
                        map.serialize_entry(#wire, value)?;
                    }
                }
            } else {
                quote!(map.serialize_entry(#wire, &self.#name)?;)
            }
        });
        let extra_entries = root.extra.as_ref().map(|extra| {
            let name = ident(&extra.ident);
            quote! {
                for (key, value) in &self.#name {
                    if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                        map.serialize_entry(key, value)?;
                    }
                }
            }
        });
        quote! {
            #docs
            #[derive(Clone, Debug, #default PartialEq)]
            pub struct #name {
                /// Standard object metadata.
                pub metadata: ObjectMeta,
                #(#fields)*
                #extra
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    de::read(deserializer, |map| {
                        map.remove("apiVersion");
                        map.remove("kind");
                        Ok(#name {
                            metadata: de::optional(map, "metadata")?.unwrap_or_default(),
                            #read
                        })
                    })
                }
            }

            impl ::k8s_openapi::Resource for #name {
                const API_VERSION: &'static str = #api_version;
                const GROUP: &'static str = #group;
                const KIND: &'static str = #kind;
                const VERSION: &'static str = #version;
                const URL_PATH_SEGMENT: &'static str = #plural;
                type Scope = #scope;
            }

            impl ::k8s_openapi::Metadata for #name {
                type Ty = ObjectMeta;
                fn metadata(&self) -> &ObjectMeta {
                    &self.metadata
                }
                fn metadata_mut(&mut self) -> &mut ObjectMeta {
                    &mut self.metadata
                }
            }

            impl Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeMap as _;
                    let mut map = serializer.serialize_map(None)?;
                    map.serialize_entry("apiVersion", #api_version)?;
                    map.serialize_entry("kind", #kind)?;
                    map.serialize_entry("metadata", &self.metadata)?;
                    #(#entries)*
                    #extra_entries
                    map.end()
                }
            }
        }
    }
}

/// The helpers every module's `Deserialize` impls share: objects are read into a
/// `serde_json` map and taken apart field by field, which compiles to far less code than
/// derived visitors.
fn helpers(uses: &Uses) -> TokenStream {
    let required = uses.required.then(|| {
        quote! {
            /// A field that must be present.
            pub fn required<T: ::serde::de::DeserializeOwned>(
                map: &mut Object,
                key: &str,
            ) -> Result<T, String> {
                match map.remove(key) {
                    Some(value) => ::serde_json::from_value(value)
                        .map_err(|error| format!("{key}: {error}")),
                    None => Err(format!("missing field `{key}`")),
                }
            }
        }
    });
    let rest = uses.rest.then(|| {
        quote! {
            /// The keys no field took.
            pub fn rest(map: &mut Object) -> ::std::collections::BTreeMap<String, Value> {
                ::std::mem::take(map).into_iter().collect()
            }
        }
    });
    quote! {
        /// Reading objects field by field (generated once per module).
        mod de {
            use ::serde::Deserialize as _;
            use ::serde_json::{Map, Value};

            type Object = Map<String, Value>;

            /// Reads an object and builds a value from its fields.
            pub fn read<'de, D, T>(
                deserializer: D,
                build: impl FnOnce(&mut Object) -> Result<T, String>,
            ) -> Result<T, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let mut map = Object::deserialize(deserializer)?;
                build(&mut map).map_err(::serde::de::Error::custom)
            }

            /// A field that may be absent or `null`.
            pub fn optional<T: ::serde::de::DeserializeOwned>(
                map: &mut Object,
                key: &str,
            ) -> Result<Option<T>, String> {
                match map.remove(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(value) => ::serde_json::from_value(value)
                        .map(Some)
                        .map_err(|error| format!("{key}: {error}")),
                }
            }

            #required
            #rest
        }
    }
}

fn enumeration(name: &str, definition: &Enum) -> TokenStream {
    let docs = docs(&definition.docs);
    let name = ident(name);
    let integer = matches!(
        definition.variants.first().map(|variant| &variant.wire),
        Some(EnumValue::Int(_))
    );
    let variants = definition
        .variants
        .iter()
        .enumerate()
        .map(|(index, variant)| {
            let variant_name = ident(&variant.ident);
            let wire = match &variant.wire {
                EnumValue::Str(text) => format!("`{text:?}`"),
                EnumValue::Int(number) => format!("`{number}`"),
            };
            let doc = format!(" {wire} on the wire.");
            let default = (definition.default == Some(index)).then(|| quote!(#[default]));
            quote! {
                #[doc = #doc]
                #default
                #variant_name,
            }
        });
    let arms = definition.variants.iter().map(|variant| {
        let variant_name = ident(&variant.ident);
        let wire = match &variant.wire {
            EnumValue::Str(text) => Literal::string(text),
            EnumValue::Int(number) => Literal::i64_unsuffixed(*number),
        };
        quote!(#name::#variant_name => #wire,)
    });
    let parse_arms = definition.variants.iter().map(|variant| {
        let variant_name = ident(&variant.ident);
        let wire = match &variant.wire {
            EnumValue::Str(text) => Literal::string(text),
            EnumValue::Int(number) => Literal::i64_unsuffixed(*number),
        };
        quote!(#wire => Ok(#name::#variant_name),)
    });
    let default = definition.default.is_some().then(|| quote!(Default,));
    let (accessor, serialize, deserialize) = if integer {
        let expected = format!(
            "one of {}",
            definition
                .variants
                .iter()
                .map(|variant| match &variant.wire {
                    EnumValue::Int(number) => number.to_string(),
                    EnumValue::Str(text) => text.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        (
            quote! {
                /// The integer on the wire.
                pub const fn value(self) -> i64 {
                    match self { #(#arms)* }
                }
            },
            quote!(serializer.serialize_i64(self.value())),
            quote! {
                let value = i64::deserialize(deserializer)?;
                match value {
                    #(#parse_arms)*
                    other => Err(::serde::de::Error::invalid_value(
                        ::serde::de::Unexpected::Signed(other),
                        &#expected,
                    )),
                }
            },
        )
    } else {
        let names = definition
            .variants
            .iter()
            .filter_map(|variant| match &variant.wire {
                EnumValue::Str(text) => Some(text.as_str()),
                EnumValue::Int(_) => None,
            });
        (
            quote! {
                /// The string on the wire.
                pub const fn as_str(self) -> &'static str {
                    match self { #(#arms)* }
                }
            },
            quote!(serializer.serialize_str(self.as_str())),
            quote! {
                let value = String::deserialize(deserializer)?;
                match value.as_str() {
                    #(#parse_arms)*
                    other => Err(::serde::de::Error::unknown_variant(other, &[#(#names),*])),
                }
            },
        )
    };
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, #default PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            #accessor
        }

        impl Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize
            }
        }
    }
}

/// The items of one module (without header): imports, root types, then named types in name
/// order.
pub fn module_tokens(module: &Module) -> TokenStream {
    let mut uses = Uses::default();
    let roots: Vec<TokenStream> = module.roots.values().map(|root| uses.root(root)).collect();
    let types: Vec<TokenStream> = module
        .types
        .iter()
        .map(|(name, definition)| match definition {
            TypeDef::Struct(definition) => uses.strukt(name, definition),
            TypeDef::Enum(definition) => enumeration(name, definition),
        })
        .collect();
    let helpers = helpers(&uses);
    let map = uses.map.then(|| {
        quote!(
            use ::std::collections::BTreeMap;
        )
    });
    let json = uses.json.then(|| {
        quote!(
            use ::serde_json::Value;
        )
    });
    let int_or_string = uses.int_or_string.then(|| {
        quote!(
            use ::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        )
    });
    quote! {
        #map
        use ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        #int_or_string
        use ::serde::{Deserialize, Serialize};
        #json

        #(#roots)*
        #(#types)*

        #helpers
    }
}

/// Formats tokens as a Rust file.
pub fn format(tokens: TokenStream, module: &str) -> Result<String, RenderError> {
    let file: syn::File = syn::parse2(tokens).map_err(|error| RenderError::Parse {
        module: module.to_owned(),
        message: error.to_string(),
    })?;
    Ok(prettyplease::unparse(&file))
}
