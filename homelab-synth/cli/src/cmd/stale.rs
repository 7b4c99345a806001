//! A binary built from other sources than the checkout it runs in: it synthesizes the code it
//! was built from, so `publish` would stamp old output with the checkout's commit. `publish`
//! refuses such a binary; `synth`, `--check` and `diff` warn.
//!
//! The rule: the binary's build script recorded the fingerprint of its workspace's sources
//! (`homelab_synth_fingerprint`), and the checkout is a workspace of the binary's package (its
//! root `Cargo.toml` declares `[package] name = "<the binary's package>"`). Then the
//! checkout's fingerprint, computed by the same function, must be the recorded one. A binary
//! without the build script, or run on a workspace of another package (a folder holding only
//! included files and `[workspace]`, as the publish tests use), has nothing to compare.

use std::path::Path;

use anyhow::{Context, bail};
use homelab_synth_core::BuildInfo;
use homelab_synth_fingerprint::{fingerprint, short};

/// A binary built from other sources than the checkout.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Stale {
    /// The fingerprint recorded at build time.
    pub(crate) built: String,
    /// The checkout's.
    pub(crate) checkout: String,
    /// The binary's package, for the command that rebuilds it.
    pub(crate) package: String,
}

impl Stale {
    /// `built from sources a1b2… but the checkout is c3d4…`.
    fn fingerprints(&self) -> String {
        format!(
            "build fingerprint {}, checkout fingerprint {}",
            short(&self.built),
            short(&self.checkout)
        )
    }
}

/// Compares the binary's build with the checkout at `root`; `None` when they match or there
/// is nothing to compare.
pub(crate) fn check(build: &BuildInfo, root: &Path) -> anyhow::Result<Option<Stale>> {
    if build.fingerprint.is_none() || !same_package(build, root)? {
        return Ok(None);
    }
    let checkout = fingerprint(root)
        .with_context(|| format!("cannot fingerprint the sources in {}", root.display()))?;
    Ok(compare(build, &checkout.digest))
}

/// Whether the checkout at `root` is a workspace of the binary's package (whose fingerprint
/// means something to compare).
pub(crate) fn same_package(build: &BuildInfo, root: &Path) -> anyhow::Result<bool> {
    Ok(root_package(root)?.as_deref() == Some(build.package))
}

/// The binary's build against the `checkout` fingerprint of a workspace of its package;
/// `None` when they match or the binary has no fingerprint.
pub(crate) fn compare(build: &BuildInfo, checkout: &str) -> Option<Stale> {
    let built = build.fingerprint?;
    (checkout != built).then(|| Stale {
        built: built.to_owned(),
        checkout: checkout.to_owned(),
        package: build.package.to_owned(),
    })
}

/// Prints a warning when the binary was built from other sources than the checkout.
pub(crate) fn warn(build: &BuildInfo, root: &Path) -> anyhow::Result<()> {
    if let Some(stale) = check(build, root)? {
        stale.warn(root);
    }
    Ok(())
}

impl Stale {
    /// Prints the warning of a binary built from other sources than the checkout at `root`.
    pub(crate) fn warn(&self, root: &Path) {
        eprintln!(
            "synth: warning: this synth was built from other sources than {} holds ({}): \
             it synthesizes the code it was built from; rebuild it (`cargo run -p {}`)",
            root.display(),
            self.fingerprints(),
            self.package
        );
    }
}

/// Refuses to go on when the binary was built from other sources than the checkout.
pub(crate) fn refuse(build: &BuildInfo, root: &Path) -> anyhow::Result<()> {
    if let Some(stale) = check(build, root)? {
        bail!(
            "this synth was built from other sources than {} holds ({}): it would publish the \
             output of the code it was built from under the checkout's commit; rebuild it and \
             publish with `cargo run -p {} -- publish`",
            root.display(),
            stale.fingerprints(),
            stale.package
        );
    }
    Ok(())
}

/// The name of the `[package]` the workspace root's `Cargo.toml` declares, if any.
fn root_package(root: &Path) -> anyhow::Result<Option<String>> {
    let file = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("cannot parse {}", file.display()))?;
    Ok(manifest
        .get("package")
        .and_then(|package| package.get("name"))
        .and_then(|name| name.as_str())
        .map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cmd::write_test_file as write;

    fn checkout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "Cargo.toml",
            "[workspace]\n\n[package]\nname = \"synth\"\n",
        );
        write(dir.path(), "src/main.rs", "fn main() {}\n");
        dir
    }

    fn build_of(root: &Path) -> BuildInfo {
        let digest = fingerprint(root).unwrap().digest;
        BuildInfo {
            package: "synth",
            fingerprint: Some(Box::leak(digest.into_boxed_str())),
        }
    }

    #[test]
    fn the_checkout_it_was_built_from_passes() {
        let dir = checkout();
        let build = build_of(dir.path());
        assert_eq!(check(&build, dir.path()).unwrap(), None);
        refuse(&build, dir.path()).unwrap();
    }

    #[test]
    fn a_changed_source_is_refused_naming_both_fingerprints_and_the_command() {
        let dir = checkout();
        let build = build_of(dir.path());
        write(dir.path(), "src/main.rs", "fn main() { /* newer */ }\n");
        let stale = check(&build, dir.path()).unwrap().unwrap();
        assert_eq!(stale.built, build.fingerprint.unwrap());
        let message = refuse(&build, dir.path()).unwrap_err().to_string();
        assert!(message.contains(short(&stale.built)), "{message}");
        assert!(message.contains(short(&stale.checkout)), "{message}");
        assert!(
            message.contains("`cargo run -p synth -- publish`"),
            "{message}"
        );
    }

    #[test]
    fn nothing_is_compared_without_a_fingerprint_or_for_another_package() {
        let dir = checkout();
        write(dir.path(), "src/main.rs", "fn main() { /* newer */ }\n");
        let unknown = BuildInfo {
            package: "synth",
            fingerprint: None,
        };
        assert_eq!(check(&unknown, dir.path()).unwrap(), None);
        let other = BuildInfo {
            package: "other-homelab",
            fingerprint: Some("0000"),
        };
        assert_eq!(check(&other, dir.path()).unwrap(), None);
        write(dir.path(), "Cargo.toml", "[workspace]\n");
        let build = BuildInfo {
            package: "synth",
            fingerprint: Some("0000"),
        };
        assert_eq!(check(&build, dir.path()).unwrap(), None);
    }
}
