//! CRD import: generates typed Rust bindings from CustomResourceDefinitions.
//!
//! `synth import` reads CRD YAML (files or folders, multi-document, any number of CRDs) and
//! writes one Rust module per API group and version, whose root types plug into
//! `homelab_synth_core::Chart` like k8s-openapi types. The pipeline:
//!
//! ```text
//! YAML ──yaml::read_documents──► crd::Crd ──schema::add_kind──► ir::Module
//!      ──render::module_tokens (quote!)──► prettyplease ──► header + source text
//! ```
//!
//! [`generate`] is pure (texts in, files out); [`files`] holds the edges that read sources
//! and write the output folder. [`sample`] builds, from a schema, a document that uses every
//! property, which tests use to prove that generated types lose nothing.

pub mod crd;
pub mod docs;
pub mod embed;
pub mod files;
pub mod header;
pub mod ir;
pub mod names;
pub mod render;
pub mod sample;
pub mod schema;
pub mod shape;

use std::collections::{BTreeMap, BTreeSet};

use homelab_synth_core::yaml::{ReadError, read_documents};
use quote::quote;

pub use crd::{Crd, CrdError};
pub use docs::Docs;
pub use files::{read_sources, stale_files, write_output};

use crate::ir::Module;
use crate::names::{NameSet, module_name, type_name};
use crate::render::RenderError;
use crate::schema::SchemaError;

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The file name written into the provenance header (no folders, so output does not
    /// depend on where the inputs live).
    pub name: String,
    /// The path as given, for error messages.
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl Source {
    /// A source whose name and path are both `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let name = name.into();
        Source {
            path: name.clone(),
            name,
            text: text.into(),
        }
    }
}

/// Generation settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Descriptions as doc comments, or schema facts only. Default: descriptions.
    pub docs: Docs,
    /// The command recorded in the provenance header. Default: empty.
    pub command: String,
}

/// Generated files, by path relative to the output folder (`mod.rs`,
/// `<group>/mod.rs`, `<group>/<version>.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    /// File contents by relative path.
    pub files: BTreeMap<String, String>,
    /// Number of root types generated (kinds × served versions).
    pub roots: usize,
}

/// Why an import failed. Every variant names the file, and where it applies the path in the
/// document or schema.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file is not valid YAML.
    #[error("{file}")]
    Yaml {
        /// The file, as the input named it.
        file: String,
        /// What the YAML reader reported.
        #[source]
        source: ReadError,
    },
    /// A document is not a usable CRD.
    #[error("{file}: document {document}")]
    Crd {
        /// The file, as the input named it.
        file: String,
        /// The document's position in the file, from 1.
        document: usize,
        /// What is wrong with the CRD.
        #[source]
        source: CrdError,
    },
    /// A schema cannot be turned into types.
    #[error("{file}: {kind} {version}")]
    Schema {
        /// The file holding the CRD, as the input named it.
        file: String,
        /// The CRD's kind (`Certificate`).
        kind: String,
        /// The served version whose schema failed (`v1`).
        version: String,
        /// What is wrong with the schema.
        #[source]
        source: Box<SchemaError>,
    },
    /// Two CRDs define the same kind in the same group and version.
    #[error("{second}: kind {kind} of {api_version} is already defined by {first}")]
    Duplicate {
        /// The kind defined twice.
        kind: String,
        /// The group and version both define it in (`cert-manager.io/v1`).
        api_version: String,
        /// The file that defined it first.
        first: String,
        /// The file that defined it again.
        second: String,
    },
    /// No input held a CRD.
    #[error("no CustomResourceDefinition found in the inputs")]
    Empty,
    /// Generated code could not be formatted (a bug in the generator).
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A file or folder could not be read or written.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// One CRD with the file it came from.
struct Input<'a> {
    source: &'a Source,
    sha: String,
    crd: Crd,
    document: &'a serde_json::Value,
}

/// The kinds of one group and version: kind → (input, index of the version).
type Kinds<'a> = BTreeMap<String, (&'a Input<'a>, usize)>;

/// Generates the modules for every CRD in `sources`.
pub fn generate(sources: &[Source], options: &Options) -> Result<Generated, ImportError> {
    let mut parsed = Vec::new();
    for source in sources {
        let documents = read_documents(&source.text).map_err(|error| ImportError::Yaml {
            file: source.path.clone(),
            source: error,
        })?;
        parsed.push((source, documents));
    }
    let mut inputs = Vec::new();
    for (source, documents) in &parsed {
        let source = *source;
        let sha = header::sha256(source.text.as_bytes());
        for (index, document) in documents.iter().enumerate() {
            let crd = Crd::from_document(document).map_err(|error| ImportError::Crd {
                file: source.path.clone(),
                document: index + 1,
                source: error,
            })?;
            inputs.push(Input {
                source,
                sha: sha.clone(),
                crd,
                document,
            });
        }
    }
    if inputs.is_empty() {
        return Err(ImportError::Empty);
    }
    // (group, version) → kind → (input, version index), all in sorted order
    let mut by_module: BTreeMap<(String, String), Kinds> = BTreeMap::new();
    for input in &inputs {
        for (index, version) in input.crd.versions.iter().enumerate() {
            let kinds = by_module
                .entry((input.crd.group.clone(), version.name.clone()))
                .or_default();
            if let Some((first, _)) = kinds.get(&input.crd.kind) {
                return Err(ImportError::Duplicate {
                    kind: input.crd.kind.clone(),
                    api_version: input.crd.api_version(&version.name),
                    first: first.source.path.clone(),
                    second: input.source.path.clone(),
                });
            }
            kinds.insert(input.crd.kind.clone(), (input, index));
        }
    }

    let mut generated = Generated::default();
    let mut group_names = NameSet::fields();
    let mut groups: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut all_sources = BTreeSet::new();
    for ((group, version), kinds) in &by_module {
        let mut module = Module::new(group, version);
        let reserved: Vec<String> = kinds
            .keys()
            .map(|kind| module.reserve_root(&type_name(kind)))
            .collect();
        for ((_, (input, index)), root_name) in kinds.iter().zip(&reserved) {
            let crd_version = &input.crd.versions[*index];
            schema::add_kind(
                &mut module,
                &input.crd,
                crd_version,
                root_name,
                options.docs,
            )
            .map_err(|error| ImportError::Schema {
                file: input.source.path.clone(),
                kind: input.crd.kind.clone(),
                version: crd_version.name.clone(),
                source: Box::new(error),
            })?;
            module
                .sources
                .insert((input.source.name.clone(), input.sha.clone()));
            generated.roots += 1;
        }
        all_sources.extend(module.sources.iter().cloned());
        let group_module = match groups.get(group) {
            Some((name, _)) => name.clone(),
            None => group_names.take(&module_name(group)),
        };
        let version_module = module_name(version);
        let path = format!("{group_module}/{version_module}.rs");
        let mut tokens = header::allow_attribute();
        tokens.extend(render::module_tokens(&module));
        let body = render::format(tokens, &path)?;
        let text = format!(
            "{}{body}",
            header::header(&options.command, &module.sources)
        );
        generated.files.insert(path, text);
        groups
            .entry(group.clone())
            .or_insert_with(|| (group_module, Vec::new()))
            .1
            .push(version_module);
    }

    let mut index = quote!();
    for (group, (group_module, versions)) in &groups {
        let doc = format!(" API group `{group}`.");
        let name = proc_macro2::Ident::new(group_module, proc_macro2::Span::call_site());
        index.extend(quote!(#[doc = #doc] pub mod #name;));
        let mut group_index = quote!();
        for version in versions {
            let doc = format!(" `{group}/{version}`.");
            let name = proc_macro2::Ident::new(version, proc_macro2::Span::call_site());
            group_index.extend(quote!(#[doc = #doc] pub mod #name;));
        }
        let group_sources: BTreeSet<(String, String)> = by_module
            .iter()
            .filter(|((module_group, _), _)| module_group == group)
            .flat_map(|(_, kinds)| {
                kinds
                    .values()
                    .map(|(input, _)| (input.source.name.clone(), input.sha.clone()))
            })
            .collect();
        let path = format!("{group_module}/mod.rs");
        let body = render::format(group_index, &path)?;
        generated.files.insert(
            path,
            format!("{}{body}", header::header(&options.command, &group_sources)),
        );
    }
    embed_crds(&inputs, options, &mut generated)?;
    index.extend(quote!(
        #[doc = " The imported CustomResourceDefinitions themselves, by name."]
        pub mod crds;
    ));
    let body = render::format(index, "mod.rs")?;
    generated.files.insert(
        "mod.rs".to_owned(),
        format!("{}{body}", header::header(&options.command, &all_sources)),
    );
    Ok(generated)
}

/// Writes `crds/<name>.json` for every input CRD and the `crds.rs` index.
fn embed_crds(
    inputs: &[Input],
    options: &Options,
    generated: &mut Generated,
) -> Result<(), ImportError> {
    let mut names = Vec::new();
    let mut sources = BTreeSet::new();
    for input in inputs {
        let crd = embed::embedded(input.document, options.docs);
        let name = crd
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}.{}", input.crd.plural, input.crd.group));
        generated.files.insert(
            format!("{}/{name}.json", embed::FOLDER),
            embed::json_text(&crd),
        );
        names.push(name);
        sources.insert((input.source.name.clone(), input.sha.clone()));
    }
    names.sort();
    let path = "crds.rs";
    let body = render::format(embed::index_tokens(&names), path)?;
    generated.files.insert(
        path.to_owned(),
        format!("{}{body}", header::header(&options.command, &sources)),
    );
    Ok(())
}
