//! Golden files and error handling of the generator, on the small fixture CRDs in
//! `tests/fixtures/crds`, which together cover every mapping rule.
//!
//! - insta snapshots hold the output with `--docs` (the default);
//! - `tests/fixtures/generated` holds the `--no-docs` output, compiled and exercised by
//!   `fixture_types.rs`; a test here fails when it differs from a fresh run
//!   (`SYNTH_UPDATE_IMPORTS=1` rewrites it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homelab_synth_import::{Docs, ImportError, Options, Source, generate, read_sources};

use crate::support::FIXTURES;
const GENERATED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/generated");

fn fixtures() -> Vec<Source> {
    read_sources(&[PathBuf::from(FIXTURES)]).expect("fixtures")
}

#[test]
fn golden_output_with_docs() {
    let options = Options {
        docs: Docs::Descriptions,
        command: "synth import tests/fixtures/crds".to_owned(),
    };
    let generated = generate(&fixtures(), &options).expect("generate");
    assert_eq!(
        generated.files.keys().collect::<Vec<_>>(),
        [
            "crds.rs",
            "crds/choices.example.com.json",
            "crds/gadgets.example.com.json",
            "crds/namings.example.com.json",
            "crds/widgets.example.com.json",
            "example_com/mod.rs",
            "example_com/v1.rs",
            "example_com/v1beta1.rs",
            "mod.rs"
        ]
    );
    let widgets: serde_json::Value =
        serde_json::from_str(&generated.files["crds/widgets.example.com.json"]).expect("JSON");
    assert_eq!(widgets["kind"], "CustomResourceDefinition");
    for (path, text) in &generated.files {
        insta::assert_snapshot!(path.replace('/', "__"), text);
    }
}

#[test]
fn committed_fixture_bindings_match_a_fresh_generation() {
    let options = Options {
        docs: Docs::FactsOnly,
        command: "synth import --no-docs --out tests/fixtures/generated tests/fixtures/crds"
            .to_owned(),
    };
    let generated = generate(&fixtures(), &options).expect("generate");
    if std::env::var_os("SYNTH_UPDATE_IMPORTS").is_some() {
        homelab_synth_import::write_output(Path::new(GENERATED), &generated).expect("write");
        return;
    }
    let committed: BTreeMap<String, String> = generated
        .files
        .keys()
        .map(|path| {
            let text = std::fs::read_to_string(Path::new(GENERATED).join(path)).unwrap_or_default();
            (path.clone(), text)
        })
        .collect();
    assert!(
        committed == generated.files,
        "tests/fixtures/generated is out of date; rerun with SYNTH_UPDATE_IMPORTS=1"
    );
}

fn crd(schema: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1\n\
         kind: CustomResourceDefinition\n\
         metadata: {{name: things.example.com}}\n\
         spec:\n  group: example.com\n  names: {{kind: Thing, plural: things}}\n  \
         scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    \
         schema:\n      openAPIV3Schema: {schema}\n"
    )
}

fn error_of(name: &str, text: &str) -> String {
    let sources = [Source::new(name, text)];
    match generate(&sources, &Options::default()) {
        Ok(_) => panic!("{name} was accepted"),
        // the error and its causes, as the binary prints them (`{:#}`)
        Err(error) => {
            let mut text = error.to_string();
            let mut cause = std::error::Error::source(&error);
            while let Some(inner) = cause {
                text.push_str(&format!(": {inner}"));
                cause = inner.source();
            }
            text
        }
    }
}

/// A schema whose `spec` nests `levels` objects deep.
fn deep(levels: usize) -> String {
    let mut schema = String::from("{type: string}");
    for _ in 0..levels {
        schema = format!("{{type: object, properties: {{next: {schema}}}}}");
    }
    format!("{{type: object, properties: {{spec: {schema}}}}}")
}

#[test]
fn bad_inputs_give_errors_naming_file_and_path() {
    let broken = error_of("broken.yaml", "a: [b\n");
    assert!(
        broken.starts_with("broken.yaml: line ") && broken.contains("invalid YAML"),
        "{broken}"
    );
    assert_eq!(
        error_of("cm.yaml", "apiVersion: v1\nkind: ConfigMap\n"),
        "cm.yaml: document 1: not a CustomResourceDefinition (apiVersion `v1`, kind \
         `ConfigMap`); expected apiVersion `apiextensions.k8s.io/v1`, kind \
         `CustomResourceDefinition`"
    );
    assert_eq!(
        error_of("empty.yaml", &crd("{}")),
        "empty.yaml: document 1: .spec.versions[0].schema.openAPIV3Schema: version `v1` has \
         an empty schema; nothing to generate"
    );
    assert_eq!(
        error_of(
            "typo.yaml",
            &crd("{type: object, properties: {spec: {type: strnig}}}")
        ),
        "typo.yaml: Thing v1: .spec.versions[0].schema.openAPIV3Schema.properties.spec: \
         unknown type `strnig`"
    );
    // Kubernetes refuses `$ref` in a CRD schema; a binding of `Option<Value>` would hide it
    assert_eq!(
        error_of(
            "ref.yaml",
            &crd("{type: object, properties: {spec: {$ref: '#/definitions/Spec'}}}")
        ),
        "ref.yaml: Thing v1: .spec.versions[0].schema.openAPIV3Schema.properties.spec: `$ref` \
         to `#/definitions/Spec` is not allowed in a CustomResourceDefinition schema \
         (Kubernetes refuses it): inline the referenced schema"
    );
    assert_eq!(
        error_of("none.yaml", "# nothing here\n"),
        "no CustomResourceDefinition found in the inputs"
    );
    let too_deep = error_of("deep.yaml", &crd(&deep(100)));
    assert!(
        too_deep.starts_with(
            "deep.yaml: Thing v1: .spec.versions[0].schema.openAPIV3Schema.properties.spec\
             .properties.next.properties.next"
        ) && too_deep.ends_with("schema nests deeper than 64 levels"),
        "{too_deep}"
    );
}

#[test]
fn a_twenty_level_schema_generates_one_struct_per_level() {
    let sources = [Source::new("deep.yaml", crd(&deep(20)))];
    let generated = generate(&sources, &Options::default()).expect("20 levels are fine");
    let text = &generated.files["example_com/v1.rs"];
    assert!(text.contains(&format!("pub struct ThingSpec{}", "Next".repeat(19))));
}

#[test]
fn duplicate_kinds_are_refused() {
    let text = crd("{type: object}");
    let sources = [
        Source::new("a.yaml", text.clone()),
        Source::new("b.yaml", text),
    ];
    let error = generate(&sources, &Options::default()).expect_err("duplicate");
    assert!(matches!(error, ImportError::Duplicate { .. }));
    assert_eq!(
        error.to_string(),
        "b.yaml: kind Thing of example.com/v1 is already defined by a.yaml"
    );
}
