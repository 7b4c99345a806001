//! The one context every validation rule reads: the apps of the synthesis and the indexes
//! several rules need, built once in a single pass over the documents (documents by group and
//! kind) or on first use (the CRD schemas, whose validators compile only for the kinds the
//! synthesis emits), instead of each rule walking every document to find its few kinds.

use std::collections::BTreeMap;

use crate::crd_catalog::CrdCatalog;
use crate::crd_schema::{CrdSchemas, schemas_for};
use crate::manifest::{AppManifest, Document, Provenance};
use crate::validate::pods::{self, PodTemplate, Undecodable};

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
    /// The decoded pod template of every workload, in app order, then output order.
    pod_templates: Vec<PodTemplate<'a>>,
    /// Index in `pod_templates` of the template of each workload, by the workload's address.
    template_of: BTreeMap<*const Document, usize>,
    /// The pod specs that do not decode, in app order, then output order.
    undecodable: Vec<Undecodable<'a>>,
}

impl<'a> Context<'a> {
    /// Indexes `apps`; the schemas are those of their CRDs, then those of `crds`.
    pub(crate) fn new(
        apps: &'a [AppManifest],
        crds: &'a dyn CrdCatalog,
        provenance: &'a Provenance,
    ) -> Self {
        let mut by_kind: BTreeMap<(&str, &str), Vec<Located<'a>>> = BTreeMap::new();
        let mut pod_templates = Vec::new();
        let mut undecodable = Vec::new();
        let mut template_of = BTreeMap::new();
        for app in apps {
            for document in &app.documents {
                match pods::decode(app, document) {
                    Some(Ok(template)) => {
                        template_of.insert(std::ptr::from_ref(document), pod_templates.len());
                        pod_templates.push(template);
                    }
                    Some(Err(error)) => undecodable.push(error),
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
            .filter(|(_, document)| crate::crd_schema::crd_kind(&document.body).is_some())
            .map(|(app, document)| (app.name.as_str(), &document.body));
        let schemas = schemas_for(definitions, crds);
        Context {
            apps,
            by_kind,
            schemas,
            provenance,
            pod_templates,
            template_of,
            undecodable,
        }
    }

    /// The decoded pod template of every workload, in app order, then output order.
    pub(crate) fn pod_templates(&self) -> &[PodTemplate<'a>] {
        &self.pod_templates
    }

    /// The decoded pod template of `document`, if it is a workload whose pod spec decodes.
    pub(crate) fn pod_template_of(&self, document: &Document) -> Option<&PodTemplate<'a>> {
        let index = self.template_of.get(&std::ptr::from_ref(document))?;
        self.pod_templates.get(*index)
    }

    /// The pod specs that do not decode, in app order, then output order.
    pub(crate) fn undecodable_pod_specs(&self) -> &[Undecodable<'a>] {
        &self.undecodable
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
