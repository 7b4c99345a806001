//! How the `synth` binary is linked: a debug build takes the crates an app edit never changes
//! from one shared library (`dev-link/`), and finds it and the toolchain's `libstd` by itself,
//! outside cargo's environment; a release build needs neither.

use std::process::Command;

/// The dynamic section of the binary, as `readelf -d` prints it.
fn dynamic_section() -> String {
    let output = Command::new("readelf")
        .args(["-d", env!("CARGO_BIN_EXE_synth")])
        .output()
        .expect("run readelf (binutils)");
    assert!(output.status.success(), "readelf failed");
    String::from_utf8(output.stdout).expect("readelf prints UTF-8")
}

#[test]
fn a_debug_binary_links_the_stable_crates_dynamically_and_runs_anywhere() {
    let section = dynamic_section();
    let needed = |library: &str| {
        section
            .lines()
            .any(|line| line.contains("(NEEDED)") && line.contains(&format!("[{library}")))
    };
    if cfg!(debug_assertions) {
        assert!(needed("libhomelab_dev_link.so"), "{section}");
        assert!(needed("libstd-"), "{section}");
        let rpath = section
            .lines()
            .find(|line| line.contains("(RPATH)"))
            .unwrap_or_else(|| panic!("no RPATH:\n{section}"));
        assert!(rpath.contains("$ORIGIN/deps"), "{rpath}");
    } else {
        assert!(!needed("libhomelab_dev_link.so"), "{section}");
        assert!(!needed("libstd-"), "{section}");
    }
    // no cargo around: no LD_LIBRARY_PATH, another working folder
    let output = Command::new(env!("CARGO_BIN_EXE_synth"))
        .arg("--version")
        .env_clear()
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run synth");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("synth "));
}
