//! The one seam between synthesis and the renderers at the edge. For each kind of rendered
//! construct (Helm releases, kustomizations), every construct of every app is checked and
//! turned into a request, all requests go to the kind's renderer in one call (which may
//! render them in parallel), and each result goes back to its app and construct: a render,
//! a finding of the app, or, when an input is missing, one message per cause. A kind plugs in
//! by implementing [`Request`] for its request type; [`render`] does the rest.

mod helm_release;
mod kustomization;

use crate::app::App;
use crate::finding::Finding;
use crate::synth::BuiltApp;

/// A request to a renderer at the edge, and what synthesis needs to know of its kind.
pub(crate) trait Request: Sized {
    /// The construct as an app holds it.
    type Node;
    /// The renderer at the edge, as [`SynthInputs`](crate::SynthInputs) holds it.
    type Renderer<'r>: ?Sized;
    /// One construct's render.
    type Output;
    /// Why a render failed.
    type Error;
    /// The rule of the findings about a construct that cannot be rendered.
    const RULE: &'static str;
    /// The finding when a construct is to be rendered and synthesis was given no renderer.
    const NO_RENDERER: &'static str;

    /// The app's constructs of this kind, in the order it declared them.
    fn nodes(app: &App) -> &[Self::Node];

    /// The construct path of `node`.
    fn path(app: &App, node: &Self::Node) -> String;

    /// The request for `node` of `app` (construct path `path`): `Ok(None)` when the
    /// construct is not rendered here (a delegated release), `Err` one message per problem
    /// of its props.
    fn request(app: &App, node: &Self::Node, path: String) -> Result<Option<Self>, Vec<String>>;

    /// Renders `requests`: the result at index `i` belongs to `requests[i]`.
    fn render(
        renderer: &Self::Renderer<'_>,
        requests: &[Self],
    ) -> Vec<Result<Self::Output, Self::Error>>;

    /// What the failed render of this request, of app `app`, becomes.
    fn failed(&self, app: &str, error: Self::Error) -> Failure;
}

/// What a failed render becomes.
pub(crate) enum Failure {
    /// An input is missing (a tool, a lock entry, a package or source): one message per
    /// cause however many constructs it stops, an I/O error rather than a finding of the app.
    Unavailable(String),
    /// A finding of the app; its checks across objects are then left out, since they would
    /// only repeat the objects that were not rendered.
    Unrendered(Finding),
    /// Findings of the app, reported with its others; its checks across objects still run.
    Reported(Vec<Finding>),
}

/// What [`render`] made of one kind's constructs.
pub(crate) struct Renders<O> {
    /// Per app, per construct of the kind (by index): its render, `None` when it was not
    /// rendered (delegated, or reported below).
    pub(crate) outputs: Vec<Vec<Option<O>>>,
    /// Constructs that cannot be rendered, and failures after which the app's checks across
    /// objects are left out.
    pub(crate) unrendered: Vec<Finding>,
    /// Failures reported with the app's other findings.
    pub(crate) reported: Vec<Finding>,
    /// The missing inputs, one message per cause.
    pub(crate) unavailable: Vec<String>,
}

/// Renders every construct of kind `Q` of every app in one call to `renderer`. A construct
/// whose props are incomplete, or that needs a renderer when there is none, is reported and
/// not rendered.
pub(crate) fn render<'r, Q: Request>(
    apps: &[BuiltApp],
    renderer: Option<&'r Q::Renderer<'r>>,
) -> Renders<Q::Output> {
    let mut renders = Renders {
        outputs: apps
            .iter()
            .map(|built| Q::nodes(&built.app).iter().map(|_| None).collect())
            .collect(),
        unrendered: Vec::new(),
        reported: Vec::new(),
        unavailable: Vec::new(),
    };
    let mut requests = Vec::new();
    let mut owners = Vec::new();
    for (app_index, built) in apps.iter().enumerate() {
        let app = &built.app;
        for (index, node) in Q::nodes(app).iter().enumerate() {
            let path = Q::path(app, node);
            let request = match Q::request(app, node, path.clone()) {
                Ok(Some(request)) => request,
                Ok(None) => continue,
                Err(problems) => {
                    renders.unrendered.extend(
                        problems.into_iter().map(|problem| {
                            Finding::error(&app.name, &path, problem).by_rule(Q::RULE)
                        }),
                    );
                    continue;
                }
            };
            if renderer.is_none() {
                renders
                    .unrendered
                    .push(Finding::error(&app.name, &path, Q::NO_RENDERER).by_rule(Q::RULE));
                continue;
            }
            requests.push(request);
            owners.push((app_index, index));
        }
    }
    if let (Some(renderer), false) = (renderer, requests.is_empty()) {
        let results = Q::render(renderer, &requests);
        for (((app_index, index), request), result) in
            owners.into_iter().zip(&requests).zip(results)
        {
            match result {
                Ok(output) => renders.outputs[app_index][index] = Some(output),
                Err(error) => match request.failed(&apps[app_index].app.name, error) {
                    Failure::Unavailable(cause) => renders.unavailable.push(cause),
                    Failure::Unrendered(finding) => renders.unrendered.push(finding),
                    Failure::Reported(findings) => renders.reported.extend(findings),
                },
            }
        }
    }
    renders
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::chart::ChartProps;
    use crate::helm_release::{
        ChartSource, HelmError, HelmProps, HelmRenderer, RenderRequest, Rendered, ValueViolation,
    };
    use crate::kustomization::{
        KustomizeError, KustomizeProps, KustomizeRenderer, KustomizeRequest, Kustomized,
    };
    use crate::rendering::RenderOutput;

    /// Answers each request with its folder as the manifest, or the error named for it.
    #[derive(Default)]
    struct Kustomizations {
        calls: Mutex<Vec<Vec<String>>>,
        fail: Vec<(&'static str, KustomizeError)>,
    }

    impl KustomizeRenderer for Kustomizations {
        fn render(&self, requests: &[KustomizeRequest]) -> Vec<Result<Kustomized, KustomizeError>> {
            self.calls
                .lock()
                .unwrap()
                .push(requests.iter().map(|r| r.kustomization.clone()).collect());
            requests
                .iter()
                .map(|request| {
                    match self
                        .fail
                        .iter()
                        .find(|(folder, _)| *folder == request.kustomization)
                    {
                        Some((_, error)) => Err(error.clone()),
                        None => Ok(Kustomized {
                            output: RenderOutput::Text(request.kustomization.clone()),
                            ..Kustomized::default()
                        }),
                    }
                })
                .collect()
        }
    }

    fn app(name: &str, folders: &[&str]) -> BuiltApp {
        let mut app = App::new(name);
        let mut chart = app.chart("main", ChartProps::namespace(name));
        for (index, folder) in folders.iter().enumerate() {
            chart.kustomize(&format!("k{index}"), KustomizeProps::new(*folder));
        }
        BuiltApp {
            app,
            category: "test".to_owned(),
        }
    }

    #[test]
    fn every_construct_goes_in_one_call_and_each_render_back_to_its_app() {
        let apps = [
            app("a", &["a/one", "a/two"]),
            app("b", &[]),
            app("c", &["c/one"]),
        ];
        let renderer = Kustomizations::default();
        let renders = render::<KustomizeRequest>(&apps, Some(&renderer as &dyn KustomizeRenderer));
        assert_eq!(
            *renderer.calls.lock().unwrap(),
            [["a/one", "a/two", "c/one"]]
        );
        let manifests: Vec<Vec<Option<String>>> = renders
            .outputs
            .into_iter()
            .map(|app| {
                app.into_iter()
                    .map(|o| {
                        o.map(|o| match o.output {
                            RenderOutput::Text(text) => text,
                            RenderOutput::Split(_) => "split".to_owned(),
                        })
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            manifests,
            [
                vec![Some("a/one".to_owned()), Some("a/two".to_owned())],
                vec![],
                vec![Some("c/one".to_owned())],
            ]
        );
        assert!(renders.unrendered.is_empty() && renders.reported.is_empty());
        assert!(renders.unavailable.is_empty());
    }

    #[test]
    fn incomplete_props_and_a_missing_renderer_are_findings_not_requests() {
        let apps = [app("a", &[" ", "a/one"])];
        let renders = render::<KustomizeRequest>(&apps, None);
        let messages: Vec<(&str, &str, &str)> = renders
            .unrendered
            .iter()
            .map(|f| (f.path.as_str(), f.rule, f.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "a/main/k0",
                    "kustomize",
                    "kustomization has no folder: set `KustomizeProps::path`"
                ),
                ("a/main/k1", "kustomize", KustomizeRequest::NO_RENDERER),
            ]
        );
        assert!(renders.outputs[0].iter().all(Option::is_none));
    }

    #[test]
    fn a_failure_is_a_missing_input_or_a_finding_and_leaves_its_slot_empty() {
        let apps = [app("a", &["a/one", "a/two", "a/three"])];
        let renderer = Kustomizations {
            fail: vec![
                (
                    "a/one",
                    KustomizeError::ToolMissing {
                        reason: "nothing on PATH".to_owned(),
                    },
                ),
                (
                    "a/two",
                    KustomizeError::Kustomize {
                        file: "a/two/kustomization.yaml".to_owned(),
                        stderr: "boom".to_owned(),
                    },
                ),
            ],
            ..Kustomizations::default()
        };
        let renders = render::<KustomizeRequest>(&apps, Some(&renderer as &dyn KustomizeRenderer));
        assert_eq!(renders.unavailable.len(), 1);
        assert!(
            renders.unavailable[0]
                .starts_with("a/one/kustomization.yaml: kustomize was not found (nothing on PATH)")
        );
        assert_eq!(renders.unrendered.len(), 1);
        assert_eq!(renders.unrendered[0].path, "a/main/k1");
        assert_eq!(
            renders.unrendered[0].message,
            "kustomize build of a/two/kustomization.yaml failed: boom"
        );
        assert!(renders.reported.is_empty());
        let rendered: Vec<bool> = renders.outputs[0].iter().map(Option::is_some).collect();
        assert_eq!(rendered, [false, false, true]);
    }

    struct SchemaBreak;

    impl HelmRenderer for SchemaBreak {
        fn render(&self, requests: &[RenderRequest]) -> Vec<Result<Rendered, HelmError>> {
            requests
                .iter()
                .map(|_| {
                    Err(HelmError::Schema {
                        chart: "c 1.0.0".to_owned(),
                        violations: vec![ValueViolation {
                            path: "replicas".to_owned(),
                            message: "not an integer".to_owned(),
                        }],
                    })
                })
                .collect()
        }
    }

    #[test]
    fn a_failed_helm_render_is_reported_beside_the_apps_findings() {
        let mut app = App::new("a");
        app.chart("main", ChartProps::namespace("a")).helm(
            "release",
            HelmProps::new(ChartSource::repo("https://charts.example", "c"), "1.0.0"),
        );
        let apps = [BuiltApp {
            app,
            category: "test".to_owned(),
        }];
        let renders = render::<RenderRequest>(&apps, Some(&SchemaBreak as &dyn HelmRenderer));
        assert!(renders.unrendered.is_empty());
        let reported: Vec<(&str, &str)> = renders
            .reported
            .iter()
            .map(|f| (f.rule, f.message.as_str()))
            .collect();
        assert_eq!(
            reported,
            [(
                "expand",
                "`replicas` break values.schema.json of chart c 1.0.0: not an integer"
            )]
        );
        assert_eq!(renders.outputs, [[None]]);
    }
}
