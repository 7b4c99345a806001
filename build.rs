//! Fingerprints the workspace's sources for the `synth` binary, so a binary built from other
//! sources than the checkout it runs in is noticed (see `homelab_synth_fingerprint`), and
//! links a debug `synth` against the library's dylib (see `homelab_synth_dylib`).

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    homelab_synth_fingerprint::build_script();
    link_debug_binary_dynamically();
}

/// In debug builds (the README's edit-and-run loop), `main` uses `homelab_synth_dylib`, so
/// the binary's link after an app edit takes the app crates only, not every dependency.
/// Release builds link statically: one file that runs anywhere (`cargo install`, CI).
///
/// A dylib links the Rust standard library dynamically too. `cargo run` and `cargo test` put
/// both on the loader's path; the binary's run path finds them when it is started directly.
fn link_debug_binary_dynamically() {
    println!("cargo::rustc-check-cfg=cfg(synth_dylib)");
    println!("cargo::rerun-if-env-changed=PROFILE");
    if std::env::var("PROFILE").as_deref() != Ok("debug") {
        return;
    }
    println!("cargo::rustc-cfg=synth_dylib");
    // the dylib sits in `deps/` beside the binary
    println!("cargo::rustc-link-arg-bins=-Wl,-rpath,$ORIGIN/deps");
    if let Some(libraries) = standard_library_folder() {
        println!(
            "cargo::rustc-link-arg-bins=-Wl,-rpath,{}",
            libraries.display()
        );
    }
}

/// The folder of the toolchain's `libstd-*.so` for the target being built.
fn standard_library_folder() -> Option<PathBuf> {
    let rustc = std::env::var_os("RUSTC")?;
    let target = std::env::var("TARGET").ok()?;
    let sysroot = output_within(
        Command::new(rustc).args(["--print", "sysroot"]),
        Duration::from_secs(60),
    )?;
    let folder = PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(target)
        .join("lib");
    folder.is_dir().then_some(folder)
}

/// The standard output of `command` when it succeeds within `limit`; killed past it.
fn output_within(command: &mut Command, limit: Duration) -> Option<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    while child.try_wait().ok()?.is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut text = String::new();
    child.stdout.take()?.read_to_string(&mut text).ok()?;
    child.wait().ok()?.success().then_some(text)
}
