//! Fingerprints the workspace's sources for the `synth` binary, so a binary built from other
//! sources than the checkout it runs in is noticed (see `homelab_synth_fingerprint`).

fn main() {
    homelab_synth_fingerprint::build_script();
}
