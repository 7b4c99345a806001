//! The synthesis pass: build the registered apps, expand includes, resolve every object,
//! order by dependencies, name the files and validate everything, collecting every finding
//! before anything is written. Pure apart from reading included files through a
//! [`SourceReader`] and rendering Helm releases through a [`HelmRenderer`], both given at the
//! edge in [`SynthInputs`].

mod api_defaults;
mod expand;
mod order;
mod render;
mod resolve;
pub mod waves;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::app::{App, Dependency};
use crate::cluster::Cluster;
use crate::crd_catalog::{CrdCatalog, NoCrds};
use crate::crd_verdicts::SchemaVerdicts;
use crate::finding::{Finding, Severity};
use crate::helm_release::{HelmReleases, HelmRenderer, RenderRequest};
use crate::include::SourceReader;
use crate::kustomization::{AppKustomizations, KustomizeRenderer, KustomizeRequest};
use crate::manifest::{AppManifest, Document, Extent, ManifestSet, Provenance};
use crate::output::file_name::{FileKey, file_names};
use crate::registry::Registry;
use crate::validate::validate;

use expand::{Item, Source, expand};
use resolve::{Resolved, crd_scopes, resolve};

/// An app built by its registered function, with its category.
#[derive(Clone, Debug)]
pub struct BuiltApp {
    /// The app tree.
    pub app: App,
    /// Its category.
    pub category: String,
}

/// The apps a registry build made, with what the build knows of the workspace: hand both to
/// synthesis ([`BuiltApps::inputs`]) so the checks across apps know which apps are missing.
#[derive(Clone, Debug)]
pub struct BuiltApps {
    /// The apps, in registration order.
    pub apps: Vec<BuiltApp>,
    /// Whole or partial, and what each app rolls out after.
    pub provenance: Provenance,
}

impl BuiltApps {
    /// `inputs` with this build's provenance.
    pub fn inputs<'a>(&'a self, inputs: SynthInputs<'a>) -> SynthInputs<'a> {
        inputs.with_provenance(&self.provenance)
    }
}

impl HelmReleases for BuiltApp {
    fn app_name(&self) -> &str {
        self.app.app_name()
    }

    fn helm_releases(&self) -> impl Iterator<Item = (&str, &crate::helm_release::HelmProps)> {
        self.app.helm_releases()
    }
}

impl AppKustomizations for BuiltApp {
    fn kustomization_props(&self) -> impl Iterator<Item = &crate::kustomization::KustomizeProps> {
        self.app.kustomization_props()
    }
}

/// The result of building or synthesizing apps.
pub type Result<T, E = SynthError> = std::result::Result<T, E>;

/// Synthesis failed: every error, plus the warnings found on the way.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("synthesis found {} error(s)", errors.len())]
pub struct SynthError {
    /// Errors, sorted by app and path. When [`SynthError::unavailable`] is not empty, only
    /// those found before the checks across objects.
    pub errors: Vec<Finding>,
    /// Warnings, sorted by app and path.
    pub warnings: Vec<Finding>,
    /// What synthesis could not read at all (the Helm binary, a chart's package, a lock
    /// entry), one message per cause however many releases it stopped: an I/O error, not a
    /// finding of the apps.
    pub unavailable: Vec<String>,
    /// Errors of the checks across objects (references, routes, namespaces, ...) not
    /// reported because an input was unavailable: they may only follow from objects that
    /// were not rendered.
    pub unchecked: usize,
}

/// Builds the registered apps, all of them or only those named in `only`. An unknown name in
/// `only`, two apps registered under one name, or dependencies between apps with no rollout
/// order (missing target, cycle) are errors.
pub fn build_apps(registry: &Registry, only: &[String]) -> Result<BuiltApps> {
    build_cluster_apps(registry, &Cluster::single(), only)
}

/// Builds the apps enabled on `cluster` (all, or those named in `only`) with `cluster` passed
/// to their build functions. Besides the errors of [`build_apps`], an app named in `only`
/// that the cluster does not run, or an enabled app that depends on one it does not run, is
/// an error.
pub fn build_cluster_apps<S>(
    registry: &Registry<S>,
    cluster: &Cluster<S>,
    only: &[String],
) -> Result<BuiltApps> {
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
    let problems = registry
        .rollout()
        .err()
        .or_else(|| registry.rollout_on(cluster).err())
        .unwrap_or_default();
    errors.extend(problems.iter().map(|problem| {
        Finding::error(problem.app(), problem.app(), problem.to_string()).by_rule("rollout")
    }));
    for name in only {
        if !seen.contains(name.as_str()) {
            let known: Vec<&str> = seen.iter().copied().collect();
            errors.push(Finding::error(
                name,
                name,
                format!("no app named `{name}`; apps are: {}", known.join(", ")),
            ));
        } else if !registry.apps_on(cluster).any(|spec| spec.name == *name) {
            errors.push(Finding::error(
                name,
                name,
                format!("app `{name}` does not run on cluster `{}`", cluster.name),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(SynthError {
            errors: errors.into_iter().map(|f| f.by_rule("registry")).collect(),
            warnings: Vec::new(),
            unavailable: Vec::new(),
            unchecked: 0,
        });
    }
    let mut after = BTreeMap::new();
    let apps = registry
        .apps_on(cluster)
        .filter(|spec| only.is_empty() || only.contains(&spec.name))
        .map(|spec| {
            after.insert(spec.name.clone(), rolls_out_after(registry, &spec.name));
            BuiltApp {
                app: spec.build(cluster),
                category: spec.category.clone(),
            }
        })
        .collect();
    let extent = if only.is_empty() {
        Extent::Whole
    } else {
        Extent::Partial
    };
    Ok(BuiltApps {
        apps,
        provenance: Provenance::Registry {
            extent,
            rolls_out_after: after,
        },
    })
}

/// Every app `name` depends on, directly or through others.
fn rolls_out_after<S>(registry: &Registry<S>, name: &str) -> BTreeSet<String> {
    let mut after = BTreeSet::new();
    let mut pending = vec![name.to_owned()];
    while let Some(next) = pending.pop() {
        let needs = registry
            .apps()
            .iter()
            .filter(|spec| spec.name == next)
            .flat_map(|spec| spec.depends_on.iter());
        for need in needs {
            if after.insert(need.clone()) {
                pending.push(need.clone());
            }
        }
    }
    after
}

/// What synthesis reads from outside the construct tree: included files and, when any app
/// has a Helm release or a kustomization to render, its renderer.
#[derive(Clone, Copy)]
pub struct SynthInputs<'a> {
    /// Included files.
    pub sources: &'a dyn SourceReader,
    /// Renders Helm releases; `None` makes every rendered release an error.
    pub helm: Option<&'a dyn HelmRenderer>,
    /// Renders kustomizations; `None` makes every kustomization an error.
    pub kustomize: Option<&'a dyn KustomizeRenderer>,
    /// The imported CRDs custom resources are checked against (after the CRDs of the
    /// synthesis); `None`: only the synthesis's own CRDs.
    pub crds: Option<&'a dyn CrdCatalog>,
    /// Where the apps came from; `None`: handed in on their own ([`Provenance::Loose`]).
    pub provenance: Option<&'a Provenance>,
    /// Custom resources known valid against their schemas (not checked again), told of
    /// every one found valid; `None`: every custom resource is checked.
    pub verdicts: Option<&'a SchemaVerdicts>,
}

impl<'a> SynthInputs<'a> {
    /// Inputs without a Helm renderer.
    pub fn new(sources: &'a dyn SourceReader) -> Self {
        SynthInputs {
            sources,
            helm: None,
            kustomize: None,
            crds: None,
            provenance: None,
            verdicts: None,
        }
    }

    /// The same inputs, remembering valid custom resources in `verdicts`.
    #[must_use]
    pub fn with_verdicts(mut self, verdicts: &'a SchemaVerdicts) -> Self {
        self.verdicts = Some(verdicts);
        self
    }

    /// The same inputs with a Helm renderer.
    #[must_use]
    pub fn with_helm(mut self, helm: &'a dyn HelmRenderer) -> Self {
        self.helm = Some(helm);
        self
    }

    /// The same inputs with a kustomize renderer.
    #[must_use]
    pub fn with_kustomize(mut self, kustomize: &'a dyn KustomizeRenderer) -> Self {
        self.kustomize = Some(kustomize);
        self
    }

    /// The same inputs with the imported CRDs of `crds`.
    #[must_use]
    pub fn with_crds(mut self, crds: &'a dyn CrdCatalog) -> Self {
        self.crds = Some(crds);
        self
    }

    /// The same inputs for apps of `provenance` (a registry build's).
    #[must_use]
    pub fn with_provenance(mut self, provenance: &'a Provenance) -> Self {
        self.provenance = Some(provenance);
        self
    }
}

/// Synthesizes built apps into a [`ManifestSet`], or every finding when any is an error.
/// Leaves `apps` untouched (it works on a copy); [`synthesize_owned`] avoids the copy. Apps
/// with Helm releases to render need [`synthesize_with`] and a renderer.
pub fn synthesize(apps: &[BuiltApp], sources: &dyn SourceReader) -> Result<ManifestSet> {
    synthesize_owned(apps.to_vec(), sources)
}

/// Synthesizes built apps, consuming them: every object body moves into its document, so the
/// whole synthesis holds one copy of each object.
pub fn synthesize_owned(apps: Vec<BuiltApp>, sources: &dyn SourceReader) -> Result<ManifestSet> {
    synthesize_owned_with(apps, &SynthInputs::new(sources))
}

/// [`synthesize`] with every input, Helm included.
pub fn synthesize_with(apps: &[BuiltApp], inputs: &SynthInputs<'_>) -> Result<ManifestSet> {
    synthesize_owned_with(apps.to_vec(), inputs)
}

/// [`synthesize_owned`] with every input, Helm included.
pub fn synthesize_owned_with(
    mut apps: Vec<BuiltApp>,
    inputs: &SynthInputs<'_>,
) -> Result<ManifestSet> {
    let sources = inputs.sources;
    let releases = render::render::<RenderRequest>(&apps, inputs.helm);
    let kustomizations = render::render::<KustomizeRequest>(&apps, inputs.kustomize);
    let mut findings = releases.unrendered;
    findings.extend(kustomizations.unrendered);
    let mut unavailable = releases.unavailable;
    unavailable.extend(kustomizations.unavailable);
    unavailable.sort();
    unavailable.dedup();
    // apps with a release or kustomization that did not render: their other findings would
    // only repeat that (a route to a Service it would have made, an undeclared namespace)
    let unrendered: BTreeSet<String> = findings.iter().map(|f| f.app.clone()).collect();
    findings.extend(releases.reported);
    findings.extend(kustomizations.reported);
    let mut renders = releases.outputs.into_iter();
    let mut kustomized = kustomizations.outputs.into_iter();
    let mut expanded = Vec::with_capacity(apps.len());
    for built in &mut apps {
        let app = &mut built.app;
        findings.extend(app.errors.iter().map(|error| {
            let path = match error {
                crate::app::ConstructError::DuplicateId { path }
                | crate::app::ConstructError::Serialize { path, .. } => path.clone(),
                crate::app::ConstructError::InvalidId { parent, .. } => parent.clone(),
            };
            Finding::error(&app.name, &path, error.to_string()).by_rule("construct")
        }));
        let (items, include_findings) = expand(
            app,
            sources,
            renders.next().unwrap_or_default(),
            kustomized.next().unwrap_or_default(),
        );
        // includes, rendered releases and kustomizations
        findings.extend(include_findings.into_iter().map(|f| f.by_rule("expand")));
        expanded.push(items);
    }
    let crds = crd_scopes(expanded.iter().flatten());
    for item in expanded.iter_mut().flatten() {
        release_namespace(item, &crds);
    }

    let mut manifests = Vec::with_capacity(apps.len());
    // each app is dropped once resolved: what is left of it (charts, ids) is not read again
    for (built, mut items) in apps.into_iter().zip(expanded) {
        let app = &built.app;
        // `kept[i]` is the item index of `resolved[i]`
        let mut resolved = Vec::with_capacity(items.len());
        let mut kept = Vec::with_capacity(items.len());
        for (index, item) in items.iter_mut().enumerate() {
            match resolve(item, &app.charts[item.node.chart], &crds) {
                Ok(object) => {
                    kept.push(index);
                    resolved.push(object);
                }
                Err(error) => findings.push(located(
                    Finding::error(&app.name, &item.path, error.to_string()).by_rule("resolve"),
                    item,
                )),
            }
        }
        let paths: Vec<&str> = kept
            .iter()
            .map(|&index| items[index].path.as_str())
            .collect();
        let order = match ordered(app, &items, &kept, &paths) {
            Ok(order) => order,
            Err(finding) => {
                findings.push(finding.by_rule("order"));
                continue;
            }
        };
        let mut slots: Vec<Option<Resolved>> = resolved.into_iter().map(Some).collect();
        let (indexes, mut resolved): (Vec<usize>, Vec<Resolved>) = order
            .into_iter()
            .filter_map(|position| Some((kept[position], slots[position].take()?)))
            .unzip();
        // what the API server fills in, and the sync waves, change bodies across the app:
        // done before the bodies are kept as text
        let mut bodies: Vec<Value> = resolved
            .iter_mut()
            .map(|resolved| resolved.body.take())
            .collect();
        api_defaults::spell_out(&mut bodies);
        waves::order_app(&mut bodies);
        let documents = indexes
            .into_iter()
            .zip(resolved)
            .zip(bodies)
            .map(|((index, resolved), body)| {
                let item = &mut items[index];
                let mut document = Document::new(
                    std::mem::take(&mut item.path),
                    item.node.origin.clone(),
                    resolved.scope,
                    &body,
                )
                .with_schemas(resolved.schemas);
                document.allowed = std::mem::take(&mut item.node.allowed);
                document
            })
            .collect();
        let manifest = AppManifest {
            name: app.name.clone(),
            category: built.category.clone(),
            namespaces: chart_namespaces(app),
            documents,
            external_namespaces: app.external_namespaces.clone(),
        };
        manifests.push(named_files(manifest));
    }
    manifests.sort_by(|a, b| a.name.cmp(&b.name));
    let provenance = inputs.provenance.cloned().unwrap_or_default();
    let checked = validate(
        &manifests,
        inputs.crds.unwrap_or(&NoCrds),
        &provenance,
        inputs.verdicts,
    );
    // with an input missing, the checks across objects would report what is only missing
    // because it was not rendered: they are counted, not reported
    let unchecked = if unavailable.is_empty() {
        findings.extend(
            checked
                .into_iter()
                .filter(|finding| !unrendered.contains(&finding.app)),
        );
        0
    } else {
        checked
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .count()
    };
    findings.sort();
    let (errors, warnings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|finding| finding.severity == Severity::Error);
    if !errors.is_empty() || !unavailable.is_empty() {
        return Err(SynthError {
            errors,
            warnings,
            unavailable,
            unchecked,
        });
    }
    Ok(ManifestSet {
        apps: manifests,
        provenance,
        warnings,
    })
}

/// `(group, kind)` of an object's body (`""` for what it lacks).
fn kind_of(body: &Value) -> (&str, &str) {
    let text = |field| body.get(field).and_then(Value::as_str).unwrap_or_default();
    (crate::scope::group_of(text("apiVersion")), text("kind"))
}

/// Gives a rendered object the release namespace when its kind is namespaced and it has
/// none; removes the namespace of cluster-scoped rendered objects.
fn release_namespace(item: &mut Item, crds: &resolve::CrdScopes) {
    let Some(namespace) = &item.release_namespace else {
        return;
    };
    let node = &mut item.node;
    let scope = if item.crd_folder {
        Some(crate::scope::Scope::Cluster)
    } else {
        node.scope.or_else(|| {
            crds.get(&(node.group().to_owned(), node.kind.clone()))
                .copied()
        })
    };
    let Some(serde_json::Value::Object(metadata)) = node.body.parsed().get_mut("metadata") else {
        return;
    };
    match scope {
        Some(crate::scope::Scope::Cluster) => {
            metadata.remove("namespace");
        }
        Some(crate::scope::Scope::Namespaced) => {
            let has = metadata
                .get("namespace")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|text| !text.is_empty());
            if !has {
                metadata.insert(
                    "namespace".into(),
                    serde_json::Value::String(namespace.clone()),
                );
            }
        }
        None => {}
    }
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

/// The output order of the resolved documents (`kept[i]` is the item index of the `i`th,
/// `paths[i]` its construct path), by the app's object and chart dependencies: positions in
/// `kept`.
fn ordered(
    app: &App,
    items: &[Item],
    kept: &[usize],
    paths: &[&str],
) -> Result<Vec<usize>, Finding> {
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
            Dependency::Helm(helm) => members(Source::Helm(helm.0)),
            Dependency::Kustomize(kustomize) => members(Source::Kustomize(kustomize.0)),
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
    match order::stable_topological(kept.len(), &edges) {
        Ok(order) => Ok(order),
        Err(cycle) => {
            let names: Vec<String> = cycle.iter().map(|&doc| paths[doc].to_owned()).collect();
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
