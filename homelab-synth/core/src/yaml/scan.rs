//! The scanner of go-yaml v2 (`scannerc.go`, `readerc.go`), ported to Rust: YAML text to
//! tokens, exactly as the library behind kubectl, Helm and Argo CD cuts it up.
//!
//! go-yaml v2 is itself a port of libyaml 0.1 (YAML 1.1), and differs from the YAML 1.2
//! specification in many small ways that decide what a manifest means: where a tab may stand,
//! which text a comment may follow without a blank, how a block scalar finds its indentation,
//! which characters an anchor name may hold, what follows a document. The reader needs the
//! same answers, so this is a faithful port rather than a YAML 1.2 scanner with exceptions:
//! the same functions, the same order of checks, the same simple-key bookkeeping (including
//! go-yaml's `simple_keys_by_tok` map), and the same lazy reading of the input in 512-byte
//! chunks, so that a control character is refused exactly when go-yaml would have read it.
//! Positions are character-based (`index`, 0-based `line` and `column`), as in go-yaml.
//!
//! The tokenizer is derived from libyaml, Copyright (c) 2006 Kirill Simonov, under the MIT
//! license (as go-yaml v2's `scannerc.go` states): permission is granted to use, copy, modify
//! and distribute it provided this notice is kept; the software is provided "as is", without
//! warranty of any kind.

use std::collections::{HashMap, VecDeque};

/// A position in the text being scanned: 0-based character index, line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokenKind {
    StreamStart,
    StreamEnd,
    VersionDirective { major: u8, minor: u8 },
    TagDirective { handle: String, prefix: String },
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(String),
    Anchor(String),
    Tag { handle: String, suffix: String },
    Scalar { value: String, style: ScalarStyle },
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub kind: TokenKind,
    pub start: Mark,
    pub end: Mark,
}

/// A syntax error as go-yaml reports it: what was being read (and where it started), the
/// problem, and where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub context: Option<(&'static str, Mark)>,
    pub problem: String,
    pub mark: Mark,
}

type Scan<T = ()> = Result<T, SyntaxError>;

#[derive(Debug, Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// go-yaml's raw input buffer size: input is decoded (and checked) 512 bytes at a time.
const RAW_CHUNK: usize = 512;
const MAX_FLOW_LEVEL: usize = 10_000;
const MAX_INDENTS: usize = 10_000;

pub(super) struct Scanner {
    chars: Vec<char>,
    pos: usize,
    mark: Mark,
    // Reading emulation: how much of the input go-yaml would have decoded by now.
    byte_len: usize,
    raw_end: usize,
    decoded: usize,
    decoded_bytes: usize,

    stream_start_produced: bool,
    stream_end_produced: bool,
    flow_level: usize,
    tokens: VecDeque<Token>,
    tokens_parsed: usize,
    token_available: bool,
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    simple_keys_by_tok: HashMap<usize, usize>,
    error: Option<SyntaxError>,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_breakz(c: char) -> bool {
    is_break(c) || c == '\0'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Characters go-yaml's reader accepts; anything else is "control characters are not allowed".
fn is_allowed(c: char) -> bool {
    matches!(u32::from(c), 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

impl Scanner {
    pub(super) fn new(text: &str) -> Self {
        // The reader skips a UTF-8 byte order mark at the start of the input.
        let (bom, body) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => (3, rest),
            None => (0, text),
        };
        Scanner {
            chars: body.chars().collect(),
            pos: 0,
            mark: Mark::default(),
            byte_len: text.len(),
            raw_end: text.len().min(RAW_CHUNK),
            decoded: 0,
            decoded_bytes: bom,
            stream_start_produced: false,
            stream_end_produced: false,
            flow_level: 0,
            tokens: VecDeque::new(),
            tokens_parsed: 0,
            token_available: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            simple_keys_by_tok: HashMap::new(),
            error: None,
        }
    }

    // ------------------------------------------------------------------ reading

    /// The character `offset` places after the current one (`'\0'` past the end).
    fn at(&self, offset: usize) -> char {
        self.chars.get(self.pos + offset).copied().unwrap_or('\0')
    }

    fn ch(&self) -> char {
        self.at(0)
    }

    /// go-yaml's `cache`/`yaml_parser_update_buffer`: makes `length` characters available,
    /// decoding whole raw chunks and refusing control characters among them.
    fn cache(&mut self, length: usize) -> Scan {
        loop {
            while self.decoded < self.chars.len() {
                let c = self.chars[self.decoded];
                if self.decoded_bytes + c.len_utf8() > self.raw_end {
                    break;
                }
                if !is_allowed(c) {
                    return Err(SyntaxError {
                        context: None,
                        problem: format!(
                            "control characters are not allowed (found U+{:04X})",
                            u32::from(c)
                        ),
                        mark: self.mark_of(self.decoded),
                    });
                }
                self.decoded += 1;
                self.decoded_bytes += c.len_utf8();
            }
            if self.decoded >= self.pos + length || self.decoded == self.chars.len() {
                return Ok(());
            }
            let leftover = self.raw_end - self.decoded_bytes;
            self.raw_end = (self.raw_end + RAW_CHUNK - leftover).min(self.byte_len);
        }
    }

    /// The mark of character `index` (at or after the current position).
    fn mark_of(&self, index: usize) -> Mark {
        let mut mark = self.mark;
        let mut at = self.pos;
        while at < index {
            if is_break(self.chars[at])
                && !(self.chars[at] == '\r' && self.chars.get(at + 1) == Some(&'\n'))
            {
                mark.line += 1;
                mark.column = 0;
            } else {
                mark.column += 1;
            }
            mark.index += 1;
            at += 1;
        }
        mark
    }

    fn skip(&mut self) {
        self.mark.index += 1;
        self.mark.column += 1;
        self.pos += 1;
    }

    fn skip_line(&mut self) {
        if self.ch() == '\r' && self.at(1) == '\n' {
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += 2;
        } else if is_break(self.ch()) {
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += 1;
        }
    }

    fn read(&mut self, s: &mut String) {
        s.push(self.ch());
        self.skip();
    }

    fn read_line(&mut self, s: &mut String) {
        match self.ch() {
            '\r' if self.at(1) == '\n' => {
                s.push('\n');
                self.pos += 2;
                self.mark.index += 1;
            }
            '\r' | '\n' | '\u{85}' => {
                s.push('\n');
                self.pos += 1;
            }
            c @ ('\u{2028}' | '\u{2029}') => {
                s.push(c);
                self.pos += 1;
            }
            _ => return,
        }
        self.mark.index += 1;
        self.mark.column = 0;
        self.mark.line += 1;
    }

    fn error(&mut self, context: &'static str, context_mark: Mark, problem: &str) -> SyntaxError {
        let error = SyntaxError {
            context: (!context.is_empty()).then_some((context, context_mark)),
            problem: problem.to_owned(),
            mark: self.mark,
        };
        self.error = Some(error.clone());
        error
    }

    // ------------------------------------------------------------------ token queue

    /// The next token, without consuming it (`yaml_parser_scan`'s peek).
    pub(super) fn peek(&mut self) -> Scan<&Token> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if !self.token_available
            && let Err(error) = self.fetch_more_tokens()
        {
            self.error = Some(error.clone());
            return Err(error);
        }
        Ok(self.tokens.front().expect("a token is available"))
    }

    /// Consumes the token [`Scanner::peek`] returned.
    pub(super) fn skip_token(&mut self) {
        self.token_available = false;
        self.tokens_parsed += 1;
        if let Some(token) = self.tokens.pop_front() {
            self.stream_end_produced = token.kind == TokenKind::StreamEnd;
        }
    }

    fn insert_token(&mut self, at: Option<usize>, token: Token) {
        match at {
            Some(at) => self.tokens.insert(at, token),
            None => self.tokens.push_back(token),
        }
    }

    fn push(&mut self, kind: TokenKind, start: Mark, end: Mark) {
        self.tokens.push_back(Token { kind, start, end });
    }

    fn fetch_more_tokens(&mut self) -> Scan {
        loop {
            if !self.tokens.is_empty() {
                let Some(&index) = self.simple_keys_by_tok.get(&self.tokens_parsed) else {
                    break;
                };
                if !self.simple_key_is_valid(index)? {
                    break;
                }
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    fn fetch_next_token(&mut self) -> Scan {
        self.cache(1)?;
        if !self.stream_start_produced {
            self.fetch_stream_start();
            return Ok(());
        }
        self.scan_to_next_token()?;
        self.unroll_indent(self.mark.column as isize);
        self.cache(4)?;
        let c = self.ch();
        if c == '\0' {
            return self.fetch_stream_end();
        }
        let column0 = self.mark.column == 0;
        if column0 && c == '%' {
            return self.fetch_directive();
        }
        if column0 && c == '-' && self.at(1) == '-' && self.at(2) == '-' && is_blankz(self.at(3)) {
            return self.fetch_document_indicator(TokenKind::DocumentStart);
        }
        if column0 && c == '.' && self.at(1) == '.' && self.at(2) == '.' && is_blankz(self.at(3)) {
            return self.fetch_document_indicator(TokenKind::DocumentEnd);
        }
        match c {
            '[' => return self.fetch_flow_collection_start(TokenKind::FlowSequenceStart),
            '{' => return self.fetch_flow_collection_start(TokenKind::FlowMappingStart),
            ']' => return self.fetch_flow_collection_end(TokenKind::FlowSequenceEnd),
            '}' => return self.fetch_flow_collection_end(TokenKind::FlowMappingEnd),
            ',' => return self.fetch_flow_entry(),
            _ => {}
        }
        let next = self.at(1);
        if c == '-' && is_blankz(next) {
            return self.fetch_block_entry();
        }
        if c == '?' && (self.flow_level > 0 || is_blankz(next)) {
            return self.fetch_key();
        }
        if c == ':' && (self.flow_level > 0 || is_blankz(next)) {
            return self.fetch_value();
        }
        match c {
            '*' => return self.fetch_anchor(true),
            '&' => return self.fetch_anchor(false),
            '!' => return self.fetch_tag(),
            '|' if self.flow_level == 0 => return self.fetch_block_scalar(true),
            '>' if self.flow_level == 0 => return self.fetch_block_scalar(false),
            '\'' => return self.fetch_flow_scalar(true),
            '"' => return self.fetch_flow_scalar(false),
            _ => {}
        }
        let indicator = is_blankz(c)
            || matches!(
                c,
                '-' | '?'
                    | ':'
                    | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '#'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
            );
        if !indicator
            || (c == '-' && !is_blank(next))
            || (self.flow_level == 0 && (c == '?' || c == ':') && !is_blankz(next))
        {
            return self.fetch_plain_scalar();
        }
        let mark = self.mark;
        Err(self.error(
            "while scanning for the next token",
            mark,
            "found character that cannot start any token",
        ))
    }

    // ------------------------------------------------------------------ simple keys

    fn simple_key_is_valid(&mut self, index: usize) -> Scan<bool> {
        let key = self.simple_keys[index];
        if !key.possible {
            return Ok(false);
        }
        if key.mark.line < self.mark.line || key.mark.index + 1024 < self.mark.index {
            if key.required {
                return Err(self.error(
                    "while scanning a simple key",
                    key.mark,
                    "could not find expected ':'",
                ));
            }
            self.simple_keys[index].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    fn save_simple_key(&mut self) -> Scan {
        let required = self.flow_level == 0 && self.indent == self.mark.column as isize;
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let last = self.simple_keys.len() - 1;
            self.simple_keys[last] = key;
            self.simple_keys_by_tok.insert(key.token_number, last);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Scan {
        let last = self.simple_keys.len() - 1;
        let key = self.simple_keys[last];
        if key.possible {
            if key.required {
                return Err(self.error(
                    "while scanning a simple key",
                    key.mark,
                    "could not find expected ':'",
                ));
            }
            self.simple_keys[last].possible = false;
            self.simple_keys_by_tok.remove(&key.token_number);
        }
        Ok(())
    }

    fn increase_flow_level(&mut self) -> Scan {
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + self.tokens.len(),
            mark: self.mark,
        });
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            let mark = self.mark;
            return Err(self.error(
                "while increasing flow level",
                mark,
                &format!("exceeded max depth of {MAX_FLOW_LEVEL}"),
            ));
        }
        Ok(())
    }

    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(key) = self.simple_keys.pop() {
                self.simple_keys_by_tok.remove(&key.token_number);
            }
        }
    }

    fn roll_indent(
        &mut self,
        column: isize,
        number: Option<usize>,
        kind: TokenKind,
        mark: Mark,
    ) -> Scan {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            if self.indents.len() > MAX_INDENTS {
                let context_mark = self
                    .simple_keys
                    .last()
                    .map(|key| key.mark)
                    .unwrap_or_default();
                return Err(self.error(
                    "while increasing indent level",
                    context_mark,
                    &format!("exceeded max depth of {MAX_INDENTS}"),
                ));
            }
            let token = Token {
                kind,
                start: mark,
                end: mark,
            };
            self.insert_token(number.map(|number| number - self.tokens_parsed), token);
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(TokenKind::BlockEnd, self.mark, self.mark);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // ------------------------------------------------------------------ fetchers

    fn fetch_stream_start(&mut self) {
        self.indent = -1;
        self.simple_keys.push(SimpleKey::default());
        self.simple_keys_by_tok.clear();
        self.simple_key_allowed = true;
        self.stream_start_produced = true;
        self.push(TokenKind::StreamStart, self.mark, self.mark);
    }

    fn fetch_stream_end(&mut self) -> Scan {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.push(TokenKind::StreamEnd, self.mark, self.mark);
        Ok(())
    }

    fn fetch_directive(&mut self) -> Scan {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_directive()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, kind: TokenKind) -> Scan {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.push(kind, start, self.mark);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: TokenKind) -> Scan {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(kind, start, self.mark);
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, kind: TokenKind) -> Scan {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.push(kind, start, self.mark);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Scan {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(TokenKind::FlowEntry, start, self.mark);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Scan {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                let mark = self.mark;
                return Err(self.error(
                    "",
                    mark,
                    "block sequence entries are not allowed in this context",
                ));
            }
            let mark = self.mark;
            self.roll_indent(
                mark.column as isize,
                None,
                TokenKind::BlockSequenceStart,
                mark,
            )?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push(TokenKind::BlockEntry, start, self.mark);
        Ok(())
    }

    fn fetch_key(&mut self) -> Scan {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                let mark = self.mark;
                return Err(self.error("", mark, "mapping keys are not allowed in this context"));
            }
            let mark = self.mark;
            self.roll_indent(
                mark.column as isize,
                None,
                TokenKind::BlockMappingStart,
                mark,
            )?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        let start = self.mark;
        self.skip();
        self.push(TokenKind::Key, start, self.mark);
        Ok(())
    }

    fn fetch_value(&mut self) -> Scan {
        let last = self.simple_keys.len() - 1;
        if self.simple_key_is_valid(last)? {
            let key = self.simple_keys[last];
            let token = Token {
                kind: TokenKind::Key,
                start: key.mark,
                end: key.mark,
            };
            self.insert_token(Some(key.token_number - self.tokens_parsed), token);
            self.roll_indent(
                key.mark.column as isize,
                Some(key.token_number),
                TokenKind::BlockMappingStart,
                key.mark,
            )?;
            self.simple_keys[last].possible = false;
            self.simple_keys_by_tok.remove(&key.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    let mark = self.mark;
                    return Err(self.error(
                        "",
                        mark,
                        "mapping values are not allowed in this context",
                    ));
                }
                let mark = self.mark;
                self.roll_indent(
                    mark.column as isize,
                    None,
                    TokenKind::BlockMappingStart,
                    mark,
                )?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        let start = self.mark;
        self.skip();
        self.push(TokenKind::Value, start, self.mark);
        Ok(())
    }

    fn fetch_anchor(&mut self, alias: bool) -> Scan {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_anchor(alias)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Scan {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_tag()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> Scan {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let token = self.scan_block_scalar(literal)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, single: bool) -> Scan {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_flow_scalar(single)?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_plain_scalar(&mut self) -> Scan {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_plain_scalar()?;
        self.tokens.push_back(token);
        Ok(())
    }

    // ------------------------------------------------------------------ scanners

    fn scan_to_next_token(&mut self) -> Scan {
        loop {
            self.cache(1)?;
            // go-yaml looks for a byte order mark at the start of its buffer; in practice,
            // at the start of the text.
            if self.mark.column == 0 && self.pos == 0 && self.ch() == '\u{FEFF}' {
                self.skip();
            }
            self.cache(1)?;
            while self.ch() == ' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.ch() == '\t')
            {
                self.skip();
                self.cache(1)?;
            }
            if self.ch() == '#' {
                while !is_breakz(self.ch()) {
                    self.skip();
                    self.cache(1)?;
                }
            }
            if is_break(self.ch()) {
                self.cache(2)?;
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                return Ok(());
            }
        }
    }

    /// Blanks, then an optional comment, then a line break or the end; consumes the break.
    fn scan_line_end(&mut self, context: &'static str, start: Mark, problem: &str) -> Scan {
        self.cache(1)?;
        while is_blank(self.ch()) {
            self.skip();
            self.cache(1)?;
        }
        if self.ch() == '#' {
            while !is_breakz(self.ch()) {
                self.skip();
                self.cache(1)?;
            }
        }
        if !is_breakz(self.ch()) {
            return Err(self.error(context, start, problem));
        }
        if is_break(self.ch()) {
            self.cache(2)?;
            self.skip_line();
        }
        Ok(())
    }

    fn scan_directive(&mut self) -> Scan<Token> {
        let start = self.mark;
        self.skip();
        let name = self.scan_directive_name(start)?;
        let kind = match name.as_str() {
            "YAML" => {
                let (major, minor) = self.scan_version_directive_value(start)?;
                TokenKind::VersionDirective { major, minor }
            }
            "TAG" => {
                let (handle, prefix) = self.scan_tag_directive_value(start)?;
                TokenKind::TagDirective { handle, prefix }
            }
            _ => {
                return Err(self.error(
                    "while scanning a directive",
                    start,
                    "found unknown directive name",
                ));
            }
        };
        let end = self.mark;
        self.scan_line_end(
            "while scanning a directive",
            start,
            "did not find expected comment or line break",
        )?;
        Ok(Token { kind, start, end })
    }

    fn scan_directive_name(&mut self, start: Mark) -> Scan<String> {
        self.cache(1)?;
        let mut s = String::new();
        while is_alpha(self.ch()) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if s.is_empty() {
            return Err(self.error(
                "while scanning a directive",
                start,
                "could not find expected directive name",
            ));
        }
        if !is_blankz(self.ch()) {
            return Err(self.error(
                "while scanning a directive",
                start,
                "found unexpected non-alphabetical character",
            ));
        }
        Ok(s)
    }

    fn scan_version_directive_value(&mut self, start: Mark) -> Scan<(u8, u8)> {
        self.cache(1)?;
        while is_blank(self.ch()) {
            self.skip();
            self.cache(1)?;
        }
        let major = self.scan_version_directive_number(start)?;
        if self.ch() != '.' {
            return Err(self.error(
                "while scanning a %YAML directive",
                start,
                "did not find expected digit or '.' character",
            ));
        }
        self.skip();
        let minor = self.scan_version_directive_number(start)?;
        Ok((major, minor))
    }

    fn scan_version_directive_number(&mut self, start: Mark) -> Scan<u8> {
        self.cache(1)?;
        let mut value: u8 = 0;
        let mut length = 0;
        while let Some(digit) = self.ch().to_digit(10) {
            length += 1;
            if length > 2 {
                return Err(self.error(
                    "while scanning a %YAML directive",
                    start,
                    "found extremely long version number",
                ));
            }
            value = value * 10 + digit as u8;
            self.skip();
            self.cache(1)?;
        }
        if length == 0 {
            return Err(self.error(
                "while scanning a %YAML directive",
                start,
                "did not find expected version number",
            ));
        }
        Ok(value)
    }

    fn scan_tag_directive_value(&mut self, start: Mark) -> Scan<(String, String)> {
        self.cache(1)?;
        while is_blank(self.ch()) {
            self.skip();
            self.cache(1)?;
        }
        let handle = self.scan_tag_handle(true, start)?;
        self.cache(1)?;
        if !is_blank(self.ch()) {
            return Err(self.error(
                "while scanning a %TAG directive",
                start,
                "did not find expected whitespace",
            ));
        }
        while is_blank(self.ch()) {
            self.skip();
            self.cache(1)?;
        }
        let prefix = self.scan_tag_uri(true, "", start)?;
        self.cache(1)?;
        if !is_blankz(self.ch()) {
            return Err(self.error(
                "while scanning a %TAG directive",
                start,
                "did not find expected whitespace or line break",
            ));
        }
        Ok((handle, prefix))
    }

    fn scan_anchor(&mut self, alias: bool) -> Scan<Token> {
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut s = String::new();
        while is_alpha(self.ch()) {
            self.read(&mut s);
            self.cache(1)?;
        }
        let end = self.mark;
        let c = self.ch();
        if s.is_empty()
            || !(is_blankz(c) || matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'))
        {
            let context = if alias {
                "while scanning an alias"
            } else {
                "while scanning an anchor"
            };
            return Err(self.error(
                context,
                start,
                "did not find expected alphabetic or numeric character",
            ));
        }
        let kind = if alias {
            TokenKind::Alias(s)
        } else {
            TokenKind::Anchor(s)
        };
        Ok(Token { kind, start, end })
    }

    fn scan_tag(&mut self) -> Scan<Token> {
        let start = self.mark;
        self.cache(2)?;
        let (handle, suffix);
        if self.at(1) == '<' {
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri(false, "", start)?;
            if self.ch() != '>' {
                return Err(self.error(
                    "while scanning a tag",
                    start,
                    "did not find the expected '>'",
                ));
            }
            self.skip();
            handle = String::new();
        } else {
            let scanned = self.scan_tag_handle(false, start)?;
            if scanned.len() > 1 && scanned.starts_with('!') && scanned.ends_with('!') {
                handle = scanned;
                suffix = self.scan_tag_uri(false, "", start)?;
            } else {
                let uri = self.scan_tag_uri(false, &scanned, start)?;
                if uri.is_empty() {
                    handle = String::new();
                    suffix = "!".to_owned();
                } else {
                    handle = "!".to_owned();
                    suffix = uri;
                }
            }
        }
        self.cache(1)?;
        if !is_blankz(self.ch()) {
            return Err(self.error(
                "while scanning a tag",
                start,
                "did not find expected whitespace or line break",
            ));
        }
        Ok(Token {
            kind: TokenKind::Tag { handle, suffix },
            start,
            end: self.mark,
        })
    }

    fn tag_context(directive: bool) -> &'static str {
        if directive {
            "while parsing a %TAG directive"
        } else {
            "while parsing a tag"
        }
    }

    fn scan_tag_handle(&mut self, directive: bool, start: Mark) -> Scan<String> {
        self.cache(1)?;
        if self.ch() != '!' {
            return Err(self.error(
                Self::tag_context(directive),
                start,
                "did not find expected '!'",
            ));
        }
        let mut s = String::new();
        self.read(&mut s);
        self.cache(1)?;
        while is_alpha(self.ch()) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if self.ch() == '!' {
            self.read(&mut s);
        } else if directive && s != "!" {
            return Err(self.error(
                Self::tag_context(directive),
                start,
                "did not find expected '!'",
            ));
        }
        Ok(s)
    }

    /// A tag URI; `head` is the handle scanned before it (its `!` dropped), which counts as
    /// part of the tag.
    fn scan_tag_uri(&mut self, directive: bool, head: &str, start: Mark) -> Scan<String> {
        let mut bytes: Vec<u8> = Vec::new();
        let mut has_tag = !head.is_empty();
        if head.len() > 1 {
            bytes.extend_from_slice(&head.as_bytes()[1..]);
        }
        self.cache(1)?;
        loop {
            let c = self.ch();
            let uri_char = is_alpha(c)
                || matches!(
                    c,
                    ';' | '/'
                        | '?'
                        | ':'
                        | '@'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '%'
                );
            if !uri_char {
                break;
            }
            if c == '%' {
                self.scan_uri_escapes(directive, start, &mut bytes)?;
            } else {
                let mut s = String::new();
                self.read(&mut s);
                bytes.extend_from_slice(s.as_bytes());
            }
            self.cache(1)?;
            has_tag = true;
        }
        if !has_tag {
            return Err(self.error(
                Self::tag_context(directive),
                start,
                "did not find expected tag URI",
            ));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn scan_uri_escapes(&mut self, directive: bool, start: Mark, bytes: &mut Vec<u8>) -> Scan {
        let mut width = 1024;
        while width > 0 {
            self.cache(3)?;
            let (Some(high), Some(low)) = (self.at(1).to_digit(16), self.at(2).to_digit(16)) else {
                return Err(self.error(
                    Self::tag_context(directive),
                    start,
                    "did not find URI escaped octet",
                ));
            };
            if self.ch() != '%' {
                return Err(self.error(
                    Self::tag_context(directive),
                    start,
                    "did not find URI escaped octet",
                ));
            }
            let octet = (high * 16 + low) as u8;
            if width == 1024 {
                width = match octet {
                    0x00..=0x7F => 1,
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xF7 => 4,
                    _ => 0,
                };
                if width == 0 {
                    return Err(self.error(
                        Self::tag_context(directive),
                        start,
                        "found an incorrect leading UTF-8 octet",
                    ));
                }
            } else if octet & 0xC0 != 0x80 {
                return Err(self.error(
                    Self::tag_context(directive),
                    start,
                    "found an incorrect trailing UTF-8 octet",
                ));
            }
            bytes.push(octet);
            self.skip();
            self.skip();
            self.skip();
            width -= 1;
        }
        Ok(())
    }

    fn scan_block_scalar(&mut self, literal: bool) -> Scan<Token> {
        const CONTEXT: &str = "while scanning a block scalar";
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut chomping = 0i8;
        let mut increment = 0usize;
        if matches!(self.ch(), '+' | '-') {
            chomping = if self.ch() == '+' { 1 } else { -1 };
            self.skip();
            self.cache(1)?;
            if let Some(digit) = self.ch().to_digit(10) {
                if digit == 0 {
                    return Err(self.error(
                        CONTEXT,
                        start,
                        "found an indentation indicator equal to 0",
                    ));
                }
                increment = digit as usize;
                self.skip();
            }
        } else if let Some(digit) = self.ch().to_digit(10) {
            if digit == 0 {
                return Err(self.error(
                    CONTEXT,
                    start,
                    "found an indentation indicator equal to 0",
                ));
            }
            increment = digit as usize;
            self.skip();
            self.cache(1)?;
            if matches!(self.ch(), '+' | '-') {
                chomping = if self.ch() == '+' { 1 } else { -1 };
                self.skip();
            }
        }
        self.scan_line_end(
            CONTEXT,
            start,
            "did not find expected comment or line break",
        )?;
        let mut end = self.mark;
        let mut indent = 0usize;
        if increment > 0 {
            indent = if self.indent >= 0 {
                self.indent as usize + increment
            } else {
                increment
            };
        }
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        self.cache(1)?;
        let mut leading_blank = false;
        while self.mark.column == indent && self.ch() != '\0' {
            let trailing_blank = is_blank(self.ch());
            if !literal && !leading_blank && !trailing_blank && leading_break.starts_with('\n') {
                if trailing_breaks.is_empty() {
                    s.push(' ');
                }
            } else {
                s.push_str(&leading_break);
            }
            leading_break.clear();
            s.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.ch());
            while !is_breakz(self.ch()) {
                self.read(&mut s);
                self.cache(1)?;
            }
            self.cache(2)?;
            self.read_line(&mut leading_break);
            self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        }
        if chomping != -1 {
            s.push_str(&leading_break);
        }
        if chomping == 1 {
            s.push_str(&trailing_breaks);
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Ok(Token {
            kind: TokenKind::Scalar { value: s, style },
            start,
            end,
        })
    }

    fn scan_block_scalar_breaks(
        &mut self,
        indent: &mut usize,
        breaks: &mut String,
        start: Mark,
        end: &mut Mark,
    ) -> Scan {
        *end = self.mark;
        let mut max_indent = 0;
        loop {
            self.cache(1)?;
            while (*indent == 0 || self.mark.column < *indent) && self.ch() == ' ' {
                self.skip();
                self.cache(1)?;
            }
            max_indent = max_indent.max(self.mark.column);
            if (*indent == 0 || self.mark.column < *indent) && self.ch() == '\t' {
                return Err(self.error(
                    "while scanning a block scalar",
                    start,
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !is_break(self.ch()) {
                break;
            }
            self.cache(2)?;
            self.read_line(breaks);
            *end = self.mark;
        }
        if *indent == 0 {
            *indent = max_indent.max((self.indent + 1).max(0) as usize).max(1);
        }
        Ok(())
    }

    fn scan_flow_scalar(&mut self, single: bool) -> Scan<Token> {
        let start = self.mark;
        self.skip();
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut whitespaces = String::new();
        loop {
            self.cache(4)?;
            if self.mark.column == 0
                && ((self.ch() == '-' && self.at(1) == '-' && self.at(2) == '-')
                    || (self.ch() == '.' && self.at(1) == '.' && self.at(2) == '.'))
                && is_blankz(self.at(3))
            {
                return Err(self.error(
                    "while scanning a quoted scalar",
                    start,
                    "found unexpected document indicator",
                ));
            }
            if self.ch() == '\0' {
                return Err(self.error(
                    "while scanning a quoted scalar",
                    start,
                    "found unexpected end of stream",
                ));
            }
            let mut leading_blanks = false;
            while !is_blankz(self.ch()) {
                let c = self.ch();
                if single && c == '\'' && self.at(1) == '\'' {
                    s.push('\'');
                    self.skip();
                    self.skip();
                } else if (single && c == '\'') || (!single && c == '"') {
                    break;
                } else if !single && c == '\\' && is_break(self.at(1)) {
                    self.cache(3)?;
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    let mut code_length = 0;
                    match self.at(1) {
                        '0' => s.push('\0'),
                        'a' => s.push('\x07'),
                        'b' => s.push('\x08'),
                        't' | '\t' => s.push('\t'),
                        'n' => s.push('\n'),
                        'v' => s.push('\x0B'),
                        'f' => s.push('\x0C'),
                        'r' => s.push('\r'),
                        'e' => s.push('\x1B'),
                        ' ' => s.push(' '),
                        '"' => s.push('"'),
                        '\'' => s.push('\''),
                        '\\' => s.push('\\'),
                        'N' => s.push('\u{85}'),
                        '_' => s.push('\u{A0}'),
                        'L' => s.push('\u{2028}'),
                        'P' => s.push('\u{2029}'),
                        'x' => code_length = 2,
                        'u' => code_length = 4,
                        'U' => code_length = 8,
                        _ => {
                            return Err(self.error(
                                "while parsing a quoted scalar",
                                start,
                                "found unknown escape character",
                            ));
                        }
                    }
                    self.skip();
                    self.skip();
                    if code_length > 0 {
                        self.cache(code_length)?;
                        let mut value: u32 = 0;
                        for k in 0..code_length {
                            let Some(digit) = self.at(k).to_digit(16) else {
                                return Err(self.error(
                                    "while parsing a quoted scalar",
                                    start,
                                    "did not find expected hexdecimal number",
                                ));
                            };
                            value = (value << 4) + digit;
                        }
                        let Some(decoded) = char::from_u32(value) else {
                            return Err(self.error(
                                "while parsing a quoted scalar",
                                start,
                                "found invalid Unicode character escape code",
                            ));
                        };
                        s.push(decoded);
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    self.read(&mut s);
                }
                self.cache(2)?;
            }
            self.cache(1)?;
            if (single && self.ch() == '\'') || (!single && self.ch() == '"') {
                break;
            }
            while is_blank(self.ch()) || is_break(self.ch()) {
                if is_blank(self.ch()) {
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else {
                    self.cache(2)?;
                    if leading_blanks {
                        self.read_line(&mut trailing_breaks);
                    } else {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    }
                }
                self.cache(1)?;
            }
            if leading_blanks {
                if leading_break.starts_with('\n') {
                    if trailing_breaks.is_empty() {
                        s.push(' ');
                    } else {
                        s.push_str(&trailing_breaks);
                    }
                } else {
                    s.push_str(&leading_break);
                    s.push_str(&trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.push_str(&whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Ok(Token {
            kind: TokenKind::Scalar { value: s, style },
            start,
            end: self.mark,
        })
    }

    fn scan_plain_scalar(&mut self) -> Scan<Token> {
        let mut s = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut whitespaces = String::new();
        let mut leading_blanks = false;
        let indent = self.indent + 1;
        let start = self.mark;
        let mut end = self.mark;
        loop {
            self.cache(4)?;
            if self.mark.column == 0
                && ((self.ch() == '-' && self.at(1) == '-' && self.at(2) == '-')
                    || (self.ch() == '.' && self.at(1) == '.' && self.at(2) == '.'))
                && is_blankz(self.at(3))
            {
                break;
            }
            if self.ch() == '#' {
                break;
            }
            while !is_blankz(self.ch()) {
                let c = self.ch();
                if (c == ':' && is_blankz(self.at(1)))
                    || (self.flow_level > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                if leading_blanks || !whitespaces.is_empty() {
                    if leading_blanks {
                        if leading_break.starts_with('\n') {
                            if trailing_breaks.is_empty() {
                                s.push(' ');
                            } else {
                                s.push_str(&trailing_breaks);
                            }
                        } else {
                            s.push_str(&leading_break);
                            s.push_str(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        s.push_str(&whitespaces);
                        whitespaces.clear();
                    }
                }
                self.read(&mut s);
                end = self.mark;
                self.cache(2)?;
            }
            if !(is_blank(self.ch()) || is_break(self.ch())) {
                break;
            }
            self.cache(1)?;
            while is_blank(self.ch()) || is_break(self.ch()) {
                if is_blank(self.ch()) {
                    if leading_blanks && (self.mark.column as isize) < indent && self.ch() == '\t' {
                        return Err(self.error(
                            "while scanning a plain scalar",
                            start,
                            "found a tab character that violates indentation",
                        ));
                    }
                    if leading_blanks {
                        self.skip();
                    } else {
                        self.read(&mut whitespaces);
                    }
                } else {
                    self.cache(2)?;
                    if leading_blanks {
                        self.read_line(&mut trailing_breaks);
                    } else {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    }
                }
                self.cache(1)?;
            }
            if self.flow_level == 0 && (self.mark.column as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(Token {
            kind: TokenKind::Scalar {
                value: s,
                style: ScalarStyle::Plain,
            },
            start,
            end,
        })
    }
}
