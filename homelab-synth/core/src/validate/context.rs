//! The one context every validation rule reads: the apps of the synthesis and the indexes
//! several rules need, built once in a single pass over the documents (documents by group and
//! kind) or on first use (the CRD schemas, whose validators compile only for the kinds the
//! synthesis emits), instead of each rule walking every document to find its few kinds.

use std::collections::BTreeMap;

use crate::crd_catalog::CrdCatalog;
use crate::crd_schema::{CrdSchemas, schemas_for};
use crate::manifest::{AppManifest, Document, Provenance};

/// A document with the app it belongs to.
pub(crate) type Located<'a> = (&'a AppManifest, &'a Document);

/// What the rules of one synthesis read.
pub(crate) struct Context<'a> {
    /// The apps, in name order.
    pub(crate) apps: &'a [AppManifest],
    /// Every document by `(group, kind)`, in app order, then output order.
    by_kind: BTreeMap<(&'a str, &'a str), Vec<Located<'a>>>,
    /// The schemas custom resources are checked against: CRDs of the synthesis, then the
    /// imported ones.
    pub(crate) schemas: CrdSchemas<'a>,
    /// Where the apps came from: what the checks across apps may assume of the others.
    pub(crate) provenance: &'a Provenance,
}

impl<'a> Context<'a> {
    /// Indexes `apps`; the schemas are those of their CRDs, then those of `crds`.
    pub(crate) fn new(
        apps: &'a [AppManifest],
        crds: &'a dyn CrdCatalog,
        provenance: &'a Provenance,
    ) -> Self {
        let mut by_kind: BTreeMap<(&str, &str), Vec<Located<'a>>> = BTreeMap::new();
        for app in apps {
            for document in &app.documents {
                by_kind
                    .entry((document.group(), document.kind()))
                    .or_default()
                    .push((app, document));
            }
        }
        let definitions = by_kind
            .get(&("apiextensions.k8s.io", "CustomResourceDefinition"))
            .into_iter()
            .flatten()
            .filter(|(_, document)| crate::crd_schema::crd_kind(&document.body).is_some())
            .map(|(app, document)| (app.name.as_str(), &document.body));
        let schemas = schemas_for(definitions, crds);
        Context {
            apps,
            by_kind,
            schemas,
            provenance,
        }
    }

    /// Every document with its app, in app order, then output order.
    pub(crate) fn documents(&self) -> impl Iterator<Item = Located<'a>> + '_ {
        self.apps
            .iter()
            .flat_map(|app| app.documents.iter().map(move |document| (app, document)))
    }

    /// The documents of `group` and `kind` (`""` for the core group), in app order, then
    /// output order.
    pub(crate) fn of_kind<'s>(
        &'s self,
        group: &str,
        kind: &str,
    ) -> impl Iterator<Item = Located<'a>> + use<'s, 'a> {
        // a `get` would tie the documents' lifetime to the key's; there are a few dozen kinds
        self.by_kind
            .iter()
            .find(|((g, k), _)| *g == group && *k == kind)
            .into_iter()
            .flat_map(|(_, documents)| documents.iter().copied())
    }
}
