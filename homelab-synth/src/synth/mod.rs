//! The synthesis pass: build the registered apps, expand includes, resolve every object,
//! order by dependencies, name the files and validate everything, collecting every finding
//! before anything is written. Pure apart from reading included files through a
//! [`SourceReader`].

mod expand;
mod order;
mod resolve;

use std::collections::BTreeSet;

use crate::app::{App, Dependency};
use crate::finding::{Finding, Severity};
use crate::include::SourceReader;
use crate::manifest::{AppManifest, Document, ManifestSet};
use crate::output::file_name::{FileKey, file_names};
use crate::registry::Registry;
use crate::validate::validate;

use expand::{Item, Source, expand};
use resolve::{crd_scopes, resolve};

/// An app built by its registered function, with its category.
#[derive(Clone, Debug)]
pub struct BuiltApp {
    /// The app tree.
    pub app: App,
    /// Its category.
    pub category: String,
}

/// Synthesis failed: every error, plus the warnings found on the way.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("synthesis found {} error(s)", errors.len())]
pub struct SynthError {
    /// Errors, sorted by app and path.
    pub errors: Vec<Finding>,
    /// Warnings, sorted by app and path.
    pub warnings: Vec<Finding>,
}

/// Builds the registered apps, all of them or only those named in `only`. An unknown name in
/// `only`, or two apps registered under one name, is an error.
pub fn build_apps(registry: &Registry, only: &[String]) -> Result<Vec<BuiltApp>, SynthError> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for spec in registry.apps() {
        if !seen.insert(spec.name.as_str()) {
            errors.push(Finding::error(
                &spec.name,
                &spec.name,
                format!("app `{}` is registered twice", spec.name),
            ));
        }
    }
    for name in only {
        if !seen.contains(name.as_str()) {
            let known: Vec<&str> = seen.iter().copied().collect();
            errors.push(Finding::error(
                name,
                name,
                format!("no app named `{name}`; apps are: {}", known.join(", ")),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(SynthError {
            errors,
            warnings: Vec::new(),
        });
    }
    let apps = registry
        .apps()
        .iter()
        .filter(|spec| only.is_empty() || only.contains(&spec.name))
        .map(|spec| {
            let mut app = App::new(&spec.name);
            (spec.build)(&mut app);
            BuiltApp {
                app,
                category: spec.category.clone(),
            }
        })
        .collect();
    Ok(apps)
}

/// Synthesizes built apps into a [`ManifestSet`], or every finding when any is an error.
/// Leaves `apps` untouched (it works on a copy); [`synthesize_owned`] avoids the copy.
pub fn synthesize(
    apps: &[BuiltApp],
    sources: &dyn SourceReader,
) -> Result<ManifestSet, SynthError> {
    synthesize_owned(apps.to_vec(), sources)
}

/// Synthesizes built apps, consuming them: every object body moves into its document, so the
/// whole synthesis holds one copy of each object.
pub fn synthesize_owned(
    mut apps: Vec<BuiltApp>,
    sources: &dyn SourceReader,
) -> Result<ManifestSet, SynthError> {
    let mut findings = Vec::new();
    let mut expanded = Vec::with_capacity(apps.len());
    for built in &mut apps {
        let app = &mut built.app;
        findings.extend(app.errors.iter().map(|error| {
            let path = match error {
                crate::app::ConstructError::DuplicateId { path }
                | crate::app::ConstructError::Serialize { path, .. } => path.clone(),
                crate::app::ConstructError::InvalidId { parent, .. } => parent.clone(),
            };
            Finding::error(&app.name, &path, error.to_string())
        }));
        let (items, include_findings) = expand(app, sources);
        findings.extend(include_findings);
        expanded.push(items);
    }
    let crds = crd_scopes(expanded.iter().flatten());

    let mut manifests = Vec::with_capacity(apps.len());
    for (built, mut items) in apps.iter().zip(expanded) {
        let app = &built.app;
        let mut documents = Vec::with_capacity(items.len());
        let mut kept = Vec::with_capacity(items.len());
        for (index, item) in items.iter_mut().enumerate() {
            match resolve(item, &app.charts[item.node.chart], &crds) {
                Ok(resolved) => {
                    kept.push(index);
                    documents.push(Document {
                        path: item.path.clone(),
                        origin: item.node.origin.clone(),
                        scope: resolved.scope,
                        body: resolved.body,
                        file_name: String::new(),
                        allowed: std::mem::take(&mut item.node.allowed),
                    });
                }
                Err(message) => findings.push(located(
                    Finding::error(&app.name, &item.path, message),
                    item,
                )),
            }
        }
        let documents = match ordered(app, &items, &kept, documents) {
            Ok(documents) => documents,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        manifests.push(named_files(AppManifest {
            name: app.name.clone(),
            category: built.category.clone(),
            namespaces: chart_namespaces(app),
            documents,
        }));
    }
    manifests.sort_by(|a, b| a.name.cmp(&b.name));
    findings.extend(validate(&manifests));
    findings.sort();
    let (errors, warnings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|finding| finding.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(SynthError { errors, warnings });
    }
    Ok(ManifestSet {
        apps: manifests,
        warnings,
    })
}

fn located(finding: Finding, item: &Item) -> Finding {
    match &item.node.origin {
        crate::object::Origin::Included { file, .. } => finding.in_file(file),
        crate::object::Origin::Code => finding,
    }
}

fn chart_namespaces(app: &App) -> Vec<String> {
    let mut namespaces: Vec<String> = Vec::new();
    for chart in &app.charts {
        if let Some(namespace) = &chart.props.namespace
            && !namespaces.contains(namespace)
        {
            namespaces.push(namespace.clone());
        }
    }
    namespaces
}

/// Orders the resolved documents (`kept[i]` is the item index of `documents[i]`) by the
/// app's object and chart dependencies.
fn ordered(
    app: &App,
    items: &[Item],
    kept: &[usize],
    documents: Vec<Document>,
) -> Result<Vec<Document>, Finding> {
    let chart_edges: Vec<(usize, usize)> = app
        .charts
        .iter()
        .enumerate()
        .flat_map(|(chart, node)| node.depends_on.iter().map(move |other| (chart, other.0)))
        .collect();
    if let Err(cycle) = order::stable_topological(app.charts.len(), &chart_edges) {
        let names: Vec<String> = cycle.iter().map(|&c| app.chart_path(c)).collect();
        return Err(Finding::error(
            &app.name,
            &app.name,
            format!(
                "charts depend on each other in a cycle: {}",
                cycle_text(&names)
            ),
        ));
    }

    let members = |source: Source| -> Vec<usize> {
        kept.iter()
            .enumerate()
            .filter(|&(_, &item)| items[item].source == source)
            .map(|(doc, _)| doc)
            .collect()
    };
    let mut edges = Vec::new();
    for (object, dependency) in &app.dependencies {
        let Some(object_doc) = members(Source::Object(object.0)).first().copied() else {
            continue;
        };
        let targets = match dependency {
            Dependency::Object(target) => members(Source::Object(target.0)),
            Dependency::Include(include) => members(Source::Include(include.0)),
        };
        edges.extend(targets.into_iter().map(|target| (object_doc, target)));
    }
    for (chart, other) in &chart_edges {
        for (doc, &item) in kept.iter().enumerate() {
            if items[item].node.chart != *chart {
                continue;
            }
            for (dependency_doc, &dependency_item) in kept.iter().enumerate() {
                if items[dependency_item].node.chart == *other {
                    edges.push((doc, dependency_doc));
                }
            }
        }
    }
    match order::stable_topological(documents.len(), &edges) {
        Ok(order) => {
            let mut slots: Vec<Option<Document>> = documents.into_iter().map(Some).collect();
            Ok(order
                .into_iter()
                .filter_map(|index| slots[index].take())
                .collect())
        }
        Err(cycle) => {
            let names: Vec<String> = cycle
                .iter()
                .map(|&doc| documents[doc].path.clone())
                .collect();
            Err(Finding::error(
                &app.name,
                &app.name,
                format!(
                    "objects depend on each other in a cycle: {}",
                    cycle_text(&names)
                ),
            ))
        }
    }
}

fn cycle_text(names: &[String]) -> String {
    let mut text = names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(" -> ");
    if let Some(first) = names.first() {
        text.push_str(&format!(" -> `{first}`"));
    }
    text
}

fn named_files(mut manifest: AppManifest) -> AppManifest {
    let names = {
        let keys: Vec<FileKey<'_>> = manifest
            .documents
            .iter()
            .map(|document| FileKey {
                group: document.group(),
                kind: document.kind(),
                namespace: document.namespace().unwrap_or_default(),
                name: document.name(),
            })
            .collect();
        file_names(&keys)
    };
    for (document, name) in manifest.documents.iter_mut().zip(names) {
        document.file_name = name;
    }
    manifest
}
