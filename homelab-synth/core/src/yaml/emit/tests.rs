use super::*;
use crate::test_support::decode_like_kubectl;
use crate::yaml::differential::XorShift;
use serde_json::json;

// ---------------------------------------------------------------- helpers

/// JSON equality where numbers compare by value: Go writes the float `2.0` back as the
/// JSON number `2`, which serde_json reads as an integer. Floats may differ in the last
/// bit: without its `float_roundtrip` feature serde_json parses the checker's output on a
/// best-effort basis (`123456789.12345679` can come back one ULP off). That the YAML text
/// itself is exact is checked by `float_text_reads_back_exactly`.
fn same_json(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                return a == b;
            }
            if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
                return a == b;
            }
            match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => {
                    a.is_sign_negative() == b.is_sign_negative()
                        && a.to_bits().abs_diff(b.to_bits()) <= 1
                }
                _ => false,
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|other| same_json(v, other)))
        }
        _ => want == got,
    }
}

/// Renders `docs` as one stream, decodes it with the real Go decoder and asserts every
/// document comes back equal to its input. Also checks each document's own rendering
/// ends with exactly one newline and renders the same bytes twice.
fn assert_round_trip(docs: &[Value]) {
    for doc in docs {
        let text = to_yaml(doc).unwrap();
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "does not end with exactly one newline: {text:?}"
        );
        assert!(!text.starts_with("---"), "starts with a marker: {text:?}");
        assert!(
            text.lines().all(|line| !line.ends_with([' ', '\t'])),
            "a line ends in white space: {text:?}"
        );
    }
    let text = to_yaml_stream(docs).unwrap();
    let decoded = decode_like_kubectl(&text);
    assert_eq!(
        decoded.len(),
        docs.len(),
        "document count differs; stream:\n{text}"
    );
    let mut failures = Vec::new();
    for (doc, got) in docs.iter().zip(&decoded) {
        match got {
            Ok(got) if same_json(doc, got) => {}
            Ok(got) => failures.push(format!(
                "want {doc}\n got {got}\nyaml:\n{}",
                to_yaml(doc).unwrap()
            )),
            Err(e) => failures.push(format!(
                "want {doc}\nerror {e}\nyaml:\n{}",
                to_yaml(doc).unwrap()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents did not round-trip:\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
}

/// A ConfigMap-shaped document with `s` as a value, a key, a list item, a nested list
/// item, a value in a mapping in a list, and the last scalar of the document.
pub(super) fn string_doc(s: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "annotations": {s: s}},
        "data": {"value": s, "list": [s, [s], {"k": s}, s]},
        "zzzz": {s: [s]},
        "\u{10FFFF}": s,
    })
}

fn assert_strings_round_trip<S: AsRef<str>>(strings: &[S]) {
    let docs: Vec<Value> = strings.iter().map(|s| string_doc(s.as_ref())).collect();
    assert_round_trip(&docs);
}

// ---------------------------------------------------------------- round trips

pub(super) const SPECIAL_WORDS: &[&str] = &[
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "true",
    "false",
    "null",
    "nil",
    "none",
    "~",
    "nan",
    "inf",
    ".inf",
    "-.inf",
    "+.inf",
    ".nan",
    "<<",
    "=",
    "-",
    "?",
    ":",
    "---",
    "...",
    "0",
    "012",
    "0o12",
    "0x1f",
    "0b101",
    "1_000",
    "+1",
    "-1",
    "1e3",
    "1e+3",
    "1.5e-3",
    ".5",
    "5.",
    "+.5",
    "12:30",
    "1:20:30",
    "190:20:30.15",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "0.",
    "1__0",
    "0b",
    "0x",
    "0o",
    "09",
    "0_1",
    "+0b1",
    "-0x1f",
    "1,000",
    "1.2.3",
    "true.",
    "#",
    "@",
    "%",
    "`",
    "!",
    "&",
    "*",
    "|",
    ">",
    "'",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
];

pub(super) const TABLE: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    "a",
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "Y",
    "N",
    "~",
    "null",
    "Null",
    "NULL",
    "012",
    "0o12",
    "0x1F",
    "0b101",
    "1_000",
    "+1",
    "1e3",
    ".5",
    ".inf",
    "-.Inf",
    ".nan",
    ".NaN",
    "12:30",
    "1:20:30",
    "2001-12-14",
    "2001-12-14T21:59:43.10-05:00",
    "<<",
    "=",
    "- a",
    "-a",
    "a: b",
    "a:b",
    "a:",
    "a #b",
    "a#b",
    "#x",
    "[",
    "]",
    "{",
    "}",
    "[a, b]",
    "{a: b}",
    "*a",
    "&a",
    "!x",
    "!!str",
    "%",
    "%YAML 1.1",
    "@",
    "`",
    "|",
    ">",
    "'",
    "\"",
    "'a'",
    "\"a\"",
    "a'b",
    "a\"b",
    "a\\b",
    "\\",
    " a",
    "a ",
    " a ",
    "a\tb",
    "\ta",
    "a\t",
    "a\u{0}b",
    "\u{7}\u{8}\u{b}\u{c}\u{1b}\u{7f}",
    "a\u{85}b",
    "a\u{2028}b",
    "a\u{2029}b",
    "\u{FEFF}",
    "\u{FEFF}a",
    "a\u{FEFF}",
    "\u{FFFE}\u{FFFF}",
    "\u{9f}\u{a0}",
    "\u{a0}a\u{a0}",
    "\u{3000}",
    "héllo wörld",
    "日本語",
    "emoji 🎉 ok",
    "\u{10FFFF}",
    "a\rb",
    "\r",
    "\r\n",
    "---",
    "--- a",
    "...",
    "... a",
    "---a",
    "? a",
    "?a",
    "?",
    ":",
    ": a",
    "a :b",
    "a, b",
    "http://example.com:8080/path?x=1#frag",
    "ghcr.io/org/app:1.2.3@sha256:abcdef",
    "0.0.0.0/0",
    "10.0.0.1",
    "1.2.3",
    "1.0",
    "1.",
    "-0",
    "0",
    "00",
    "0.0",
    "1e",
    "e1",
    "0x",
    "0xZZ",
    "1__0",
    "_1",
    "1_",
    "12:60",
    "12:30:00",
    "2001-1-1",
    "2001-12-14 21:59:43.10 -5",
    "20011214",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "yES",
    "oN",
    "500m",
    "1Gi",
    "1e-3",
    "+.inf",
    "0777",
    "08",
    "0b2",
    "0o8",
    "a\nb",
    "a\nb\n",
    "a\nb\n\n",
    "a\nb\n\n\n",
    "\n",
    "\n\n",
    "\n\n\n",
    "\na",
    "\n\na\n",
    "  a\nb",
    "  a\n  b\n",
    "\n  a\nb",
    " \n  a",
    "   \na",
    "a\n   ",
    "a  \nb  \n",
    "a\n \nb",
    "a\tb\n\tc",
    "\ta\nb",
    "\n\ta",
    "a\n\tb",
    "a\r\nb\r\n",
    "a\nb\r",
    "---\n...\n",
    "a\n---\nb\n...\nc",
    "a\n--- b\n... c",
    "#!/bin/sh\necho hi # comment\n",
    "key: value\n- item\n  nested: 1\n",
    "|\n>\n",
    "a\u{85}\nb",
    "a\n\u{FEFF}",
    "  leading\n    deeper\n  back\n",
    "     \n\n   x\n",
    "trailing spaces   \n",
    "x\n\n\n\ny",
    "日本\n語\n",
];

#[test]
fn table_strings_round_trip() {
    let mut strings: Vec<String> = TABLE.iter().map(|s| s.to_string()).collect();
    // A 500-character single-line string with spaces, and long multi-line ones.
    strings.push("word ".repeat(100).trim_end().to_string());
    strings.push(format!("{}\n{}\n", "x ".repeat(300), "y ".repeat(300)));
    strings.push("z".repeat(5000));
    assert_strings_round_trip(&strings);
}

#[test]
fn special_words_in_every_case_with_affixes_round_trip() {
    let prefixes = ["", " ", "a", "-", "+", ".", "0", "x ", "\t", "'", "\n"];
    let suffixes = ["", " ", "a", ":", "#", " #", ".", "0", "\n", "\n\n", ","];
    let mut strings = Vec::new();
    for word in SPECIAL_WORDS {
        let mut title = word.chars();
        let title: String = title
            .next()
            .map(|first| first.to_uppercase().chain(title).collect())
            .unwrap_or_default();
        for cased in [word.to_string(), title, word.to_uppercase()] {
            for prefix in prefixes {
                for suffix in suffixes {
                    strings.push(format!("{prefix}{cased}{suffix}"));
                }
            }
        }
    }
    strings.sort();
    strings.dedup();
    assert!(strings.len() > 5000, "{}", strings.len());
    assert_strings_round_trip(&strings);
}

#[test]
fn numbers_round_trip() {
    let numbers = [
        json!(0),
        json!(1),
        json!(-1),
        json!(42),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1u64 << 53),
        json!(1.5),
        json!(-1.5),
        json!(0.1),
        json!(-0.0),
        json!(0.0),
        json!(2.0),
        json!(1e300),
        json!(-1e300),
        json!(1e-300),
        json!(1e21),
        json!(1e20),
        json!(1e-7),
        json!(123_456_789.123_456_79),
        json!(f64::MAX),
        json!(f64::MIN),
        json!(f64::MIN_POSITIVE),
        json!(5e-324),
        json!(0.30000000000000004),
        json!(2.5e-10),
    ];
    let docs: Vec<Value> = numbers
        .iter()
        .map(|n| {
            json!({
                "apiVersion": "v1",
                "kind": "Thing",
                "metadata": {"name": "n"},
                "spec": {"value": n, "list": [n, [n], {"k": n}]},
                "last": n,
            })
        })
        .collect();
    assert_round_trip(&docs);
}

#[test]
fn nested_structures_round_trip() {
    let docs = vec![
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "app", "labels": {"app": "x", "on": "yes"}},
            "spec": {
                "replicas": 3,
                "template": {"spec": {"containers": [{
                    "name": "app",
                    "image": "nginx:1.27",
                    "args": ["--flag", "on", "- x", "", "a\nb\n"],
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "no"}],
                    "ports": [{"containerPort": 80}],
                    "resources": {},
                    "volumeMounts": [],
                }]}},
            },
        }),
        json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {},
            "items": [[], {}, [[]], [{}], [[[1, [2, [3]]]]], {"a": {"b": {"c": {}}}},
                      null, true, false, [null, true, "true"], {"": ""}, {" ": null}],
        }),
        json!({"apiVersion": "v1", "kind": "Empty", "metadata": {}, "data": {}, "list": []}),
        json!({}),
        json!({"only": [{"a": "multi\nline\n", "b": ["  indented\nblock", "x\n\n"]}]}),
        json!([{"a": 1}, ["b"], "c\nd", "\te\n"]),
        json!("root\nscalar\n"),
    ];
    assert_round_trip(&docs);
}

/// Block scalars (with and without indentation indicators) and quoted strings at every
/// nesting of sequences and mappings up to four deep, both inside a document and as the
/// document root.
#[test]
fn strings_at_every_nesting_round_trip() {
    let strings = [
        "  a\nb", " \n  a\n", "a\n\n", "\n", "x\n  y\n", "\ta\n", "- a", "", "on", "a\rb",
    ];
    let mut docs = Vec::new();
    for s in strings {
        for depth in 0..=4u32 {
            for shape in 0..(1u32 << depth) {
                let mut value = json!(s);
                for level in 0..depth {
                    value = if shape & (1 << level) == 0 {
                        json!([value, s])
                    } else {
                        json!({"k": value, "z": s})
                    };
                }
                docs.push(json!({"apiVersion": "v1", "kind": "K", "spec": value.clone()}));
                docs.push(value);
            }
        }
    }
    assert_round_trip(&docs);
}

#[test]
fn long_keys_round_trip() {
    let mut strings = Vec::new();
    for len in [1020, 1022, 1023, 1024, 1025, 1026, 2000] {
        strings.push("k".repeat(len));
        strings.push(format!("\"{}", "k".repeat(len - 1)));
        strings.push("é".repeat(len));
        strings.push(format!("{}\n", "k".repeat(len)));
    }
    assert_strings_round_trip(&strings);
}

/// Random strings over an alphabet rich in YAML-significant characters.
#[test]
fn random_strings_round_trip() {
    const ALPHABET: &[&str] = &[
        ":",
        "#",
        "-",
        "?",
        "&",
        "*",
        "!",
        "|",
        ">",
        "'",
        "\"",
        "%",
        "@",
        "`",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\n",
        "\n",
        "\n",
        "\t",
        "\r",
        " ",
        " ",
        " ",
        "0",
        "1",
        "9",
        ".",
        "_",
        "+",
        "e",
        "x",
        "o",
        "b",
        "a",
        "Z",
        "y",
        "n",
        "~",
        "\\",
        "=",
        "<",
        "é",
        "日",
        "🎉",
        "\u{85}",
        "\u{2028}",
        "\u{FEFF}",
        "\u{0}",
        "\u{a0}",
        "---",
        "...",
        "- ",
        ": ",
        " #",
        "\n  ",
        "\n\t",
        "yes",
        "null",
        "on",
        "12:30",
        "2001-12-14",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut strings = Vec::new();
    for _ in 0..4000 {
        let len = rng.below(24);
        let s: String = (0..len).map(|_| *rng.pick(ALPHABET)).collect();
        strings.push(s);
    }
    assert_strings_round_trip(&strings);
}

// ---------------------------------------------------------------- exact output

#[test]
fn head_keys_come_first_then_byte_order() {
    let doc = json!({
        "spec": {"b": 1, "a": 2, "B": 3, "_": 4, "aa": 5, "é": 6},
        "metadata": {"name": "x", "labels": {"z": "1", "a": "2"}},
        "data": {"k": "v"},
        "kind": "ConfigMap",
        "Zed": true,
        "apiVersion": "v1",
        "items": [{"kind": "inner", "apiVersion": "v1", "a": 1}],
    });
    let expected = "\
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    a: \"2\"
    z: \"1\"
  name: x
Zed: true
data:
  k: v
items:
- a: 1
  apiVersion: v1
  kind: inner
spec:
  B: 3
  _: 4
  a: 2
  aa: 5
  b: 1
  é: 6
";
    assert_eq!(to_yaml(&doc).unwrap(), expected);
}

#[test]
fn head_keys_are_optional() {
    let doc = json!({"metadata": {"name": "x"}, "b": 1, "a": 2, "kind": "K"});
    assert_eq!(
        to_yaml(&doc).unwrap(),
        "kind: K\nmetadata:\n  name: x\na: 2\nb: 1\n"
    );
}

#[test]
fn block_scalars_pick_chomping_and_indicator() {
    let doc = json!({
        "clip": "a\nb\n",
        "strip": "a\nb",
        "keep": "a\n\n",
        "indented": "  a\nb\n",
        "tabbed": "\ta\nb",
        "crlf": "a\r\nb",
        "list": ["x\ny", "  x\ny"],
        "nested": {"k": "p\nq\n"},
        "zlast": "end\n\n",
    });
    let expected = "\
clip: |
  a
  b
crlf: \"a\\r\\nb\"
indented: |2
    a
  b
keep: |+
  a

list:
- |-
  x
  y
- |2-
    x
  y
nested:
  k: |
    p
    q
strip: |-
  a
  b
tabbed: \"\\ta\\nb\"
zlast: \"end\\n\\n\"
";
    assert_eq!(to_yaml(&doc).unwrap(), expected);
    assert_round_trip(&[doc]);
}

#[test]
fn lines_ending_in_blanks_are_double_quoted() {
    let doc = json!({
        "description": "Disk is almost full.  \nCheck it.\n",
        "script": "#!/bin/sh\nset -e \necho ok\n",
        "tab": "a\t\nb",
        "blank": "a\n   \nb\n",
        "last": "a\nb ",
        "clean": "a\n\nb\n",
    });
    let expected = "\
blank: \"a\\n   \\nb\\n\"
clean: |
  a

  b
description: \"Disk is almost full.  \\nCheck it.\\n\"
last: \"a\\nb \"
script: \"#!/bin/sh\\nset -e \\necho ok\\n\"
tab: \"a\\t\\nb\"
";
    let text = to_yaml(&doc).unwrap();
    assert_eq!(text, expected);
    assert!(
        text.lines().all(|line| !line.ends_with([' ', '\t'])),
        "{text}"
    );
    assert_round_trip(&[doc]);
}

#[test]
fn empty_collections_are_braces_and_brackets() {
    let doc = json!({
        "apiVersion": "v1",
        "kind": "K",
        "metadata": {},
        "spec": {"map": {}, "list": [], "nested": [[], {}]},
    });
    let expected = "\
apiVersion: v1
kind: K
metadata: {}
spec:
  list: []
  map: {}
  nested:
  - []
  - {}
";
    assert_eq!(to_yaml(&doc).unwrap(), expected);
    assert_eq!(to_yaml(&json!({})).unwrap(), "{}\n");
    assert_eq!(to_yaml(&json!([])).unwrap(), "[]\n");
}

#[test]
fn long_strings_are_never_folded() {
    let long = "word ".repeat(100).trim_end().to_string();
    assert_eq!(long.len(), 499);
    let long = format!("{long}!");
    let doc = json!({"a": long, "b": [long], "c": format!("{long}\n{long}")});
    let expected = format!("a: {long}\nb:\n- {long}\nc: |-\n  {long}\n  {long}\n");
    assert_eq!(to_yaml(&doc).unwrap(), expected);
    let quoted = format!("{long}: yes");
    assert_eq!(
        to_yaml(&json!({"q": quoted})).unwrap(),
        format!("q: \"{quoted}\"\n")
    );
}

#[test]
fn ambiguous_scalars_are_quoted() {
    let doc = json!({
        "a": "on", "b": "012", "c": "12:30", "d": "2001-12-14", "e": "",
        "f": "- a", "g": "~", "h": "plain text", "i": 1, "j": 1.5, "k": null,
        "l": true, "m": "<<", "on": "off",
    });
    let expected = "\
a: \"on\"
b: \"012\"
c: \"12:30\"
d: \"2001-12-14\"
e: \"\"
f: \"- a\"
g: \"~\"
h: plain text
i: 1
j: 1.5
k: null
l: true
m: \"<<\"
\"on\": \"off\"
";
    assert_eq!(to_yaml(&doc).unwrap(), expected);
}

#[test]
fn floats_keep_a_point_or_exponent() {
    let doc = json!({"a": 2.0, "b": 1e300, "c": -0.0, "d": 0.1, "e": 1e-7});
    assert_eq!(
        to_yaml(&doc).unwrap(),
        "a: 2.0\nb: 1.0e+300\nc: -0.0\nd: 0.1\ne: 1.0e-7\n"
    );
}

/// go-yaml v2 reads a plain scalar as a float when it matches
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (and is not an integer), then
/// parses it with Go's correctly rounded `strconv.ParseFloat`, as Rust's `str::parse` is.
fn is_go_yaml_float(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits) && text.contains(['.', 'e', 'E'])
}

#[test]
fn float_text_reads_back_exactly() {
    let mut rng = XorShift(7);
    let mut floats = vec![
        0.0,
        -0.0,
        1.0,
        2.0,
        0.1,
        1.5,
        1e300,
        1e-7,
        1e21,
        123_456_789.123_456_79,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
    ];
    while floats.len() < 5000 {
        let f = f64::from_bits(rng.next());
        if f.is_finite() {
            floats.push(f);
        }
    }
    for f in floats {
        let yaml = to_yaml(&json!({ "v": f })).unwrap();
        let text = yaml
            .strip_prefix("v: ")
            .and_then(|t| t.strip_suffix('\n'))
            .unwrap();
        assert!(is_go_yaml_float(text), "{f:?} rendered as {text:?}");
        let back: f64 = text.parse().unwrap();
        assert_eq!(back.to_bits(), f.to_bits(), "{f:?} rendered as {text:?}");
    }
}

#[test]
fn stream_separates_documents_without_leading_marker() {
    let docs = [json!({"a": 1}), json!({"b": "x\n\n"}), json!({"c": []})];
    assert_eq!(
        to_yaml_stream(&docs).unwrap(),
        "a: 1\n---\nb: \"x\\n\\n\"\n---\nc: []\n"
    );
    assert_eq!(to_yaml_stream(&[]).unwrap(), "");
    assert_eq!(
        to_yaml_stream(&docs[..1]).unwrap(),
        to_yaml(&docs[0]).unwrap()
    );
}

#[test]
fn rendering_is_deterministic() {
    let mut rng = XorShift(42);
    let words = ["a", "on", "x\ny\n", "  z\n", "1", "", "- q"];
    let mut data = serde_json::Map::new();
    for i in 0..200 {
        let key = format!("{}{i}", rng.pick(&words));
        data.insert(
            key,
            json!([rng.pick(&words), {"n": i, "s": rng.pick(&words)}]),
        );
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "d"},
        "data": data,
    });
    let first = to_yaml(&doc).unwrap();
    assert_eq!(first, to_yaml(&doc).unwrap());
    assert_eq!(first, to_yaml(&doc.clone()).unwrap());
    let reparsed: Value = serde_json::from_str(&doc.to_string()).unwrap();
    assert_eq!(first, to_yaml(&reparsed).unwrap());
    assert_round_trip(&[doc]);
}

/// Callers render on worker threads and wrap the error in `anyhow`.
#[test]
fn error_is_send_sync_and_static() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<EmitError>();
}

/// Lowercase, and the cause is the source only (printed once by `{:#}`).
#[test]
fn error_messages_are_lowercase_and_name_their_cause_once() {
    let boom = || NonFiniteNumber {
        number: "boom".to_owned(),
    };
    let single = EmitError::from(boom());
    assert_eq!(single.to_string(), "cannot render yaml");
    assert!(std::error::Error::source(&single).is_some());
    let in_stream = EmitError::Document {
        index: 2,
        source: boom(),
    };
    assert_eq!(
        in_stream.to_string(),
        "cannot render document 2 of the yaml stream"
    );
    assert!(
        std::error::Error::source(&in_stream)
            .is_some_and(|cause| cause.to_string().contains("boom"))
    );
}
