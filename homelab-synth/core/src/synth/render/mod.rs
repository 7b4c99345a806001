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
