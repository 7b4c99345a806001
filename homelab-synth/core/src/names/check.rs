//! apimachinery's checks of names, label keys and values and annotation keys (see the
//! [module documentation](super)): each failing check is an [`InvalidName`].

use std::fmt::Write as _;

use thiserror::Error;

use super::{DNS1123_LABEL_MAX_LEN, DNS1123_SUBDOMAIN_MAX_LEN, LABEL_VALUE_MAX_LEN};

/// The result of a check.
pub type Result<T = (), E = InvalidName> = std::result::Result<T, E>;

/// A name, label key, label value or annotation key the API server would reject; its text
/// is `"<value>": <reason>; <reason>`, the reasons being apimachinery's messages.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{value:?}: {}", reasons.join("; "))]
pub struct InvalidName {
    /// The value as given.
    pub value: String,
    /// apimachinery's messages, in its order (never empty).
    pub reasons: Vec<String>,
}

/// Whether `s` is a DNS-1123 label: 1 to 63 characters matching
/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
#[must_use]
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= DNS1123_LABEL_MAX_LEN && dns1123_label_shape(s)
}

/// Whether `s` is a DNS-1123 subdomain: 1 to 253 characters of DNS-1123 labels joined by `.`.
/// As in apimachinery, the labels themselves are not limited to 63 characters.
#[must_use]
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= DNS1123_SUBDOMAIN_MAX_LEN && dns1123_subdomain_shape(s)
}

/// Checks a label key: an optional DNS-1123 subdomain prefix (at most 253 characters) and
/// `/`, then a name of 1 to 63 characters matching `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
///
/// # Errors
///
/// [`InvalidName`]: `"<key>": <reasons>`, where the reasons are apimachinery's `IsLabelKey`
/// messages (for example `"/a": prefix part must be non-empty`).
pub fn check_label_key(key: &str) -> Result {
    report(key, &label_key_errors(key))
}

/// Checks a label value: empty, or up to 63 characters matching
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
///
/// # Errors
///
/// [`InvalidName`]: `"<value>": <reasons>`, where the reasons are apimachinery's
/// `IsLabelValue` messages.
pub fn check_label_value(value: &str) -> Result {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LEN {
        errs.push(max_len_error(LABEL_VALUE_MAX_LEN));
    }
    if !value.is_empty() && !qualified_name_shape(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    report(value, &errs)
}

/// Checks an annotation key. The rules are those for label keys, but, as in apimachinery's
/// `ValidateAnnotations`, the key is lowercased first, so the prefix may use upper case
/// (`Example.COM/foo` is a valid annotation key but not a valid label key). Only ASCII is
/// lowercased: a non-ASCII key is always rejected. (Go's lowercasing turns the two code
/// points `İ` and the Kelvin sign into ASCII, so the API server would accept those.)
/// The 256 KiB limit on all annotations of an object together is not checked here.
///
/// # Errors
///
/// [`InvalidName`]: `"<key>": <reasons>`, quoting the key as given.
pub fn check_annotation_key(key: &str) -> Result {
    report(key, &label_key_errors(&key.to_ascii_lowercase()))
}

/// The rule the API server applies to `metadata.name` of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameRule {
    /// At most 253 characters of DNS-1123 labels joined by `.`. Most kinds use this rule.
    Dns1123Subdomain,
    /// A DNS-1123 label: at most 63 characters of `[a-z0-9-]`, starting and ending with an
    /// alphanumeric character (for example `Namespace`).
    Dns1123Label,
    /// A DNS-1035 label: a DNS-1123 label that also starts with a letter (`Service`, unless
    /// the API server has the `RelaxedServiceNameValidation` feature: alpha and off in
    /// Kubernetes 1.34 and 1.35, on by default from 1.36).
    Dns1035Label,
    /// Any non-empty name other than `.` and `..` that contains neither `/` nor `%`. The
    /// RBAC kinds use this rule.
    PathSegment,
}

/// The [`NameRule`] for the kind `kind` in API group `group` (`""` or `"core"` for the core
/// group).
///
/// `Namespace` uses [`NameRule::Dns1123Label`] and `Service` uses
/// [`NameRule::Dns1035Label`], which is the stricter rule and holds on every API server.
/// `Role`, `ClusterRole`, `RoleBinding` and `ClusterRoleBinding` in
/// `rbac.authorization.k8s.io` use [`NameRule::PathSegment`]. Every other kind, custom
/// resources included, uses [`NameRule::Dns1123Subdomain`].
#[must_use]
pub fn name_rule_for(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("" | "core", "Namespace") => NameRule::Dns1123Label,
        ("" | "core", "Service") => NameRule::Dns1035Label,
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => NameRule::PathSegment,
        _ => NameRule::Dns1123Subdomain,
    }
}

/// Checks `name` against `rule`. Under every rule the name must not be empty.
///
/// # Errors
///
/// [`InvalidName`]: `"<name>": <reasons>`, where the reasons are apimachinery's messages
/// for the rule (`IsDNS1123Subdomain`, `IsDNS1123Label`, `IsDNS1035Label`,
/// `IsPathSegmentName`).
pub fn check_object_name(kind_rule: NameRule, name: &str) -> Result {
    let errs = if name.is_empty() {
        vec![EMPTY_ERROR.to_owned()]
    } else {
        match kind_rule {
            NameRule::Dns1123Subdomain => dns1123_subdomain_errors(name),
            NameRule::Dns1123Label => dns1123_label_errors(name),
            NameRule::Dns1035Label => dns1035_label_errors(name),
            NameRule::PathSegment => path_segment_errors(name),
        }
    };
    report(name, &errs)
}

// ---------------------------------------------------------------------------------------
// apimachinery-style validation
// ---------------------------------------------------------------------------------------

const EMPTY_ERROR: &str = "must be non-empty";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
pub(super) const DNS1123_LABEL_ERR_MSG: &str = "a lowercase RFC 1123 label must consist of lower case \
     alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower \
     case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
     character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric \
     characters or '-', start with an alphabetic character, and end with an alphanumeric \
     character";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and \
     must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
pub(super) const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of \
     alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric \
     character";

/// An [`InvalidName`] when there are reasons.
fn report(value: &str, errs: &[String]) -> Result {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(InvalidName {
            value: value.to_owned(),
            reasons: errs.to_vec(),
        })
    }
}

/// apimachinery's `MaxLenError`.
fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// apimachinery's `RegexError`, including its spacing.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = String::from(msg);
    if examples.is_empty() {
        let _ = write!(out, " (regex used for validation is '{fmt}')");
        return out;
    }
    out.push_str(" (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        let _ = write!(out, "'{example}', ");
    }
    let _ = write!(out, "regex used for validation is '{fmt}')");
    out
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, any length.
pub(super) fn dns1123_label_shape(s: &str) -> bool {
    let bytes = s.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            alnum(first) && alnum(last) && bytes.iter().all(|&b| alnum(b) || b == b'-')
        }
        _ => false,
    }
}

/// DNS-1123 labels joined by `.`, any length.
fn dns1123_subdomain_shape(s: &str) -> bool {
    s.split('.').all(dns1123_label_shape)
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`, any length.
fn dns1035_label_shape(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase) && dns1123_label_shape(s)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, any length.
pub(super) fn qualified_name_shape(s: &str) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// apimachinery's `IsDNS1123Label`.
fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LEN {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LEN));
    }
    if !dns1123_label_shape(value) {
        if dns1123_subdomain_shape(value) {
            errs.push("must not contain dots".to_owned());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// apimachinery's `IsDNS1123Subdomain`.
fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LEN {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LEN));
    }
    if !dns1123_subdomain_shape(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// apimachinery's `IsDNS1035Label`.
fn dns1035_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LEN {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LEN));
    }
    if !dns1035_label_shape(value) {
        errs.push(regex_error(
            DNS1035_LABEL_ERR_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// apimachinery's `IsPathSegmentName`.
fn path_segment_errors(value: &str) -> Vec<String> {
    if value == "." || value == ".." {
        return vec![format!("may not be '{value}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|bad| value.contains(*bad))
        .map(|bad| format!("may not contain '{bad}'"))
        .collect()
}

/// apimachinery's `IsLabelKey`.
fn label_key_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push(format!("prefix part {EMPTY_ERROR}"));
            } else {
                errs.extend(
                    dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|msg| format!("prefix part {msg}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' \
                 (e.g. 'example.com/MyName')",
                regex_error(
                    LABEL_KEY_ERR_MSG,
                    LABEL_KEY_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {EMPTY_ERROR}"));
    } else if name.len() > LABEL_VALUE_MAX_LEN {
        errs.push(format!("name part {}", max_len_error(LABEL_VALUE_MAX_LEN)));
    }
    if !qualified_name_shape(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                LABEL_KEY_ERR_MSG,
                LABEL_KEY_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(error: InvalidName) -> String {
        error.to_string()
    }

    // -- validators -------------------------------------------------------------------------

    const LABEL_KEY_NAME_REGEX_ERR: &str = "name part must consist of alphanumeric characters, \
         '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
         'MyName',  or 'my.name',  or '123-abc', regex used for validation is \
         '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const SUBDOMAIN_REGEX_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case \
         alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
         character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const LABEL_REGEX_ERR: &str = "a lowercase RFC 1123 label must consist of lower case \
         alphanumeric characters or '-', and must start and end with an alphanumeric character \
         (e.g. 'my-name',  or '123-abc', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const DNS1035_REGEX_ERR: &str = "a DNS-1035 label must consist of lower case alphanumeric \
         characters or '-', start with an alphabetic character, and end with an alphanumeric \
         character (e.g. 'my-name',  or 'abc-123', regex used for validation is \
         '[a-z]([-a-z0-9]*[a-z0-9])?')";
    const LABEL_VALUE_REGEX_ERR: &str = "a valid label must be an empty string or consist of \
         alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric \
         character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
         '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    #[test]
    fn dns1123_label_table() {
        for valid in ["a", "0", "a-b", "a--b", "123-abc", &"a".repeat(63)] {
            assert!(is_dns1123_label(valid), "{valid:?}");
        }
        for invalid in [
            "",
            "-a",
            "a-",
            "A",
            "a.b",
            "a_b",
            "ä",
            " a",
            &"a".repeat(64),
        ] {
            assert!(!is_dns1123_label(invalid), "{invalid:?}");
        }
    }

    #[test]
    fn dns1123_subdomain_table() {
        let long_label = "a".repeat(100);
        let max = format!("{}.{}", "a".repeat(126), "b".repeat(126));
        for valid in ["a", "example.com", "a-b.c-d", "1.2.3", &long_label, &max] {
            assert!(is_dns1123_subdomain(valid), "{valid:?}");
        }
        let too_long = format!("{max}x");
        for invalid in [
            "", ".", "a.", ".a", "a..b", "A.b", "a_b", "-a.b", "a.b-", &too_long,
        ] {
            assert!(!is_dns1123_subdomain(invalid), "{invalid:?}");
        }
    }

    #[test]
    fn label_key_table() {
        let prefix_253 = format!("{}.com", "a".repeat(249));
        for valid in [
            "a",
            "app",
            "App_Name.v1",
            "app.kubernetes.io/name",
            "k8s.io/A",
            &"k".repeat(63),
            &format!("{prefix_253}/x"),
        ] {
            assert_eq!(check_label_key(valid), Ok(()), "{valid:?}");
        }
        let cases = [
            (
                "",
                format!("\"\": name part must be non-empty; {LABEL_KEY_NAME_REGEX_ERR}"),
            ),
            ("/a", "\"/a\": prefix part must be non-empty".to_owned()),
            (
                "a/",
                format!("\"a/\": name part must be non-empty; {LABEL_KEY_NAME_REGEX_ERR}"),
            ),
            ("-a", format!("\"-a\": {LABEL_KEY_NAME_REGEX_ERR}")),
            (
                "Example.com/a",
                format!("\"Example.com/a\": prefix part {SUBDOMAIN_REGEX_ERR}"),
            ),
            (
                "a/b/c",
                "\"a/b/c\": a valid label key must consist of alphanumeric \
                 characters, '-', '_' or '.', and must start and end with an alphanumeric \
                 character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for \
                 validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional \
                 DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
                    .to_owned(),
            ),
            (
                &"k".repeat(64),
                format!(
                    "\"{}\": name part must be no more than 63 characters",
                    "k".repeat(64)
                ),
            ),
            (
                &format!("{prefix_253}x/a"),
                format!("\"{prefix_253}x/a\": prefix part must be no more than 253 characters"),
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(check_label_key(key).map_err(text), Err(expected), "{key:?}");
        }
    }

    #[test]
    fn label_value_table() {
        for valid in [
            "",
            "a",
            "MyValue",
            "my_value",
            "12345",
            "a.b-c_d",
            &"v".repeat(63),
        ] {
            assert_eq!(check_label_value(valid), Ok(()), "{valid:?}");
        }
        let cases = [
            ("-a", format!("\"-a\": {LABEL_VALUE_REGEX_ERR}")),
            ("a_", format!("\"a_\": {LABEL_VALUE_REGEX_ERR}")),
            ("a b", format!("\"a b\": {LABEL_VALUE_REGEX_ERR}")),
            ("a/b", format!("\"a/b\": {LABEL_VALUE_REGEX_ERR}")),
            ("é", format!("\"é\": {LABEL_VALUE_REGEX_ERR}")),
            (
                &"v".repeat(64),
                format!("\"{}\": must be no more than 63 characters", "v".repeat(64)),
            ),
            (
                &format!("{}-", "v".repeat(63)),
                format!(
                    "\"{}-\": must be no more than 63 characters; {LABEL_VALUE_REGEX_ERR}",
                    "v".repeat(63)
                ),
            ),
            ("a\"b", format!("\"a\\\"b\": {LABEL_VALUE_REGEX_ERR}")),
        ];
        for (value, expected) in cases {
            assert_eq!(
                check_label_value(value).map_err(text),
                Err(expected),
                "{value:?}"
            );
        }
    }

    #[test]
    fn annotation_key_table() {
        for valid in [
            "a",
            "kubernetes.io/description",
            "Example.COM/Foo",
            "MyName",
        ] {
            assert_eq!(check_annotation_key(valid), Ok(()), "{valid:?}");
        }
        // Unlike label keys, annotation keys may have upper case in the prefix.
        assert!(check_label_key("Example.COM/Foo").is_err());
        assert_eq!(
            check_annotation_key("/x").map_err(text),
            Err("\"/x\": prefix part must be non-empty".to_owned())
        );
        assert_eq!(
            check_annotation_key("A_").map_err(text),
            Err(format!("\"A_\": {LABEL_KEY_NAME_REGEX_ERR}"))
        );
        assert!(check_annotation_key("İ").is_err());
    }

    #[test]
    fn object_name_table() {
        use NameRule::*;
        let valid: [(NameRule, &str); 10] = [
            (Dns1123Subdomain, "my.config-1"),
            (Dns1123Subdomain, "0abc"),
            (Dns1123Label, "kube-system"),
            (Dns1123Label, "0abc"),
            (Dns1035Label, "web"),
            (Dns1035Label, "a0"),
            (PathSegment, "system:controller:Name"),
            (PathSegment, "Anything Goes!"),
            (PathSegment, "..."),
            (PathSegment, "a.b"),
        ];
        for (rule, name) in valid {
            assert_eq!(check_object_name(rule, name), Ok(()), "{rule:?} {name:?}");
        }
        let long_label = "a".repeat(64);
        let cases: Vec<(NameRule, &str, String)> = vec![
            (Dns1123Subdomain, "", "\"\": must be non-empty".into()),
            (PathSegment, "", "\"\": must be non-empty".into()),
            (
                Dns1123Subdomain,
                "My.Config",
                format!("\"My.Config\": {SUBDOMAIN_REGEX_ERR}"),
            ),
            (Dns1123Label, "a.b", "\"a.b\": must not contain dots".into()),
            (Dns1123Label, "a_b", format!("\"a_b\": {LABEL_REGEX_ERR}")),
            (
                Dns1123Label,
                &long_label,
                format!("\"{long_label}\": must be no more than 63 characters"),
            ),
            (
                Dns1035Label,
                "0abc",
                format!("\"0abc\": {DNS1035_REGEX_ERR}"),
            ),
            (Dns1035Label, "a.b", format!("\"a.b\": {DNS1035_REGEX_ERR}")),
            (PathSegment, ".", "\".\": may not be '.'".into()),
            (PathSegment, "..", "\"..\": may not be '..'".into()),
            (PathSegment, "a/b", "\"a/b\": may not contain '/'".into()),
            (
                PathSegment,
                "a/%b",
                "\"a/%b\": may not contain '/'; may not contain '%'".into(),
            ),
        ];
        for (rule, name, expected) in cases {
            assert_eq!(
                check_object_name(rule, name).map_err(text),
                Err(expected),
                "{rule:?} {name:?}"
            );
        }
        let too_long = "a".repeat(254);
        assert_eq!(
            check_object_name(Dns1123Subdomain, &too_long).map_err(text),
            Err(format!(
                "\"{too_long}\": must be no more than 253 characters"
            ))
        );
    }

    #[test]
    fn name_rules_by_kind() {
        assert_eq!(name_rule_for("", "Service"), NameRule::Dns1035Label);
        assert_eq!(name_rule_for("core", "Service"), NameRule::Dns1035Label);
        assert_eq!(name_rule_for("", "Namespace"), NameRule::Dns1123Label);
        for kind in ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"] {
            assert_eq!(
                name_rule_for("rbac.authorization.k8s.io", kind),
                NameRule::PathSegment
            );
        }
        assert_eq!(name_rule_for("", "ConfigMap"), NameRule::Dns1123Subdomain);
        assert_eq!(
            name_rule_for("apps", "Deployment"),
            NameRule::Dns1123Subdomain
        );
        assert_eq!(
            name_rule_for("example.com", "Service"),
            NameRule::Dns1123Subdomain
        );
        assert_eq!(name_rule_for("", "Role"), NameRule::Dns1123Subdomain);
    }
}
