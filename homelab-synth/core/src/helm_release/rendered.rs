//! From a release's render to objects of the app: the values check and the determinism
//! check, then the shared loop of [`objects::objects`] with this release's CRD and hook
//! policies. Pure.

use super::construct::{CrdPolicy, HelmNode};
use super::determinism::{differences, existing_secret_values};
use super::hooks::{self, HookOutcome};
use super::renderer::Rendered;
use super::values::unknown_paths;
use crate::finding::Finding;
use crate::rendering::objects::{self, Construct, RenderedObject, RenderedSource};
use crate::rendering::{RenderedDocument, split};

/// The objects of `rendered` for release `helm` (construct path `path`) of app `app`.
pub(crate) fn objects(
    app: &str,
    path: &str,
    helm: &HelmNode,
    rendered: Rendered,
) -> (Vec<RenderedObject>, Vec<Finding>) {
    let mut findings = Vec::new();
    let chart = format!("{} {}", rendered.chart.name, rendered.chart.version);
    let file = format!("chart {chart}");

    if let Ok(user) = helm.props.values_map() {
        let mut allowed = helm.props.allow_values.clone();
        allowed.extend(rendered.chart.conditions.iter().cloned());
        for unknown in unknown_paths(
            &user,
            &rendered.chart.values,
            rendered.chart.schema.as_ref(),
            &allowed,
        ) {
            findings.push(Finding::error(
                app,
                path,
                format!(
                    "`{unknown}` is not a value of chart {chart}: Helm would ignore it; check \
                     the chart's values.yaml, or allow it with `allow_value(\"{unknown}\")` if \
                     a template reads it anyway"
                ),
            ));
        }
    }

    let documents = match rendered.output.into_documents() {
        Ok(documents) => documents,
        Err(error) => {
            findings.push(Finding::error(
                app,
                path,
                format!("cannot read the output of helm template for chart {chart}: {error}"),
            ));
            return (Vec::new(), findings);
        }
    };
    // a second render identical to the first (the usual, deterministic case) is not handed
    // back, so it needs no object-by-object comparison
    if let Some(second) = &rendered.second {
        match split(second) {
            Ok(again) => {
                let suggestions = existing_secret_values(&rendered.chart.values);
                for difference in differences(&documents, &again) {
                    let omitted = helm
                        .props
                        .omit
                        .iter()
                        .any(|(object, _)| *object == difference.object);
                    let accepted = omitted
                        || helm
                            .props
                            .accept_nondeterministic
                            .iter()
                            .any(|(object, _)| *object == difference.object);
                    if accepted {
                        continue;
                    }
                    let hint = if suggestions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (this chart has {})",
                            suggestions
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    findings.push(Finding::error(
                        app,
                        &format!("{path}/{}", difference.object),
                        format!(
                            "{} differs between two renders of chart {chart} at {}: the chart \
                             generates random values; point it at an existing Secret through \
                             its values{hint}, or accept it with \
                             `accept_nondeterministic(\"{}\", \"reason\")`",
                            difference.object,
                            difference
                                .paths
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            difference.object
                        ),
                    ));
                }
            }
            Err(error) => findings.push(Finding::error(
                app,
                path,
                format!("cannot read the second render of chart {chart}: {error}"),
            )),
        }
    }

    let release = Release {
        app,
        path,
        helm,
        chart: &chart,
        file: &file,
    };
    let (objects, render_findings) = objects::objects(&release, documents);
    findings.extend(render_findings);
    (objects, findings)
}

/// A release's side of [`objects::objects`]: its CRD policy and hooks, and messages that
/// name its chart.
struct Release<'a> {
    app: &'a str,
    path: &'a str,
    helm: &'a HelmNode,
    /// `name version`.
    chart: &'a str,
    /// `chart <name> <version>`.
    file: &'a str,
}

impl RenderedSource for Release<'_> {
    fn construct(&self) -> Construct<'_> {
        Construct {
            app: self.app,
            path: self.path,
            chart: self.helm.chart,
            id: &self.helm.id,
            omit: &self.helm.props.omit,
            patches: &self.helm.patches,
            allowed: &self.helm.allowed,
        }
    }

    fn crd_folder(&self, document: &RenderedDocument) -> bool {
        document.from_crds_folder()
    }

    fn skips(&self, document: &RenderedDocument) -> bool {
        self.helm.props.crds == CrdPolicy::Skip && document.from_crds_folder()
    }

    fn admit(
        &self,
        document: &mut RenderedDocument,
        kind_name: &str,
        findings: &mut Vec<Finding>,
    ) -> bool {
        match hooks::apply(&self.helm.props.hooks, &mut document.value) {
            HookOutcome::Plain | HookOutcome::ArgoCd => true,
            HookOutcome::Dropped { hooks, warn } => {
                if warn {
                    findings.push(
                        Finding::warning(
                            self.app,
                            &format!("{}/{kind_name}", self.path),
                            format!(
                                "{kind_name} is a Helm `{hooks}` hook of chart {} and was \
                                 left out; set the release's hook policy to ArgoCd or Omit",
                                self.chart
                            ),
                        )
                        .in_file(self.document_file(&document.source)),
                    );
                }
                false
            }
        }
    }

    fn document_file(&self, template: &str) -> String {
        format!("{}: {template}", self.file)
    }

    fn origin_file(&self, template: &str) -> String {
        self.document_file(template)
    }

    fn omitted_without_reason(&self, object: &str) -> String {
        format!(
            "leaving {object} out of chart {} needs a reason",
            self.chart
        )
    }

    fn omitted_not_rendered(&self, object: &str) -> String {
        format!(
            "{object} is to be left out, but chart {} did not render it",
            self.chart
        )
    }

    fn aimed_not_rendered(
        &self,
        what: &str,
        kind: &str,
        name: &str,
        rendered: &[String],
    ) -> String {
        format!(
            "a {what} is aimed at {kind} `{name}`, which chart {} did not render; \
             rendered: {}",
            self.chart,
            rendered.join(", ")
        )
    }
}
