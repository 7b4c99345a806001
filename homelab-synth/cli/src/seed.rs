//! Seeding a new cargo target folder with the dependencies another one has already built, so
//! a second checkout of a workspace (a test's scratch workspace) rebuilds only its own
//! packages. `synth diff`'s worktree takes dependencies by the same rule before every build,
//! and the workspace's own crates too ([`crate::cmd::revision_builds`]).
//!
//! Only units of registry and git dependencies are taken, never the workspace's own packages
//! (which `cargo metadata --no-deps` names): cargo names a unit by a hash of all its inputs,
//! so the same hash means the same inputs and cargo takes the copy as fresh; a unit whose
//! inputs differ has another hash and is simply built. Large files (libraries, build script
//! executables, their outputs) are hard links: rustc and the linkers replace an output by
//! renaming a new file over it, never by writing into it. Small files (cargo's fingerprints,
//! dep-info, build script output), which cargo rewrites in place, are copied with their
//! modification time.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cmd::revision::output_with_deadline;

/// Largest file copied rather than linked (see the module documentation).
const COPY_BELOW: u64 = 64 * 1024;

/// What `cargo metadata` may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(120);

/// Seeds the new target folder `target` with what `built` (a `target/debug` folder of the
/// workspace at `workspace`) holds of dependencies that are not packages of that workspace.
/// The folder appears whole or not at all: it is filled beside `target` and renamed.
pub fn seed_dependency_builds(workspace: &Path, built: &Path, target: &Path) -> anyhow::Result<()> {
    let debug = target.join("debug");
    // a fresh folder; filled beside it and renamed, so a seed cut short is never taken
    let staging = target.with_extension("seeding");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
    }
    let staged_debug = staging.join("debug");
    std::fs::create_dir_all(&staged_debug)
        .with_context(|| format!("cannot create {}", staged_debug.display()))?;
    let mut seeded = 0;
    if built.is_dir() {
        let members = members(workspace)?.crates;
        for folder in [".fingerprint", "deps", "build"] {
            let from = built.join(folder);
            let Ok(entries) = std::fs::read_dir(&from) else {
                continue;
            };
            let to = staged_debug.join(folder);
            std::fs::create_dir_all(&to)
                .with_context(|| format!("cannot create {}", to.display()))?;
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if !is_dependency_unit(name, &members) {
                    continue;
                }
                link_or_copy(&entry.path(), &to.join(name))?;
                seeded += 1;
            }
        }
        eprintln!(
            "synth: seeded {} with {seeded} dependency artifacts already built in {}",
            debug.display(),
            built.display()
        );
    }
    std::fs::rename(&staging, target).with_context(|| {
        format!(
            "cannot rename {} to {}",
            staging.display(),
            target.display()
        )
    })?;
    Ok(())
}

/// A workspace's own packages, as cargo names their units.
pub(crate) struct Members {
    /// Names of the packages and their targets, `-` read as `_`.
    pub(crate) crates: BTreeSet<String>,
    /// Names of the packages that have a build script, `-` read as `_`.
    pub(crate) with_build_script: BTreeSet<String>,
}

/// The packages of the workspace at `workspace` (`cargo metadata --no-deps`).
pub(crate) fn members(workspace: &Path) -> anyhow::Result<Members> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(workspace)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (status, stdout, stderr) = output_with_deadline(&mut command, METADATA_TIMEOUT)?;
    if !status.success() {
        bail!("cargo metadata failed: {}", stderr.trim());
    }
    let metadata: serde_json::Value =
        serde_json::from_str(&stdout).context("cannot read cargo metadata's answer")?;
    let mut names = BTreeSet::new();
    let mut with_build_script = BTreeSet::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let package_name = package["name"].as_str().unwrap_or_default();
        names.insert(package_name.replace('-', "_"));
        for target in package["targets"].as_array().into_iter().flatten() {
            names.insert(
                target["name"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('-', "_"),
            );
            let kinds = target["kind"].as_array().into_iter().flatten();
            if kinds
                .filter_map(|kind| kind.as_str())
                .any(|kind| kind == "custom-build")
            {
                with_build_script.insert(package_name.replace('-', "_"));
            }
        }
    }
    names.remove("");
    Ok(Members {
        crates: names,
        with_build_script,
    })
}

/// Whether `name` (an entry of `.fingerprint/`, `deps/` or `build/`: `<name>-<hash>`,
/// `lib<name>-<hash>.<ext>`) is a unit of a dependency rather than of a workspace package.
pub(crate) fn is_dependency_unit(name: &str, members: &BTreeSet<String>) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let Some((unit, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    if hash.len() != 16 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return false;
    }
    let unit = unit.replace('-', "_");
    let without_lib = unit.strip_prefix("lib").unwrap_or(&unit);
    !members.contains(&unit) && !members.contains(without_lib)
}

/// Hard links a large file, copies a small one with its modification time; folders
/// recursively.
pub(crate) fn link_or_copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    let metadata = std::fs::symlink_metadata(from)
        .with_context(|| format!("cannot read {}", from.display()))?;
    if metadata.is_dir() {
        std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
        for entry in
            std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
        {
            let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
            link_or_copy(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if metadata.is_symlink() {
        let link =
            std::fs::read_link(from).with_context(|| format!("cannot read {}", from.display()))?;
        std::os::unix::fs::symlink(link, to)
            .with_context(|| format!("cannot create {}", to.display()))?;
        return Ok(());
    }
    if metadata.len() >= COPY_BELOW && std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    let modified = metadata.modified().context("no modification time")?;
    File::options()
        .write(true)
        .open(to)
        .and_then(|file| file.set_modified(modified))
        .with_context(|| format!("cannot set the time of {}", to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_units_are_told_from_workspace_units() {
        let members: BTreeSet<String> = ["synth", "homelab_synth", "homelab_apps_ai", "cli"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for dependency in [
            "serde-0123456789abcdef",
            "libserde-0123456789abcdef.rlib",
            "libserde-0123456789abcdef.rmeta",
            "serde-0123456789abcdef.d",
            "libgit2-sys-0123456789abcdef",
            "liblibgit2_sys-0123456789abcdef.rlib",
            "libthiserror_impl-0123456789abcdef.so",
        ] {
            assert!(is_dependency_unit(dependency, &members), "{dependency}");
        }
        for workspace in [
            "synth-0123456789abcdef",
            "libsynth-0123456789abcdef.rlib",
            "homelab-synth-0123456789abcdef",
            "libhomelab_synth-0123456789abcdef.rmeta",
            "homelab_apps_ai-0123456789abcdef.d",
            "cli-0123456789abcdef",
            "synth",
            "libsynth.rlib",
            "not-a-hash",
        ] {
            assert!(!is_dependency_unit(workspace, &members), "{workspace}");
        }
    }
}
