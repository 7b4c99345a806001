//! The CEL rules of a CRD schema (`x-kubernetes-validations`), evaluated against a custom
//! resource as the API server would: after the schema's defaults are filled in, each rule
//! runs with `self` bound to the value at its node, and a rule that yields `false` is a
//! violation at that node, reported with the rule's message. Property names are escaped as
//! Kubernetes escapes them for CEL (`namespace` → `__namespace__`, `-` → `__dash__`, ...), so
//! rules read fields under the names they were written with.
//!
//! What is not checked, so as never to report a rule the API server would accept:
//! transition rules (they read `oldSelf`, the object before an update), and rules that do
//! not evaluate here (Kubernetes' own CEL libraries such as `quantity()`, `url()` or
//! `duration()`, or a field the rule reads without `has()`). Such a rule is skipped, not
//! failed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

/// One place where an object breaks its schema: a rule here, or the structure of the schema
/// (`crate::crd_schema`, which re-exports it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer into the object (`/spec/endpoints/0/port`; empty for the root).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Every rule of `schema` that `object` breaks, in walk order (paths are JSON pointers).
pub fn rule_violations(schema: &Value, object: &Value) -> Vec<SchemaViolation> {
    let mut defaulted = object.clone();
    apply_defaults(schema, &mut defaulted);
    let mut violations = Vec::new();
    walk(schema, &defaulted, "", &mut violations);
    violations
}

fn walk(schema: &Value, value: &Value, path: &str, violations: &mut Vec<SchemaViolation>) {
    if value.is_null() {
        return;
    }
    let rules: Vec<(&str, &Value)> = schema
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| Some((rule.get("rule")?.as_str()?, rule)))
        .filter(|(text, _)| !text.contains("oldSelf"))
        .collect();
    // `self` is bound once per node, for all of its rules
    let context = if rules.is_empty() {
        None
    } else {
        bind_self(escaped(schema, value))
    };
    for (text, rule) in rules {
        let Some(context) = &context else {
            break;
        };
        if evaluate(text, context) == Some(false) {
            let message = rule
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| format!("failed rule: {text}"), str::to_owned);
            let at = match rule.get("fieldPath").and_then(Value::as_str) {
                Some(field) => format!("{path}{}", field_path_pointer(field)),
                None => path.to_owned(),
            };
            violations.push(SchemaViolation {
                path: at,
                message: format!("{message} (CEL rule `{text}`)"),
            });
        }
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|s| s.is_object());
            for (key, child) in map {
                let child_schema = properties.and_then(|p| p.get(key)).or(additional);
                if let Some(child_schema) = child_schema {
                    let child_path = format!("{path}/{}", pointer_token(key));
                    walk(child_schema, child, &child_path, violations);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                for (index, item) in items.iter().enumerate() {
                    walk(item_schema, item, &format!("{path}/{index}"), violations);
                }
            }
        }
        _ => {}
    }
}

/// Fills in the schema's `default`s where a property is missing, as the API server does
/// before it validates.
fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, property) in properties {
                    if let (false, Some(default)) = (map.contains_key(key), property.get("default"))
                    {
                        map.insert(key.clone(), default.clone());
                    }
                }
                for (key, child) in map.iter_mut() {
                    if let Some(property) = properties.get(key) {
                        apply_defaults(property, child);
                    }
                }
            } else if let Some(additional) =
                schema.get("additionalProperties").filter(|s| s.is_object())
            {
                for child in map.values_mut() {
                    apply_defaults(additional, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply_defaults(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

/// `value` with its property names escaped the way Kubernetes binds them for CEL (map keys
/// of `additionalProperties` stay as they are: rules index them as strings).
fn escaped(schema: &Value, value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|s| s.is_object());
            let mut out = Map::new();
            for (key, child) in map {
                match (properties.and_then(|p| p.get(key)), additional) {
                    (Some(property), _) => {
                        out.insert(escape_name(key), escaped(property, child));
                    }
                    (None, Some(additional)) => {
                        out.insert(key.clone(), escaped(additional, child));
                    }
                    (None, None) => {
                        out.insert(key.clone(), child.clone());
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => Value::Array(
                items
                    .iter()
                    .map(|item| escaped(item_schema, item))
                    .collect(),
            ),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}

/// CEL's reserved words, which Kubernetes escapes as `__<word>__` in property names.
const RESERVED: [&str; 19] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
];

/// A property name as a CEL rule reads it (Kubernetes' escaping rules).
fn escape_name(name: &str) -> String {
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    name.replace("__", "__underscores__")
        .replace('.', "__dot__")
        .replace('-', "__dash__")
        .replace('/', "__slash__")
}

/// `.spec.foo` or `.spec['foo']` (a rule's `fieldPath`) as a JSON pointer suffix.
fn field_path_pointer(field_path: &str) -> String {
    field_path
        .split(['.', '[', ']'])
        .filter(|segment| !segment.is_empty())
        .map(|segment| format!("/{}", pointer_token(segment.trim_matches('\''))))
        .collect()
}

fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A CEL context with `self` bound to `value` (`None` if it cannot be bound).
fn bind_self(value: Value) -> Option<cel::Context<'static, 'static>> {
    let mut context = cel::Context::default();
    context.add_variable("self", value).ok()?;
    Some(context)
}

/// `Some(result)` of a rule that evaluates to a boolean; `None` when it does not compile or
/// evaluate here.
fn evaluate(rule: &str, context: &cel::Context<'_, '_>) -> Option<bool> {
    thread_local! {
        static PROGRAMS: RefCell<HashMap<String, Option<Rc<cel::Program>>>> =
            RefCell::new(HashMap::new());
    }
    let program = PROGRAMS.with(|programs| {
        programs
            .borrow_mut()
            .entry(rule.to_owned())
            .or_insert_with(|| cel::Program::compile(rule).ok().map(Rc::new))
            .clone()
    })?;
    match program.execute(context) {
        Ok(cel::Value::Bool(result)) => Some(result),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {"spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "self.min <= self.max", "message": "min must not exceed max"},
                    {"rule": "self.max == oldSelf.max", "message": "max is immutable"},
                    {"rule": "quantity(self.size).isGreaterThan(quantity('1Gi'))"},
                    {"rule": "!has(self.__namespace__) || self.__namespace__ != 'kube-system'",
                     "message": "not in kube-system", "fieldPath": ".namespace"}
                ],
                "properties": {
                    "min": {"type": "integer", "default": 1},
                    "max": {"type": "integer"},
                    "size": {"type": "string"},
                    "namespace": {"type": "string"},
                    "paths": {"type": "array", "items": {
                        "type": "string",
                        "x-kubernetes-validations": [{"rule": "self.startsWith('/')"}]
                    }},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"},
                        "x-kubernetes-validations": [
                            {"rule": "self['app-name'] != ''", "message": "app-name set"}
                        ]}
                }
            }}
        })
    }

    fn messages(object: Value) -> Vec<String> {
        rule_violations(&schema(), &object)
            .into_iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect()
    }

    #[test]
    fn a_rule_that_yields_false_is_a_violation_at_its_node() {
        assert_eq!(
            messages(json!({"spec": {"min": 5, "max": 3, "size": "2Gi"}})),
            ["/spec: min must not exceed max (CEL rule `self.min <= self.max`)"]
        );
        assert_eq!(
            messages(json!({"spec": {"min": 1, "max": 3, "paths": ["/ok", "bad"]}})),
            ["/spec/paths/1: failed rule: self.startsWith('/') (CEL rule `self.startsWith('/')`)"]
        );
        assert_eq!(
            messages(json!({"spec": {"max": 3}})),
            Vec::<String>::new(),
            "transition rules and rules using Kubernetes' own libraries are skipped"
        );
    }

    #[test]
    fn defaults_apply_first_and_names_are_escaped_as_kubernetes_does() {
        // min defaults to 1, which exceeds max 0
        assert_eq!(
            messages(json!({"spec": {"max": 0}})),
            ["/spec: min must not exceed max (CEL rule `self.min <= self.max`)"]
        );
        assert_eq!(
            messages(json!({"spec": {"max": 2, "namespace": "kube-system"}})),
            [
                "/spec/namespace: not in kube-system (CEL rule `!has(self.__namespace__) || \
                 self.__namespace__ != 'kube-system'`)"
            ]
        );
        // map keys are not escaped: rules index them as strings
        assert_eq!(
            messages(json!({"spec": {"max": 2, "labels": {"app-name": ""}}})),
            ["/spec/labels: app-name set (CEL rule `self['app-name'] != ''`)"]
        );
        assert_eq!(
            messages(json!({"spec": {"max": 2, "labels": {"app-name": "web"}}})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn names_escape_like_the_api_server() {
        assert_eq!(escape_name("namespace"), "__namespace__");
        assert_eq!(escape_name("x-y.z/w"), "x__dash__y__dot__z__slash__w");
        assert_eq!(escape_name("a__b"), "a__underscores__b");
        assert_eq!(escape_name("plain"), "plain");
    }
}
