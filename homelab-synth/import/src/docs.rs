//! Doc comments of generated items: schema facts (type, format, required, nullable, default),
//! and with `--docs` the schema's `description`, made safe for rustdoc (no indented code
//! blocks, fenced blocks marked as text so they never run as doctests).

use serde_json::Value;

/// Whether descriptions are copied into doc comments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Docs {
    /// Schema descriptions become doc comments, followed by the schema facts.
    #[default]
    Descriptions,
    /// Only schema facts: no upstream prose in the generated code.
    FactsOnly,
}

/// The description of a schema node as doc lines (empty with [`Docs::FactsOnly`]).
pub fn description(schema: &Value, docs: Docs) -> Vec<String> {
    if docs == Docs::FactsOnly {
        return Vec::new();
    }
    let Some(text) = schema.get("description").and_then(Value::as_str) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut fenced = false;
    for line in text.trim().lines() {
        let line = line.trim();
        if line.starts_with("```") {
            // an opening fence without a language would be compiled as a doctest
            if !fenced && line == "```" {
                lines.push("```text".to_owned());
            } else {
                lines.push(line.to_owned());
            }
            fenced = !fenced;
        } else {
            lines.push(line.to_owned());
        }
    }
    if fenced {
        lines.push("```".to_owned());
    }
    lines
}

/// A short name of the schema's type: `string (date-time)`, `list of string`, `map of
/// integer (int32)`.
fn type_words(schema: &Value) -> String {
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        return "integer or string".to_owned();
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    let base = match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind.to_owned(),
    };
    match kind {
        "array" => match schema.get("items") {
            Some(items) => format!("list of {}", type_words(items)),
            None => "list".to_owned(),
        },
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map of {}", type_words(values)),
            _ => base,
        },
        _ => base,
    }
}

/// The facts line of a field: `` Type: `string (date-time)`; required; nullable; default:
/// `"x"`. ``
pub fn facts(schema: &Value, required: bool) -> String {
    let mut line = format!("Type: `{}`", type_words(schema));
    if required {
        line.push_str("; required");
    }
    if schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        line.push_str("; nullable");
    }
    if let Some(default) = schema.get("default") {
        line.push_str(&format!("; default: `{default}`"));
    }
    line.push('.');
    line
}

/// Doc lines of a field: its description, a blank line, then its facts.
pub fn field_docs(schema: &Value, required: bool, docs: Docs) -> Vec<String> {
    let mut lines = description(schema, docs);
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(facts(schema, required));
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn facts_state_type_format_requirement_and_default() {
        let schema = json!({"type": "string", "format": "date-time", "default": "x"});
        assert_eq!(
            facts(&schema, true),
            "Type: `string (date-time)`; required; default: `\"x\"`."
        );
        let schema = json!({"type": "array", "items": {"type": "integer", "format": "int32"}});
        assert_eq!(facts(&schema, false), "Type: `list of integer (int32)`.");
    }

    #[test]
    fn descriptions_are_kept_only_when_asked_and_never_become_doctests() {
        let schema = json!({"description": "Runs:\n    indented\n```\ncode\n```"});
        assert!(description(&schema, Docs::FactsOnly).is_empty());
        assert_eq!(
            description(&schema, Docs::Descriptions),
            ["Runs:", "indented", "```text", "code", "```"]
        );
    }
}
