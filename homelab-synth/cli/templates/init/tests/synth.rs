//! The whole workspace synthesizes with no finding, as `cargo run -p synth` does.

use homelab_synth::Selection;

#[test]
fn the_workspace_synthesizes_without_findings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let synthesis =
        match homelab_synth_cli::synthesize(&synth::workspace(), root, &Selection::all()) {
            Ok(synthesis) => synthesis,
            Err(error) => panic!("{error:#?}"),
        };
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    assert!(synthesis.objects() > 0);
}
