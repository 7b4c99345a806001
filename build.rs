//! Fingerprints the workspace's sources for the `synth` binary, so a binary built from other
//! sources than the checkout it runs in is noticed (see `homelab_synth_fingerprint`), and
//! makes debug builds link the crates an app edit never changes as one shared library
//! (`dev-link/`).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    homelab_synth_fingerprint::build_script();
    dev_link();
}

/// In a debug build, `cfg(dev_link)` (src/main.rs then links `homelab-dev-link`), and a run
/// path so that the binary finds that library and the toolchain's `libstd` wherever it is
/// started from, not only under `cargo run`: `$ORIGIN` and `$ORIGIN/deps` (where cargo puts
/// the library, beside the binary or one folder below), then the toolchain's library folder.
/// `DT_RPATH` rather than `DT_RUNPATH` (`--disable-new-dtags`): the shared library's own
/// `libstd` is then found through the binary's path too. `SYNTH_DEV_LINK=static` builds a
/// self-contained debug binary instead (one to copy to another machine, or to compare with).
fn dev_link() {
    println!("cargo::rustc-check-cfg=cfg(dev_link)");
    println!("cargo::rerun-if-env-changed=SYNTH_DEV_LINK");
    let wanted = std::env::var("SYNTH_DEV_LINK").unwrap_or_default();
    match wanted.as_str() {
        "" | "dynamic" => {}
        "static" => return,
        other => panic!("SYNTH_DEV_LINK is `static` or `dynamic`, not `{other}`"),
    }
    if std::env::var("PROFILE").as_deref() != Ok("debug") {
        return;
    }
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let sysroot = sysroot();
    let toolchain_libs = sysroot.join("lib/rustlib").join(target).join("lib");
    println!("cargo::rustc-cfg=dev_link");
    println!("cargo::rustc-link-arg-bin=synth=-Wl,--disable-new-dtags");
    println!(
        "cargo::rustc-link-arg-bin=synth=-Wl,-rpath,$ORIGIN:$ORIGIN/deps:{}",
        toolchain_libs.display()
    );
}

/// The sysroot of the compiler cargo builds with (`rustc --print sysroot`).
fn sysroot() -> PathBuf {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut child = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", rustc.display()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "`{} --print sysroot` did not answer in 60 s",
                rustc.display()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("rustc's output");
    let text = String::from_utf8(output.stdout).expect("a sysroot in UTF-8");
    assert!(
        output.status.success() && !text.trim().is_empty(),
        "`{} --print sysroot` failed",
        rustc.display()
    );
    PathBuf::from(text.trim())
}
