//! Object names generated from construct paths, and the name, label and annotation
//! validators the rest of the library uses.
//!
//! # Generated names
//!
//! A *path* is the list of construct ids from the top of an app down to an object, **without**
//! the app itself: `["web", "frontend", "deployment"]` for an object `deployment` inside a
//! construct `frontend` inside the chart `web`. Three generators turn a path into a name:
//!
//! - [`path_name`] is what this library uses by default: the components joined by `-` and
//!   cleaned up into a readable DNS-1123 label (`web-frontend-deployment`). A hash is added
//!   only when it is needed: when cleaning leaves nothing or the name is too long.
//! - [`dns_label_name`] gives the same names cdk8s gives (`Names.toDnsLabel`, used by
//!   `Chart.generateObjectName`), for example `web-frontend-deployment-c825b282`. Use it to
//!   keep the names of objects that cdk8s used to manage.
//! - [`label_value_name`] gives the same values as cdk8s' `Names.toLabelValue`.
//!
//! ## The cdk8s algorithm
//!
//! Both cdk8s-compatible generators work the same way. Differences for label values are
//! given in brackets.
//!
//! 1. Each id has `/` replaced by `--`, as the `constructs` library does when a construct is
//!    created. An empty id or an id with a newline is an error.
//! 2. If the hash is on (the default) and `max_len` is below 8, that is an error. [The
//!    delimiter may only contain `[0-9A-Za-z-_.]`.]
//! 3. A path with a single component that matches `^[0-9a-z-]+$` [a valid label value] and is
//!    at most `max_len` long is used unchanged, without a hash.
//! 4. Otherwise each component is lowercased [not lowercased], every character other than
//!    ASCII letters, digits, `-`, `_` and `.` is removed, and the result is cut to `max_len`.
//! 5. The hash is added as a last component. It is the start of the construct's address in
//!    the `constructs` library: the SHA-1 of the ids of every construct from the root down,
//!    each followed by `\n`. The root's id is the empty string, and ids equal to `Default`
//!    (exact case) are left out. The hex digest is prefixed with `c8` and cut to 8
//!    characters. So it is `c8` and 6 hex digits. The older hash, which cdk8s still uses when
//!    `CDK8S_LEGACY_HASH` is set, is the first 8 hex digits of the SHA-256 of the ids
//!    joined by `/`. See [`HashScheme`].
//! 6. The components are reversed, components equal to the one before them are dropped,
//!    and the rest are joined by `/`. That string is cut to `max_len` characters. This keeps
//!    the hash and the *last* components, because they carry the most meaning. The first
//!    component that is kept may lose its end (`world` becomes `wor`).
//! 7. The pieces go back into path order, empty ones are dropped, and they are joined by the
//!    delimiter. The result is then split at every delimiter. Empty pieces are dropped, and
//!    so are pieces equal to `default` or `resource` in any case. What is left is joined
//!    again. Note that this removal comes after the cut, so those pieces still count toward
//!    the length.
//! 8. [Any leading characters that are not alphanumeric are removed.]
//!
//! cdk8s returns some odd results as they are: an empty string, names with `_` or `.`, a
//! single component such as `-x`, or names longer than `max_len` when the delimiter has more
//! than one character. Here each such case is a [`NameError`] instead. So these functions
//! either return exactly what cdk8s returns or return an error, never a different name.
//!
//! # Validators
//!
//! [`is_dns1123_label`], [`is_dns1123_subdomain`], [`check_label_key`],
//! [`check_label_value`], [`check_annotation_key`] and [`check_object_name`] follow
//! `k8s.io/apimachinery` (`IsDNS1123Label`, `IsDNS1123Subdomain`, `IsDNS1035Label`,
//! `IsLabelKey`, `IsLabelValue`, `IsPathSegmentName`). A failing check returns the reason as
//! `"<value>": <reasons>`: the value quoted as Rust quotes strings (`{:?}`), then
//! apimachinery's own messages joined by `; `. This is the end of apimachinery's
//! `Invalid value: "<value>": <message>`. The reason starts with no "invalid ..." prefix, so
//! callers add what was checked (`invalid label key: "-a": name part must ...`).

mod check;
mod generate;

pub use check::{
    InvalidName, NameRule, check_annotation_key, check_label_key, check_label_value,
    check_object_name, is_dns1123_label, is_dns1123_subdomain, name_rule_for,
};
pub(crate) use generate::hex;
pub use generate::{
    HashScheme, NameError, NameOptions, Result, dns_label_name, dns_label_name_with_scheme,
    label_value_name, label_value_name_with_scheme, path_name,
};

/// The folder of the branch (beside the apps) holding the objects that follow it (the
/// `bootstrap` module's). Not a valid app name, so it never clashes with one.
pub const BRANCH_FOLDER: &str = "_gitops";

/// Maximum length of a DNS-1123 label (and of a DNS-1035 label).
pub const DNS1123_LABEL_MAX_LEN: usize = 63;
/// Maximum length of a DNS-1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX_LEN: usize = 253;
/// Maximum length of a label value and of the name part of a label or annotation key.
pub const LABEL_VALUE_MAX_LEN: usize = 63;
/// Length of the hash that cdk8s adds to names. The smallest `max_len` allowed while
/// [`NameOptions::include_hash`] is set.
pub const CDK8S_HASH_LEN: usize = 8;
/// Length of the hash that [`path_name`] adds when it needs one.
pub const PATH_NAME_HASH_LEN: usize = 8;
