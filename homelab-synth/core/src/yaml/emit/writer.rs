//! The block layout: writes one document straight into a `String`, node by node, with the
//! key order and indentation the [module docs](super) describe and each scalar in the style
//! [`scalar`](super::scalar) picks.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::scalar::{self, StringStyle};

/// Keys that lead the top-level mapping of a document, in this order.
const HEAD_KEYS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// A key longer than this (in bytes and in characters, as written) is not a valid implicit
/// key, and is written in the explicit `? key` form.
const SIMPLE_KEY_MAX_LEN: usize = 1024;

/// A number that has no finite YAML representation (NaN or an infinity, which JSON cannot
/// hold either, or an arbitrary-precision number out of `f64` range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("number {number} has no finite yaml representation")]
pub struct NonFiniteNumber {
    /// The number as `serde_json` writes it.
    pub(super) number: String,
}

/// Where a node is written, which decides what comes before it and the columns of its
/// lines. Columns count spaces from the start of the line.
#[derive(Debug, Clone, Copy)]
enum Position {
    /// The document itself, at the start of its first line.
    Root,
    /// A mapping value, right after `key:` whose key starts at the column.
    Value(usize),
    /// The value of an explicit `? key`, right after the `:` at the column.
    ExplicitValue(usize),
    /// A sequence item, right after the `- ` whose dash is at the column.
    Item(usize),
}

impl Position {
    /// What separates a scalar or an empty collection from what precedes it.
    fn lead(self) -> &'static str {
        match self {
            Position::Root | Position::Item(_) => "",
            Position::Value(_) | Position::ExplicitValue(_) => " ",
        }
    }

    /// The column of a block scalar's body.
    fn body_column(self) -> usize {
        match self {
            Position::Root => 2,
            Position::Value(column) | Position::ExplicitValue(column) | Position::Item(column) => {
                column + 2
            }
        }
    }
}

/// Appends the YAML text of the document `doc` to `out`.
pub(super) fn write_document(out: &mut String, doc: &Value) -> Result<(), NonFiniteNumber> {
    Writer { out }.node(doc, Position::Root, true, true)
}

/// The output being written.
struct Writer<'o> {
    out: &'o mut String,
}

impl Writer<'_> {
    /// Writes `value` at `position`; `root` says it is the document, `last` that nothing is
    /// written after its last scalar in the document.
    fn node(
        &mut self,
        value: &Value,
        position: Position,
        root: bool,
        last: bool,
    ) -> Result<(), NonFiniteNumber> {
        match value {
            Value::Null => self.scalar(position, "null"),
            Value::Bool(b) => self.scalar(position, if *b { "true" } else { "false" }),
            Value::Number(n) => self.number(position, n)?,
            Value::String(s) => self.string(position, s, last),
            Value::Array(items) => self.sequence(position, items, last)?,
            Value::Object(object) => {
                let mut entries = crate::sorted_entries(object);
                if root {
                    // stable: byte order stays among the keys after the head
                    entries.sort_by_key(|(key, _)| head_rank(key));
                }
                self.mapping(position, &entries, last)?;
            }
        }
        Ok(())
    }

    /// Writes a scalar whose text needs no quoting.
    fn scalar(&mut self, position: Position, text: &str) {
        self.out.push_str(position.lead());
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Writes a number: integers as such, floats by [`scalar::write_float`].
    fn number(&mut self, position: Position, n: &Number) -> Result<(), NonFiniteNumber> {
        self.out.push_str(position.lead());
        // Writing into a `String` cannot fail.
        if let Some(u) = n.as_u64() {
            let _ = write!(self.out, "{u}");
        } else if let Some(i) = n.as_i64() {
            let _ = write!(self.out, "{i}");
        } else if let Some(f) = n.as_f64().and_then(Number::from_f64) {
            // `from_f64` formats like the plain `f64` even with serde_json's
            // `arbitrary_precision`, which would otherwise print the number as it was read.
            scalar::write_float(self.out, &f);
        } else {
            return Err(NonFiniteNumber {
                number: n.to_string(),
            });
        }
        self.out.push('\n');
        Ok(())
    }

    /// Writes a string value in the style [`scalar::value_style`] picks.
    fn string(&mut self, position: Position, s: &str, last: bool) {
        self.out.push_str(position.lead());
        match scalar::value_style(s, last) {
            StringStyle::Plain => self.out.push_str(s),
            StringStyle::SingleQuoted => {
                self.out.push('\'');
                self.out.push_str(s);
                self.out.push('\'');
            }
            StringStyle::DoubleQuoted => scalar::write_double_quoted(self.out, s),
            StringStyle::Literal => {
                self.literal(position.body_column(), s);
                return;
            }
        }
        self.out.push('\n');
    }

    /// Writes the multi-line string `s` as a literal block scalar whose body lines start at
    /// `body_column`: the header with its indentation indicator (for a first non-empty line
    /// starting with a space) and chomping indicator, then the lines, empty ones unindented.
    fn literal(&mut self, body_column: usize, s: &str) {
        let content = s.trim_end_matches('\n');
        let trailing_newlines = s.len() - content.len();
        self.out.push('|');
        let first_line = content.split('\n').find(|line| !line.is_empty());
        if first_line.is_some_and(|line| line.starts_with(' ')) {
            self.out.push('2');
        }
        match trailing_newlines {
            0 => self.out.push('-'),
            // clip chomping would drop every newline of an empty body
            1 if !content.is_empty() => {}
            _ => self.out.push('+'),
        }
        self.out.push('\n');
        if content.is_empty() {
            self.newlines(trailing_newlines);
            return;
        }
        for line in content.split('\n') {
            if !line.is_empty() {
                self.indent(body_column);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        self.newlines(trailing_newlines.saturating_sub(1));
    }

    /// Writes a sequence: `[]` when empty, else one `- ` item per line. Under a mapping key
    /// the dashes sit at the key's column (after a line break); after a dash the first item
    /// follows on the same line, two columns in.
    fn sequence(
        &mut self,
        position: Position,
        items: &[Value],
        last: bool,
    ) -> Result<(), NonFiniteNumber> {
        if items.is_empty() {
            self.out.push_str(position.lead());
            self.out.push_str("[]\n");
            return Ok(());
        }
        let (column, mut inline) = match position {
            Position::Root => (0, false),
            Position::Value(column) | Position::ExplicitValue(column) => {
                self.out.push('\n');
                (column, false)
            }
            Position::Item(column) => (column + 2, true),
        };
        for (i, item) in items.iter().enumerate() {
            if !inline {
                self.indent(column);
            }
            inline = false;
            self.out.push_str("- ");
            let item_last = last && i + 1 == items.len();
            self.node(item, Position::Item(column), false, item_last)?;
        }
        Ok(())
    }

    /// Writes a mapping's `entries`: `{}` when empty, else one `key: value` per entry. Under
    /// a mapping key the keys sit two columns further (after a line break); after a dash or
    /// an explicit key's `:` the first key follows on the same line.
    fn mapping(
        &mut self,
        position: Position,
        entries: &[(&String, &Value)],
        last: bool,
    ) -> Result<(), NonFiniteNumber> {
        if entries.is_empty() {
            self.out.push_str(position.lead());
            self.out.push_str("{}\n");
            return Ok(());
        }
        let (column, mut inline) = match position {
            Position::Root => (0, false),
            Position::Value(column) => {
                self.out.push('\n');
                (column + 2, false)
            }
            Position::ExplicitValue(column) => {
                self.out.push(' ');
                (column + 2, true)
            }
            Position::Item(column) => (column + 2, true),
        };
        for (i, (key, value)) in entries.iter().enumerate() {
            if !inline {
                self.indent(column);
            }
            inline = false;
            let value_last = last && i + 1 == entries.len();
            let key_start = self.out.len();
            self.key(key);
            if is_simple_key(&self.out[key_start..]) {
                self.out.push(':');
                self.node(value, Position::Value(column), false, value_last)?;
            } else {
                self.out.insert_str(key_start, "? ");
                self.out.push('\n');
                self.indent(column);
                self.out.push(':');
                self.node(value, Position::ExplicitValue(column), false, value_last)?;
            }
        }
        Ok(())
    }

    /// Writes a mapping key: plain when [`scalar::key_is_plain`], double-quoted otherwise.
    fn key(&mut self, key: &str) {
        if scalar::key_is_plain(key) {
            self.out.push_str(key);
        } else {
            scalar::write_double_quoted(self.out, key);
        }
    }

    /// Writes `column` spaces.
    fn indent(&mut self, column: usize) {
        const SPACES: &str = "                                ";
        let mut left = column;
        while left > 0 {
            let chunk = left.min(SPACES.len());
            self.out.push_str(&SPACES[..chunk]);
            left -= chunk;
        }
    }

    /// Writes `n` line breaks.
    fn newlines(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push('\n');
        }
    }
}

/// Whether the written key `text` fits an implicit key.
fn is_simple_key(text: &str) -> bool {
    text.len() <= SIMPLE_KEY_MAX_LEN || text.chars().count() <= SIMPLE_KEY_MAX_LEN
}

/// Position of `key` among [`HEAD_KEYS`], or after them all.
fn head_rank(key: &str) -> usize {
    HEAD_KEYS
        .iter()
        .position(|head| *head == key)
        .unwrap_or(HEAD_KEYS.len())
}
