//! YAML 1.1 coercions: unquoted scalars that Kubernetes (go-yaml v2, YAML 1.1 rules) reads as
//! something other than what the text appears to say, that is other than what a YAML 1.2
//! reader (core schema) makes of it. `enabled: on` is `true`, `version: 012` is `10`,
//! `size: 1_000` is `1000`: Kubernetes applies exactly that, so the reader returns those
//! values, and reports each such scalar as a [`Coercion`] so that a tool (`synth fmt`) can
//! warn about what is almost always a mistake in the input.

use std::fmt;

/// An unquoted scalar whose meaning to Kubernetes differs from its YAML 1.2 meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Coercion {
    /// 1-based line of the scalar in the stream.
    pub line: usize,
    /// 1-based column of the scalar.
    pub column: usize,
    /// The scalar as written.
    pub text: String,
    /// What Kubernetes makes of it.
    pub kind: CoercionKind,
}

/// What Kubernetes reads where YAML 1.2 reads something else.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CoercionKind {
    /// A YAML 1.1 boolean word (`on`, `y`, `No`...), a string to YAML 1.2.
    Bool(bool),
    /// A number that YAML 1.2 reads as a string or as another number (`012` is 10, `1_000`,
    /// `0b101`, `+0x1F`).
    Number(serde_json::Number),
    /// A YAML 1.1 sexagesimal number (`12:30`): go-yaml keeps the string, other YAML 1.1
    /// readers (PyYAML, Ruby) read a number (750).
    Sexagesimal(f64),
    /// A `<<` key: go-yaml merges the mapping(s) it names; YAML 1.2 reads a key named `<<`.
    Merge,
}

impl fmt::Display for Coercion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column, text) = (self.line, self.column, &self.text);
        write!(f, "line {line}, column {column}: `{text}` ")?;
        match &self.kind {
            CoercionKind::Bool(value) => write!(
                f,
                "is the boolean {value} to Kubernetes (YAML 1.1), a string to YAML 1.2; \
                 quote it if a string is meant"
            ),
            CoercionKind::Number(value) => {
                let yaml12 = match core(text) {
                    Core::Number(number) => format!("the number {number}"),
                    _ => "a string".to_owned(),
                };
                write!(
                    f,
                    "is the number {value} to Kubernetes (YAML 1.1), {yaml12} to YAML 1.2; \
                     quote it if a string is meant"
                )
            }
            CoercionKind::Sexagesimal(value) => write!(
                f,
                "is a string to Kubernetes but the sexagesimal number {value} to other YAML \
                 1.1 readers; quote it"
            ),
            CoercionKind::Merge => write!(
                f,
                "merges mappings into this one in Kubernetes (YAML 1.1); YAML 1.2 reads a key \
                 named `<<`"
            ),
        }
    }
}

/// What go-yaml resolved an unquoted scalar to, as far as coercions care.
pub(super) enum Resolved {
    Null,
    Bool(bool),
    Number(f64, serde_json::Number),
    /// A float with no JSON form (`.nan`, `.inf`): YAML 1.2 reads those alike.
    NonFinite,
    Str,
}

/// The coercion of the unquoted, untagged scalar `text` that go-yaml resolved to `resolved`,
/// if YAML 1.2 reads it differently.
pub(super) fn classify(text: &str, resolved: Resolved) -> Option<CoercionKind> {
    match (resolved, core(text)) {
        (Resolved::Bool(value), Core::Bool(same)) if value == same => None,
        (Resolved::Bool(value), _) => Some(CoercionKind::Bool(value)),
        (Resolved::Number(value, _), Core::Number(same)) if value == same => None,
        (Resolved::Number(_, number), _) => Some(CoercionKind::Number(number)),
        (Resolved::Str, _) => sexagesimal(text).map(CoercionKind::Sexagesimal),
        (Resolved::Null | Resolved::NonFinite, _) => None,
    }
}

/// A scalar under the YAML 1.2 core schema.
enum Core {
    Null,
    Bool(bool),
    Number(f64),
    Str,
}

/// Resolves a plain scalar with the YAML 1.2 core schema's tag resolution.
fn core(text: &str) -> Core {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Core::Null,
        "true" | "True" | "TRUE" => return Core::Bool(true),
        "false" | "False" | "FALSE" => return Core::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Core::Number(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Core::Number(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Core::Number(f64::NEG_INFINITY),
        _ => {}
    }
    let radix = |digits: &str, radix: u32| {
        (!digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)))
            .then(|| u128::from_str_radix(digits, radix).ok().map(|n| n as f64))
            .flatten()
    };
    if let Some(octal) = text.strip_prefix("0o") {
        return radix(octal, 8).map_or(Core::Str, Core::Number);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16).map_or(Core::Str, Core::Number);
    }
    if is_core_float(text) {
        // Integers are floats here too: only the number matters.
        return text.parse::<f64>().map_or(Core::Str, Core::Number);
    }
    Core::Str
}

/// The core schema's number pattern (integers included):
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_core_float(s: &str) -> bool {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (
            mantissa,
            Some(exponent.strip_prefix(['-', '+']).unwrap_or(exponent)),
        ),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// The value of a YAML 1.1 sexagesimal integer or float (`190:20:30`, `1:20.5`), if `text`
/// is one: `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`.
fn sexagesimal(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut parts = whole.split(':');
    let first = parts.next()?;
    if !first.starts_with(|c: char| c.is_ascii_digit())
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut value: f64 = first.replace('_', "").parse().ok()?;
    let mut sexagesimal_parts = 0;
    for part in parts {
        let n: u8 = (matches!(part.len(), 1 | 2) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()?;
        if n > 59 {
            return None;
        }
        value = value * 60.0 + f64::from(n);
        sexagesimal_parts += 1;
    }
    if sexagesimal_parts == 0 {
        return None;
    }
    if let Some(fraction) = fraction {
        if !fraction.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        let digits = fraction.replace('_', "");
        if !digits.is_empty() {
            value += format!("0.{digits}").parse::<f64>().ok()?;
        }
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sexagesimal_values() {
        assert_eq!(sexagesimal("12:30"), Some(750.0));
        assert_eq!(sexagesimal("190:20:30"), Some(685_230.0));
        assert_eq!(sexagesimal("-1:30"), Some(-90.0));
        assert_eq!(sexagesimal("1:20.5"), Some(80.5));
        assert_eq!(sexagesimal("12:60"), None);
        assert_eq!(sexagesimal("12"), None);
        assert_eq!(sexagesimal("a:30"), None);
        assert_eq!(sexagesimal("12:30:"), None);
    }

    #[test]
    fn yaml_1_2_reads_the_core_schema() {
        assert!(matches!(core("012"), Core::Number(n) if n == 12.0));
        assert!(matches!(core("0o12"), Core::Number(n) if n == 10.0));
        assert!(matches!(core("0x1F"), Core::Number(n) if n == 31.0));
        assert!(matches!(core("1_000"), Core::Str));
        assert!(matches!(core("0b101"), Core::Str));
        assert!(matches!(core("on"), Core::Str));
        assert!(matches!(core("True"), Core::Bool(true)));
        assert!(matches!(core("~"), Core::Null));
    }
}
