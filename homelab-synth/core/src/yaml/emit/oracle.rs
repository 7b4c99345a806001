//! The oracle for the writer: the emitter as it was when serde-saphyr did the emitting (a
//! `Node` wrapper that fixes the key order and picks each string's style, serialized with
//! the options below), and tests that render every generated document through both and
//! assert the same bytes. The documents are every input of the reader's differential
//! generator (read back to JSON), the table strings of the emitter's own tests, and
//! thousands of pseudo-random nested documents built from adversarial strings.

use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use super::{to_yaml, to_yaml_stream};
use crate::yaml::differential::XorShift;
use crate::yaml::read::read_documents;

/// The serde-saphyr settings behind the documented layout.
fn options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        // Two-space block indentation, sequences at their key's column (kubectl's layout).
        indent_step: 2,
        compact_list_indent: true,
        // Multi-line strings become literal block scalars. Which ones is decided in
        // `string_style`, which hands serde-saphyr an explicit `LitStr` or `DoubleQuoted`.
        prefer_block_scalars: true,
        // Never fold: a single-line string is auto-folded only when longer than
        // `folded_wrap_chars`, and no string is longer than `usize::MAX`.
        folded_wrap_chars: usize::MAX,
        min_fold_chars: usize::MAX,
        // Plain where safe, quoted where needed.
        quote_all: false,
        // YAML 1.1 quoting rules (go-yaml v2), no `%YAML` directive.
        yaml_12: false,
    }
}

/// Renders `doc` the way the emitter did before it wrote YAML itself.
fn saphyr_to_yaml(doc: &Value) -> Result<String, serde_saphyr::SerializeError> {
    let node = Node {
        value: doc,
        root: true,
        last: true,
    };
    serde_saphyr::to_string_with_options(&node, options())
}

/// Keys that lead the top-level mapping of a document, in this order.
const HEAD_KEYS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// A JSON value as serde-saphyr should see it: mappings in the documented key order and
/// strings with their style already chosen.
struct Node<'a> {
    value: &'a Value,
    /// The document's root: its mapping puts [`HEAD_KEYS`] first.
    root: bool,
    /// Nothing is emitted after this node's last scalar in its document.
    last: bool,
}

impl<'a> Node<'a> {
    fn child(&self, value: &'a Value, last: bool) -> Self {
        Node {
            value,
            root: false,
            last: self.last && last,
        }
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => {
                // Not `Number::serialize`: with serde_json's `arbitrary_precision` feature that
                // becomes a map with a private key.
                if let Some(u) = n.as_u64() {
                    serializer.serialize_u64(u)
                } else if let Some(i) = n.as_i64() {
                    serializer.serialize_i64(i)
                } else if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                    serializer.serialize_f64(f)
                } else {
                    Err(S::Error::custom(format!(
                        "number {n} has no finite yaml representation"
                    )))
                }
            }
            Value::String(s) => match string_style(s, self.last) {
                StringStyle::Auto => serializer.serialize_str(s),
                StringStyle::Literal => serde_saphyr::LitStr(s).serialize(serializer),
                StringStyle::DoubleQuoted => {
                    serde_saphyr::DoubleQuoted(s.as_str()).serialize(serializer)
                }
            },
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    seq.serialize_element(&self.child(item, i + 1 == items.len()))?;
                }
                seq.end()
            }
            Value::Object(object) => {
                let mut entries = crate::sorted_entries(object);
                if self.root {
                    // stable: byte order stays among the keys after the head
                    entries.sort_by_key(|(key, _)| head_rank(key));
                }
                let len = entries.len();
                let mut map = serializer.serialize_map(Some(len))?;
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    map.serialize_entry(key.as_str(), &self.child(value, i + 1 == len))?;
                }
                map.end()
            }
        }
    }
}

/// Position of `key` among [`HEAD_KEYS`], or after them all.
fn head_rank(key: &str) -> usize {
    HEAD_KEYS
        .iter()
        .position(|head| *head == key)
        .unwrap_or(HEAD_KEYS.len())
}

/// How a string value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StringStyle {
    /// serde-saphyr's choice for a single-line string: plain unless a YAML 1.1 reader could
    /// read it as something else, double-quoted otherwise (folding is off, see `options`).
    Auto,
    /// A literal block scalar (`|`, `|-`, `|+`, with an indentation indicator when needed).
    Literal,
    /// A double-quoted scalar with YAML escapes.
    DoubleQuoted,
}

/// Picks the style of the string value `s`; `last` says whether it is the last scalar of
/// its document.
fn string_style(s: &str, last: bool) -> StringStyle {
    if !s.contains('\n') {
        return StringStyle::Auto;
    }
    if !s.chars().all(block_scalar_can_hold) {
        return StringStyle::DoubleQuoted;
    }
    // go-yaml (a libyaml port) detects a block scalar's indentation from its first non-empty
    // line and rejects a tab there ("found a tab character where an indentation space is
    // expected"). serde-saphyr writes an indentation indicator only for a leading space, so
    // such a string cannot be a block scalar.
    if s.split('\n')
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with('\t'))
    {
        return StringStyle::DoubleQuoted;
    }
    // A line ending in a blank would end the output line in a blank: exact, but linters flag
    // it and editors that strip trailing white space change the value. go-yaml double-quotes
    // such strings too.
    if s.split('\n').any(|line| line.ends_with([' ', '\t'])) {
        return StringStyle::DoubleQuoted;
    }
    // Keep chomping (`|+`) writes the trailing newlines as blank lines after the body; as the
    // document's last scalar they would end the document with more than one `\n`.
    let content = s.trim_end_matches('\n');
    let trailing_newlines = s.len() - content.len();
    if last && (trailing_newlines >= 2 || content.is_empty()) {
        return StringStyle::DoubleQuoted;
    }
    StringStyle::Literal
}

/// Whether a literal block scalar can hold `ch` as it is: a line feed, a tab or a printable
/// character other than NEL, LS, PS and BOM (the same test serde-saphyr applies before it
/// writes a block scalar; `\r` would be read back as a line break).
fn block_scalar_can_hold(ch: char) -> bool {
    match ch {
        '\n' | '\t' => true,
        '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        _ => matches!(
            u32::from(ch),
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF
        ),
    }
}

// ---------------------------------------------------------------- the comparison

/// Renders every document with both emitters and asserts the same bytes, one document at
/// a time and as one stream; panics listing the first differences. Returns the stream.
fn assert_same_as_saphyr(class: &str, docs: &[Value], at_least: usize) -> String {
    assert!(
        docs.len() >= at_least,
        "{class}: only {} documents",
        docs.len()
    );
    let mut differences = Vec::new();
    let mut old_stream = String::new();
    for (index, doc) in docs.iter().enumerate() {
        let old = saphyr_to_yaml(doc).unwrap();
        let new = to_yaml(doc).unwrap();
        if old != new {
            differences.push(format!(
                "document {doc}\n  saphyr: {old:?}\n  writer: {new:?}"
            ));
        }
        if index > 0 {
            old_stream.push_str("---\n");
        }
        old_stream.push_str(&old);
    }
    eprintln!(
        "{class}: {} documents, {} differences",
        docs.len(),
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "{class}: {} of {} documents differ:\n{}",
        differences.len(),
        docs.len(),
        differences
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        to_yaml_stream(docs).unwrap(),
        old_stream,
        "{class}: streams differ"
    );
    old_stream
}

/// Asserts that `stream` shows every layout and scalar form of the emitter, so that a
/// comparison over it is not vacuous.
fn assert_covers_every_form(class: &str, stream: &str) {
    const FORMS: &[&str] = &[
        "\n? ", "- ? ", ": ? ", "\n:\n- ", ": |\n", ": |-\n", ": |+\n", ": |2-\n", "- |\n",
        "- |2\n", "- - ", "- - |", "- []\n", "- {}\n", ": []\n", ": {}\n", ": '.'\n", "- '#'\n",
        ": '-'\n", ".0e+", "e-", "\\x", "\\u", "\\N", "\\r", "\"\\n", "\n  - ", "\n    ",
    ];
    let missing: Vec<&str> = FORMS
        .iter()
        .copied()
        .filter(|form| !stream.contains(form))
        .collect();
    assert!(missing.is_empty(), "{class}: no output shows {missing:?}");
}

/// Pieces of adversarial strings: YAML 1.1 keywords, numbers and timestamps, indicators,
/// unicode, control characters and line breaks. Every ASCII character is added by
/// [`fragments`].
const FRAGMENTS: &[&str] = &[
    "on",
    "Off",
    "YES",
    "y",
    "N",
    "true",
    "False",
    "NULL",
    "~",
    "nan",
    ".inf",
    "-.Inf",
    "+.INF",
    ".NaN",
    "inf",
    "<<",
    "=",
    "0",
    "012",
    "0x1F",
    "0X1f",
    "0o17",
    "0O7",
    "0b101",
    "0B1",
    "+0b1",
    "-0x",
    "1_000",
    "_1",
    "1_",
    "1__0",
    "1e3",
    "1E+3",
    "1.5e-7",
    ".5",
    "5.",
    "1..2",
    "+12",
    "-0.0",
    "1:30",
    "190:20:30",
    "1:60",
    "-1:30.5",
    "0:30",
    "2001-12-14",
    "2001-1-1",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14T21:59:43Z",
    "---",
    "...",
    "- ",
    "? ",
    ": ",
    ":",
    "#",
    " #",
    "a#b",
    "&a",
    "*a",
    "!t",
    "!!str",
    "%",
    "@",
    "`",
    "|",
    ">",
    "'",
    "\"",
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    "é",
    "日本",
    "🎉",
    "\u{a0}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{3000}",
    "\u{200b}",
    "\u{9f}",
    "\u{7f}",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\r",
    "\r\n",
    "\t",
    " ",
    "  ",
    "\n",
    "\n",
    "\n\n",
    "\n  ",
    "\n\t",
    " \n",
    "\t\n",
    "word",
    "name",
    "a b",
    "x-y",
    "k8s.io/x",
    "http://a:1/b",
    "${VAR}",
    "{{ .Values }}",
];

/// [`FRAGMENTS`] and every ASCII character on its own.
fn fragments() -> Vec<String> {
    FRAGMENTS
        .iter()
        .map(|s| s.to_string())
        .chain((0..128u8).map(|b| char::from(b).to_string()))
        .collect()
}

/// Whole strings that take each scalar form: single-quoted, and literal blocks of every
/// header.
const WHOLE: &[&str] = &[
    ".",
    "#",
    "-",
    "a\n",
    "a\nb",
    "a\nb\n\n",
    "\n",
    "\n\n",
    " a\nb\n",
    "\n  a\n",
    "a\n\nb\n",
    "#!/bin/sh\nset -e\n",
    "key: value\n- item\n",
    "\ta\nb\n",
    "a \nb\n",
    "a\r\nb\n",
];

/// An adversarial string: a few fragments, sometimes a long run of one.
fn random_string(rng: &mut XorShift, fragments: &[String]) -> String {
    if rng.below(6) == 0 {
        return rng.pick(WHOLE).to_string();
    }
    let mut s: String = (0..rng.below(5))
        .map(|_| rng.pick(fragments).as_str())
        .collect();
    if rng.below(40) == 0 {
        s.push_str(&rng.pick(fragments).repeat(200 + rng.below(1200)));
    }
    s
}

/// A pseudo-random value nested at most `depth` levels deep.
fn random_value(rng: &mut XorShift, fragments: &[String], depth: usize) -> Value {
    const FLOATS: &[f64] = &[
        0.5,
        -0.0,
        2.0,
        1e300,
        1e-7,
        1e16,
        123_456_789.123_456_79,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -1.5e-3,
        0.1,
    ];
    let kinds = if depth == 0 { 6 } else { 9 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => match rng.below(4) {
            0 => json!(u64::MAX),
            1 => json!(i64::MIN),
            2 => json!(rng.below(2000)),
            _ => json!(-(rng.below(2000) as i64)),
        },
        3 => json!(*rng.pick(FLOATS)),
        4 | 5 => Value::String(random_string(rng, fragments)),
        6 => (0..rng.below(4))
            .map(|_| random_value(rng, fragments, depth - 1))
            .collect(),
        _ => Value::Object(random_object(rng, fragments, depth - 1)),
    }
}

/// A pseudo-random mapping of up to four entries.
fn random_object(rng: &mut XorShift, fragments: &[String], depth: usize) -> Map<String, Value> {
    (0..rng.below(5))
        .map(|_| {
            let mut key = random_string(rng, fragments);
            if rng.below(8) == 0 {
                key.push_str(&"k".repeat(1020));
            }
            (key, random_value(rng, fragments, depth))
        })
        .collect()
}

#[test]
fn writer_matches_saphyr_on_the_reader_differential_inputs() {
    let docs: Vec<Value> = crate::yaml::differential::every_input()
        .iter()
        .filter_map(|input| read_documents(input).ok())
        .flatten()
        .collect();
    assert_same_as_saphyr("differential inputs", &docs, 5000);
}

#[test]
fn writer_matches_saphyr_on_table_and_fragment_strings() {
    let mut strings: Vec<String> = super::tests::TABLE.iter().map(|s| s.to_string()).collect();
    strings.extend(super::tests::SPECIAL_WORDS.iter().map(|s| s.to_string()));
    for fragment in fragments() {
        strings.push(format!("a{fragment}b"));
        strings.push(format!("{fragment}a"));
        strings.push(format!("a{fragment}"));
        strings.push(fragment.repeat(3));
        strings.push(fragment);
    }
    for long in [
        "k".repeat(1024),
        "k".repeat(1025),
        "é".repeat(1024),
        "é".repeat(1025),
    ] {
        strings.push(format!("\u{1}{long}"));
        strings.push(long);
    }
    strings.push("\u{1}".repeat(300));
    let docs: Vec<Value> = strings
        .iter()
        .map(|s| super::tests::string_doc(s))
        .collect();
    assert_same_as_saphyr("table and fragment strings", &docs, 1000);
}

#[test]
fn writer_matches_saphyr_on_random_nested_documents() {
    let fragments = fragments();
    let mut rng = XorShift(0x5EED_0E17_7E12);
    let docs: Vec<Value> = (0..6000)
        .map(|i| match i % 6 {
            0 => random_value(&mut rng, &fragments, 4),
            1 => {
                let mut object = random_object(&mut rng, &fragments, 4);
                for head in ["metadata", "kind", "apiVersion"] {
                    if rng.below(3) > 0 {
                        object.insert(head.to_owned(), random_value(&mut rng, &fragments, 2));
                    }
                }
                Value::Object(object)
            }
            _ => Value::Object(random_object(&mut rng, &fragments, 4)),
        })
        .collect();
    let stream = assert_same_as_saphyr("random nested documents", &docs, 6000);
    assert_covers_every_form("random nested documents", &stream);
}
