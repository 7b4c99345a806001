//! The YAML emitter: renders one Kubernetes document (a [`serde_json::Value`], usually an
//! object with `apiVersion`, `kind` and `metadata`) as YAML text that Kubernetes decodes to
//! exactly that JSON. "Kubernetes" here means the decoder kubectl, Helm and Argo CD share: Go
//! `sigs.k8s.io/yaml` over go-yaml v2, which applies YAML 1.1 rules (so `on`, `y`, `0o12`,
//! `1_000`, `12:30` and `2001-12-14` are not strings unless quoted).
//!
//! This module owns the text layout of every manifest the crate writes: [`to_yaml`] for one
//! document and [`to_yaml_stream`] for several joined by `---\n`. The writer (`writer`)
//! appends each document straight to one `String`; `scalar` picks each string's style and
//! holds the escapes and the float text. The plain-or-quoted rules and the layout are those
//! serde-saphyr 2.1 produced when it did the emitting, and a test (`oracle`) still renders
//! every generated document through it and asserts the same bytes.
//!
//! # Layout
//!
//! - Output is byte-for-byte deterministic, has no `---` before a single document, and ends
//!   with exactly one `\n`. A stream separates documents with `---\n` (none before the first).
//! - Mappings and sequences are in block style, indented by two spaces. Sequences sit at the
//!   same column as their key, as kubectl writes them (`containers:` then `- name: app`).
//!   Empty collections are `{}` and `[]`.
//!
//! # Key order
//!
//! At the top level of a document, `apiVersion`, `kind` and `metadata` come first, in that
//! order (each only if present), followed by every other key in ascending byte order. Every
//! nested mapping is in ascending byte order. The order is applied here, so it holds whether
//! or not `serde_json`'s `preserve_order` feature is enabled somewhere in the build.
//!
//! # Scalars
//!
//! - `null`, `true` and `false` are written as such; integers as integers. Floats are written
//!   in the shortest form that reads back as the same `f64`, always with a `.` or an exponent
//!   (`1.5`, `1.0e+300`, `-0.0`), so Go decodes the same JSON number (an integral float such as
//!   `2.0` comes back from Go as the JSON number `2`, which is the same number). A number
//!   with no finite value (only possible with serde_json's `arbitrary_precision`) is an
//!   error, [`NonFiniteNumber`].
//! - A single-line string is plain unless a YAML 1.1 reader could read the plain text as
//!   something else; then it is double-quoted (with YAML escapes). That covers anything that
//!   reads as a bool, null, number, timestamp or merge key (`on`, `N`, `~`, `""`, `012`,
//!   `0x1F`, `1_000`, `.inf`, `12:30`, `2001-12-14`, `<<`, `=`), anything that looks like YAML
//!   syntax (`- a`, `a: b`, `#x`, `[`, `{`, `*a`, `&a`, `!x`, `%`, `@`, a backtick, `|`, `>`,
//!   quotes, `---`), leading or trailing white space, and any control, NEL, LS, PS or BOM
//!   character. The
//!   one-character strings `.`, `#` and `-` are single-quoted. Strings are never folded or
//!   wrapped, whatever their length.
//! - A multi-line string (one containing `\n`) is a literal block scalar: `|` when it ends in
//!   exactly one newline, `|-` when it ends in none, `|+` when it ends in more than one or is
//!   only newlines. When its first non-empty line starts with a space, the header carries an
//!   indentation indicator (`|2-`). It is double-quoted instead when a block scalar could not
//!   hold it exactly: when it contains `\r` or another character that must be escaped (see
//!   above; a tab is fine), when its first non-empty line starts with a tab (go-yaml, like
//!   libyaml, rejects a tab where it detects the indentation), when one of its lines ends in
//!   a space or tab (the output line would end in white space, which linters flag and editors
//!   strip; go-yaml quotes these too), or when it needs `|+` and is the last scalar of the
//!   document (its trailing blank lines would end the document).
//! - Keys are plain when safe by the same rules, and double-quoted otherwise; a key longer
//!   than 1024 characters (the limit for an implicit key) is written in the explicit `? key`
//!   form.

mod scalar;
mod writer;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub use writer::NonFiniteNumber;

/// The result of emitting YAML.
pub type Result<T, E = EmitError> = std::result::Result<T, E>;

/// Why a document could not be rendered as YAML.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The document holds a number YAML cannot write.
    #[error("cannot render yaml")]
    Number(#[from] NonFiniteNumber),
    /// One document of a stream could not be rendered.
    #[error("cannot render document {index} of the yaml stream")]
    Document {
        /// Position of the document in the stream, from 0.
        index: usize,
        /// The number it could not write.
        #[source]
        source: NonFiniteNumber,
    },
}

/// Renders one document as YAML that Kubernetes decodes to exactly `doc`.
///
/// The layout, key order and string styles are described in the [module docs](self).
pub fn to_yaml(doc: &Value) -> Result<String> {
    let mut out = String::new();
    writer::write_document(&mut out, doc)?;
    Ok(out)
}

/// Renders several documents as one YAML stream: each rendered by [`to_yaml`], joined by
/// `---\n` separators, with no separator before the first. An empty slice gives `""`.
pub fn to_yaml_stream(docs: &[Value]) -> Result<String> {
    let mut out = String::new();
    for (index, doc) in docs.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        writer::write_document(&mut out, doc)
            .map_err(|source| EmitError::Document { index, source })?;
    }
    Ok(out)
}
