//! `expose`: a Service derived from a workload's selector labels and named container ports.
//! Every Service port targets a container port by NAME, and the selector is the workload's
//! own selector set, so the two cannot drift apart. A name the containers do not declare
//! (only possible through [`ServiceBuilder::port_as`]) is reported by synthesis, with every
//! other finding, by the Service targetPort rule.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::kit::workload::pod::PodBuilder;
use crate::kit::workload::workloads::Workload;

/// A Service under construction, selecting one workload's pods.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct ServiceBuilder {
    name: String,
    selector: BTreeMap<String, String>,
    ports: Vec<(String, i32, String)>,
    type_: Option<String>,
    headless: bool,
}

impl ServiceBuilder {
    fn for_pod(pod: &PodBuilder) -> Self {
        ServiceBuilder {
            name: pod.name().to_owned(),
            selector: pod.selector_labels().clone(),
            ports: pod.named_ports(),
            type_: None,
            headless: false,
        }
    }

    /// The Service name (default: the workload's name).
    pub fn name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// Exposes only the container ports named in `names` (in the containers' order).
    pub fn only(mut self, names: &[&str]) -> Self {
        self.ports
            .retain(|(name, _, _)| names.contains(&name.as_str()));
        self
    }

    /// Serves container port `name` on Service port `port` (e.g. `http` on 80). Exposes the
    /// port if `only` removed it; a name no container declares still emits the port, and
    /// synthesis reports its targetPort.
    pub fn port_as(mut self, name: &str, port: u16) -> Self {
        let port = i32::from(port);
        match self
            .ports
            .iter_mut()
            .find(|(existing, _, _)| existing == name)
        {
            Some(entry) => entry.1 = port,
            None => self.ports.push((name.to_owned(), port, "TCP".to_owned())),
        }
        self
    }

    /// `clusterIP: None` (a headless Service, e.g. governing a StatefulSet).
    pub fn headless(mut self) -> Self {
        self.headless = true;
        self
    }

    /// `type: LoadBalancer`.
    pub fn load_balancer(mut self) -> Self {
        self.type_ = Some("LoadBalancer".to_owned());
        self
    }

    /// `type: NodePort`.
    pub fn node_port(mut self) -> Self {
        self.type_ = Some("NodePort".to_owned());
        self
    }

    /// The Service port a container port name is served on, if exposed.
    pub fn service_port(&self, name: &str) -> Option<u16> {
        self.ports
            .iter()
            .find(|(existing, _, _)| existing == name)
            .and_then(|(_, port, _)| u16::try_from(*port).ok())
    }

    /// The Service.
    pub fn build(&self) -> Service {
        let ports = self
            .ports
            .iter()
            .map(|(name, port, protocol)| ServicePort {
                name: Some(name.clone()),
                port: *port,
                target_port: Some(IntOrString::String(name.clone())),
                protocol: Some(protocol.clone()),
                ..ServicePort::default()
            })
            .collect();
        Service {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                labels: Some(self.selector.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(ServiceSpec {
                selector: Some(self.selector.clone()),
                ports: Some(ports),
                type_: self.type_.clone(),
                cluster_ip: self.headless.then(|| "None".to_owned()),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    }
}

/// A Service for a workload: [`Expose::expose`] is available on every [`Workload`].
pub trait Expose: Workload {
    /// A Service selecting this workload's pods on every named container port (Service port
    /// = container port, targetPort = the port name).
    fn expose(&self) -> ServiceBuilder {
        ServiceBuilder::for_pod(self.pod())
    }
}

impl<W: Workload + ?Sized> Expose for W {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kit::workload::container::ContainerBuilder;
    use crate::kit::workload::workloads::{DeploymentBuilder, StatefulSetBuilder};

    fn web() -> DeploymentBuilder {
        let mut pod = PodBuilder::new("web");
        pod.container(
            ContainerBuilder::new("web", "web:1")
                .port("http", 8080)
                .port("metrics", 9090)
                .udp_port("syslog", 514),
        );
        DeploymentBuilder::new(pod)
    }

    #[test]
    fn expose_targets_port_names_and_selects_the_pods() {
        assert_eq!(
            serde_json::to_value(web().expose().build()).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}},
                "spec": {
                    "selector": {"app.kubernetes.io/name": "web"},
                    "ports": [
                        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"},
                        {"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"},
                        {"name": "syslog", "port": 514, "targetPort": "syslog", "protocol": "UDP"}
                    ]
                }
            })
        );
    }

    #[test]
    fn only_port_as_and_types() {
        let service = web()
            .expose()
            .name("web-public")
            .only(&["http"])
            .port_as("http", 80)
            .load_balancer();
        assert_eq!(service.service_port("http"), Some(80));
        assert_eq!(service.service_port("metrics"), None);
        let json = serde_json::to_value(service.build()).unwrap();
        assert_eq!(json["metadata"]["name"], json!("web-public"));
        assert_eq!(json["spec"]["type"], json!("LoadBalancer"));
        assert_eq!(
            json["spec"]["ports"],
            json!([{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}])
        );
        let node_port = serde_json::to_value(web().expose().node_port().build()).unwrap();
        assert_eq!(node_port["spec"]["type"], json!("NodePort"));
    }

    #[test]
    fn headless_for_a_stateful_set() {
        let mut pod = PodBuilder::new("db");
        pod.container(ContainerBuilder::new("db", "postgres:18").port("postgres", 5432));
        let service =
            serde_json::to_value(StatefulSetBuilder::new(pod).expose().headless().build()).unwrap();
        assert_eq!(service["spec"]["clusterIP"], json!("None"));
    }
}
