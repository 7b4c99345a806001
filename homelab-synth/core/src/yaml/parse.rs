//! The parser of go-yaml v2 (`parserc.go`), ported to Rust: tokens from [`scan`](super::scan)
//! to events (document, sequence and mapping starts and ends, scalars, aliases), with the
//! same grammar, the same `%YAML`/`%TAG` handling and the same errors.
//!
//! Like the scanner it is derived from libyaml, Copyright (c) 2006 Kirill Simonov, under the
//! MIT license (as go-yaml v2's `parserc.go` states): permission is granted to use, copy,
//! modify and distribute it provided this notice is kept; the software is provided "as is",
//! without warranty of any kind.

use super::scan::{Mark, ScalarStyle, Scanner, SyntaxError, TokenKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum EventKind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        anchor: Option<String>,
        /// The resolved tag (`tag:yaml.org,2002:int`, `!`, `!local`), empty when none.
        tag: String,
        value: String,
        style: ScalarStyle,
        /// go-yaml's `implicit`: untagged and plain, or tagged with the non-specific `!`.
        plain_implicit: bool,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: String,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: String,
    },
    MappingEnd,
}

#[derive(Debug, Clone)]
pub(super) struct Event {
    pub kind: EventKind,
    pub start: Mark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

type Parse<T = Event> = Result<T, SyntaxError>;

pub(super) struct Parser {
    scanner: Scanner,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    tag_directives: Vec<(String, String)>,
}

const DEFAULT_TAG_DIRECTIVES: [(&str, &str); 2] = [("!", "!"), ("!!", "tag:yaml.org,2002:")];

fn error(problem: &str, mark: Mark) -> SyntaxError {
    SyntaxError {
        context: None,
        problem: problem.to_owned(),
        mark,
    }
}

fn error_in(context: &'static str, context_mark: Mark, problem: &str, mark: Mark) -> SyntaxError {
    SyntaxError {
        context: Some((context, context_mark)),
        problem: problem.to_owned(),
        mark,
    }
}

impl Parser {
    pub(super) fn new(text: &str) -> Self {
        Parser {
            scanner: Scanner::new(text),
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_directives: Vec::new(),
        }
    }

    /// The next event. After the stream's end, it keeps returning [`EventKind::StreamEnd`].
    pub(super) fn next_event(&mut self) -> Parse {
        if self.state == State::End {
            return Ok(Event {
                kind: EventKind::StreamEnd,
                start: Mark::default(),
            });
        }
        match self.state {
            State::StreamStart => self.parse_stream_start(),
            State::ImplicitDocumentStart => self.parse_document_start(true),
            State::DocumentStart => self.parse_document_start(false),
            State::DocumentContent => self.parse_document_content(),
            State::DocumentEnd => self.parse_document_end(),
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => self.parse_block_sequence_entry(true),
            State::BlockSequenceEntry => self.parse_block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.parse_indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.parse_block_mapping_key(true),
            State::BlockMappingKey => self.parse_block_mapping_key(false),
            State::BlockMappingValue => self.parse_block_mapping_value(),
            State::FlowSequenceFirstEntry => self.parse_flow_sequence_entry(true),
            State::FlowSequenceEntry => self.parse_flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.parse_flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.parse_flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => self.parse_flow_sequence_entry_mapping_end(),
            State::FlowMappingFirstKey => self.parse_flow_mapping_key(true),
            State::FlowMappingKey => self.parse_flow_mapping_key(false),
            State::FlowMappingValue => self.parse_flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.parse_flow_mapping_value(true),
            State::End => unreachable!("handled above"),
        }
    }

    fn peek(&mut self) -> Parse<(TokenKind, Mark, Mark)> {
        let token = self.scanner.peek()?;
        Ok((token.kind.clone(), token.start, token.end))
    }

    fn skip(&mut self) {
        self.scanner.skip_token();
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn event(kind: EventKind, start: Mark) -> Parse {
        Ok(Event { kind, start })
    }

    fn empty_scalar(mark: Mark) -> Parse {
        Self::event(
            EventKind::Scalar {
                anchor: None,
                tag: String::new(),
                value: String::new(),
                style: ScalarStyle::Plain,
                plain_implicit: true,
            },
            mark,
        )
    }

    fn parse_stream_start(&mut self) -> Parse {
        let (kind, start, _) = self.peek()?;
        if kind != TokenKind::StreamStart {
            return Err(error("did not find expected <stream-start>", start));
        }
        self.state = State::ImplicitDocumentStart;
        self.skip();
        Self::event(EventKind::StreamStart, start)
    }

    fn parse_document_start(&mut self, implicit: bool) -> Parse {
        let (mut kind, mut start, _) = self.peek()?;
        if !implicit {
            while kind == TokenKind::DocumentEnd {
                self.skip();
                (kind, start, _) = self.peek()?;
            }
        }
        let directive = matches!(
            kind,
            TokenKind::VersionDirective { .. } | TokenKind::TagDirective { .. }
        );
        if implicit
            && !directive
            && kind != TokenKind::DocumentStart
            && kind != TokenKind::StreamEnd
        {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Self::event(EventKind::DocumentStart, start);
        }
        if kind != TokenKind::StreamEnd {
            self.process_directives()?;
            let (kind, mark, _) = self.peek()?;
            if kind != TokenKind::DocumentStart {
                return Err(error("did not find expected <document start>", mark));
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.skip();
            return Self::event(EventKind::DocumentStart, start);
        }
        self.state = State::End;
        self.skip();
        Self::event(EventKind::StreamEnd, start)
    }

    fn parse_document_content(&mut self) -> Parse {
        let (kind, start, _) = self.peek()?;
        if matches!(
            kind,
            TokenKind::VersionDirective { .. }
                | TokenKind::TagDirective { .. }
                | TokenKind::DocumentStart
                | TokenKind::DocumentEnd
                | TokenKind::StreamEnd
        ) {
            self.pop_state();
            return Self::empty_scalar(start);
        }
        self.parse_node(true, false)
    }

    fn parse_document_end(&mut self) -> Parse {
        let (kind, start, _) = self.peek()?;
        if kind == TokenKind::DocumentEnd {
            self.skip();
        }
        self.tag_directives.clear();
        self.state = State::DocumentStart;
        Self::event(EventKind::DocumentEnd, start)
    }

    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> Parse {
        let (mut kind, mut mark, _) = self.peek()?;
        if let TokenKind::Alias(name) = kind {
            self.pop_state();
            self.skip();
            return Self::event(EventKind::Alias(name), mark);
        }
        let start = mark;
        let mut anchor = None;
        let mut tag_token = None;
        let mut tag_mark = mark;
        match kind {
            TokenKind::Anchor(name) => {
                anchor = Some(name);
                self.skip();
                (kind, mark, _) = self.peek()?;
                if let TokenKind::Tag { handle, suffix } = kind {
                    tag_token = Some((handle, suffix));
                    tag_mark = mark;
                    self.skip();
                    (kind, mark, _) = self.peek()?;
                }
            }
            TokenKind::Tag { handle, suffix } => {
                tag_token = Some((handle, suffix));
                tag_mark = mark;
                self.skip();
                (kind, mark, _) = self.peek()?;
                if let TokenKind::Anchor(name) = kind {
                    anchor = Some(name);
                    self.skip();
                    (kind, mark, _) = self.peek()?;
                }
            }
            _ => {}
        }
        let mut tag = String::new();
        if let Some((handle, suffix)) = tag_token {
            if handle.is_empty() {
                tag = suffix;
            } else {
                match self.tag_directives.iter().find(|(h, _)| *h == handle) {
                    Some((_, prefix)) => tag = format!("{prefix}{suffix}"),
                    None => {
                        return Err(error_in(
                            "while parsing a node",
                            start,
                            "found undefined tag handle",
                            tag_mark,
                        ));
                    }
                }
                if tag.is_empty() {
                    return Err(error_in(
                        "while parsing a node",
                        start,
                        "found undefined tag handle",
                        tag_mark,
                    ));
                }
            }
        }
        if indentless_sequence && kind == TokenKind::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Self::event(EventKind::SequenceStart { anchor, tag }, start);
        }
        match kind {
            TokenKind::Scalar { value, style } => {
                let plain_implicit = (tag.is_empty() && style == ScalarStyle::Plain) || tag == "!";
                self.pop_state();
                self.skip();
                Self::event(
                    EventKind::Scalar {
                        anchor,
                        tag,
                        value,
                        style,
                        plain_implicit,
                    },
                    start,
                )
            }
            TokenKind::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Self::event(EventKind::SequenceStart { anchor, tag }, start)
            }
            TokenKind::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Self::event(EventKind::MappingStart { anchor, tag }, start)
            }
            TokenKind::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Self::event(EventKind::SequenceStart { anchor, tag }, start)
            }
            TokenKind::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Self::event(EventKind::MappingStart { anchor, tag }, start)
            }
            _ if anchor.is_some() || !tag.is_empty() => {
                self.pop_state();
                let plain_implicit = tag.is_empty();
                Self::event(
                    EventKind::Scalar {
                        anchor,
                        tag,
                        value: String::new(),
                        style: ScalarStyle::Plain,
                        plain_implicit,
                    },
                    start,
                )
            }
            _ => Err(error_in(
                if block {
                    "while parsing a block node"
                } else {
                    "while parsing a flow node"
                },
                start,
                "did not find expected node content",
                mark,
            )),
        }
    }

    /// Remembers where a collection starts (for errors) and skips its start token.
    fn enter_collection(&mut self) -> Parse<()> {
        let (_, start, _) = self.peek()?;
        self.marks.push(start);
        self.skip();
        Ok(())
    }

    fn collection_error(
        &mut self,
        context: &'static str,
        problem: &str,
        mark: Mark,
    ) -> SyntaxError {
        let context_mark = self.marks.pop().unwrap_or_default();
        error_in(context, context_mark, problem, mark)
    }

    fn parse_block_sequence_entry(&mut self, first: bool) -> Parse {
        if first {
            self.enter_collection()?;
        }
        let (kind, start, end) = self.peek()?;
        if kind == TokenKind::BlockEntry {
            self.skip();
            let (next, _, _) = self.peek()?;
            if next != TokenKind::BlockEntry && next != TokenKind::BlockEnd {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Self::empty_scalar(end);
        }
        if kind == TokenKind::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip();
            return Self::event(EventKind::SequenceEnd, start);
        }
        Err(self.collection_error(
            "while parsing a block collection",
            "did not find expected '-' indicator",
            start,
        ))
    }

    fn parse_indentless_sequence_entry(&mut self) -> Parse {
        let (kind, start, end) = self.peek()?;
        if kind == TokenKind::BlockEntry {
            self.skip();
            let (next, _, _) = self.peek()?;
            if !matches!(
                next,
                TokenKind::BlockEntry | TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
            ) {
                self.states.push(State::IndentlessSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Self::empty_scalar(end);
        }
        self.pop_state();
        Self::event(EventKind::SequenceEnd, start)
    }

    fn parse_block_mapping_key(&mut self, first: bool) -> Parse {
        if first {
            self.enter_collection()?;
        }
        let (kind, start, end) = self.peek()?;
        if kind == TokenKind::Key {
            self.skip();
            let (next, _, _) = self.peek()?;
            if !matches!(
                next,
                TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
            ) {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Self::empty_scalar(end);
        }
        if kind == TokenKind::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip();
            return Self::event(EventKind::MappingEnd, start);
        }
        Err(self.collection_error(
            "while parsing a block mapping",
            "did not find expected key",
            start,
        ))
    }

    fn parse_block_mapping_value(&mut self) -> Parse {
        let (kind, start, end) = self.peek()?;
        if kind == TokenKind::Value {
            self.skip();
            let (next, _, _) = self.peek()?;
            if !matches!(
                next,
                TokenKind::Key | TokenKind::Value | TokenKind::BlockEnd
            ) {
                self.states.push(State::BlockMappingKey);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Self::empty_scalar(end);
        }
        self.state = State::BlockMappingKey;
        Self::empty_scalar(start)
    }

    fn parse_flow_sequence_entry(&mut self, first: bool) -> Parse {
        if first {
            self.enter_collection()?;
        }
        let (mut kind, mut start, _) = self.peek()?;
        if kind != TokenKind::FlowSequenceEnd {
            if !first {
                if kind == TokenKind::FlowEntry {
                    self.skip();
                    (kind, start, _) = self.peek()?;
                } else {
                    return Err(self.collection_error(
                        "while parsing a flow sequence",
                        "did not find expected ',' or ']'",
                        start,
                    ));
                }
            }
            if kind == TokenKind::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                self.skip();
                return Self::event(
                    EventKind::MappingStart {
                        anchor: None,
                        tag: String::new(),
                    },
                    start,
                );
            }
            if kind != TokenKind::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Self::event(EventKind::SequenceEnd, start)
    }

    fn parse_flow_sequence_entry_mapping_key(&mut self) -> Parse {
        let (kind, _, end) = self.peek()?;
        if !matches!(
            kind,
            TokenKind::Value | TokenKind::FlowEntry | TokenKind::FlowSequenceEnd
        ) {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.parse_node(false, false);
        }
        self.skip();
        self.state = State::FlowSequenceEntryMappingValue;
        Self::empty_scalar(end)
    }

    fn parse_flow_sequence_entry_mapping_value(&mut self) -> Parse {
        let (kind, mut start, _) = self.peek()?;
        if kind == TokenKind::Value {
            self.skip();
            let next;
            (next, start, _) = self.peek()?;
            if next != TokenKind::FlowEntry && next != TokenKind::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.parse_node(false, false);
            }
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        Self::empty_scalar(start)
    }

    fn parse_flow_sequence_entry_mapping_end(&mut self) -> Parse {
        let (_, start, _) = self.peek()?;
        self.state = State::FlowSequenceEntry;
        Self::event(EventKind::MappingEnd, start)
    }

    fn parse_flow_mapping_key(&mut self, first: bool) -> Parse {
        if first {
            self.enter_collection()?;
        }
        let (mut kind, mut start, _) = self.peek()?;
        if kind != TokenKind::FlowMappingEnd {
            if !first {
                if kind == TokenKind::FlowEntry {
                    self.skip();
                    (kind, start, _) = self.peek()?;
                } else {
                    return Err(self.collection_error(
                        "while parsing a flow mapping",
                        "did not find expected ',' or '}'",
                        start,
                    ));
                }
            }
            if kind == TokenKind::Key {
                self.skip();
                let (next, next_start, _) = self.peek()?;
                if !matches!(
                    next,
                    TokenKind::Value | TokenKind::FlowEntry | TokenKind::FlowMappingEnd
                ) {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Self::empty_scalar(next_start);
            }
            if kind != TokenKind::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Self::event(EventKind::MappingEnd, start)
    }

    fn parse_flow_mapping_value(&mut self, empty: bool) -> Parse {
        let (kind, mut start, _) = self.peek()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Self::empty_scalar(start);
        }
        if kind == TokenKind::Value {
            self.skip();
            let next;
            (next, start, _) = self.peek()?;
            if next != TokenKind::FlowEntry && next != TokenKind::FlowMappingEnd {
                self.states.push(State::FlowMappingKey);
                return self.parse_node(false, false);
            }
        }
        self.state = State::FlowMappingKey;
        Self::empty_scalar(start)
    }

    fn process_directives(&mut self) -> Parse<()> {
        let mut version_seen = false;
        loop {
            let (kind, start, _) = self.peek()?;
            match kind {
                TokenKind::VersionDirective { major, minor } => {
                    if version_seen {
                        return Err(error("found duplicate %YAML directive", start));
                    }
                    if major != 1 || minor != 1 {
                        return Err(error("found incompatible YAML document", start));
                    }
                    version_seen = true;
                }
                TokenKind::TagDirective { handle, prefix } => {
                    if self.tag_directives.iter().any(|(h, _)| *h == handle) {
                        return Err(error("found duplicate %TAG directive", start));
                    }
                    self.tag_directives.push((handle, prefix));
                }
                _ => break,
            }
            self.skip();
        }
        for (handle, prefix) in DEFAULT_TAG_DIRECTIVES {
            if !self.tag_directives.iter().any(|(h, _)| h == handle) {
                self.tag_directives
                    .push((handle.to_owned(), prefix.to_owned()));
            }
        }
        Ok(())
    }
}
