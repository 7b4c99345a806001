//! The one context every validation rule reads: the apps of the synthesis and the indexes
//! several rules need, built once in a single pass over the documents (documents by group and
//! kind, and the built-in objects rules read, decoded into their k8s-openapi types) or on
//! first use (the CRD schemas, whose validators compile only for the kinds the synthesis
//! emits), instead of each rule walking every document to find its few kinds.
//!
//! Pod specs are not kept: validation decodes each pod template once, runs the pod checks on
//! it and drops it (see `validate/mod.rs`), then hands the context a [`TemplateRecord`] of
//! every template that decoded, for the checks across objects that run after.

use std::collections::BTreeMap;

use crate::crd_catalog::CrdCatalog;
use crate::crd_schema::{CrdSchemas, schemas_for};
use crate::crd_verdicts::SchemaVerdicts;
use crate::manifest::{AppManifest, Document, Provenance};
use crate::validate::decode::Undecodable;
use crate::validate::objects::{self, Decoded, Typed};
use crate::validate::pods::TemplateRecord;

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
    /// What is kept of the pod templates that decode, by the address of their app, each
    /// app's in output order; empty until [`Context::keep_pod_templates`].
    pod_templates: BTreeMap<*const AppManifest, Vec<TemplateRecord<'a>>>,
    /// The decoded built-in objects (Services, Namespaces...), in app order, then output
    /// order.
    objects: Vec<Decoded<'a>>,
    /// Index in `objects` of each document's typed view, by the document's address.
    object_of: BTreeMap<*const Document, usize>,
    /// The built-in objects that do not decode, in app order, then output order.
    undecodable_objects: Vec<Undecodable<'a>>,
}

impl<'a> Context<'a> {
    /// Indexes `apps`; the schemas are those of their CRDs, then those of `crds`, and skip
    /// the objects `verdicts` know valid.
    pub(crate) fn new(
        apps: &'a [AppManifest],
        crds: &'a dyn CrdCatalog,
        provenance: &'a Provenance,
        verdicts: Option<&'a SchemaVerdicts>,
    ) -> Self {
        let mut by_kind: BTreeMap<(&str, &str), Vec<Located<'a>>> = BTreeMap::new();
        let mut objects = Vec::new();
        let mut undecodable_objects = Vec::new();
        let mut object_of = BTreeMap::new();
        for app in apps {
            for document in &app.documents {
                match objects::decode(app, document) {
                    Some(Ok(decoded)) => {
                        object_of.insert(std::ptr::from_ref(document), objects.len());
                        objects.push(decoded);
                    }
                    Some(Err(error)) => undecodable_objects.push(error),
                    None => {}
                }
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
            .filter(|(_, document)| document.defined_kind().is_some())
            .map(|(app, document)| (app.name.as_str(), *document));
        let mut schemas = schemas_for(definitions, crds);
        if let Some(verdicts) = verdicts {
            schemas.remember_in(verdicts);
        }
        Context {
            apps,
            by_kind,
            schemas,
            provenance,
            pod_templates: BTreeMap::new(),
            objects,
            object_of,
            undecodable_objects,
        }
    }

    /// Keeps `records`, one per pod template that decodes, for [`Context::pod_templates_of`].
    pub(crate) fn keep_pod_templates(
        &mut self,
        records: impl IntoIterator<Item = TemplateRecord<'a>>,
    ) {
        for record in records {
            self.pod_templates
                .entry(std::ptr::from_ref(record.app))
                .or_default()
                .push(record);
        }
    }

    /// What is kept of the pod templates of `app` whose pod spec decodes, in output order
    /// (none before [`Context::keep_pod_templates`]).
    pub(crate) fn pod_templates_of(&self, app: &AppManifest) -> &[TemplateRecord<'a>] {
        self.pod_templates
            .get(&std::ptr::from_ref(app))
            .map_or(&[], Vec::as_slice)
    }

    /// The typed view `T` of every document that has one (every Service, Namespace...), in
    /// app order, then output order; objects that do not decode are left out.
    pub(crate) fn typed<T: Typed>(&self) -> impl Iterator<Item = (Located<'a>, &T)> + '_ {
        self.objects.iter().filter_map(|decoded| {
            let typed = T::of(&decoded.object)?;
            Some(((decoded.app, decoded.document), typed))
        })
    }

    /// The typed view `T` of `document`, if it has one and decodes.
    pub(crate) fn typed_of<T: Typed>(&self, document: &Document) -> Option<&T> {
        let index = self.object_of.get(&std::ptr::from_ref(document))?;
        T::of(&self.objects.get(*index)?.object)
    }

    /// The built-in objects that do not decode, in app order, then output order.
    pub(crate) fn undecodable_objects(&self) -> &[Undecodable<'a>] {
        &self.undecodable_objects
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
