//! The one context every validation rule reads: the apps of the synthesis and the indexes
//! several rules need, built once in a single pass over the documents (documents by group and
//! kind, pod templates and the built-in objects rules read, decoded into their k8s-openapi
//! types) or on first use (the CRD schemas, whose validators compile only for the kinds the
//! synthesis emits), instead of each rule walking every document to find its few kinds.

use std::collections::BTreeMap;

use crate::crd_catalog::CrdCatalog;
use crate::crd_schema::{CrdSchemas, schemas_for};
use crate::manifest::{AppManifest, Document, Provenance};
use crate::validate::decode::Undecodable;
use crate::validate::objects::{self, Decoded, Typed};
use crate::validate::pods::{self, PodTemplate};

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
    /// The decoded built-in objects (Services, Namespaces...), in app order, then output
    /// order.
    objects: Vec<Decoded<'a>>,
    /// Index in `objects` of each document's typed view, by the document's address.
    object_of: BTreeMap<*const Document, usize>,
    /// The built-in objects that do not decode, in app order, then output order.
    undecodable_objects: Vec<Undecodable<'a>>,
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
        let mut objects = Vec::new();
        let mut undecodable_objects = Vec::new();
        let mut object_of = BTreeMap::new();
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
            objects,
            object_of,
            undecodable_objects,
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
