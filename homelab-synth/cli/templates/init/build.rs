//! Fingerprints the workspace's sources for the `synth` binary, so a binary built from other
//! sources than the checkout it runs in is noticed: `publish` refuses it, `synth` warns.

fn main() {
    homelab_synth_fingerprint::build_script();
}
