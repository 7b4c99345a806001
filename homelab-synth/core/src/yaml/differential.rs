//! The differential test of the reader against Kubernetes' own loader (`k8s-yaml-check`, Go
//! `sigs.k8s.io/yaml` over go-yaml v2), on inputs generated per class of construct where a
//! YAML 1.2 reader and go-yaml disagree. Each generator is deterministic and combines the
//! class's shapes (contexts × constructs × what follows), so that a class is covered by
//! hundreds of inputs rather than by the few that were once seen to fail. Both directions
//! count: the reader must fail exactly where kubectl fails and read the same JSON elsewhere.

use super::read::read_documents;
use crate::test_support::decode_many_like_kubectl;

/// Compares the reader with kubectl on every input; panics listing the differences.
fn assert_class_matches_kubectl(class: &str, inputs: &[String], at_least: usize) {
    assert!(
        inputs.len() >= at_least,
        "{class}: only {} generated inputs",
        inputs.len()
    );
    let theirs = decode_many_like_kubectl(inputs);
    let mut differences = Vec::new();
    let mut failing = 0;
    for (input, theirs) in inputs.iter().zip(&theirs) {
        let ours = read_documents(input);
        let their_error = theirs.iter().find_map(|decoded| decoded.as_ref().err());
        failing += usize::from(their_error.is_some());
        let same = match (&ours, their_error) {
            (Err(_), Some(_)) => true,
            (Ok(documents), None) => theirs
                .iter()
                .map(|decoded| decoded.as_ref().ok())
                .eq(documents.iter().map(Some)),
            _ => false,
        };
        if !same {
            differences.push(format!(
                "input {input:?}\n  ours:    {ours:?}\n  kubectl: {theirs:?}"
            ));
        }
    }
    eprintln!(
        "{class}: {} inputs ({failing} refused by kubectl), {} differences",
        inputs.len(),
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "{class}: {} of {} inputs read differently from kubectl:\n{}",
        differences.len(),
        inputs.len(),
        differences
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every combination of one item from each list, concatenated.
fn product(parts: &[&[&str]]) -> Vec<String> {
    parts.iter().fold(vec![String::new()], |done, part| {
        done.iter()
            .flat_map(|prefix| part.iter().map(move |piece| format!("{prefix}{piece}")))
            .collect()
    })
}

/// A tiny deterministic xorshift64* generator (the emitter's tests draw from it too).
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }
}

/// The inputs of [`flow_collections_at_the_start_of_a_document`].
fn flow_collections_at_the_start_of_a_document_inputs() -> Vec<String> {
    product(&[
        &["", "  ", "# c\n", "--- ", "---\n", "\n"],
        &[
            "{a: 1}",
            "[a, b]",
            "{\"a\": 1, \"b\": [1, 2]}",
            "[{\"kind\": \"A\"}, {\"kind\": \"B\"}]",
            "{a: on, b: 012}",
            "[]",
            "{}",
            "{a: [b, {c: d}]}",
            "{\n  \"a\": 1,\n  \"b\": null\n}",
            "[\n1,\n2\n]",
            "{a:1}",
            "[a: b]",
            "{a: b}: c",
            "[a, b]: c",
        ],
        &[
            "",
            "\n",
            "\n# c\n",
            " # c",
            "#c",
            "\nb: 2",
            "\n- x",
            "\n---\n[3]",
            "\n...\n",
            "\n...\nb",
            "]",
            ", x",
        ],
    ])
}

#[test]
fn flow_collections_at_the_start_of_a_document() {
    assert_class_matches_kubectl(
        "flow collections at document start",
        &flow_collections_at_the_start_of_a_document_inputs(),
        1000,
    );
}

/// The inputs of [`comments_without_blanks_and_inside_plain_scalars`].
fn comments_without_blanks_and_inside_plain_scalars_inputs() -> Vec<String> {
    let values = [
        "'b'", "\"b\"", "[b]", "{b: c}", "b", "&x b", "*x", "!t b", "!!str b", "b:", "|", ">-",
        "- b", "? b", "",
    ];
    let comments = ["#c", " #c", "\t#c", "# c", "  # c #"];
    let contexts = [
        ("a: ", "\n  x"),
        ("- ", "\n  x"),
        ("k: &x v\na: ", ""),
        ("[", "\n]"),
        ("{k: ", "\n}"),
        ("? ", "\n: v"),
        ("", ""),
        ("a:\n  b: ", "\nc: d"),
        ("- - ", "\n- z"),
        ("k: [a, ", "]"),
    ];
    let mut inputs = Vec::new();
    for (before, after) in contexts {
        for value in values {
            for comment in comments {
                inputs.push(format!("{before}{value}{comment}{after}"));
            }
        }
    }
    // A comment line inside a multi-line plain scalar, at every indentation.
    let heads = [
        "a: x",
        "- x",
        "a:\n  b: x",
        "- a: x",
        "x",
        "a:\n  - x",
        "? x",
    ];
    for head in heads {
        for comment_indent in 0..5 {
            for next_indent in 0..5 {
                for between in ["", "\n"] {
                    inputs.push(format!(
                        "{head}\n{}# c\n{between}{}y",
                        " ".repeat(comment_indent),
                        " ".repeat(next_indent)
                    ));
                }
            }
        }
    }
    inputs
}

#[test]
fn comments_without_blanks_and_inside_plain_scalars() {
    assert_class_matches_kubectl(
        "comments",
        &comments_without_blanks_and_inside_plain_scalars_inputs(),
        1000,
    );
}

/// The inputs of [`tabs_in_indentation_and_after_indicators`].
fn tabs_in_indentation_and_after_indicators_inputs() -> Vec<String> {
    // Every blank of these documents, one at a time, becomes a tab; and a tab is inserted at
    // every line start and after every indicator.
    let documents = [
        "a: b\nc:\n  d: e\n  f: [g, h]\n",
        "- a\n- b: c\n  d: e\n-   - f\n",
        "? a\n: b\n? - c\n: d\n",
        "a: |\n  x\n   y\nb: >-\n  z\n",
        "a: \"x\n  y\"\nb: 'p\n\n  q'\n",
        "a: x\n  y\n\n  z\nb: {c: d,\n  e: f}\n",
        "k: &x v\nl: *x\nm: !!str n\n",
        "- [a,\n  b]\n- {c: d}\n- e # f\n",
    ];
    let mut inputs = Vec::new();
    for document in documents {
        inputs.push(document.to_owned());
        for (at, c) in document.char_indices() {
            if c == ' ' {
                inputs.push(format!("{}\t{}", &document[..at], &document[at + 1..]));
            }
            let line_start = at == 0 || document.as_bytes()[at - 1] == b'\n';
            let after_indicator = matches!(c, '-' | ':' | '?' | ',' | '[' | '{' | '|' | '>' | '#');
            if line_start || after_indicator {
                let split = if after_indicator { at + 1 } else { at };
                inputs.push(format!("{}\t{}", &document[..split], &document[split..]));
                inputs.push(format!("{} \t{}", &document[..split], &document[split..]));
            }
        }
        // Several blanks at once become tabs, or gain a tab beside them.
        let mut rng = XorShift(document.len() as u64 + 0x7AB5);
        let blanks: Vec<usize> = document
            .char_indices()
            .filter(|&(_, c)| c == ' ' || c == '\n')
            .map(|(at, _)| at)
            .collect();
        for _ in 0..150 {
            let mut mutated = document.as_bytes().to_vec();
            let mut chosen: Vec<usize> =
                (0..2 + rng.below(2)).map(|_| *rng.pick(&blanks)).collect();
            chosen.sort_unstable_by(|a, b| b.cmp(a));
            chosen.dedup();
            for at in chosen {
                if mutated[at] == b' ' && rng.below(2) == 0 {
                    mutated[at] = b'\t';
                } else {
                    mutated.insert(at + 1, b'\t');
                }
            }
            inputs.push(String::from_utf8(mutated).expect("ASCII"));
        }
        // Blank lines holding tabs after each line.
        for (at, c) in document.char_indices() {
            if c == '\n' {
                for blank in ["\t", " \t", "  \t ", "\t\t"] {
                    inputs.push(format!(
                        "{}{blank}\n{}",
                        &document[..=at],
                        &document[at + 1..]
                    ));
                }
            }
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

#[test]
fn tabs_in_indentation_and_after_indicators() {
    assert_class_matches_kubectl(
        "tabs",
        &tabs_in_indentation_and_after_indicators_inputs(),
        1000,
    );
}

/// The inputs of [`directives_and_text_after_a_document`].
fn directives_and_text_after_a_document_inputs() -> Vec<String> {
    product(&[
        &[
            "",
            "%YAML 1.1\n---\n",
            "%TAG !e! tag:e.com,2000:\n---\n",
            "--- ",
        ],
        &[
            "a: 1",
            "- a",
            "[a]",
            "'s'",
            "a: |\n  x",
            "a:\n  b: c",
            "x\n  y",
        ],
        &[
            "\n%YAML 1.1\n",
            "\n%TAG !e! tag:e.com,2000:\n",
            "\n...\n",
            "\n... # c\n",
            "\n...\n...\n",
            "\n...\n%YAML 1.1\n",
            "\n%YAML 1.2\n",
            "\n%FOO bar\n",
            "\n%\n",
            "\n",
        ],
        &[
            "",
            "---\nb: 2",
            "b: 2",
            "- x",
            "\"unclosed",
            "[",
            "]",
            "b: !e!x 1",
            "  c: d",
            "%YAML 1.1\n---\nb",
            "--- b",
            "@",
        ],
    ])
}

#[test]
fn directives_and_text_after_a_document() {
    assert_class_matches_kubectl(
        "directives and text after a document",
        &directives_and_text_after_a_document_inputs(),
        1000,
    );
}

/// The inputs of [`block_scalars_indentation_and_chomping`].
fn block_scalars_indentation_and_chomping_inputs() -> Vec<String> {
    let headers = [
        "|", ">", "|-", "|+", ">-", ">+", "|1", "|2", "|3", "|4", "|2-", "|+2", ">1", "|9",
        "| # c", "|0",
    ];
    // (before the header, indentation of the context's content)
    let contexts = [
        ("", 0),
        ("a: ", 0),
        ("- ", 0),
        ("a:\n  b: ", 2),
        ("a:\n- ", 0),
        ("- a: ", 2),
        ("a:\n  - ", 2),
        ("--- ", 0),
        ("- - ", 2),
    ];
    let mut rng = XorShift(0x5EED_B10C);
    let mut inputs = Vec::new();
    for (before, base) in contexts {
        for header in headers {
            for _ in 0..10 {
                let mut body = String::new();
                for _ in 0..rng.below(3) {
                    body.push_str(rng.pick::<&str>(&["\n", " \n", "   \n"]));
                }
                for line in 0..1 + rng.below(3) {
                    let indent = base + rng.below(5);
                    let text = rng.pick(&["x", "y z", " lead", "trail  ", "#not", "- l"]);
                    if line > 0 && rng.below(4) == 0 {
                        body.push('\n');
                    }
                    body.push_str(&format!("{}{text}\n", " ".repeat(indent)));
                }
                for _ in 0..rng.below(3) {
                    body.push_str(rng.pick::<&str>(&["\n", "  \n", "    \n"]));
                }
                let after = *rng.pick(&["", "b: 1\n", "- c\n", "# c\n", "  d: e\n", "..."]);
                let mut input = format!("{before}{header}\n{body}{after}");
                if rng.below(4) == 0 {
                    input.truncate(input.trim_end_matches('\n').len());
                }
                inputs.push(input);
            }
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

#[test]
fn block_scalars_indentation_and_chomping() {
    assert_class_matches_kubectl(
        "block scalars",
        &block_scalars_indentation_and_chomping_inputs(),
        1000,
    );
}

/// The inputs of [`anchor_names_and_dashes_before_flow_indicators`].
fn anchor_names_and_dashes_before_flow_indicators_inputs() -> Vec<String> {
    let names = [
        "a", "a:b", "a:", "a.b", "a/b", "a-b_1", "a:b:c", "a,b", "a]", "a}", "a?",
    ];
    let anchors = [
        "k: &N v\nl: *N",
        "&N k: v\nl: *N",
        "- &N v\n- *N",
        "[&N v, *N]",
        "{&N k: v, l: *N}",
        "k: &N\n  x: 1\nl: *N",
        "k: &N v\n*N : w",
        "k: &N v\nl: [*N]",
        "k: &N v\nl: *N:",
    ];
    let mut inputs = Vec::new();
    for name in names {
        for shape in anchors {
            inputs.push(shape.replace('N', name));
        }
    }
    let dashes = [
        "-[", "-{", "-]", "-}", "-,", "-[a]", "-{a: b}", "-", "--", "-a", "-#", "-:", "-?", "-&",
        "-*", "-!", "-|", "->", "-'", "-\"", "-%", "-@", "-`",
    ];
    let contexts = [
        "k: V", "- V", "[V]", "[a, V]", "{k: V}", "{V: k}", "V", "V: k", "k: V x", "- V\n- w",
        "k:\n  V",
    ];
    for dash in dashes {
        for context in contexts {
            inputs.push(context.replace('V', dash));
        }
    }
    inputs
}

#[test]
fn anchor_names_and_dashes_before_flow_indicators() {
    assert_class_matches_kubectl(
        "anchor names and dashes",
        &anchor_names_and_dashes_before_flow_indicators_inputs(),
        300,
    );
}

/// The inputs of [`top_level_json_arrays_are_one_document`].
fn top_level_json_arrays_are_one_document_inputs() -> Vec<String> {
    let mut rng = XorShift(0x000A_11A7);
    let leaves = [
        "1", "\"on\"", "true", "null", "\"012\"", "1.5", "\"a: b\"", "[]", "{}", "\"\"",
    ];
    let mut inputs = Vec::new();
    for _ in 0..300 {
        let objects: Vec<String> = (0..rng.below(4))
            .map(|index| {
                let fields: Vec<String> = (0..rng.below(4))
                    .map(|field| format!("\"k{field}\": {}", rng.pick(&leaves)))
                    .collect();
                format!("{{\"kind\": \"K{index}\", {}}}", fields.join(", ")).replace(", }", "}")
            })
            .collect();
        let separator = *rng.pick(&[",", ", ", ",\n", ",\n  "]);
        let array = format!("[{}]", objects.join(separator));
        let input = match rng.below(4) {
            0 => array,
            1 => format!("{array}\n"),
            2 => format!("  {array}\n---\n{array}"),
            _ => format!("\n{array}\n# trailing\n"),
        };
        inputs.push(input);
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

#[test]
fn top_level_json_arrays_are_one_document() {
    assert_class_matches_kubectl(
        "top-level JSON arrays",
        &top_level_json_arrays_are_one_document_inputs(),
        150,
    );
}

/// The inputs of [`random_mixtures_of_every_construct`].
fn random_mixtures_of_every_construct_inputs() -> Vec<String> {
    // Short texts over fragments of every construct above, mixed at random: the classes'
    // shapes in combinations nobody listed.
    const FRAGMENTS: &[&str] = &[
        "a",
        "b: ",
        "- ",
        "? ",
        ": ",
        "\n",
        "\n",
        "\n  ",
        "\n    ",
        "\t",
        " ",
        "  ",
        "#c",
        " #c",
        "'q'",
        "\"d\\t\"",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&x ",
        "*x",
        "&a:b ",
        "!!str ",
        "!t ",
        "|\n",
        "|2-\n",
        ">+\n",
        "...",
        "---",
        "%YAML 1.1\n",
        "-[",
        "on",
        "012",
        "<<: ",
        "1_000",
        "\u{85}",
        "\u{feff}",
        "x:y",
        ":",
        "?",
        "-",
        "'",
        "\"",
        "\\",
        "%",
        "@",
    ];
    let mut rng = XorShift(0x00D1_FFE2);
    let mut inputs: Vec<String> = (0..3000)
        .map(|_| {
            (0..1 + rng.below(14))
                .map(|_| *rng.pick(FRAGMENTS))
                .collect::<String>()
        })
        .collect();
    inputs.sort();
    inputs.dedup();
    inputs
}

#[test]
fn random_mixtures_of_every_construct() {
    assert_class_matches_kubectl(
        "random mixtures",
        &random_mixtures_of_every_construct_inputs(),
        2500,
    );
}

/// The inputs of [`control_characters_are_refused_when_go_yaml_reads_them`].
fn control_characters_are_refused_when_go_yaml_reads_them_inputs() -> Vec<String> {
    // go-yaml decodes its input 512 bytes at a time and refuses a control character only once
    // it has decoded it: after a document's end, one far enough away is never read. Multi-byte
    // characters shift where the chunks end.
    let mut inputs = Vec::new();
    for filler in ["x", "é", "日", "🎉"] {
        for offset in (480..560).step_by(3).chain([1000, 1030, 1050]) {
            for head in ["a: 1\n...\n", "a: 1\n", "- [a]\n...\n# "] {
                let mut text = head.to_owned();
                while text.len() < offset {
                    text.push_str(filler);
                }
                inputs.push(format!("{text}\u{1}"));
                inputs.push(format!("{text}\u{7f}\nb: 2"));
            }
        }
    }
    inputs
}

#[test]
fn control_characters_are_refused_when_go_yaml_reads_them() {
    assert_class_matches_kubectl(
        "control characters",
        &control_characters_are_refused_when_go_yaml_reads_them_inputs(),
        600,
    );
}

/// Every input of every class above, in class order: YAML texts covering the constructs
/// where readers disagree, which the emitter's tests also read and render back.
pub(super) fn every_input() -> Vec<String> {
    [
        flow_collections_at_the_start_of_a_document_inputs(),
        comments_without_blanks_and_inside_plain_scalars_inputs(),
        tabs_in_indentation_and_after_indicators_inputs(),
        directives_and_text_after_a_document_inputs(),
        block_scalars_indentation_and_chomping_inputs(),
        anchor_names_and_dashes_before_flow_indicators_inputs(),
        top_level_json_arrays_are_one_document_inputs(),
        random_mixtures_of_every_construct_inputs(),
        control_characters_are_refused_when_go_yaml_reads_them_inputs(),
    ]
    .concat()
}
