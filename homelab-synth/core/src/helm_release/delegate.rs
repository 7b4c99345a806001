//! Delegated releases: the same props become an Argo CD `Application` with a Helm source and
//! `valuesObject`, or a Flux `HelmRepository` (`OCIRepository` for `oci://` charts) plus a
//! `HelmRelease`, so the engine renders the chart in the cluster. Pure: untyped objects.

use serde_json::{Value, json};

use super::construct::{ChartSource, Delegate, HelmProps};
use crate::object::Untyped;
use crate::scope::Scope;

/// The objects that hand release `release` in `namespace` to `engine`, with their ids.
pub fn objects(
    engine: &Delegate,
    props: &HelmProps,
    release: &str,
    namespace: &str,
) -> Vec<(String, Untyped)> {
    let values = if props.values.is_null() {
        json!({})
    } else {
        props.values.clone()
    };
    match engine {
        Delegate::ArgoCd {
            namespace: argo_namespace,
            project,
            server,
        } => {
            let (repo_url, chart) = match &props.chart {
                ChartSource::Repository { url, name } => (url.clone(), name.clone()),
                ChartSource::Oci { reference } => {
                    let trimmed = reference.trim_start_matches("oci://");
                    let (repo, name) = trimmed.rsplit_once('/').unwrap_or((trimmed, trimmed));
                    (repo.to_owned(), name.to_owned())
                }
            };
            let mut helm = json!({"releaseName": release, "valuesObject": values});
            if let Some(kube_version) = &props.kube_version {
                helm["kubeVersion"] = json!(kube_version);
            }
            if !props.api_versions.is_empty() {
                helm["apiVersions"] = json!(props.api_versions);
            }
            let application = Untyped::new(
                "argoproj.io/v1alpha1",
                "Application",
                json!({
                    "metadata": {"name": release, "namespace": argo_namespace},
                    "spec": {
                        "project": project,
                        "source": {
                            "repoURL": repo_url,
                            "chart": chart,
                            "targetRevision": props.version,
                            "helm": helm
                        },
                        "destination": {"server": server, "namespace": namespace}
                    }
                }),
            )
            .scope(Scope::Namespaced);
            vec![("application".into(), application)]
        }
        Delegate::Flux { interval } => {
            let (source, chart_ref) = match &props.chart {
                ChartSource::Repository { url, name } => (
                    Untyped::new(
                        "source.toolkit.fluxcd.io/v1",
                        "HelmRepository",
                        json!({
                            "metadata": {"name": release, "namespace": namespace},
                            "spec": {"url": url, "interval": interval}
                        }),
                    ),
                    json!({
                        "chart": {
                            "spec": {
                                "chart": name,
                                "version": props.version,
                                "sourceRef": {"kind": "HelmRepository", "name": release}
                            }
                        }
                    }),
                ),
                ChartSource::Oci { reference } => (
                    Untyped::new(
                        "source.toolkit.fluxcd.io/v1",
                        "OCIRepository",
                        json!({
                            "metadata": {"name": release, "namespace": namespace},
                            "spec": {
                                "url": reference,
                                "interval": interval,
                                "ref": {"tag": props.version},
                                "layerSelector": {
                                    "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                                    "operation": "copy"
                                }
                            }
                        }),
                    ),
                    json!({"chartRef": {"kind": "OCIRepository", "name": release}}),
                ),
            };
            let mut spec = json!({
                "interval": interval,
                "releaseName": release,
                "targetNamespace": namespace,
                "values": values
            });
            if let (Value::Object(spec), Value::Object(chart_ref)) = (&mut spec, chart_ref) {
                spec.extend(chart_ref);
            }
            let release_object = Untyped::new(
                "helm.toolkit.fluxcd.io/v2",
                "HelmRelease",
                json!({
                    "metadata": {"name": release, "namespace": namespace},
                    "spec": spec
                }),
            )
            .scope(Scope::Namespaced);
            vec![
                ("source".into(), source.scope(Scope::Namespaced)),
                ("release".into(), release_object),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argo_cd_application_carries_the_helm_source_and_values() {
        let props = HelmProps::new(ChartSource::repo("https://charts.example/", "app"), "1.2.3")
            .values(json!({"a": 1}));
        let objects = objects(&Delegate::argo_cd(), &props, "rel", "ns");
        assert_eq!(objects.len(), 1);
        let body = &objects[0].1.body;
        assert_eq!(body["metadata"]["namespace"], "argocd");
        assert_eq!(
            body["spec"]["source"],
            json!({"repoURL": "https://charts.example", "chart": "app", "targetRevision": "1.2.3",
                   "helm": {"releaseName": "rel", "valuesObject": {"a": 1}}})
        );
        assert_eq!(body["spec"]["destination"]["namespace"], "ns");
    }

    #[test]
    fn flux_gets_a_repository_and_a_release() {
        let props = HelmProps::new(ChartSource::oci("oci://registry.example/lib/n8n"), "2.0.1");
        let objects = objects(&Delegate::flux(), &props, "n8n", "n8n");
        let kinds: Vec<&str> = objects.iter().map(|(_, o)| o.kind.as_str()).collect();
        assert_eq!(kinds, ["OCIRepository", "HelmRelease"]);
        assert_eq!(
            objects[1].1.body["spec"]["chartRef"],
            json!({"kind": "OCIRepository", "name": "n8n"})
        );
        assert_eq!(objects[1].1.body["spec"]["values"], json!({}));
    }
}
