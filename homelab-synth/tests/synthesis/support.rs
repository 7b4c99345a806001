//! What every test module synthesizes with: apps in, a manifest set or the findings' texts
//! out.

use homelab_synth::{
    App, BuiltApp, BuiltApps, Finding, ManifestSet, MemoryFiles, SchemaVerdicts, SynthError,
    SynthInputs, imported_crds, synthesize_with,
};

/// Synthesizes `apps` (category `test`) that include `files`, custom resources checked against
/// the bindings' CRDs.
pub fn synth_apps_with_files(
    apps: Vec<App>,
    files: &MemoryFiles,
) -> Result<ManifestSet, SynthError> {
    let apps: Vec<BuiltApp> = apps
        .into_iter()
        .map(|app| BuiltApp {
            app,
            category: "test".into(),
        })
        .collect();
    synthesize_with(&apps, &SynthInputs::new(files).with_crds(imported_crds()))
}

/// Synthesizes the apps of a registry build, which knows whether it holds every app and
/// what each rolls out after; custom resources checked against the bindings' CRDs.
pub fn synth_built(built: &BuiltApps) -> Result<ManifestSet, SynthError> {
    let files = MemoryFiles::new();
    let inputs = SynthInputs::new(&files).with_crds(imported_crds());
    synthesize_with(&built.apps, &built.inputs(inputs))
}

/// Synthesizes `apps` without included files.
pub fn synth_apps(apps: Vec<App>) -> Result<ManifestSet, SynthError> {
    synth_apps_with_files(apps, &MemoryFiles::new())
}

/// Synthesizes one app without included files.
pub fn synth_one(app: App) -> Result<ManifestSet, SynthError> {
    synth_apps(vec![app])
}

/// Synthesizes one app, skipping the custom resources `verdicts` know valid and telling it
/// of those found valid.
pub fn synth_one_remembering(
    app: App,
    verdicts: &SchemaVerdicts,
) -> Result<ManifestSet, SynthError> {
    let apps = [BuiltApp {
        app,
        category: "test".into(),
    }];
    let files = MemoryFiles::new();
    let inputs = SynthInputs::new(&files)
        .with_crds(imported_crds())
        .with_verdicts(verdicts);
    synthesize_with(&apps, &inputs)
}

/// Synthesizes one app that includes `files`.
pub fn synth_with_files(app: App, files: &MemoryFiles) -> Result<ManifestSet, SynthError> {
    synth_apps_with_files(vec![app], files)
}

/// The texts of `findings` (`Finding::to_string`).
pub fn texts(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(ToString::to_string).collect()
}

/// The manifest set of a synthesis that must succeed.
pub fn expect_ok(result: Result<ManifestSet, SynthError>) -> ManifestSet {
    match result {
        Ok(set) => set,
        Err(error) => panic!("synthesis failed:\n{}", texts(&error.errors).join("\n")),
    }
}

/// The error texts of a synthesis that must fail.
pub fn expect_errors(result: Result<ManifestSet, SynthError>) -> Vec<String> {
    match result {
        Ok(set) => {
            let paths: Vec<&str> = set
                .apps
                .iter()
                .flat_map(|app| &app.documents)
                .map(|document| document.path.as_str())
                .collect();
            panic!(
                "synthesis succeeded but errors were expected; documents: {paths:?}, warnings: {:?}",
                set.warnings
            )
        }
        Err(error) => texts(&error.errors),
    }
}
