//! CustomResourceDefinitions as the generator needs them: group, kind, plural, scope and the
//! schema of every served version, read from the JSON value of an
//! `apiextensions.k8s.io/v1` document.

use homelab_synth_core::Scope;
use serde_json::Value;

/// Why a document is not a usable CustomResourceDefinition. `path` is a JSON path inside
/// the document (`.spec.versions[0].schema`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrdError {
    /// The document is not an `apiextensions.k8s.io/v1` CustomResourceDefinition.
    #[error(
        "not a CustomResourceDefinition (apiVersion `{api_version}`, kind `{kind}`); \
         expected apiVersion `apiextensions.k8s.io/v1`, kind `CustomResourceDefinition`"
    )]
    NotACrd {
        /// The document's `apiVersion` (empty when it has none).
        api_version: String,
        /// The document's `kind` (empty when it has none).
        kind: String,
    },
    /// A field the generator needs is missing or has the wrong type.
    #[error("{path}: {expected} is required")]
    Missing {
        /// Where in the document the field is (`.spec.versions[0].name`).
        path: String,
        /// What the field should hold (`a string`).
        expected: &'static str,
    },
    /// `spec.scope` is neither `Namespaced` nor `Cluster`.
    #[error(".spec.scope: unknown scope `{found}` (expected `Namespaced` or `Cluster`)")]
    Scope {
        /// The scope the CRD gives.
        found: String,
    },
    /// A served version has no schema, or an empty one.
    #[error("{path}: version `{version}` has an empty schema; nothing to generate")]
    EmptySchema {
        /// Where in the document the schema is (`.spec.versions[1].schema.openAPIV3Schema`).
        path: String,
        /// The version's name (`v1beta1`).
        version: String,
    },
    /// No version is served.
    #[error(".spec.versions: no version is served")]
    NothingServed,
}

/// One served version of a CRD.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    /// Version name (`v1`, `v1beta1`).
    pub name: String,
    /// JSON path of the schema inside the document, for messages.
    pub path: String,
    /// The `openAPIV3Schema`.
    pub schema: Value,
}

/// A CustomResourceDefinition reduced to what code generation needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    /// API group (`gateway.networking.k8s.io`).
    pub group: String,
    /// Kind (`HTTPRoute`).
    pub kind: String,
    /// Plural resource name (`httproutes`).
    pub plural: String,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
    /// Served versions, in the order the document lists them.
    pub versions: Vec<CrdVersion>,
}

fn text<'a>(value: &'a Value, path: &str) -> Result<&'a str, CrdError> {
    let mut node = value;
    for key in path.trim_start_matches('.').split('.') {
        node = node.get(key).unwrap_or(&Value::Null);
    }
    node.as_str().ok_or_else(|| CrdError::Missing {
        path: path.to_owned(),
        expected: "a string",
    })
}

impl Crd {
    /// Reads a CRD from one document.
    pub fn from_document(document: &Value) -> Result<Crd, CrdError> {
        let api_version = document
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = document
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if api_version != "apiextensions.k8s.io/v1" || kind != "CustomResourceDefinition" {
            return Err(CrdError::NotACrd {
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
            });
        }
        let group = text(document, ".spec.group")?.to_owned();
        let kind = text(document, ".spec.names.kind")?.to_owned();
        let plural = text(document, ".spec.names.plural")?.to_owned();
        let scope = match text(document, ".spec.scope")? {
            "Namespaced" => Scope::Namespaced,
            "Cluster" => Scope::Cluster,
            other => {
                return Err(CrdError::Scope {
                    found: other.to_owned(),
                });
            }
        };
        let Some(Value::Array(listed)) = document.pointer("/spec/versions") else {
            return Err(CrdError::Missing {
                path: ".spec.versions".to_owned(),
                expected: "a sequence of versions",
            });
        };
        let mut versions = Vec::new();
        for (index, version) in listed.iter().enumerate() {
            let at = format!(".spec.versions[{index}]");
            if !version
                .get("served")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                continue;
            }
            let name = text(version, ".name")
                .map_err(|_| CrdError::Missing {
                    path: format!("{at}.name"),
                    expected: "a string",
                })?
                .to_owned();
            let path = format!("{at}.schema.openAPIV3Schema");
            let schema = version
                .pointer("/schema/openAPIV3Schema")
                .cloned()
                .unwrap_or(Value::Null);
            let empty = match &schema {
                Value::Object(map) => map.is_empty(),
                _ => true,
            };
            if empty {
                return Err(CrdError::EmptySchema {
                    path,
                    version: name,
                });
            }
            versions.push(CrdVersion { name, path, schema });
        }
        if versions.is_empty() {
            return Err(CrdError::NothingServed);
        }
        Ok(Crd {
            group,
            kind,
            plural,
            scope,
            versions,
        })
    }

    /// `group/version` of one of the versions.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{version}", self.group)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn crd(versions: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "scope": "Namespaced",
                "versions": versions
            }
        })
    }

    #[test]
    fn reads_served_versions_only() {
        let document = crd(json!([
            {"name": "v1", "served": true, "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v0", "served": false, "schema": {"openAPIV3Schema": {"type": "object"}}}
        ]));
        let crd = Crd::from_document(&document).expect("crd");
        assert_eq!(crd.kind, "Widget");
        assert_eq!(crd.scope, Scope::Namespaced);
        assert_eq!(crd.versions.len(), 1);
        assert_eq!(crd.api_version("v1"), "example.com/v1");
    }

    #[test]
    fn other_documents_and_empty_schemas_are_refused() {
        let error = Crd::from_document(&json!({"apiVersion": "v1", "kind": "ConfigMap"}))
            .expect_err("not a CRD");
        assert!(
            error
                .to_string()
                .starts_with("not a CustomResourceDefinition")
        );
        let error = Crd::from_document(&crd(json!([
            {"name": "v1", "served": true, "schema": {"openAPIV3Schema": {}}}
        ])))
        .expect_err("empty");
        assert_eq!(
            error.to_string(),
            ".spec.versions[0].schema.openAPIV3Schema: version `v1` has an empty schema; \
             nothing to generate"
        );
    }
}
