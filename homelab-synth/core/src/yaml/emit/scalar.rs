//! How each scalar is written: the choice between a plain, single-quoted, double-quoted and
//! literal block string, the double-quote escapes, and the text of a float.
//!
//! The plain-or-quoted rules are those serde-saphyr 2.1 applies with YAML 1.1 quoting (its
//! `quoting` module: `is_plain_value_safe` for values, `is_plain_safe` and
//! `is_plain_value_safe` in flow context for keys), which this emitter used to call and whose
//! output it reproduces byte for byte. The choice between a block scalar and a quoted one for
//! multi-line strings is this crate's own (see the [module docs](super)).

use std::fmt::Write as _;

/// How a string value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StringStyle {
    /// As it is: no YAML 1.1 reader could read it as anything but this string.
    Plain,
    /// Between single quotes: the one-character strings `.`, `#` and `-`.
    SingleQuoted,
    /// Between double quotes, with YAML escapes.
    DoubleQuoted,
    /// A literal block scalar (`|`, `|-`, `|+`, with an indentation indicator when needed).
    Literal,
}

/// Picks the style of the string value `s`; `last` says whether it is the last scalar of
/// its document.
pub(super) fn value_style(s: &str, last: bool) -> StringStyle {
    if !s.contains('\n') {
        return if matches!(s, "." | "#" | "-") {
            StringStyle::SingleQuoted
        } else if is_plain_value_safe(s, false, false) {
            StringStyle::Plain
        } else {
            StringStyle::DoubleQuoted
        };
    }
    if !block_scalar_can_hold_all(s) {
        return StringStyle::DoubleQuoted;
    }
    // go-yaml (a libyaml port) detects a block scalar's indentation from its first non-empty
    // line and rejects a tab there ("found a tab character where an indentation space is
    // expected"). The indentation indicator is written only for a leading space, so such a
    // string cannot be a block scalar.
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

/// Whether the mapping key `s` can be written plain; it is double-quoted otherwise.
pub(super) fn key_is_plain(s: &str) -> bool {
    is_plain_safe(s) && is_plain_value_safe(s, false, true)
}

/// Whether a literal block scalar can hold every character of `s` (see
/// [`block_scalar_can_hold`]), checking printable ASCII bytes without decoding them.
fn block_scalar_can_hold_all(s: &str) -> bool {
    let printable_ascii = |b: &u8| matches!(b, b'\n' | b'\t' | 0x20..=0x7E);
    s.as_bytes().iter().all(printable_ascii) || s.chars().all(block_scalar_can_hold)
}

/// Whether a literal block scalar can hold `ch` as it is: a line feed, a tab or a printable
/// character other than NEL, LS, PS and BOM (`\r` would be read back as a line break).
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

/// Appends `s` between double quotes, with YAML escapes for `\`, `"`, control characters,
/// BOM, NEL, LS, PS and the non-characters U+FFFE and U+FFFF.
pub(super) fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (at, ch) in s.char_indices() {
        let escape = match ch {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '\u{FEFF}' => "\\uFEFF",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            _ if needs_escape(ch) => "",
            _ => continue,
        };
        out.push_str(&s[plain_from..at]);
        plain_from = at + ch.len_utf8();
        if escape.is_empty() {
            // Every other control character is in U+0000..=U+009F; the rest are U+FFFE and
            // U+FFFF. Writing into a `String` cannot fail.
            let code = u32::from(ch);
            let _ = if code <= 0xFF {
                write!(out, "\\x{code:02X}")
            } else {
                write!(out, "\\u{code:04X}")
            };
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

/// Appends the text of the finite float `f`: the shortest digits that read back as `f` (as
/// `serde_json` writes them), with `.0` added when they have neither a point nor an exponent,
/// `.0` before an exponent whose mantissa has no point, and an explicit exponent sign, so
/// that no YAML 1.1 reader takes the text for an integer.
pub(super) fn write_float(out: &mut String, f: &serde_json::Number) {
    let start = out.len();
    // Writing into a `String` cannot fail.
    let _ = write!(out, "{f}");
    let Some(exponent) = out[start..].find(['e', 'E']).map(|at| start + at) else {
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        return;
    };
    let sign_missing = !matches!(out.as_bytes().get(exponent + 1), Some(b'+' | b'-'));
    if sign_missing {
        out.insert(exponent + 1, '+');
    }
    if !out[start..exponent].contains('.') {
        out.insert_str(exponent, ".0");
    }
}

/// Whether `ch` must be escaped in a double-quoted scalar and keeps a string from being
/// plain: a control character, BOM, LS, PS, U+FFFE or U+FFFF.
fn needs_escape(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Whether plain `s` could be read as something other than a string: empty, null, a bool,
/// a number, and with YAML 1.1 rules (`yaml_12` false) also a YAML 1.1 bool, timestamp or
/// merge key.
fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    s.is_empty()
        || s == "~"
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || is_numeric(s, yaml_12)
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("inf")
        || s.eq_ignore_ascii_case("+inf")
        || s.eq_ignore_ascii_case("-inf")
        || (!yaml_12 && (is_yaml11_bool(s) || is_yaml11_timestamp(s) || matches!(s, "<<" | "=")))
}

/// Whether `s`, less surrounding spaces, tabs and line breaks, is a YAML 1.1 bool.
fn is_yaml11_bool(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    ["true", "yes", "y", "on", "false", "no", "n", "off"]
        .iter()
        .any(|word| t.eq_ignore_ascii_case(word))
}

/// Whether `s` reads as a number: decimal, radix-prefixed, float, `.inf` or `.nan`, and with
/// YAML 1.1 rules also sexagesimal or with `_` separators.
fn is_numeric(s: &str, yaml_12: bool) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if !yaml_12 {
        if is_yaml11_sexagesimal(s) {
            return true;
        }
        if let Some((radix, digits)) = radix_digits(unsigned)
            && is_digit_run(digits, radix, false)
        {
            return true;
        }
    }
    let normalized;
    let s = if !yaml_12 && s.contains('_') {
        normalized = s.replace('_', "");
        normalized.as_str()
    } else {
        s
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        let digits = if !yaml_12 && (s.starts_with("0b") || s.starts_with("0o")) {
            digits.strip_prefix(['+', '-']).unwrap_or(digits)
        } else {
            digits
        };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            if !yaml_12 {
                fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            } else if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

/// The radix and digits of `0b…`, `0o…` and `0x…` (either case).
fn radix_digits(s: &str) -> Option<(u32, &str)> {
    match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => Some((2, &s[2..])),
        [b'0', b'o' | b'O', ..] => Some((8, &s[2..])),
        [b'0', b'x' | b'X', ..] => Some((16, &s[2..])),
        _ => None,
    }
}

/// Whether `s` is a non-empty run of digits in `radix` and `_`; with `strict_underscores`
/// each `_` must sit between two digits.
fn is_digit_run(s: &str, radix: u32, strict_underscores: bool) -> bool {
    let is_digit = |b: u8| b.is_ascii() && char::from(b).is_digit(radix);
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            is_digit(b)
                || (b == b'_'
                    && (!strict_underscores
                        || (i > 0
                            && is_digit(bytes[i - 1])
                            && bytes.get(i + 1).is_some_and(|&next| is_digit(next)))))
        })
}

/// Whether `s` is a YAML 1.1 sexagesimal number (`190:20:30`, `-1:30.5`).
fn is_yaml11_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else {
        return false;
    };
    let Some(first_digit) = first.as_bytes().first() else {
        return false;
    };
    if !first_digit.is_ascii_digit()
        || (fraction.is_none() && *first_digit == b'0')
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    if !rest.split(':').all(|part| match part.as_bytes() {
        [digit] => digit.is_ascii_digit(),
        [tens, units] => matches!(tens, b'0'..=b'5') && units.is_ascii_digit(),
        _ => false,
    }) {
        return false;
    }
    fraction.is_none_or(|part| part.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// Whether `s` is a YAML 1.1 timestamp (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`).
fn is_yaml11_timestamp(mut s: &str) -> bool {
    fn digits(s: &mut &str, min: usize, max: usize) -> bool {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&len) {
            return false;
        }
        *s = &s[len..];
        true
    }
    fn prefix(s: &mut &str, ch: char) -> bool {
        if let Some(rest) = s.strip_prefix(ch) {
            *s = rest;
            true
        } else {
            false
        }
    }
    if !digits(&mut s, 4, 4)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if s.is_empty() {
        return true;
    }
    if let Some(rest) = s.strip_prefix(['T', 't']) {
        s = rest;
    } else {
        let rest = s.trim_start_matches([' ', '\t']);
        if rest.len() == s.len() {
            return false;
        }
        s = rest;
    }
    if !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if prefix(&mut s, '.') || prefix(&mut s, ',') {
        digits(&mut s, 0, usize::MAX);
    }
    s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() || s == "Z" {
        return true;
    }
    if !(prefix(&mut s, '+') || prefix(&mut s, '-')) || !digits(&mut s, 1, 2) {
        return false;
    }
    if prefix(&mut s, ':') && !digits(&mut s, 2, 2) {
        return false;
    }
    s.is_empty()
}

/// Whether `s` starts with a document marker (`---` or `...`) followed by nothing or white
/// space.
fn starts_with_document_marker(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("---").or_else(|| s.strip_prefix("...")) else {
        return false;
    };
    rest.is_empty() || rest.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
}

/// Whether a character at the start of a plain scalar would be read as YAML syntax.
fn is_leading_indicator(b: u8) -> bool {
    matches!(
        b,
        b',' | b':'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// The key test: YAML 1.2 ambiguity, no `<<`, no document marker, no surrounding white
/// space, no leading indicator and no `:`, control character or comment start anywhere.
fn is_plain_safe(s: &str) -> bool {
    !is_ambiguous(s, true) && s != "<<" && plain_ends(s) && body_is_plain(s, b":")
}

/// What a plain key and a plain value share, for a string that is not ambiguous (so not
/// empty): no document marker, no white space at either end, and no leading indicator
/// (`-` or `?` alone or before white space included).
fn plain_ends(s: &str) -> bool {
    if starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes[0].is_ascii_whitespace() || bytes[bytes.len() - 1].is_ascii_whitespace() {
        return false;
    }
    match bytes {
        [b'-' | b'?'] => false,
        [b'-' | b'?', second, ..] if second.is_ascii_whitespace() => false,
        [first, ..] => !is_leading_indicator(*first),
        [] => false,
    }
}

/// The value test: not ambiguous under the given rules, no document marker, no surrounding
/// white space, no leading indicator, no `: ` and no trailing `:`, and no control character
/// or comment start anywhere; in flow context (`in_flow`) no flow indicator either.
fn is_plain_value_safe(s: &str, yaml_12: bool, in_flow: bool) -> bool {
    if is_ambiguous(s, yaml_12) || !plain_ends(s) {
        return false;
    }
    if s.contains(": ") || s.trim().ends_with(':') {
        return false;
    }
    if in_flow {
        body_is_plain(s, b",[]{}")
    } else {
        body_is_plain(s, b"")
    }
}

/// Whether `s` holds none of the ASCII characters `forbidden`, no character that needs an
/// escape, and no `#` right after a white-space character (which would start a comment).
fn body_is_plain(s: &str, forbidden: &[u8]) -> bool {
    let bytes = s.as_bytes();
    let mut after_white_space = false;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            if b < 0x20 || b == 0x7F || forbidden.contains(&b) || (b == b'#' && after_white_space) {
                return false;
            }
            // The other ASCII white space characters are control characters, refused above.
            after_white_space = b == b' ';
            at += 1;
        } else {
            // `at` is on a character boundary: it only ever steps over whole characters.
            let Some(ch) = s[at..].chars().next() else {
                break;
            };
            if needs_escape(ch) {
                return false;
            }
            after_white_space = ch.is_whitespace();
            at += ch.len_utf8();
        }
    }
    true
}
