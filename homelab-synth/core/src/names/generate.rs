//! Names generated from construct paths: [`path_name`] and the cdk8s-compatible
//! [`dns_label_name`] and [`label_value_name`] (the algorithm is in the [module
//! documentation](super)).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::check::{
    DNS1123_LABEL_ERR_MSG, LABEL_VALUE_ERR_MSG, dns1123_label_shape, qualified_name_shape,
};
use super::{CDK8S_HASH_LEN, DNS1123_LABEL_MAX_LEN, PATH_NAME_HASH_LEN};

/// Options for the cdk8s-compatible generators [`dns_label_name`] and [`label_value_name`].
/// They match cdk8s' `NameOptions`, except for `extra`, which is not supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameOptions {
    /// Maximum length of the generated name. Default: 63. Must be at least
    /// [`CDK8S_HASH_LEN`] (8) while `include_hash` is set. Values above 63 give names that
    /// are not valid DNS labels or label values but may still be valid DNS subdomains.
    pub max_len: usize,
    /// Whether to add the short path hash as the last part of the name. Default: `true`.
    /// This is cdk8s' `includeHash`, which is set per chart through `enableResourceNameHashes`.
    pub include_hash: bool,
    /// Separator placed between components. Default: `"-"`. The name is also split at this
    /// separator when `default` and `resource` pieces are removed, as in cdk8s.
    pub delimiter: &'static str,
}

impl Default for NameOptions {
    /// `max_len: 63`, `include_hash: true`, `delimiter: "-"`, the cdk8s defaults.
    fn default() -> Self {
        NameOptions {
            max_len: DNS1123_LABEL_MAX_LEN,
            include_hash: true,
            delimiter: "-",
        }
    }
}

/// Which hash the cdk8s-compatible generators add. See step 5 of the
/// [module documentation](super).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HashScheme {
    /// The current cdk8s hash: the first 8 characters of the construct address (`c8` and
    /// the SHA-1 of the ids, root first, each followed by `\n`, leaving out `Default`).
    #[default]
    Address,
    /// The hash cdk8s uses when `CDK8S_LEGACY_HASH` is set (its hash from before construct
    /// addresses): the first 8 hex digits of the SHA-256 of the path joined by `/`.
    LegacySha256,
}

/// The result of generating a name.
pub type Result<T, E = NameError> = std::result::Result<T, E>;

/// Why a name could not be generated.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum NameError {
    /// The path has no components.
    #[error("cannot generate a name from an empty path")]
    EmptyPath,
    /// A path component is empty. Only the app root, which is not part of the path, can
    /// have an empty id.
    #[error("path component {index} is empty")]
    EmptyComponent {
        /// Position of the empty component in the path.
        index: usize,
    },
    /// A path component contains a newline. The address hash puts a newline after each
    /// component, so allowing one would let two different paths hash the same.
    #[error("path component {index} ({component:?}) contains a newline")]
    NewlineInComponent {
        /// Position of the component in the path.
        index: usize,
        /// The component.
        component: String,
    },
    /// `max_len` is too small to hold the hash.
    #[error("max length {max_len} is below the minimum of {CDK8S_HASH_LEN} required for the hash")]
    MaxLenTooSmall {
        /// The `max_len` that was given.
        max_len: usize,
    },
    /// The delimiter for a label value has characters a label value cannot have.
    #[error("delimiter {delimiter:?} may only contain alphanumeric characters, '-', '_' or '.'")]
    InvalidDelimiter {
        /// The delimiter that was given.
        delimiter: String,
    },
    /// Nothing is left of the path once cleaned up (for example `resource/default` without
    /// the hash).
    #[error("path {path:?} yields an empty name")]
    EmptyName {
        /// The path, joined by `/`.
        path: String,
    },
    /// The cdk8s algorithm produced a name that is not valid. cdk8s would return it anyway.
    #[error("path {path:?} yields {name:?}, which {reason}")]
    InvalidName {
        /// The path, joined by `/`.
        path: String,
        /// The name that was produced.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The cdk8s `Names.toDnsLabel` name for `path`, with the current cdk8s hash
/// ([`HashScheme::Address`]).
///
/// `path` is the construct path below the app: chart id first, object id last. For example,
/// `dns_label_name(&["test", "resource1"], &NameOptions::default())` is
/// `Ok("test-resource1-c85cb0fc")`, which is the name cdk8s gives an `ApiObject` with id
/// `resource1` in the chart `test`. The steps are in the [module documentation](super).
///
/// # Errors
///
/// See [`NameError`]. The result must match `[a-z0-9]([-a-z0-9]*[a-z0-9])?` and be at most
/// `max_len` long. When cdk8s would return anything else, this returns
/// [`NameError::InvalidName`].
pub fn dns_label_name(path: &[&str], options: &NameOptions) -> Result<String> {
    dns_label_name_with_scheme(path, options, HashScheme::Address)
}

/// [`dns_label_name`] with a chosen [`HashScheme`]. Use [`HashScheme::LegacySha256`] to get
/// the names of cdk8s apps that were synthesized with `CDK8S_LEGACY_HASH`.
///
/// # Errors
///
/// As [`dns_label_name`].
pub fn dns_label_name_with_scheme(
    path: &[&str],
    options: &NameOptions,
    scheme: HashScheme,
) -> Result<String> {
    generate(path, options, scheme, Flavor::DnsLabel)
}

/// The cdk8s `Names.toLabelValue` value for `path`, with the current cdk8s hash.
///
/// This is the same as [`dns_label_name`] with these differences: case is kept, `_` and `.`
/// are allowed, a single component that is already a valid label value is used unchanged,
/// and leading characters that are not alphanumeric are removed. For example
/// `label_value_name(&["Hello"], &NameOptions::default())` is `Ok("Hello")`.
///
/// # Errors
///
/// See [`NameError`]. The delimiter may only contain `[0-9A-Za-z-_.]`, as in cdk8s. If the
/// result is not a label value (a trailing `_`, for example), this returns
/// [`NameError::InvalidName`]. An empty result is [`NameError::EmptyName`], even though an
/// empty label value is valid in Kubernetes.
pub fn label_value_name(path: &[&str], options: &NameOptions) -> Result<String> {
    label_value_name_with_scheme(path, options, HashScheme::Address)
}

/// [`label_value_name`] with a chosen [`HashScheme`].
///
/// # Errors
///
/// As [`label_value_name`].
pub fn label_value_name_with_scheme(
    path: &[&str],
    options: &NameOptions,
    scheme: HashScheme,
) -> Result<String> {
    generate(path, options, scheme, Flavor::LabelValue)
}

/// The default, readable name for `path`: always a valid DNS-1123 label (and DNS-1123
/// subdomain).
///
/// The steps:
///
/// 1. The components are joined by `-` and lowercased (Unicode lowercasing).
/// 2. Each character other than `a-z` and `0-9` becomes `-`, including `-` itself,
///    `_`, `.`, `/`, spaces and every non-ASCII character.
/// 3. Runs of `-` become a single `-`, and leading and trailing `-` are removed. Call the
///    result *human*.
/// 4. If *human* is non-empty and at most 63 characters, it is the name, without a hash.
///    At this point it can only fail to be a DNS-1123 label by being empty or too long.
/// 5. Otherwise, *hash* is the first 8 hex digits of the SHA-256 of the original components
///    joined by `/`. If *human* is empty, the name is *hash*. If it is too long, the name is
///    the first 54 characters of *human*, with trailing `-` removed, then `-`, then *hash*.
///    That is at most 63 characters. The start of the path is kept, so a name still sorts
///    and reads by chart first.
///
/// Different paths can give the same name when no hash is added. For example `["a", "b"]`,
/// `["a-b"]` and `["A_B"]` all give `a-b`, so callers must check that generated names are
/// unique. An empty path gives the hash of the empty string, `e3b0c442`.
#[must_use]
pub fn path_name(path: &[&str]) -> String {
    let lowered = path.join("-").to_lowercase();
    let mut human = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if c == '-' && (human.is_empty() || human.ends_with('-')) {
            continue;
        }
        human.push(c);
    }
    while human.ends_with('-') {
        human.pop();
    }
    if !human.is_empty() && human.len() <= DNS1123_LABEL_MAX_LEN {
        return human;
    }
    let digest = Sha256::digest(path.join("/").as_bytes());
    let hash = hex(&digest[..PATH_NAME_HASH_LEN / 2]);
    if human.is_empty() {
        return hash;
    }
    // `human` holds only ASCII characters, so any byte index is a character boundary.
    let keep = DNS1123_LABEL_MAX_LEN - 1 - PATH_NAME_HASH_LEN;
    let head = human[..keep].trim_end_matches('-');
    format!("{head}-{hash}")
}

// ---------------------------------------------------------------------------------------
// cdk8s name generation
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    DnsLabel,
    LabelValue,
}

fn generate(
    path: &[&str],
    options: &NameOptions,
    scheme: HashScheme,
    flavor: Flavor,
) -> Result<String> {
    let max_len = options.max_len;
    let delimiter = options.delimiter;
    if options.include_hash && max_len < CDK8S_HASH_LEN {
        return Err(NameError::MaxLenTooSmall { max_len });
    }
    if flavor == Flavor::LabelValue && !delimiter.chars().all(is_label_char) {
        return Err(NameError::InvalidDelimiter {
            delimiter: delimiter.to_owned(),
        });
    }
    let components = sanitize_path(path)?;

    let name = match components.as_slice() {
        [only] if fits_unchanged(only, flavor, max_len) => only.clone(),
        _ => {
            let mut parts: Vec<String> = components
                .iter()
                .map(|c| normalize_component(c, flavor, max_len))
                .collect();
            if options.include_hash {
                parts.push(cdk8s_hash(&components, scheme));
            }
            let human = human_form(parts, delimiter, max_len);
            match flavor {
                Flavor::DnsLabel => human,
                Flavor::LabelValue => human
                    .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                    .to_owned(),
            }
        }
    };
    finish(name, &components, flavor, max_len)
}

/// Checks the path and applies the `constructs` id sanitizing (`/` becomes `--`).
fn sanitize_path(path: &[&str]) -> Result<Vec<String>> {
    if path.is_empty() {
        return Err(NameError::EmptyPath);
    }
    path.iter()
        .enumerate()
        .map(|(index, component)| {
            if component.is_empty() {
                Err(NameError::EmptyComponent { index })
            } else if component.contains('\n') {
                Err(NameError::NewlineInComponent {
                    index,
                    component: (*component).to_owned(),
                })
            } else {
                Ok(component.replace('/', "--"))
            }
        })
        .collect()
}

/// The single-component shortcut: cdk8s uses such a component unchanged.
fn fits_unchanged(component: &str, flavor: Flavor, max_len: usize) -> bool {
    let shape = match flavor {
        Flavor::DnsLabel => component
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        Flavor::LabelValue => qualified_name_shape(component),
    };
    // Both shapes are ASCII only, so the byte length equals JavaScript's UTF-16 length.
    shape && component.len() <= max_len
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Step 4: lowercase (DNS only), remove disallowed characters, cut to `max_len`.
fn normalize_component(component: &str, flavor: Flavor, max_len: usize) -> String {
    let source = match flavor {
        Flavor::DnsLabel => component.to_lowercase(),
        Flavor::LabelValue => component.to_owned(),
    };
    source
        .chars()
        .filter(|&c| is_label_char(c))
        .take(max_len)
        .collect()
}

/// Step 5: the short hash of the (sanitized) path.
fn cdk8s_hash(components: &[String], scheme: HashScheme) -> String {
    match scheme {
        HashScheme::Address => {
            // The root construct's id is "", so the data starts with its separator.
            let mut data = vec![b'\n'];
            for component in components.iter().filter(|c| c.as_str() != "Default") {
                data.extend_from_slice(component.as_bytes());
                data.push(b'\n');
            }
            let mut address = String::from("c8");
            address.push_str(&hex(&sha1(&data)));
            address.truncate(CDK8S_HASH_LEN);
            address
        }
        HashScheme::LegacySha256 => {
            let digest = Sha256::digest(components.join("/").as_bytes());
            hex(&digest[..CDK8S_HASH_LEN / 2])
        }
    }
}

/// Steps 6 and 7.
fn human_form(mut parts: Vec<String>, delimiter: &str, max_len: usize) -> String {
    parts.reverse();
    parts.dedup();
    let joined = parts.join("/");
    let cut = truncate_chars(&joined, max_len);
    let mut kept: Vec<&str> = cut.split('/').collect();
    kept.reverse();
    kept.retain(|s| !s.is_empty());
    let rejoined = kept.join(delimiter);
    rejoined
        .split(delimiter)
        .filter(|piece| !piece.is_empty())
        .filter(|piece| {
            !piece.eq_ignore_ascii_case("default") && !piece.eq_ignore_ascii_case("resource")
        })
        .collect::<Vec<_>>()
        .join(delimiter)
}

/// Checks the generated name and turns cdk8s' odd results into errors.
fn finish(name: String, components: &[String], flavor: Flavor, max_len: usize) -> Result<String> {
    let path = || components.join("/");
    if name.is_empty() {
        return Err(NameError::EmptyName { path: path() });
    }
    let reason = if name.chars().count() > max_len {
        Some(format!("is longer than the max length {max_len}"))
    } else {
        match flavor {
            Flavor::DnsLabel if !dns1123_label_shape(&name) => {
                Some(format!("is not a DNS-1123 label: {DNS1123_LABEL_ERR_MSG}"))
            }
            Flavor::LabelValue if !qualified_name_shape(&name) => {
                Some(format!("is not a label value: {LABEL_VALUE_ERR_MSG}"))
            }
            _ => None,
        }
    };
    match reason {
        Some(reason) => Err(NameError::InvalidName {
            path: path(),
            name,
            reason,
        }),
        None => Ok(name),
    }
}

/// The first `max` characters of `s`.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((index, _)) => &s[..index],
        None => s,
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SHA-1, needed only to match the construct addresses of the `constructs` library (name
/// compatibility, not security).
fn sha1(data: &[u8]) -> [u8; 20] {
    sha1::Sha1::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::check::{NameRule, check_label_value, check_object_name, is_dns1123_label};

    /// Splits a `/`-separated test path the way cdk8s' test helper builds its construct tree.
    fn comps(path: &str) -> Vec<&str> {
        path.split('/').collect()
    }

    fn dns(path: &str) -> Result<String> {
        dns_label_name(&comps(path), &NameOptions::default())
    }

    fn dns_with(path: &str, options: NameOptions) -> Result<String> {
        dns_label_name(&comps(path), &options)
    }

    fn label(path: &str) -> Result<String> {
        label_value_name(&comps(path), &NameOptions::default())
    }

    fn label_with(path: &str, options: NameOptions) -> Result<String> {
        label_value_name(&comps(path), &options)
    }

    fn max(max_len: usize) -> NameOptions {
        NameOptions {
            max_len,
            ..NameOptions::default()
        }
    }

    fn no_hash() -> NameOptions {
        NameOptions {
            include_hash: false,
            ..NameOptions::default()
        }
    }

    fn ok(s: &str) -> Result<String> {
        Ok(s.to_owned())
    }

    // -- reference values: cdk8s-team/cdk8s-core test/names.test.ts ----------------------
    // Every input and expected output below is from that file. Both generators are checked
    // against the same table, as cdk8s' tests do.

    /// (path, options, expected) rows shared by `toDnsLabel` and `toLabelValue` in
    /// test/names.test.ts.
    fn shared_cases() -> Vec<(String, NameOptions, &'static str)> {
        let d = NameOptions::default();
        vec![
            // ignores default children
            (
                "hello/default/foo/world/default".into(),
                d,
                "hello-foo-world-c8ceb89a",
            ),
            (
                "hello/resource/foo/world/resource".into(),
                d,
                "hello-foo-world-c8c051a2",
            ),
            (
                "hello/resource/foo/world/default".into(),
                d,
                "hello-foo-world-c8285558",
            ),
            (
                "hello/Resource/foo/world/Default".into(),
                d,
                "hello-foo-world-c8455d08",
            ),
            (
                "hello/default/foo/world/resource".into(),
                d,
                "hello-foo-world-c83a0f50",
            ),
            ("resource/default".into(), d, "c818ce2d"),
            // normalization
            ("hey*".into(), d, "hey-c808ed9e"),
            ("not allowed".into(), d, "notallowed-c82fed05"),
            // maximum length for a single term
            ("1234567890abcdef".into(), max(15), "123456-c85fab94"),
            (
                format!("x{}", "a".repeat(64)),
                d,
                "xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-c86953f2",
            ),
            // single term is not decorated with a hash
            ("foo".into(), d, "foo"),
            ("foo-bar-123-455".into(), d, "foo-bar-123-455"),
            // multiple terms
            ("hello-foo-world".into(), d, "hello-foo-world"),
            ("hello-hello-foo-world".into(), d, "hello-hello-foo-world"),
            ("hello-foo/world".into(), d, "hello-foo-world-c83c4a8a"),
            ("hello-foo/foo".into(), d, "hello-foo-foo-c884a60a"),
            ("hello/foo/world".into(), d, "hello-foo-world-c89b166b"),
            // max length 8 is the minimum and is fine
            ("foo".into(), max(8), "foo"),
            ("foo".into(), max(9), "foo"),
            // omit duplicate components
            (
                "hello/hello/foo/world".into(),
                d,
                "hello-foo-world-c8538d75",
            ),
            (
                "hello/hello/hello/foo/world".into(),
                d,
                "hello-foo-world-c815bea4",
            ),
            ("hello/hello/hello/hello/hello".into(), d, "hello-c830c284"),
            ("hello/cool/cool/cool/cool".into(), d, "hello-cool-c816948a"),
            (
                "hello/world/world/world/cool".into(),
                d,
                "hello-world-cool-c8e259cb",
            ),
            // trimming prioritizes the last component
            ("hello/world".into(), max(8), "c85bc96a"),
            ("hello/world/this/is/cool".into(), max(8), "c80ec725"),
            ("hello/world/this/is/cool".into(), max(12), "coo-c80ec725"),
            ("hello/hello/this/is/cool".into(), max(12), "coo-c812c430"),
            (
                "hello/cool/cool/cool/cool".into(),
                max(15),
                "h-cool-c816948a",
            ),
            ("hello/world/this/is/cool".into(), max(14), "cool-c80ec725"),
            (
                "hello/world/this/is/cool".into(),
                max(15),
                "i-cool-c80ec725",
            ),
            (
                "hello/world/this/is/cool".into(),
                max(25),
                "wor-this-is-cool-c80ec725",
            ),
            // optional hash
            (
                "hello/default/foo/world/resource".into(),
                no_hash(),
                "hello-foo-world",
            ),
            (
                "hello/world/this/is/cool".into(),
                NameOptions {
                    include_hash: false,
                    max_len: 8,
                    ..d
                },
                "is-cool",
            ),
        ]
    }

    #[test]
    fn cdk8s_to_dns_label_shared_table() {
        for (path, options, expected) in shared_cases() {
            assert_eq!(dns_with(&path, options), ok(expected), "path {path:?}");
        }
    }

    #[test]
    fn cdk8s_to_label_value_shared_table() {
        for (path, options, expected) in shared_cases() {
            assert_eq!(label_with(&path, options), ok(expected), "path {path:?}");
        }
    }

    #[test]
    fn cdk8s_to_dns_label_specific_cases() {
        assert_eq!(dns("Hello"), ok("hello-c8a347e4"));
        assert_eq!(dns(&"z".repeat(63)), Ok("z".repeat(63)));
        // filter empty components
        assert_eq!(
            dns("hello/world---this-is-cool---"),
            ok("hello-world-this-is-cool-c88665d5")
        );
        assert_eq!(
            dns("hello-world-this-is-cool"),
            ok("hello-world-this-is-cool")
        );
        assert_eq!(
            dns("hello/world-this/is-cool"),
            ok("hello-world-this-is-cool-c81c7478")
        );
    }

    #[test]
    fn cdk8s_to_label_value_specific_cases() {
        // upper case is allowed in a label value
        assert_eq!(label("Hello"), ok("Hello"));
        assert_eq!(label(&"z".repeat(63)), Ok("z".repeat(63)));
        let dash = NameOptions {
            max_len: 15,
            delimiter: "-",
            ..NameOptions::default()
        };
        assert_eq!(label_with("1234567890abcdef", dash), ok("123456-c85fab94"));
        // filter empty components
        assert_eq!(
            label("hello---this/is/cool/-"),
            ok("hello-this-is-cool-c83b900b")
        );
        assert_eq!(
            label("hello---this/is---/cool/-"),
            ok("hello-this-is-cool-c82d69dd")
        );
    }

    #[test]
    fn cdk8s_max_len_below_hash_length_is_an_error() {
        for max_len in [4, 7] {
            assert_eq!(
                dns_with("foo", max(max_len)),
                Err(NameError::MaxLenTooSmall { max_len })
            );
            assert_eq!(
                label_with("foo", max(max_len)),
                Err(NameError::MaxLenTooSmall { max_len })
            );
        }
        assert_eq!(
            NameError::MaxLenTooSmall { max_len: 4 }.to_string(),
            "max length 4 is below the minimum of 8 required for the hash"
        );
        // Without the hash there is no minimum, as in cdk8s.
        let tiny = NameOptions {
            max_len: 3,
            include_hash: false,
            ..NameOptions::default()
        };
        assert_eq!(dns_with("foo", tiny), ok("foo"));
        assert_eq!(dns_with("hello/world", tiny), ok("wor"));
    }

    // -- reference values: cdk8s-team/cdk8s-core test/names-legacy.test.ts ---------------
    // (CDK8S_LEGACY_HASH=1: SHA-256 of the path).

    fn legacy_cases() -> Vec<(String, usize, &'static str)> {
        vec![
            (
                "hello/default/foo/world/default".into(),
                63,
                "hello-foo-world-5d193db9",
            ),
            (
                "hello/resource/foo/world/resource".into(),
                63,
                "hello-foo-world-f5dd971f",
            ),
            (
                "hello/resource/foo/world/default".into(),
                63,
                "hello-foo-world-2f1cee85",
            ),
            (
                "hello/Resource/foo/world/Default".into(),
                63,
                "hello-foo-world-857189b5",
            ),
            (
                "hello/default/foo/world/resource".into(),
                63,
                "hello-foo-world-e89fdfae",
            ),
            ("resource/default".into(), 63, "40b6bcd9"),
            (" ".into(), 63, "36a9e7f1"),
            ("hey*".into(), 63, "hey-96c05e6c"),
            ("not allowed".into(), 63, "notallowed-a26075ed"),
            ("1234567890abcdef".into(), 15, "123456-8e9916c5"),
            (
                format!("x{}", "a".repeat(64)),
                63,
                "xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-f69f4ba1",
            ),
            ("foo".into(), 63, "foo"),
            ("foo-bar-123-455".into(), 63, "foo-bar-123-455"),
            (
                "z".repeat(63),
                63,
                "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            ),
            ("hello-foo-world".into(), 63, "hello-foo-world"),
            ("hello-hello-foo-world".into(), 63, "hello-hello-foo-world"),
            ("hello-foo/world".into(), 63, "hello-foo-world-54700203"),
            ("hello-foo/foo".into(), 63, "hello-foo-foo-e078a973"),
            ("hello/foo/world".into(), 63, "hello-foo-world-4f6e4fd8"),
            ("foo".into(), 8, "foo"),
            ("foo".into(), 9, "foo"),
            (
                "hello/hello/foo/world".into(),
                63,
                "hello-foo-world-1d4999d0",
            ),
            (
                "hello/hello/hello/foo/world".into(),
                63,
                "hello-foo-world-d3ebcda3",
            ),
            ("hello/hello/hello/hello/hello".into(), 63, "hello-456bb9d7"),
            (
                "hello/cool/cool/cool/cool".into(),
                63,
                "hello-cool-83150e81",
            ),
            (
                "hello/world/world/world/cool".into(),
                63,
                "hello-world-cool-0148a798",
            ),
            ("hello/world".into(), 8, "761e91eb"),
            ("hello/world/this/is/cool".into(), 8, "a7c39f00"),
            ("hello/world/this/is/cool".into(), 12, "coo-a7c39f00"),
            ("hello/hello/this/is/cool".into(), 12, "coo-8751188b"),
            ("hello/cool/cool/cool/cool".into(), 15, "h-cool-83150e81"),
            ("hello/world/this/is/cool".into(), 14, "cool-a7c39f00"),
            ("hello/world/this/is/cool".into(), 15, "i-cool-a7c39f00"),
            (
                "hello/world/this/is/cool".into(),
                25,
                "wor-this-is-cool-a7c39f00",
            ),
        ]
    }

    #[test]
    fn cdk8s_legacy_hash_tables() {
        for (path, max_len, expected) in legacy_cases() {
            let options = max(max_len);
            let components = comps(&path);
            assert_eq!(
                dns_label_name_with_scheme(&components, &options, HashScheme::LegacySha256),
                ok(expected),
                "dns {path:?}"
            );
            assert_eq!(
                label_value_name_with_scheme(&components, &options, HashScheme::LegacySha256),
                ok(expected),
                "label {path:?}"
            );
        }
        let legacy = |path: &str, f: fn(&[&str], &NameOptions, HashScheme) -> _| {
            f(
                &comps(path),
                &NameOptions::default(),
                HashScheme::LegacySha256,
            )
        };
        // The cases where the two generators differ.
        assert_eq!(
            legacy("Hello", dns_label_name_with_scheme),
            ok("hello-185f8db3")
        );
        assert_eq!(legacy("Hello", label_value_name_with_scheme), ok("Hello"));
        assert_eq!(
            legacy("hello/world---this-is-cool---", dns_label_name_with_scheme),
            ok("hello-world-this-is-cool-85209c22")
        );
        assert_eq!(
            legacy("hello/world-this/is-cool", dns_label_name_with_scheme),
            ok("hello-world-this-is-cool-9bdccb95")
        );
        assert_eq!(
            legacy("hello---this/is/cool/-", label_value_name_with_scheme),
            ok("hello-this-is-cool-a30e4c1e")
        );
        assert_eq!(
            legacy("hello---this/is---/cool/-", label_value_name_with_scheme),
            ok("hello-this-is-cool-a9b9d489")
        );
    }

    // -- reference values: cdk8s-team/cdk8s-core test/chart.test.ts and
    //    test/__snapshots__/chart.test.ts.snap (names cdk8s gives ApiObjects; the path
    //    starts at the chart, the app root is not part of it) -------------------------------

    #[test]
    fn cdk8s_chart_generated_object_names() {
        let d = NameOptions::default();
        let cases: [(&[&str], &str); 8] = [
            (&["test", "resource1"], "test-resource1-c85cb0fc"),
            (&["test", "resource2"], "test-resource2-c8c6bd27"),
            (&["test", "resource3"], "test-resource3-c8ccc739"),
            (
                &["test", "scope", "resource1"],
                "test-scope-resource1-c84ac5c2",
            ),
            (
                &["test", "scope", "resource2"],
                "test-scope-resource2-c889750d",
            ),
            (&["chart", "obj1"], "chart-obj1-c80aa35c"),
            (&["chart", "obj2"], "chart-obj2-c8016fab"),
            (
                &["chart1", "child1", "child1obj"],
                "chart1-child1-child1obj-c868628e",
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(dns_label_name(path, &d), ok(expected), "{path:?}");
        }
        assert_eq!(
            dns_label_name(&["chart1", "chart2", "child2", "child2obj"], &d),
            ok("chart1-chart2-child2-child2obj-c828dca6")
        );
        // enableResourceNameHashes: false
        assert_eq!(
            dns_label_name(&["test", "resource1"], &no_hash()),
            ok("test-resource1")
        );
        assert_eq!(
            dns_label_name(&["test", "resource2"], &no_hash()),
            ok("test-resource2")
        );
    }

    // -- behaviour beyond cdk8s' own tests ------------------------------------------------
    // Hashes here were computed independently (Python hashlib) from the documented rules.

    #[test]
    fn address_hash_skips_only_exact_default_and_includes_the_root() {
        // `Default` is left out of the hash; `default` (lower case) is not.
        assert_eq!(dns("Default/x"), ok("x-c8e6b834"));
        let with_default = dns_label_name(&["Default", "x", "y"], &NameOptions::default());
        let without = dns_label_name(&["x", "y"], &NameOptions::default());
        assert_eq!(with_default, without);
        assert_eq!(dns("hello/world"), ok("hello-world-c85bc96a"));
        assert_ne!(dns("default/x/y"), dns("x/y"));
    }

    #[test]
    fn a_whitespace_only_component_leaves_only_the_hash() {
        assert_eq!(dns(" "), ok("c879598f"));
        assert_eq!(label(" "), ok("c879598f"));
    }

    #[test]
    fn slashes_inside_a_component_are_sanitized_like_construct_ids() {
        // constructs turns `/` in an id into `--`; the hash covers the sanitized id.
        assert_eq!(
            dns_label_name(&["a/b", "c"], &NameOptions::default()),
            ok("a-b-c-c85c31a7")
        );
        assert_ne!(
            dns_label_name(&["a/b", "c"], &NameOptions::default()),
            dns_label_name(&["a", "b", "c"], &NameOptions::default())
        );
        // A single sanitized component still takes the shortcut.
        assert_eq!(
            dns_label_name(&["a/b"], &NameOptions::default()),
            ok("a--b")
        );
    }

    #[test]
    fn unicode_is_lowercased_then_dropped() {
        // U+0130 lowercases to "i" + U+0307, so an ASCII "i" survives for DNS names.
        assert_eq!(
            dns_label_name(&["İstanbul", "x"], &NameOptions::default()),
            ok("istanbul-x-c85aee86")
        );
        // Label values are not lowercased, so the character is just removed.
        assert_eq!(
            label_value_name(&["İstanbul", "x"], &NameOptions::default()),
            ok("stanbul-x-c85aee86")
        );
        // Nothing but the hash is left of non-Latin components.
        assert_eq!(dns("日本/語"), ok("c8dddc00"));
        assert_eq!(label("日本/語"), ok("c8dddc00"));
    }

    #[test]
    fn all_invalid_components_without_hash_are_an_empty_name() {
        assert_eq!(
            dns_with("***/!!!", no_hash()),
            Err(NameError::EmptyName {
                path: "***/!!!".into()
            })
        );
        assert_eq!(
            dns_with("resource/default", no_hash()),
            Err(NameError::EmptyName {
                path: "resource/default".into()
            })
        );
        assert_eq!(
            NameError::EmptyName { path: "a/b".into() }.to_string(),
            "path \"a/b\" yields an empty name"
        );
    }

    #[test]
    fn empty_paths_and_components_are_rejected() {
        let d = NameOptions::default();
        assert_eq!(dns_label_name(&[], &d), Err(NameError::EmptyPath));
        assert_eq!(label_value_name(&[], &d), Err(NameError::EmptyPath));
        assert_eq!(
            dns_label_name(&["a", "", "b"], &d),
            Err(NameError::EmptyComponent { index: 1 })
        );
        assert_eq!(
            dns_label_name(&["a\nb"], &d),
            Err(NameError::NewlineInComponent {
                index: 0,
                component: "a\nb".into()
            })
        );
        assert_eq!(
            NameError::EmptyPath.to_string(),
            "cannot generate a name from an empty path"
        );
        assert_eq!(
            NameError::EmptyComponent { index: 1 }.to_string(),
            "path component 1 is empty"
        );
    }

    #[test]
    fn very_long_components_keep_the_hash_and_the_end() {
        let long = "b".repeat(200);
        let name = dns_label_name(&["a", &long], &NameOptions::default()).unwrap();
        assert_eq!(name.len(), 63);
        assert!(name.starts_with("bbbb"));
        assert!(name.ends_with(&dns_label_name(&["a", &long], &max(8)).unwrap()));
        assert!(is_dns1123_label(&name));
    }

    #[test]
    fn duplicates_are_removed_only_when_adjacent_whole_components() {
        // Adjacent equal components after normalization collapse (case folds for DNS).
        assert_eq!(
            dns_label_name(&["Hello", "hello", "x"], &NameOptions::default())
                .unwrap()
                .matches("hello")
                .count(),
            1
        );
        // For label values case is kept, so they differ.
        let value = label_value_name(&["Hello", "hello", "x"], &NameOptions::default()).unwrap();
        assert!(value.starts_with("Hello-hello-x-"), "{value}");
        // Non-adjacent duplicates stay.
        assert!(dns("a/b/a").unwrap().starts_with("a-b-a-"));
        // Dashes inside components are not deduplicated.
        assert_eq!(dns("hello-foo/foo"), ok("hello-foo-foo-c884a60a"));
    }

    #[test]
    fn default_and_resource_pieces_are_removed_even_inside_components() {
        let name = dns("my-resource/x").unwrap();
        assert!(name.starts_with("my-x-"), "{name}");
    }

    #[test]
    fn odd_cdk8s_results_become_errors() {
        let d = NameOptions::default();
        // A single component matching ^[0-9a-z-]+$ is returned unchanged by cdk8s.
        assert!(matches!(
            dns_label_name(&["-x"], &d),
            Err(NameError::InvalidName { ref name, .. }) if name == "-x"
        ));
        // `_` and `.` survive DNS normalization in cdk8s.
        let err = dns_label_name(&["a_b", "c"], &d).unwrap_err();
        assert!(
            matches!(err, NameError::InvalidName { ref name, .. } if name.starts_with("a_b-c-"))
        );
        assert!(err.to_string().contains("is not a DNS-1123 label"), "{err}");
        // Multi-character delimiters can push names past max_len.
        let wide = NameOptions {
            max_len: 12,
            delimiter: "---",
            include_hash: true,
        };
        assert!(matches!(
            dns_label_name(&["hello", "world"], &wide),
            Err(NameError::InvalidName { ref reason, .. }) if reason.contains("longer than")
        ));
        // A trailing `_` in a label value without a hash.
        assert!(matches!(
            label_value_name(&["a", "b_"], &no_hash()),
            Err(NameError::InvalidName { .. })
        ));
    }

    #[test]
    fn label_values_strip_leading_non_alphanumerics() {
        assert_eq!(label_with("_x/y", no_hash()), ok("x-y"));
        assert_eq!(label_with(".a/_b", no_hash()), ok("a-_b"));
    }

    #[test]
    fn label_delimiter_is_checked_and_used() {
        let bad = NameOptions {
            delimiter: "/",
            ..NameOptions::default()
        };
        assert_eq!(
            label_value_name(&["a", "b"], &bad),
            Err(NameError::InvalidDelimiter {
                delimiter: "/".into()
            })
        );
        let dot = NameOptions {
            delimiter: ".",
            ..NameOptions::default()
        };
        assert_eq!(
            label_value_name(&["hello", "world"], &dot),
            ok("hello.world.c85bc96a")
        );
        // A dot delimiter does not make a DNS label.
        assert!(matches!(
            dns_label_name(&["hello", "world"], &dot),
            Err(NameError::InvalidName { .. })
        ));
    }

    #[test]
    fn generation_is_deterministic() {
        let path = ["chart", "Deep", "Resource", "thing_1"];
        let first = dns_label_name(&path, &NameOptions::default());
        for _ in 0..10 {
            assert_eq!(dns_label_name(&path, &NameOptions::default()), first);
        }
        assert_eq!(path_name(&path), path_name(&path));
    }

    #[test]
    fn name_options_default_matches_cdk8s() {
        assert_eq!(
            NameOptions::default(),
            NameOptions {
                max_len: 63,
                include_hash: true,
                delimiter: "-"
            }
        );
        assert_eq!(HashScheme::default(), HashScheme::Address);
    }

    // -- path_name --------------------------------------------------------------------------

    #[test]
    fn path_name_is_readable_when_possible() {
        assert_eq!(
            path_name(&["web", "frontend", "deployment"]),
            "web-frontend-deployment"
        );
        assert_eq!(path_name(&["My App", "Web_Server"]), "my-app-web-server");
        assert_eq!(path_name(&["--a--", "..b.."]), "a-b");
        assert_eq!(path_name(&["Café", "naïve"]), "caf-na-ve");
        assert_eq!(path_name(&["a".repeat(63).as_str()]), "a".repeat(63));
        // Collisions are possible and must be caught by the caller.
        assert_eq!(path_name(&["a", "b"]), path_name(&["A_B"]));
    }

    #[test]
    fn path_name_hashes_empty_results() {
        assert_eq!(path_name(&["日本", "語"]), "630513ff");
        assert_eq!(path_name(&["***"]), {
            let d = Sha256::digest(b"***");
            hex(&d[..4])
        });
        assert_eq!(path_name(&[]), "e3b0c442");
        assert_eq!(path_name(&[""]), "e3b0c442");
    }

    #[test]
    fn path_name_truncates_long_names_with_a_hash() {
        let long = "a".repeat(70);
        assert_eq!(path_name(&[&long]), format!("{}-6bd5e503", "a".repeat(54)));
        // A cut that lands right after a dash does not leave a double dash.
        let dashed = format!("{}-{}", "a".repeat(53), "b".repeat(20));
        let name = path_name(&[&dashed]);
        assert!(name.starts_with(&format!("{}-", "a".repeat(53))));
        assert_eq!(name.len(), 53 + 1 + 8);
        assert!(is_dns1123_label(&name), "{name}");
        let many: Vec<String> = (0..30).map(|i| format!("part{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let name = path_name(&many);
        // The cut at 54 characters falls just after a `-`, which is dropped.
        assert_eq!(name.len(), 62, "{name}");
        assert!(name.starts_with("part0-part1-"));
        assert!(is_dns1123_label(&name));
    }

    #[test]
    fn path_name_output_is_always_a_dns_label() {
        let inputs: [&[&str]; 7] = [
            &["x"],
            &["-"],
            &["Ünïcödé", "ÄÖÜ"],
            &["a.b.c", "d_e"],
            &["9lives"],
            &[" ", " "],
            &["z"; 40],
        ];
        for path in inputs {
            let name = path_name(path);
            assert!(is_dns1123_label(&name), "{path:?} gave {name:?}");
        }
    }

    #[test]
    fn generated_names_pass_the_validators() {
        let name =
            dns_label_name(&["web", "Frontend", "Service"], &NameOptions::default()).unwrap();
        assert!(is_dns1123_label(&name));
        assert_eq!(check_object_name(NameRule::Dns1123Subdomain, &name), Ok(()));
        let value = label_value_name(&["web", "Frontend"], &NameOptions::default()).unwrap();
        assert_eq!(check_label_value(&value), Ok(()));
    }
}
