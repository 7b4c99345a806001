//! The project's one reader of YAML: every YAML text that enters the project (an `Include`d
//! file, `helm template` output, a file given to `synth fmt`) is turned into JSON values here,
//! and into exactly the values Kubernetes itself would see.
//!
//! kubectl, Helm and Argo CD read YAML with Go's `sigs.k8s.io/yaml`: go-yaml v2 (a port of
//! libyaml, YAML 1.1 rules) decodes each document into Go values, which are then converted to
//! JSON. This module reproduces that pipeline in three stages:
//!
//! 1. **Split and parse.** The stream is cut into documents on lines that are exactly `---`
//!    (or `--- #comment`), as Kubernetes' document reader does. Each piece is parsed by a port
//!    of go-yaml v2's own scanner and parser (`scan.rs`, `parse.rs` beside this module),
//!    so every question of syntax gets go-yaml's answer rather than the YAML 1.2
//!    specification's: tabs (refused in indentation, accepted after `key:` and inside flow
//!    collections and quoted scalars), comments right after a quoted scalar or a flow
//!    collection (`'a'#c`), block scalars (an indentation indicator counts from the enclosing
//!    block collection's column, not from the parent node as in the specification; content
//!    must be deeper than that collection, so `|` at the top level followed by unindented
//!    lines is empty), anchor names (letters,
//!    digits, `_`, `-`: `&a:b` is the anchor `a` followed by `:b`), the YAML 1.1 line breaks
//!    NEL, LS and PS, control characters (refused once go-yaml's 512-byte reader reaches
//!    them). Like go-yaml's `Unmarshal`, only the first document of a piece is read: nothing
//!    after it is looked at beyond the one token go-yaml peeks at, so a `%YAML` directive or
//!    any text after a document's end (`...`) is ignored unless that token is malformed.
//! 2. **Decode.** Plain scalars are resolved with go-yaml v2's YAML 1.1 rules (`resolve`):
//!    `yes`/`on`/`y` are booleans, `012` is octal, `0b101` binary, `1_000` an integer,
//!    timestamps stay strings, `<<` merges mappings in key order (a later key, merged or
//!    explicit, overwrites an earlier one), duplicate keys keep the last value, and alias
//!    expansion is bounded by go-yaml's own "excessive aliasing" rule.
//!    [`read_documents_with_notes`] also reports each such YAML 1.1 coercion of an unquoted
//!    scalar (see [`coercion`](super::coercion)).
//! 3. **Convert to JSON** (`to_json`). Non-string keys become the strings `sigs.k8s.io/yaml`
//!    writes (`true`, `1`, `1e+06`); null keys and integer keys beyond `int64` are errors; NaN
//!    and infinities are errors (Go's `encoding/json` refuses them); numbers are exactly what
//!    `encoding/json` prints (`1.0` is the integer `1`).
//!
//! Documents that decode to `null` (empty, or only comments) are skipped, as Kubernetes does.
//! A document may be any node: a top-level flow sequence (a JSON array such as
//! `[{"kind": "A"}, {"kind": "B"}]`) is one document whose value is a list, exactly as
//! `kubectl` reads it; it is not a stream of documents.
//!
//! The one deliberate difference from go-yaml: sequences and mappings nested more than
//! [`MAX_DEPTH`] levels deep (after alias expansion) are refused, where go-yaml allows 10,000.

use std::collections::HashMap;

use serde_json::Value;

use super::coercion::{Coercion, CoercionKind, Resolved, classify};
use super::parse::{EventKind, Parser};
use super::scan::{Mark, ScalarStyle, SyntaxError};

/// Deepest nesting of sequences and mappings (after alias expansion) the reader accepts.
pub const MAX_DEPTH: usize = 512;

/// The result of reading YAML.
pub type Result<T, E = ReadError> = std::result::Result<T, E>;

/// Why a YAML stream could not be read. Every error names the 1-based line and column (in the
/// whole stream) of the node or character at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The text is not well-formed YAML.
    #[error("line {line}, column {column}: invalid YAML: {message}")]
    Syntax {
        /// The line the scanner or parser stopped at, counted from 1 in the whole stream.
        line: usize,
        /// The column on that line, counted from 1.
        column: usize,
        /// The scanner's or parser's description of the problem, with the line and column
        /// of the construct it was reading when that is known.
        message: String,
    },
    /// An alias names an anchor that is not defined before it in the same document.
    #[error("line {line}, column {column}: alias `*{name}` refers to no anchor defined before it")]
    UnknownAnchor {
        /// The line of the alias, counted from 1 in the whole stream.
        line: usize,
        /// The column of the alias, counted from 1.
        column: usize,
        /// The anchor name the alias refers to, without the `*`.
        name: String,
    },
    /// An alias occurs inside the very node its anchor names, so it would expand forever.
    #[error("line {line}, column {column}: alias refers to a node that contains the alias itself")]
    RecursiveAlias {
        /// The line of the alias met again while it was being expanded, counted from 1 in the
        /// whole stream.
        line: usize,
        /// The column of that alias, counted from 1.
        column: usize,
    },
    /// Aliases expand to far more nodes than the text holds (a "billion laughs" document).
    #[error(
        "line {line}, column {column}: document contains excessive aliasing \
         (aliases expand to too many nodes)"
    )]
    ExcessiveAliasing {
        /// The line of the node being decoded when the alias budget ran out, counted from 1 in
        /// the whole stream.
        line: usize,
        /// The column of that node, counted from 1.
        column: usize,
    },
    /// Sequences and mappings are nested more than [`MAX_DEPTH`] deep.
    #[error("line {line}, column {column}: nesting is deeper than {limit} levels")]
    TooDeep {
        /// The line of the sequence or mapping that goes one level too deep, counted from 1 in
        /// the whole stream.
        line: usize,
        /// The column of that sequence or mapping, counted from 1.
        column: usize,
        /// The deepest nesting allowed: [`MAX_DEPTH`].
        limit: usize,
    },
    /// An explicit tag does not fit its value (`!!int abc`, `!!bool 1`).
    #[error("line {line}, column {column}: cannot decode {found} `{value}` as a {tag}")]
    TagMismatch {
        /// The line of the tagged scalar, counted from 1 in the whole stream.
        line: usize,
        /// The column of the tagged scalar, counted from 1.
        column: usize,
        /// The scalar's text as written.
        value: String,
        /// The short tag the text resolves to on its own, such as `!!str` or `!!int`.
        found: &'static str,
        /// The short tag written on the scalar, such as `!!bool` or `!!int`.
        tag: &'static str,
    },
    /// A `!!binary` scalar is not valid base64.
    #[error("line {line}, column {column}: !!binary value contains invalid base64 data")]
    InvalidBinary {
        /// The line of the `!!binary` scalar, counted from 1 in the whole stream.
        line: usize,
        /// The column of the `!!binary` scalar, counted from 1.
        column: usize,
    },
    /// The value of a `<<` merge key is not a mapping nor a sequence of mappings.
    #[error(
        "line {line}, column {column}: merge key `<<` needs a mapping or a sequence of \
         mappings as its value"
    )]
    InvalidMerge {
        /// The line of the offending value: the `<<` key's value itself, or the item of its
        /// sequence that is not a mapping; counted from 1 in the whole stream.
        line: usize,
        /// The column of that value, counted from 1.
        column: usize,
    },
    /// A sequence or mapping is used as a mapping key.
    #[error("line {line}, column {column}: a {kind} cannot be a mapping key")]
    CollectionKey {
        /// The line of the key, counted from 1 in the whole stream.
        line: usize,
        /// The column of the key, counted from 1.
        column: usize,
        /// What the key is: `"sequence"` or `"mapping"`.
        kind: &'static str,
    },
    /// A mapping key has no JSON form: `null`/`~`/empty, or an integer beyond `int64`.
    #[error("line {line}, column {column}: mapping key {key} cannot be converted to JSON")]
    UnsupportedKey {
        /// The line of the key, counted from 1 in the whole stream.
        line: usize,
        /// The column of the key, counted from 1.
        column: usize,
        /// The key as the message shows it: `null`, `<digits> (beyond int64)` or
        /// `collection`.
        key: String,
    },
    /// A value is NaN or infinite (`.nan`, `.inf`), which JSON cannot hold.
    #[error("line {line}, column {column}: {value} cannot be converted to JSON")]
    NonFiniteFloat {
        /// The line of the scalar, counted from 1 in the whole stream.
        line: usize,
        /// The column of the scalar, counted from 1.
        column: usize,
        /// Which value it is: `"NaN"` or `"infinity"` (either sign).
        value: &'static str,
    },
}

impl ReadError {
    /// The 1-based `(line, column)` in the stream where the error was found.
    pub fn location(&self) -> (usize, usize) {
        match *self {
            ReadError::Syntax { line, column, .. }
            | ReadError::UnknownAnchor { line, column, .. }
            | ReadError::RecursiveAlias { line, column }
            | ReadError::ExcessiveAliasing { line, column }
            | ReadError::TooDeep { line, column, .. }
            | ReadError::TagMismatch { line, column, .. }
            | ReadError::InvalidBinary { line, column }
            | ReadError::InvalidMerge { line, column }
            | ReadError::CollectionKey { line, column, .. }
            | ReadError::UnsupportedKey { line, column, .. }
            | ReadError::NonFiniteFloat { line, column, .. } => (line, column),
        }
    }
}

/// Reads every document of a YAML stream as the JSON value Kubernetes would see, skipping
/// documents that are empty or only comments. A document need not be a mapping. The first
/// document that cannot be read fails the whole stream.
pub fn read_documents(text: &str) -> Result<Vec<Value>> {
    read_stream(text, None)
}

/// What [`read_documents_with_notes`] returns: the documents, and every unquoted scalar whose
/// meaning to Kubernetes (YAML 1.1) differs from what it appears to say.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadWithNotes {
    /// The documents, as [`read_documents`] returns them.
    pub documents: Vec<Value>,
    /// The YAML 1.1 coercions met, in text order.
    pub coercions: Vec<Coercion>,
}

/// Reads a stream like [`read_documents`], and also reports every YAML 1.1 coercion of an
/// unquoted scalar (`on`, `012`, `1_000`, a `<<` key...): the values are what Kubernetes
/// reads, the notes say where a YAML 1.2 or naive reader would have seen something else.
pub fn read_documents_with_notes(text: &str) -> Result<ReadWithNotes> {
    let mut coercions = Vec::new();
    let documents = read_stream(text, Some(&mut coercions))?;
    Ok(ReadWithNotes {
        documents,
        coercions,
    })
}

/// Parsed trees deeper than this (or using aliases) are decoded on a thread with a stack
/// large enough for [`MAX_DEPTH`] levels, so the limit is reached before the stack's end.
const SHALLOW: usize = 48;

/// Stack for decoding deep documents: [`MAX_DEPTH`] levels of the recursive decoder, with room
/// to spare even in an unoptimized build.
const DEEP_STACK: usize = 64 << 20;

fn read_stream(text: &str, mut notes: Option<&mut Vec<Coercion>>) -> Result<Vec<Value>> {
    let mut documents = Vec::new();
    for (first_line, piece) in split_documents(text) {
        if piece.trim().is_empty() {
            continue;
        }
        let Some(tree) = parse_first_document(piece, first_line)? else {
            continue;
        };
        if let Some(notes) = notes.as_deref_mut() {
            notes.extend(coercions(&tree));
        }
        let document = if tree.depth <= SHALLOW && !tree.aliases {
            decode_tree(&tree)?
        } else {
            std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("yaml-decode".to_owned())
                    .stack_size(DEEP_STACK)
                    .spawn_scoped(scope, || decode_tree(&tree))
                    .map(|thread| thread.join())
            })
            .unwrap_or_else(|_| Ok(decode_tree(&tree)))
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?
        };
        documents.extend(document);
    }
    Ok(documents)
}

/// Decodes a parsed document into its JSON value; `None` when it decodes to `null`.
fn decode_tree(tree: &Tree) -> Result<Option<Value>> {
    let decoded = Decoder::new(&tree.nodes).decode_document(tree.root)?;
    if matches!(decoded, GoValue::Null) {
        return Ok(None);
    }
    to_json(decoded).map(Some)
}

/// The YAML 1.1 coercions among the unquoted, untagged scalars of a parsed document.
fn coercions(tree: &Tree) -> Vec<Coercion> {
    let mut found = Vec::new();
    let mut merge_keys = Vec::new();
    for node in &tree.nodes {
        if let NodeKind::Mapping(children) = &node.kind {
            merge_keys.extend(children.iter().step_by(2).copied());
        }
    }
    for (index, node) in tree.nodes.iter().enumerate() {
        let NodeKind::Scalar {
            value,
            style: ScalarStyle::Plain,
            tag: None,
        } = &node.kind
        else {
            continue;
        };
        let kind = if value == "<<" {
            merge_keys.contains(&index).then_some(CoercionKind::Merge)
        } else {
            let resolved = match resolve(value, None, node.pos).1 {
                GoValue::Null => Resolved::Null,
                GoValue::Bool(b) => Resolved::Bool(b),
                GoValue::Int(i) => Resolved::Number(i as f64, i.into()),
                GoValue::Uint(u) => Resolved::Number(u as f64, u.into()),
                GoValue::Float(f, _) => match serde_json::Number::from_f64(f) {
                    Some(number) => Resolved::Number(f, number),
                    None => Resolved::NonFinite,
                },
                GoValue::Str(_) | GoValue::Seq(_) | GoValue::Map(_) => Resolved::Str,
            };
            classify(value, resolved)
        };
        if let Some(kind) = kind {
            found.push(Coercion {
                line: node.pos.line,
                column: node.pos.column,
                text: value.clone(),
                kind,
            });
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Stage 1: split the stream, parse one document into a node tree.

/// Cuts `text` into documents on separator lines, as Kubernetes' YAML document reader does: a
/// line is a separator when, without its line break, it is exactly `---` or starts with
/// `--- #`. Returns each piece (separator lines excluded) with the 1-based number of its first
/// line.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "---" || content.starts_with("--- #") {
            pieces.push((start_line, &text[start..offset]));
            start = offset + line.len();
            start_line = index + 2;
        }
        offset += line.len();
    }
    pieces.push((start_line, &text[start..]));
    pieces
}

/// A 1-based position in the whole stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pos {
    line: usize,
    column: usize,
}

/// One node of a parsed document, as go-yaml's parser builds it.
#[derive(Debug)]
struct Node {
    pos: Pos,
    kind: NodeKind,
}

#[derive(Debug)]
enum NodeKind {
    Scalar {
        value: String,
        style: ScalarStyle,
        /// The full tag (`tag:yaml.org,2002:int`, `!`, `!local`), if any.
        tag: Option<String>,
    },
    Sequence(Vec<usize>),
    /// Keys and values alternate, as in go-yaml.
    Mapping(Vec<usize>),
    /// An alias, with the index of the node its anchor names.
    Alias(usize),
}

/// A parsed document: all its nodes and the index of the root.
struct Tree {
    nodes: Vec<Node>,
    root: usize,
    /// How deeply collections are nested in the text.
    depth: usize,
    /// Whether any alias occurs (aliases can nest deeper than the text does).
    aliases: bool,
}

/// Parses the first document of `piece` (whose first line is line `first_line` of the stream)
/// as go-yaml's `Unmarshal` does: events from the ported parser until the end of the first
/// document; what follows it is never looked at beyond the one token go-yaml peeks at. Returns
/// `None` when the piece holds no document at all.
fn parse_first_document(piece: &str, first_line: usize) -> Result<Option<Tree>> {
    let at = |mark: Mark| Pos {
        line: first_line + mark.line,
        column: mark.column + 1,
    };
    let syntax = |error: SyntaxError| syntax_error(error, piece, first_line);
    let mut parser = Parser::new(piece);
    let mut nodes: Vec<Node> = Vec::new();
    // Open collections, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut root = None;
    let mut started = false;
    let (mut depth, mut aliases) = (0, false);
    loop {
        let event = parser.next_event().map_err(syntax)?;
        let pos = at(event.start);
        let (kind, anchor, opens) = match event.kind {
            EventKind::StreamStart => continue,
            EventKind::DocumentStart => {
                started = true;
                continue;
            }
            EventKind::StreamEnd if !started => return Ok(None),
            EventKind::StreamEnd | EventKind::DocumentEnd => break,
            EventKind::SequenceEnd | EventKind::MappingEnd => {
                if let Some(closed) = open.pop() {
                    attach(&mut nodes, &open, &mut root, closed);
                }
                if open.is_empty() {
                    // go-yaml reads no further than the document's end event.
                    let end = parser.next_event().map_err(syntax)?;
                    debug_assert!(matches!(end.kind, EventKind::DocumentEnd));
                    break;
                }
                continue;
            }
            EventKind::Alias(name) => {
                let Some(&target) = anchors.get(&name) else {
                    return Err(ReadError::UnknownAnchor {
                        line: pos.line,
                        column: pos.column,
                        name,
                    });
                };
                aliases = true;
                (NodeKind::Alias(target), None, false)
            }
            EventKind::Scalar {
                anchor,
                tag,
                value,
                style,
                plain_implicit,
            } => {
                // go-yaml resolves an untagged plain scalar; a `!`-tagged one stays a string.
                debug_assert!(
                    plain_implicit == (tag.is_empty() && style == ScalarStyle::Plain || tag == "!")
                );
                let tag = (!tag.is_empty()).then_some(tag);
                (NodeKind::Scalar { value, style, tag }, anchor, false)
            }
            EventKind::SequenceStart { anchor, .. } => {
                (NodeKind::Sequence(Vec::new()), anchor, true)
            }
            EventKind::MappingStart { anchor, .. } => (NodeKind::Mapping(Vec::new()), anchor, true),
        };
        let index = nodes.len();
        nodes.push(Node { pos, kind });
        if let Some(anchor) = anchor {
            anchors.insert(anchor, index);
        }
        if opens {
            open.push(index);
            depth = depth.max(open.len());
        } else {
            attach(&mut nodes, &open, &mut root, index);
            if open.is_empty() {
                let end = parser.next_event().map_err(syntax)?;
                debug_assert!(matches!(end.kind, EventKind::DocumentEnd));
                break;
            }
        }
    }
    Ok(root.map(|root| Tree {
        nodes,
        root,
        depth,
        aliases,
    }))
}

/// Adds a finished node to the innermost open collection, or makes it the document's root.
fn attach(nodes: &mut [Node], open: &[usize], root: &mut Option<usize>, child: usize) {
    match open.last() {
        Some(&parent) => {
            if let NodeKind::Sequence(children) | NodeKind::Mapping(children) =
                &mut nodes[parent].kind
            {
                children.push(child);
            }
        }
        None => *root = Some(child),
    }
}

/// A parser error located in the whole stream: where the problem is (an error at the very end
/// is placed where the unfinished node starts, or after the last character rather than on a
/// line that does not exist), and what was being read when it was found.
fn syntax_error(error: SyntaxError, piece: &str, first_line: usize) -> ReadError {
    let last_line = piece.split('\n').count() - 1;
    let (mut line, mut column) = (error.mark.line, error.mark.column);
    // A problem found only at the end of the text (an unclosed quote or bracket) is shown
    // where the unfinished thing starts.
    if let Some((_, start)) = error.context
        && piece
            .chars()
            .skip(error.mark.index)
            .all(char::is_whitespace)
    {
        (line, column) = (start.line, start.column);
    }
    if line > last_line {
        line = last_line;
        column = piece
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count();
    }
    let message = match error.context {
        Some((context, mark)) => format!(
            "{} ({context} from line {}, column {})",
            error.problem,
            first_line + mark.line,
            mark.column + 1
        ),
        None => error.problem,
    };
    ReadError::Syntax {
        line: first_line + line,
        column: column + 1,
        message,
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 2: decode the node tree into Go values, as go-yaml v2 decodes into `interface{}`.

/// A value as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug)]
enum GoValue {
    Null,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `uint64`: integers above `int64::MAX` that fit 64 bits.
    Uint(u64),
    /// Go `float64`, with where it was written (NaN and infinities fail later, in JSON).
    Float(f64, Pos),
    Str(String),
    Seq(Vec<GoValue>),
    Map(GoMap),
}

/// A Go `map[interface{}]interface{}`: keys compare as Go compares interface values (`1` and
/// `"1"` are different keys, `0.0` and `-0.0` the same, NaN never equal), and assigning to an
/// existing key replaces it.
#[derive(Debug, Default)]
struct GoMap {
    entries: Vec<MapEntry>,
    index: HashMap<KeyId, usize>,
}

#[derive(Debug)]
struct MapEntry {
    key: GoValue,
    key_pos: Pos,
    value: GoValue,
}

/// The identity of a scalar map key under Go's `==`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

impl GoMap {
    fn insert(&mut self, key: GoValue, key_pos: Pos, value: GoValue) {
        let id = match &key {
            GoValue::Null => Some(KeyId::Null),
            GoValue::Bool(b) => Some(KeyId::Bool(*b)),
            GoValue::Int(i) => Some(KeyId::Int(*i)),
            GoValue::Uint(u) => Some(KeyId::Uint(*u)),
            GoValue::Float(f, _) if f.is_nan() => None,
            // +0.0 == -0.0 in Go.
            GoValue::Float(f, _) => Some(KeyId::Float(if *f == 0.0 { 0 } else { f.to_bits() })),
            GoValue::Str(s) => Some(KeyId::Str(s.clone())),
            GoValue::Seq(_) | GoValue::Map(_) => None,
        };
        let entry = MapEntry {
            key,
            key_pos,
            value,
        };
        match id {
            Some(id) => match self.index.get(&id) {
                Some(&at) => self.entries[at] = entry,
                None => {
                    self.index.insert(id, self.entries.len());
                    self.entries.push(entry);
                }
            },
            None => self.entries.push(entry),
        }
    }
}

/// Walks a node tree the way go-yaml v2's decoder does, including its bookkeeping of how many
/// decode steps came from alias expansion (the "excessive aliasing" rule).
struct Decoder<'t> {
    nodes: &'t [Node],
    /// Alias nodes currently being expanded (an alias met again inside itself is recursive).
    expanding: Vec<bool>,
    decode_count: u64,
    alias_count: u64,
    alias_depth: usize,
    depth: usize,
}

/// Fraction of decode steps that may come from alias expansion, as go-yaml v2 allows it: 99%
/// for documents up to 400,000 steps, sliding down to 10% at 4,000,000 steps.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl<'t> Decoder<'t> {
    fn new(nodes: &'t [Node]) -> Self {
        Decoder {
            nodes,
            expanding: vec![false; nodes.len()],
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
            depth: 0,
        }
    }

    /// Decodes the root node of a document (go-yaml counts the document node as one step).
    fn decode_document(&mut self, root: usize) -> Result<GoValue> {
        self.decode_count = 1;
        self.decode(root)
    }

    /// One go-yaml decode step: counted, and refused when aliases dominate.
    fn step(&mut self, index: usize) -> Result<()> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            let pos = self.nodes[index].pos;
            return Err(ReadError::ExcessiveAliasing {
                line: pos.line,
                column: pos.column,
            });
        }
        Ok(())
    }

    fn decode(&mut self, index: usize) -> Result<GoValue> {
        self.step(index)?;
        let node = &self.nodes[index];
        match &node.kind {
            NodeKind::Alias(target) => {
                let target = *target;
                self.through_alias(index, |decoder| decoder.decode(target))
            }
            NodeKind::Scalar { value, style, tag } => {
                decode_scalar(value, *style, tag.as_deref(), node.pos)
            }
            NodeKind::Sequence(children) => {
                self.enter(node.pos)?;
                let mut items = Vec::with_capacity(children.len());
                for &child in children {
                    items.push(self.decode(child)?);
                }
                self.depth -= 1;
                Ok(GoValue::Seq(items))
            }
            NodeKind::Mapping(children) => {
                self.enter(node.pos)?;
                let mut map = GoMap::default();
                self.decode_entries(children, &mut map)?;
                self.depth -= 1;
                Ok(GoValue::Map(map))
            }
        }
    }

    /// Goes one collection deeper, refusing to pass [`MAX_DEPTH`].
    fn enter(&mut self, pos: Pos) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(ReadError::TooDeep {
                line: pos.line,
                column: pos.column,
                limit: MAX_DEPTH,
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// Runs `expand` for the alias node `alias`, refusing an alias met again inside itself.
    fn through_alias<T>(
        &mut self,
        alias: usize,
        expand: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        if self.expanding[alias] {
            let pos = self.nodes[alias].pos;
            return Err(ReadError::RecursiveAlias {
                line: pos.line,
                column: pos.column,
            });
        }
        self.expanding[alias] = true;
        self.alias_depth += 1;
        let result = expand(self);
        self.alias_depth -= 1;
        self.expanding[alias] = false;
        result
    }

    /// Decodes the key/value children of a mapping node into `map`. A `<<` key merges its
    /// value's entries in place, so whichever of a merged and an explicit key comes later wins.
    fn decode_entries(&mut self, children: &[usize], map: &mut GoMap) -> Result<()> {
        for pair in children.chunks(2) {
            let [key, value] = *pair else { continue };
            if self.is_merge_key(key) {
                self.merge(value, map)?;
                continue;
            }
            let key_pos = self.nodes[key].pos;
            let decoded_key = self.decode(key)?;
            let kind = match decoded_key {
                GoValue::Seq(_) => Some("sequence"),
                GoValue::Map(_) => Some("mapping"),
                _ => None,
            };
            if let Some(kind) = kind {
                return Err(ReadError::CollectionKey {
                    line: key_pos.line,
                    column: key_pos.column,
                    kind,
                });
            }
            let decoded_value = self.decode(value)?;
            map.insert(decoded_key, key_pos, decoded_value);
        }
        Ok(())
    }

    /// go-yaml's test for a merge key: a `<<` scalar that is plain and untagged, tagged with the
    /// non-specific `!`, or tagged `!!merge`.
    fn is_merge_key(&self, index: usize) -> bool {
        match &self.nodes[index].kind {
            NodeKind::Scalar { value, style, tag } => {
                value == "<<"
                    && match tag.as_deref() {
                        None => *style == ScalarStyle::Plain,
                        Some(tag) => tag == "!" || tag == MERGE_TAG,
                    }
            }
            _ => false,
        }
    }

    /// Merges the value of a `<<` key into `map`: a mapping, an alias of one, or a sequence of
    /// those (merged last to first, so earlier ones take precedence among themselves).
    fn merge(&mut self, index: usize, map: &mut GoMap) -> Result<()> {
        match &self.nodes[index].kind {
            NodeKind::Mapping(_) => self.decode_into(index, map),
            NodeKind::Alias(target) if self.is_mapping(*target) => self.decode_into(index, map),
            NodeKind::Sequence(children) => {
                for &child in children.iter().rev() {
                    let mergeable = match &self.nodes[child].kind {
                        NodeKind::Mapping(_) => true,
                        NodeKind::Alias(target) => self.is_mapping(*target),
                        _ => false,
                    };
                    if !mergeable {
                        return Err(self.invalid_merge(child));
                    }
                    self.decode_into(child, map)?;
                }
                Ok(())
            }
            _ => Err(self.invalid_merge(index)),
        }
    }

    fn is_mapping(&self, index: usize) -> bool {
        matches!(self.nodes[index].kind, NodeKind::Mapping(_))
    }

    fn invalid_merge(&self, index: usize) -> ReadError {
        let pos = self.nodes[index].pos;
        ReadError::InvalidMerge {
            line: pos.line,
            column: pos.column,
        }
    }

    /// Decodes a mapping node (or an alias of one) into an existing map, as go-yaml does for
    /// merged mappings.
    fn decode_into(&mut self, index: usize, map: &mut GoMap) -> Result<()> {
        self.step(index)?;
        match &self.nodes[index].kind {
            NodeKind::Alias(target) => {
                let target = *target;
                self.through_alias(index, |decoder| decoder.decode_into(target, map))
            }
            NodeKind::Mapping(children) => self.decode_entries(children, map),
            _ => Err(self.invalid_merge(index)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars: go-yaml v2's resolve rules.

const TAG_PREFIX: &str = "tag:yaml.org,2002:";
const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

/// The kinds go-yaml v2 resolves a scalar to (its "rtag"), named as its errors name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Timestamp,
}

impl Kind {
    fn short_tag(self) -> &'static str {
        match self {
            Kind::Null => "!!null",
            Kind::Bool => "!!bool",
            Kind::Int => "!!int",
            Kind::Float => "!!float",
            Kind::Str => "!!str",
            Kind::Timestamp => "!!timestamp",
        }
    }

    /// The kind an explicit tag asks for, when go-yaml resolves values for that tag at all.
    fn of_tag(tag: &str) -> Option<Kind> {
        match tag.strip_prefix(TAG_PREFIX)? {
            "null" => Some(Kind::Null),
            "bool" => Some(Kind::Bool),
            "int" => Some(Kind::Int),
            "float" => Some(Kind::Float),
            "str" => Some(Kind::Str),
            "timestamp" => Some(Kind::Timestamp),
            _ => None,
        }
    }
}

/// Decodes one scalar into `interface{}` as go-yaml v2 does. Quoted and block scalars without a
/// tag are strings; plain ones are resolved; a tag picks what the value must resolve to; tags
/// go-yaml does not know (custom ones, `!`, `!!map`...) leave the text as a string, and
/// `!!binary` decodes base64.
fn decode_scalar(value: &str, style: ScalarStyle, tag: Option<&str>, pos: Pos) -> Result<GoValue> {
    let Some(tag) = tag else {
        if style != ScalarStyle::Plain {
            return Ok(GoValue::Str(value.to_owned()));
        }
        return Ok(resolve(value, None, pos).1);
    };
    if tag == "tag:yaml.org,2002:binary" {
        return decode_base64(value)
            .map(|bytes| GoValue::Str(go_string_from_bytes(&bytes)))
            .ok_or(ReadError::InvalidBinary {
                line: pos.line,
                column: pos.column,
            });
    }
    let Some(wanted) = Kind::of_tag(tag) else {
        return Ok(GoValue::Str(value.to_owned()));
    };
    let (found, resolved) = resolve(value, Some(wanted), pos);
    match (wanted, found, resolved) {
        (wanted, found, resolved) if wanted == found || wanted == Kind::Str => Ok(resolved),
        // An integer asked to be a float becomes one (but not a uint64: go-yaml's quirk).
        (Kind::Float, Kind::Int, GoValue::Int(i)) => Ok(GoValue::Float(i as f64, pos)),
        (wanted, found, _) => Err(ReadError::TagMismatch {
            line: pos.line,
            column: pos.column,
            value: value.to_owned(),
            found: found.short_tag(),
            tag: wanted.short_tag(),
        }),
    }
}

/// go-yaml v2's `resolve` for plain scalars and for the core tags (`tag` is `None` for an
/// untagged plain scalar): what the text means and which kind that is. The first character
/// picks which rules are tried, exactly as go-yaml's hint table does.
fn resolve(value: &str, tag: Option<Kind>, pos: Pos) -> (Kind, GoValue) {
    let as_string = (Kind::Str, GoValue::Str(value.to_owned()));
    if tag == Some(Kind::Str) {
        return as_string;
    }
    if let Some(resolved) = resolve_word(value, pos) {
        return resolved;
    }
    match value.as_bytes().first() {
        // The remaining words starting with these letters are all strings.
        Some(b'.') => match parse_go_float(value) {
            Some(f) => (Kind::Float, GoValue::Float(f, pos)),
            None => as_string,
        },
        Some(b'0'..=b'9' | b'+' | b'-') => {
            if matches!(tag, None | Some(Kind::Timestamp)) && is_go_timestamp(value) {
                // go-yaml keeps timestamps as their text when decoding into interface{}.
                return (Kind::Timestamp, GoValue::Str(value.to_owned()));
            }
            resolve_number(value, pos).unwrap_or(as_string)
        }
        _ => as_string,
    }
}

/// The fixed words of YAML 1.1 that go-yaml v2 knows: booleans, nulls, infinities and NaN.
fn resolve_word(value: &str, pos: Pos) -> Option<(Kind, GoValue)> {
    Some(match value {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            (Kind::Bool, GoValue::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            (Kind::Bool, GoValue::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => (Kind::Null, GoValue::Null),
        ".nan" | ".NaN" | ".NAN" => (Kind::Float, GoValue::Float(f64::NAN, pos)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            (Kind::Float, GoValue::Float(f64::INFINITY, pos))
        }
        "-.inf" | "-.Inf" | "-.INF" => (Kind::Float, GoValue::Float(f64::NEG_INFINITY, pos)),
        _ => return None,
    })
}

/// Integers and floats of a scalar starting with a digit or sign, as go-yaml v2 tries them:
/// with all `_` removed, Go's `ParseInt(s, 0, 64)` (so `0x1F`, `0o17`, `0b101` and octal
/// `017`), then `ParseUint` (above `int64`), then a YAML-style float, then a `0b`/`-0b` form
/// with a sign after the prefix.
fn resolve_number(value: &str, pos: Pos) -> Option<(Kind, GoValue)> {
    let plain = value.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return Some((Kind::Int, GoValue::Int(i)));
    }
    if let Some(u) = go_parse_uint_base0(&plain) {
        return Some((Kind::Int, GoValue::Uint(u)));
    }
    if is_yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Some((Kind::Float, GoValue::Float(f, pos)));
    }
    if let Some(digits) = plain.strip_prefix("0b") {
        if let Some(i) = go_parse_signed_radix(digits, 2) {
            return Some((Kind::Int, GoValue::Int(i)));
        }
        if let Some(u) = parse_radix_u64(digits, 2) {
            return Some((Kind::Int, GoValue::Uint(u)));
        }
    } else if let Some(digits) = plain.strip_prefix("-0b")
        && let Some(i) = go_parse_signed_radix(&format!("-{digits}"), 2)
    {
        return Some((Kind::Int, GoValue::Int(i)));
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` (without underscores, which the caller removed).
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, unsigned) = split_sign(s);
    let magnitude = go_parse_uint_base0(unsigned)?;
    signed(negative, magnitude)
}

/// Go's `strconv.ParseInt(s, base, 64)` for an explicit base: an optional sign, then digits.
fn go_parse_signed_radix(s: &str, radix: u32) -> Option<i64> {
    let (negative, unsigned) = split_sign(s);
    signed(negative, parse_radix_u64(unsigned, radix)?)
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    }
}

/// Applies a sign to a magnitude when the result fits `int64`.
fn signed(negative: bool, magnitude: u64) -> Option<i64> {
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0b`, `0o`, `0x` prefixes (with at least one digit
/// after them), a leading `0` for octal, otherwise decimal; no sign.
fn go_parse_uint_base0(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'0') {
        return parse_radix_u64(s, 10);
    }
    if s.len() >= 3 {
        match bytes[1].to_ascii_lowercase() {
            b'b' => return parse_radix_u64(&s[2..], 2),
            b'o' => return parse_radix_u64(&s[2..], 8),
            b'x' => return parse_radix_u64(&s[2..], 16),
            _ => {}
        }
    }
    // Octal; the leading 0 itself is the whole number when nothing follows.
    let rest = &s[1..];
    if rest.is_empty() {
        Some(0)
    } else {
        parse_radix_u64(rest, 8)
    }
}

/// Digits only (no sign), in `radix`, fitting `u64`.
fn parse_radix_u64(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for text starting with `.`: `.` digits (with `_` between
/// digits), an optional exponent; out-of-range values are errors.
fn parse_go_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) != Some(&b'.') {
        return None;
    }
    i += 1;
    let mut saw_digit = false;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        saw_digit |= b[i].is_ascii_digit();
        i += 1;
    }
    if !saw_digit {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    if i != b.len() || !go_underscores_ok(s) {
        return None;
    }
    s.replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

/// Go's `underscoreOK` for a decimal number: every `_` sits between two digits.
fn go_underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// Whether go-yaml v2 takes `s` for a timestamp: Go's `time.Parse` with one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999` or
/// `2006-1-2`.
fn is_go_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut rest = &b[5..];
    let year = (b[..4].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))) as i64;
    let Some(month) = take_number(&mut rest) else {
        return false;
    };
    if !take_byte(&mut rest, b'-') {
        return false;
    }
    let Some(day) = take_number(&mut rest) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(month, year) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    // The three layouts with a time differ only in the separator and the zone.
    let zoned = match rest[0] {
        b'T' | b't' => {
            rest = &rest[1..];
            true
        }
        b' ' => {
            // A space in a Go layout matches any run of spaces.
            while let [b' ', tail @ ..] = rest {
                rest = tail;
            }
            false
        }
        _ => return false,
    };
    let Some(hour) = take_number(&mut rest) else {
        return false;
    };
    if !take_byte(&mut rest, b':') {
        return false;
    }
    let Some(minute) = take_number(&mut rest) else {
        return false;
    };
    if !take_byte(&mut rest, b':') {
        return false;
    }
    let Some(second) = take_number(&mut rest) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    // Up to nine fraction digits after `.` or `,`.
    if let [b'.' | b',', d, ..] = rest
        && d.is_ascii_digit()
    {
        let digits = rest[1..]
            .iter()
            .take(9)
            .take_while(|c| c.is_ascii_digit())
            .count();
        rest = &rest[1 + digits..];
    }
    if !zoned {
        return rest.is_empty();
    }
    match rest {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 24
                && (m1 - b'0') * 10 + (m2 - b'0') <= 60
        }
        _ => false,
    }
}

/// Go's `getnum(s, false)`: one or two digits.
fn take_number(rest: &mut &[u8]) -> Option<i64> {
    let b = *rest;
    let first = b.first().filter(|c| c.is_ascii_digit())?;
    match b.get(1).filter(|c| c.is_ascii_digit()) {
        Some(second) => {
            *rest = &b[2..];
            Some(i64::from((first - b'0') * 10 + (second - b'0')))
        }
        None => {
            *rest = &b[1..];
            Some(i64::from(first - b'0'))
        }
    }
}

fn take_byte(rest: &mut &[u8], byte: u8) -> bool {
    match rest.split_first() {
        Some((&first, tail)) if first == byte => {
            *rest = tail;
            true
        }
        _ => false,
    }
}

fn days_in_month(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; line breaks (`\r`, `\n`)
/// are ignored, anything else invalid fails.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if !symbols.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let quads = symbols.chunks(4).collect::<Vec<_>>();
    for (n, quad) in quads.iter().enumerate() {
        let last = n + 1 == quads.len();
        let padding = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut bits = 0u32;
        for &c in &quad[..4 - padding] {
            bits = bits << 6 | value(c)?;
        }
        bits <<= 6 * padding as u32;
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - padding]);
    }
    Some(out)
}

/// A Go string made of arbitrary bytes, as `encoding/json` writes it: each byte that is not
/// part of valid UTF-8 becomes U+FFFD.
fn go_string_from_bytes(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push(char::REPLACEMENT_CHARACTER);
                bytes = &rest[1..];
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 3: Go values to JSON, as sigs.k8s.io/yaml and encoding/json do it.

/// Converts a decoded value to the JSON `encoding/json` would print for it.
fn to_json(value: GoValue) -> Result<Value> {
    Ok(match value {
        GoValue::Null => Value::Null,
        GoValue::Bool(b) => Value::Bool(b),
        GoValue::Int(i) => Value::from(i),
        GoValue::Uint(u) => Value::from(u),
        GoValue::Float(f, pos) => json_float(f).ok_or(ReadError::NonFiniteFloat {
            line: pos.line,
            column: pos.column,
            value: if f.is_nan() { "NaN" } else { "infinity" },
        })?,
        GoValue::Str(s) => Value::String(s),
        GoValue::Seq(items) => {
            let mut array = Vec::with_capacity(items.len());
            for item in items {
                array.push(to_json(item)?);
            }
            Value::Array(array)
        }
        GoValue::Map(map) => {
            let mut object = serde_json::Map::new();
            for entry in map.entries {
                let key = json_key(entry.key, entry.key_pos)?;
                object.insert(key, to_json(entry.value)?);
            }
            Value::Object(object)
        }
    })
}

/// The JSON number `encoding/json` prints for a float64 (`1.0` prints as `1`, `1e21` as
/// `1e+21`), read back the way any JSON reader reads it; `None` for NaN and infinities.
fn json_float(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    let text = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        format!("{f:e}")
    } else {
        format!("{f}")
    };
    Some(serde_json::from_str(&text).unwrap_or_else(|_| Value::from(f)))
}

/// A mapping key as `sigs.k8s.io/yaml` turns it into a JSON object key.
fn json_key(key: GoValue, pos: Pos) -> Result<String> {
    let unsupported = |key: String| ReadError::UnsupportedKey {
        line: pos.line,
        column: pos.column,
        key,
    };
    match key {
        GoValue::Str(s) => Ok(s),
        GoValue::Bool(b) => Ok(b.to_string()),
        GoValue::Int(i) => Ok(i.to_string()),
        GoValue::Float(f, _) => Ok(go_float32_key(f)),
        GoValue::Null => Err(unsupported("null".to_owned())),
        GoValue::Uint(u) => Err(unsupported(format!("{u} (beyond int64)"))),
        GoValue::Seq(_) | GoValue::Map(_) => Err(unsupported("collection".to_owned())),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` as `sigs.k8s.io/yaml` uses it for float keys
/// (shortest float32 digits; exponent form below 1e-4 or from 1e6 on), with infinities and NaN
/// spelled as YAML spells them.
fn go_float32_key(f: f64) -> String {
    let single = f as f32;
    if single.is_nan() {
        return ".nan".to_owned();
    }
    if single.is_infinite() {
        return if single > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let sign = if single.is_sign_negative() { "-" } else { "" };
    if single == 0.0 {
        return format!("{sign}0");
    }
    // Shortest digits and decimal exponent, from Rust's shortest round-trip formatting.
    let scientific = format!("{:e}", single.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{fraction}e{exp_sign}{:02}", exponent.abs());
    }
    // Plain decimal: the point sits after `exponent + 1` digits.
    let point = exponent + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else {
        let point = point as usize;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::decode_like_kubectl;
    use serde_json::json;

    /// Compares the reader with the real Go decoder (`k8s-yaml-check`) on one input: equal
    /// documents, or both failing. Returns a description of the difference, if any.
    fn difference_from_kubectl(input: &str) -> Option<String> {
        let ours = read_documents(input);
        let theirs = decode_like_kubectl(input);
        let their_error = theirs.iter().find_map(|decoded| decoded.as_ref().err());
        let same = match (&ours, their_error) {
            (Err(_), Some(_)) => true,
            (Ok(documents), None) => theirs
                .iter()
                .map(|decoded| decoded.as_ref().ok())
                .eq(documents.iter().map(Some)),
            _ => false,
        };
        (!same).then(|| format!("input {input:?}\n  ours:    {ours:?}\n  kubectl: {theirs:?}"))
    }

    fn assert_all_match_kubectl(cases: &[&str]) {
        let differences: Vec<String> = cases
            .iter()
            .filter_map(|input| difference_from_kubectl(input))
            .collect();
        assert!(
            differences.is_empty(),
            "{} of {} inputs read differently from kubectl:\n{}",
            differences.len(),
            cases.len(),
            differences.join("\n")
        );
    }

    fn one(input: &str) -> Value {
        let mut documents = read_documents(input).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(documents.len(), 1, "{input:?}");
        documents.remove(0)
    }

    const SCALARS: &[&str] = &[
        // Every boolean spelling, and near misses.
        "a: y\nb: Y\nc: yes\nd: Yes\ne: YES\nf: n\ng: N\nh: no\ni: No\nj: NO\nk: true\n\
         l: True\nm: TRUE\no: false\np: False\nq: FALSE\nr: on\ns: On\nt: ON\nu: off\nv: Off\n\
         w: OFF\nx: yEs\nz: oN\nzz: tRUE",
        // Nulls.
        "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\ng: \"\"\nh: ''",
        "- ~\n-\n- null\n- NULL",
        // Integers in every base go-yaml v2 knows, and what is not one.
        "a: 012\nb: 0o12\nc: 0x1F\nd: 0b101\ne: 1_000\nf: +1\ng: -0\nh: 1e3\ni: 1.0\nj: .5\n\
         k: 08\nl: 0x\nm: 0b\nn1: 0\nn2: 00\nn3: -0x1F\nn4: +0o7\nn5: 0b+101\nn6: -0b101\n\
         n7: 0b-1\nn8: 0X1f\nn9: 0B11\no1: 0O17\no2: 1__0\no3: _1\no4: 1_\no5: 0x_1F\no6: 09.5",
        // Big integers: int64, uint64, and beyond (a float).
        "a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551615\n\
         d: 18446744073709551616\ne: -9223372036854775808\nf: -9223372036854775809\n\
         g: 123456789012345678901234567890\nh: +9223372036854775808\ni: 0xFFFFFFFFFFFFFFFF\n\
         j: 0x10000000000000000\nk: 0b1111111111111111111111111111111111111111111111111111111111111111",
        // Floats as encoding/json prints them.
        "a: 1e21\nb: 1e-7\nc: 1.5e300\nd: 0.1\ne: 100000000000000000000\nf: 1e20\ng: 0.000001\n\
         h: 1.e3\ni: +.5\nj: -.5e-3\nk: 1_0.5\nl: ._5\nm: .5_5\nn1: .5e999\nn2: 1e999\n\
         n3: 1E3\nn4: 6.02e+23\nn5: -0.0\nn6: 1.0e0\nn7: 3.14159265358979323846\nn8: 1e-400\n\
         n9: .5.5\no1: 1e\no2: 1.5e+\no3: .e3",
        "a: .inf",
        "a: -.Inf",
        "a: +.INF",
        "a: .nan",
        "a: .NaN",
        "a: [1, .nan]",
        "a: .nan\na: 1",
        "a: .inF\nb: .Nan\nc: -.infinity\nd: inf\ne: nan",
        // Sexagesimal numbers and timestamps stay strings.
        "a: 12:30\nb: 1:20:30\nc: 2001-12-14\nd: 2001-12-14T21:59:43.10-05:00\n\
         e: 2001-12-14 21:59:43.10\nf: 190:20:30.15\ng: 2001-12-14t21:59:43.10Z\nh: 1:2\n\
         i: -1:30",
        // Quoted versions of all of the above are strings.
        "a: \"on\"\nb: 'yes'\nc: \"012\"\nd: '~'\ne: \"null\"\nf: \"1e3\"\ng: ''\nh: \"\"\n\
         i: '0x1F'\nj: \".inf\"\nk: '12:30'\nl: \"2001-12-14\"\nm: '1_000'\nn: \"true\"",
        // Merge key spelled as a value, or quoted, is a string.
        "a: <<",
        "\"<<\": {a: 1}",
        "'<<': x\nb: 1",
    ];

    const BLOCK_SCALARS: &[&str] = &[
        "a: |\n  line1\n  line2\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: >\n  folded\n  text\n\n  para\n\
         e: |2\n    indented\nf: >-\n  z",
        "a: | # comment\n  text",
        "a: |1\n   three\n  two",
        "a: >2+\n   x\n\n",
        "a: |\nb: 1",
        "a: >\n  a\n    b\n  c\n\n  d",
        "a: >\n\n  leading\n",
        "a: >-\n  x\n\n   y\n  z",
        "a: |-\n\n  x\n",
        "a: |+\n  x\n\n",
        "a: |+\n  x\n\n  ",
        "a: >+\n  x\n",
        "a: |\n  x\n  \n",
        "a: |\n\n",
        "a: >\n  \n  x",
        "- |\n  a\n- >\n  b\n",
        "key: |\n    deep\n  shallow",
        "key: |\n  a\n   b\n    c",
        "a: |\n  x",
        "a: |+\n  x",
        "a: |+\n  x\n\n  y",
        "a: >\n  x\n  y",
        "a: |\n  x\n  ",
        "a: |\n  x\n# c",
        "a: |\n  x\n  y\r\n",
        "a: |\r\n  x\r\n  y\r\n",
        "a: |\n  x\n  \ty\n",
        "a: |2\n   \tx\n",
        "a: !!str |\n  x\n  y",
        "a: |\n  # not a comment\n  x",
        "a: |-\n  trailing spaces   \n  kept",
    ];

    const STRINGS: &[&str] = &[
        "a:   spaced  \nb: \"  lead\"\nc: 'trail  '\nd: \"tab\\there\"\n\
         e: \"\\u00e9\\U0001F600\\x41\"\nf: héllo wörld ✓ 日本語",
        "a: \"\\x41\\u0042\\U00000043\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\r\\ \\\"\"",
        "a: \"\\\ttab\"",
        "a: 'it''s'\nb: \"say \\\"hi\\\"\"",
        "a: \"it\\'s\"",
        "a: \"line1\n  line2\"\nb: plain\n  continued",
        "a: x\n  # comment\n  y",
        "a: x\n\n\n  y",
        "a: 'x\n\n  y'",
        "a: plain\n\n  after blank\n  more",
        "a: 'single\n  multi\n\n  line'",
        "a: \"double\n  multi\\\n  escaped\"",
        "a: \"multi\n\n  para\"",
        // Continuation lines of quoted scalars need no indentation in YAML 1.1.
        "b: \"a\nb\"",
        "k: 'a\nb'\nl: 1",
        "k:\n  b: \"x\ny\n  z\"\n  c: 1",
        "- \"a\nb\"\n- 'c\n\n d'",
        "k: \"a\n...\nb\"",
        "a: b#c\nd: e #f",
        "a: -x\nb: :x\nc: ?x",
        "key with spaces: value with spaces",
        "a : b",
        "'a': b\n\"c\": d",
        "\"a\\tb\": c",
        "a: 'x\ty'",
        "a: b\t# c",
        "a:\tb",
        "a:\t\"b\"",
        "a: \"\\ud800\"",
        "a: \"\\U00110000\"",
        "key: \"\\/slash\"",
        "a: \"unclosed",
        "a: 'x'y",
        "a: \"x\" y",
        "a: @x",
        "a: `x",
        "a: %x",
        "a: !x",
        "\u{feff}a: 1",
        "a: \u{1}",
        "# comment \u{1}\na: 1",
        "a: \u{7f}",
        "a: \u{80}",
        "a: b\u{2028}c",
        "a: b\u{85}c",
        "a: |\n  x\u{85}y\n",
    ];

    const TAGS: &[&str] = &[
        "a: !!str 12\nb: !!int \"12\"\nc: !!float 3\nd: !!bool yes\ne: !!null ~\nf: ! 12\n\
         g: !custom 12\nh: !!timestamp 2001-12-14\ni: !!binary aGVsbG8=\nj: !!str {x: 1}\n\
         k: !!map foo\nl: !<tag:yaml.org,2002:int> \"7\"\nm: !!int 0x1F\nn: !!float \"1.5\"\n\
         o: !!str\np: !!merge x\nq: !!seq [1]",
        "a: !!int abc",
        "a: !!int 1.5",
        "a: !!float 18446744073709551615",
        "a: !!float 9223372036854775807",
        "a: !!float abc",
        "a: !!bool 1",
        "a: !!bool \"on\"",
        "a: !!null x",
        "a: !!null \"\"",
        "a: !!timestamp 12",
        "a: !!timestamp 2001-02-29",
        "a: !!timestamp 2000-02-29",
        "a: !!timestamp 1900-02-29",
        "a: !!timestamp 2001-13-01",
        "a: !!timestamp 2001-1-2",
        "a: !!timestamp 2001-12-14t21:59:43Z",
        "a: !!timestamp 2001-12-14T21:59:43+01:00",
        "a: !!timestamp 2001-12-14T21:59:43+0100",
        "a: !!timestamp 2001-12-14T24:00:00Z",
        "a: !!timestamp 2001-12-14  21:59:43.123456789",
        "a: !!timestamp 2001-12-14 21:59:43,5",
        "a: !!timestamp 2001-12-14T21:59:43.1234567891Z",
        "a: !!timestamp 2001-12-14T21:59Z",
        "a: !!binary |\n  aGVs\n  bG8=",
        "a: !!binary aGVs bG8=",
        "a: !!binary /w==",
        "a: !!binary gICA",
        "a: !!binary aGVsbG8",
        "a: !!binary ''",
        "a: !!binary aG=sbG8=",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1",
        "a: !e!foo 1",
    ];

    const KEYS: &[&str] = &[
        "on: x\n1: a\n1.5: b\ntrue: c\nfalse: d\ny: e\nn: f\n0x10: g\n-3: h",
        "1e6: a\n123456: b\n1234567: c\n0.0001: d\n0.00001: e\n1.0: f\n-1.5: g\n.inf: h\n\
         -.inf: i\n3.14159265358979: j\n100000: l\n-0.0: m\n.nan: n",
        // Beyond float32, a float key prints as `.inf`.
        "1e39: k",
        "1e300: o",
        "null: c",
        "~: d",
        ": a",
        "? a\n: b",
        "9223372036854775808: big",
        "-9223372036854775808: small",
        "2001-12-14: date\n12:30: time",
        "a: 1\na: 2",
        "1: a\n01: b\n0x1: c",
        "a: [1, 2]\n? [x]\n: y",
        "? {a: 1}\n: y",
        "[a, b]: c",
        "{a: b}: c",
        "? - a\n: b",
        "'1': a\n\"2\": b",
    ];

    const STRUCTURE: &[&str] = &[
        "a: {b: [c, {d: e}]}\nf: [1, [2, [3, [4]]]]",
        "- a\n- b",
        "just a scalar",
        "\"quoted scalar\"",
        "42",
        "[1, 2, 3]",
        "{a: 1, b}",
        "[a: b]",
        "[a, b, ]",
        "[a,,b]",
        "{a:1}",
        "[-a]",
        "[:a]",
        "[a?b]",
        "{a: b?c}",
        "a: -",
        "- - a\n  - b\n- c",
        "a:\n- b\n- c",
        "a:\n  - b\n  -   c: d\n      e: f",
        "k: {a: [1,2], b: {c: d}}",
        "k: [a, b,\n  c]",
        "k: [a, b,\n c]",
        "k: {a: 1,\n b: 2}",
        "- [a, b]\n- {c: d}",
        "- a\n -b",
        "a: b\n  c: d",
        "a:\n  b\n  c: d",
        "  a: 1\nb: 2",
        "a: 1\n  b: 2",
        "- a\n- b\nc: d",
        "a\nb: c",
        "\"a\nb\": c",
        "a: 1 # c\n# x\nb: 2",
        "a:\n  b: 1\n c: 2",
        "a: b: c",
        "a: [b, c",
        "- a\nb: c",
        "a: [b]c",
        "a: 1\r\nb: 2\r\n",
        "%YAML 1.1\n---\na: 1",
        "%YAML 1.2\n---\na: 1",
        "a: 1\n--- |\n  text",
        // A deep document.
        "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g: [[[[[[1]]]]]]",
    ];

    const TABS: &[&str] = &[
        "a:\tb",
        "a: b\t# c",
        "-\ta",
        "a: [1,\t2]",
        "a:\n  b: 1\n\t# comment",
        "a:\n\tb: 1",
        "a: b\n\t",
        "a: 1\n \tb: 2",
        "- a\n-\tb",
        "?\ta\n: b",
        "? a\n:\tb",
        "a:\n\t- b",
        "a: [b,\n\tc]",
        "a: [b\n\tc]",
        "{a: b,\tc: d}",
        "a: b\t\nc: d",
        "a: |\n   x\n  \ty",
        "k:\n  a: 1\n     \t\n  b: 2",
        "k:\n  a: \"1\"\n     \t\n  b: 2",
        "k:\n  a: 1\n  \t\n  b: 2",
        "- a\n  \t\n- b",
        "a: 1\n\t# comment",
        "a:\t\n  b: 1",
        "- key: \tvalue",
        "-  \t- x",
        "a: &x\tb",
        "a: !!str\tb",
        "- \n  2001-12-14\n-\t\n  |\n",
        "-!!int 2\n-  a #b\n# x\n-\n- \t",
        "a: a\n...\nk:\t\n\t\n",
    ];

    const ANCHORS_AND_MERGES: &[&str] = &[
        "base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\n  c: 4",
        "base: &base\n  a: 1\n  b: 2\nderived:\n  b: 3\n  <<: *base",
        "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  w: 5",
        "a: &a [1, 2]\nb: *a\nc: &s hello\nd: *s\ne: [*a, *s]",
        "<<: {a: 1}\nb: 2",
        "<<: 5",
        "<<: [{a: 1}, 5]",
        "<<: [{a: 1}, {a: 2, b: 3}]",
        "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {x: 2}",
        "a: &a {x: 1, <<: {y: 2}}\nb: {<<: *a}",
        "a: &a [1]\nb: {<<: *a}",
        "a: &a x\nb: {<<: [*a]}",
        "! <<: {a: 1}",
        "!!merge <<: {a: 1}",
        "a: *nope",
        "a: &x [*x]",
        "a: &x {b: *x}",
        "a: &x\nb: *x",
        "&k key: v\nother: *k",
        "x: &a 1\ny: &a 2\nz: *a",
        "*a : b",
        "a: &a k\n*a : v",
        "a: &a [k]\n? *a\n: v",
        "- &reference_image:\n    name: x",
        "- &a.b x\n- *a.b",
        "a: &anchor-1_x v\nb: *anchor-1_x",
    ];

    const STREAMS: &[&str] = &[
        "---\n# only comment\n---\na: 1\n---\n\n---\nb: 2\n...\n",
        "a: 1\n...\nb: 2",
        "a: 1\n...\n\"bad",
        "a: 1\n--- \nb: 2",
        "a: 1\n--- # comment\nb: 2",
        "a: 1\n---\r\nb: 2",
        "k: v\n...\n---\nk2: v2",
        "k: v\n... # c",
        "\"a\"\n\"b\"",
        "~\n---\nnull\n---\na: 1",
        "---\n---\n---",
        "a: 1\n---\nb: [",
        "--- a\n--- b",
        "# just a comment",
        "",
        "   \n\n",
    ];

    #[test]
    fn scalars_resolve_like_kubectl() {
        assert_all_match_kubectl(SCALARS);
    }

    #[test]
    fn block_scalars_read_like_kubectl() {
        assert_all_match_kubectl(BLOCK_SCALARS);
    }

    #[test]
    fn strings_and_escapes_read_like_kubectl() {
        assert_all_match_kubectl(STRINGS);
    }

    #[test]
    fn tags_read_like_kubectl() {
        assert_all_match_kubectl(TAGS);
    }

    #[test]
    fn mapping_keys_convert_like_kubectl() {
        assert_all_match_kubectl(KEYS);
    }

    #[test]
    fn structure_reads_like_kubectl() {
        assert_all_match_kubectl(STRUCTURE);
    }

    #[test]
    fn tabs_are_refused_where_kubectl_refuses_them() {
        assert_all_match_kubectl(TABS);
    }

    #[test]
    fn anchors_aliases_and_merges_read_like_kubectl() {
        assert_all_match_kubectl(ANCHORS_AND_MERGES);
    }

    #[test]
    fn streams_split_like_kubectl() {
        assert_all_match_kubectl(STREAMS);
    }

    #[test]
    fn nesting_reads_like_kubectl() {
        let block: String = (0..100)
            .map(|depth| format!("{}k{depth}:\n", "  ".repeat(depth)))
            .collect::<String>()
            + &"  ".repeat(100)
            + "leaf";
        let flow = "[".repeat(120) + &"]".repeat(120);
        let sequences: String = (0..60)
            .map(|depth| format!("{}- \n", "  ".repeat(depth)))
            .collect::<String>()
            + &"  ".repeat(60)
            + "- x";
        assert_all_match_kubectl(&[&block, &flow, &sequences]);
    }

    #[test]
    fn every_prefix_of_a_manifest_reads_like_kubectl() {
        // Cutting a document anywhere exercises error paths and end-of-text handling.
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n demo # c\n  \
                        labels: {app: demo, on: yes}\ndata:\n  script: |\n    echo \"hi\"\n\n  \
                        - not: 'a list'\n  list: [1, 0x1F, ~]\n  <<: {x: *n}\n";
        let prefixes: Vec<&str> = manifest
            .char_indices()
            .map(|(at, _)| &manifest[..at])
            .collect();
        assert_all_match_kubectl(&prefixes);
    }

    #[test]
    fn reads_real_crds_like_kubectl() {
        let dir =
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/crds"));
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
            .collect();
        files.sort();
        assert!(
            files.len() >= 34,
            "expected the 34 CRDs in {}",
            dir.display()
        );
        for file in &files {
            let text = std::fs::read_to_string(file).expect("read CRD");
            let ours =
                read_documents(&text).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            let theirs: Vec<Value> = decode_like_kubectl(&text)
                .into_iter()
                .map(|decoded| {
                    decoded.unwrap_or_else(|error| panic!("{}: {error}", file.display()))
                })
                .collect();
            assert!(
                ours == theirs,
                "{} reads differently from kubectl",
                file.display()
            );
        }
    }

    #[test]
    fn rules_written_out() {
        let value = one(
            "a: on\nb: 012\nc: 0o12\nd: 0x1F\ne: 0b101\nf: 1_000\ng: +1\nh: -0\ni: 1e3\nj: 1.0\n\
             k: .5\nl: 12:30\nm: 2001-12-14\nv: ~\no: \"on\"\np: y\nq: 9223372036854775808\n\
             r: 1e21\ns: 0.1\nt: |-\n  text\nu: NO\n",
        );
        assert_eq!(
            value,
            json!({
                "a": true, "b": 10, "c": 10, "d": 31, "e": 5, "f": 1000, "g": 1, "h": 0,
                "i": 1000, "j": 1, "k": 0.5, "l": "12:30", "m": "2001-12-14", "v": null,
                "o": "on", "p": true, "q": 9_223_372_036_854_775_808_u64, "r": 1e21, "s": 0.1,
                "t": "text", "u": false,
            })
        );
        // Non-string keys become the strings sigs.k8s.io/yaml writes.
        assert_eq!(
            one("on: a\n1: b\n1.5: c\n1e6: d\nno: e"),
            json!({"true": "a", "1": "b", "1.5": "c", "1e+06": "d", "false": "e"})
        );
        // A merge is applied in place: whichever of a merged and an explicit key comes later
        // wins (go-yaml v2; not YAML 1.1's "explicit keys win").
        assert_eq!(
            one("base: &b {p: 1, q: 2}\nm:\n  p: 0\n  <<: *b\n  q: 3"),
            json!({"base": {"p": 1, "q": 2}, "m": {"p": 1, "q": 3}})
        );
        // Duplicate keys: the last one wins.
        assert_eq!(one("a: 1\na: 2"), json!({"a": 2}));
        // Only the first document of a piece is read: `...` ends the rest of it.
        assert_eq!(read_documents("a: 1\n...\nb: 2"), Ok(vec![json!({"a": 1})]));
        // Empty and comment-only documents are skipped; scalars are documents too.
        assert_eq!(
            read_documents("---\n# c\n---\n---\nplain\n---\n~\n"),
            Ok(vec![json!("plain")])
        );
        // !!binary is decoded, and a block scalar at the very end keeps no invented line break.
        assert_eq!(
            one("a: !!binary aGk=\nb: |\n  x"),
            json!({"a": "hi", "b": "x"})
        );
    }

    #[test]
    fn refuses_what_json_cannot_hold() {
        for (input, line, column) in [
            ("a: .nan", 1, 4),
            ("a:\n  - .inf", 2, 5),
            ("~: x", 1, 1),
            ("a:\n  null: x", 2, 3),
            ("9223372036854775808: x", 1, 1),
        ] {
            let error = read_documents(input).expect_err(input);
            assert_eq!(error.location(), (line, column), "{input}: {error}");
            assert!(difference_from_kubectl(input).is_none(), "{input}");
        }
    }

    #[test]
    fn malformed_yaml_fails_with_its_line() {
        for (input, line) in [
            ("a: 1\nb: \"unclosed\n", 2),
            ("a:\n  b: 1\n c: 2\n", 3),
            ("a: 1\nb:\n\tc: 2\n", 3),
            ("a: 1\nb: *missing\n", 2),
            ("a: 1\n---\nb: [1, 2", 3),
            ("a: 1\n---\n- x\ny: 2\n", 4),
            ("a: !!int twelve\n", 1),
            ("a: &x [*x]\n", 1),
            ("<<: 5\n", 1),
            ("? [a]\n: b\n", 1),
        ] {
            let error = read_documents(input).expect_err(input);
            assert_eq!(error.location().0, line, "{input:?}: {error}");
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("line {line}, column ")),
                "{message}"
            );
            assert!(difference_from_kubectl(input).is_none(), "{input:?}");
        }
        assert!(matches!(
            read_documents("a: *missing"),
            Err(ReadError::UnknownAnchor { name, .. }) if name == "missing"
        ));
    }

    #[test]
    fn excessive_aliasing_is_refused_like_kubectl() {
        let mut laughs = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            laughs.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{previous}"); 9].join(",")
            ));
        }
        assert!(matches!(
            read_documents(&laughs),
            Err(ReadError::ExcessiveAliasing { .. })
        ));
        assert!(difference_from_kubectl(&laughs).is_none());
        // Moderate reuse is fine, as it is for go-yaml: a few anchors used many times each.
        let mut reuse = String::from("base: &b {a: 1, b: [1, 2, 3], c: {d: e}}\nitems:\n");
        for _ in 0..300 {
            reuse.push_str("- *b\n");
        }
        let small = (0..20)
            .map(|i| format!("k{i}: &a{i} v\n"))
            .collect::<String>()
            + &(0..200)
                .map(|i| format!("r{i}: *a{}\n", i % 20))
                .collect::<String>();
        assert_all_match_kubectl(&[&reuse, &small]);
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        // Go accepts up to 10,000 levels; the reader's decoder stops at MAX_DEPTH. No manifest
        // comes near either.
        let block: String = (0..=MAX_DEPTH)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        assert!(matches!(
            read_documents(&block),
            Err(ReadError::TooDeep {
                limit: MAX_DEPTH,
                ..
            })
        ));
        let flow = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            read_documents(&flow),
            Err(ReadError::TooDeep { .. })
        ));
        let within: String = (0..MAX_DEPTH)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        assert!(read_documents(&within).is_ok());
    }

    #[test]
    fn yaml_1_1_line_breaks_and_indicators_read_like_kubectl() {
        // NEL/LS/PS are line breaks in YAML 1.1, `?` in a flow collection is a key indicator
        // there, and a byte order mark is content except at the start of the text.
        assert_all_match_kubectl(&[
            "a: \"b\u{2028}c\"",
            "a: \"b\u{85}c\"",
            "a: b\u{85}c: d",
            "a: |\n  x\u{2028}  y\n",
            "# comment\u{2028}a: 1",
            "[a, ?b]",
            "[?a]",
            "{? a: b}",
            "a: \u{feff}",
            "\u{feff}a: 1",
            "\u{feff}\u{feff}a: 1",
            "a: 1\n\u{feff}b: 2",
        ]);
    }

    #[test]
    fn errors_name_the_problem_in_lowercase() {
        let cases = [
            (
                "a: !!int x",
                "line 1, column 4: cannot decode !!str `x` as a !!int",
            ),
            (
                "a: .nan",
                "line 1, column 4: NaN cannot be converted to JSON",
            ),
            ("<<: 5", "line 1, column 5: merge key `<<` needs a mapping"),
            (
                "? [a]\n: b",
                "line 1, column 3: a sequence cannot be a mapping key",
            ),
            (
                "a: *nope",
                "line 1, column 4: alias `*nope` refers to no anchor",
            ),
        ];
        for (input, expected) in cases {
            let message = read_documents(input).expect_err(input).to_string();
            assert!(message.starts_with(expected), "{input:?}: {message}");
        }
    }
}
