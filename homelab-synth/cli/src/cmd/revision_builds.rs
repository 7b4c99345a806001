//! The workspace's own builds, taken over by `synth diff`'s worktree for every crate whose
//! sources the revision shares, so a diff against a revision that differs in one app
//! compiles that app's crate and the binary instead of the whole workspace.
//!
//! cargo names a unit (one crate built one way) by a hash of its inputs, which holds a
//! workspace package's path relative to the workspace root, never the root itself: the
//! worktree's units have the names of the workspace's. Whether a unit is fresh, cargo decides
//! by modification times, of the sources its dep-info lists against the time the unit was
//! built. So a unit of the workspace is adopted when every source its dep-info lists has the
//! same bytes in the worktree: its files are linked into the worktree's target folder and
//! those sources take the workspace's modification times, so cargo judges the unit in the
//! worktree as it would in the workspace (one stale there is rebuilt here).
//!
//! Never adopted: units of packages with a build script (its output belongs to the checkout
//! it ran in: the sources' fingerprint), units whose dep-info names a file of the workspace's
//! target folder or compiles in the workspace's path (`env!("CARGO_MANIFEST_DIR")`), units
//! the worktree has built itself with another fingerprint hash (cargo hashes more than the
//! unit's name: a target's settings in the manifest), and units depending on a workspace
//! unit that is not adopted (they were compiled against the
//! workspace's version of it). When adoption changed anything in the worktree (a unit's
//! files, a source's time), the worktree's units that are not the workspace's are made
//! stale: they may have been compiled against a unit that was replaced, or watch a source
//! whose time went back. A second diff of the same revision changes nothing, and compiles
//! nothing.
//!
//! Units of dependencies (registry, git, paths outside the workspace) are the workspace's too,
//! linked in as [`crate::seed`] seeds a new target folder: the same name means the same inputs, and
//! a path dependency outside the repository is the same files for both.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::seed::{Members, is_dependency_unit, link_or_copy, members};

/// What [`adopt`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Adoption {
    /// Units of workspace crates the worktree takes from the workspace.
    pub(crate) adopted: usize,
    /// Units of workspace crates left for the worktree to build: their sources differ, or
    /// they cannot be adopted.
    pub(crate) left: usize,
}

/// A unit of a workspace package, found in a target folder's `.fingerprint/`.
struct Unit {
    /// Its `.fingerprint/` entry: `<package>-<hash>`.
    entry: String,
    /// Its package, `-` read as `_`.
    package: String,
    /// `<crate>-<hash>`, the stem of its files in `deps/`, for a library or a binary; `None`
    /// for other units (tests, build scripts and their runs). `<crate>` for the unit whose
    /// files carry no hash ([`hashless_stems`]).
    stem: Option<String>,
    /// Its fingerprint's file in the entry (`lib-<crate>`, `bin-<name>`...), which holds
    /// the fingerprint hash cargo computed for it.
    kind: String,
    /// That hash.
    hash: Option<String>,
    /// The fingerprint hashes of the units it depends on.
    dependencies: Vec<String>,
}

/// Adopts, for the worktree at `tree` (a checkout of another revision of the workspace at
/// `workspace`) building in the `debug` folder `target`, the units the workspace's `debug`
/// folder `built` holds of crates whose sources the worktree has unchanged.
pub(crate) fn adopt(
    workspace: &Path,
    built: &Path,
    tree: &Path,
    target: &Path,
) -> anyhow::Result<Adoption> {
    let mut adoption = Adoption::default();
    if !built.join(".fingerprint").is_dir() {
        return Ok(adoption);
    }
    let ours = members(workspace)?;
    let theirs = members(tree)?.crates;
    let (mut taken, mut changed) = take_dependencies(built, target, &ours.crates, &theirs)?;

    let (mut units, by_hash) = units(built, &ours.crates)?;
    hashless_stems(built, &mut units);
    let mut judge = Judge {
        workspace,
        tree,
        built,
        target,
        target_folder: built.parent().unwrap_or(built),
        members: &ours,
        units: &units,
        by_hash: &by_hash,
        verdicts: HashMap::new(),
        same: HashMap::new(),
    };
    let files_by_stem = files_by_stem(&built.join("deps"))?;
    let mut sources = BTreeSet::new();
    for (index, unit) in units.iter().enumerate() {
        let Some(stem) = &unit.stem else { continue };
        let Some(unit_sources) = judge.verdict(index) else {
            adoption.left += 1;
            continue;
        };
        sources.extend(unit_sources.iter().cloned());
        let files = files_by_stem
            .get(stem.as_str())
            .map_or(&[][..], Vec::as_slice);
        changed |= take_unit(built, target, &unit.entry, files)?;
        taken.insert(unit.entry.clone());
        adoption.adopted += 1;
    }
    for source in &sources {
        changed |= take_time(&workspace.join(source), &tree.join(source))?;
    }
    if changed {
        make_other_units_stale(target, &taken)?;
    }
    Ok(adoption)
}

/// Decides, once per unit, whether a unit of the workspace can be adopted.
struct Judge<'a> {
    workspace: &'a Path,
    tree: &'a Path,
    built: &'a Path,
    /// The worktree's `debug` folder.
    target: &'a Path,
    /// The target folder `built` is in: dep-info naming a file there is not portable.
    target_folder: &'a Path,
    members: &'a Members,
    units: &'a [Unit],
    by_hash: &'a HashMap<String, usize>,
    /// Per unit: `None` when it cannot be adopted, else the sources it was compiled from.
    verdicts: HashMap<usize, Option<Vec<PathBuf>>>,
    /// Per source relative to the roots: whether it has the same bytes in both.
    same: HashMap<PathBuf, bool>,
}

impl Judge<'_> {
    /// The sources of the unit at `index` when it can be adopted, else `None`.
    fn verdict(&mut self, index: usize) -> Option<&[PathBuf]> {
        if !self.verdicts.contains_key(&index) {
            // a cycle cannot happen between units; marked first all the same
            self.verdicts.insert(index, None);
            let verdict = self.judge(index);
            self.verdicts.insert(index, verdict);
        }
        self.verdicts[&index].as_deref()
    }

    fn judge(&mut self, index: usize) -> Option<Vec<PathBuf>> {
        let units = self.units;
        let unit = &units[index];
        let stem = unit.stem.as_ref()?;
        if self.members.with_build_script.contains(&unit.package) {
            return None;
        }
        // cargo fingerprints more than the unit's name holds (the target's settings in the
        // manifest, `test = false`...): when the worktree's own build of this unit has
        // another fingerprint, the revision builds it otherwise and the workspace's is no use
        let theirs = self
            .target
            .join(".fingerprint")
            .join(&unit.entry)
            .join(&unit.kind);
        if let Ok(theirs) = std::fs::read_to_string(theirs)
            && Some(theirs.trim()) != unit.hash.as_deref()
        {
            return None;
        }
        let dep_info = self.built.join("deps").join(format!("{stem}.d"));
        let text = std::fs::read_to_string(&dep_info).ok()?;
        let listed = DepInfo::parse(&text)?;
        let root = self.workspace.to_string_lossy();
        if listed.env.iter().any(|value| value.contains(root.as_ref())) {
            return None;
        }
        let mut sources = Vec::new();
        for source in listed.sources {
            let source = Path::new(&source);
            let relative = if source.is_relative() {
                source.to_path_buf()
            } else if source.starts_with(self.target_folder) {
                return None;
            } else if let Ok(inside) = source.strip_prefix(self.workspace) {
                inside.to_path_buf()
            } else {
                // the toolchain's, a registry's or a path outside the workspace: the same
                // file for both checkouts
                continue;
            };
            if !self.same_in_both(&relative) {
                return None;
            }
            sources.push(relative);
        }
        for hash in &unit.dependencies {
            if let Some(&dependency) = self.by_hash.get(hash)
                && self.verdict(dependency).is_none()
            {
                return None;
            }
        }
        Some(sources)
    }

    /// Whether `relative` has the same bytes in the workspace and in the worktree.
    fn same_in_both(&mut self, relative: &Path) -> bool {
        if let Some(&same) = self.same.get(relative) {
            return same;
        }
        let ours = std::fs::read(self.workspace.join(relative)).ok();
        let theirs = std::fs::read(self.tree.join(relative)).ok();
        let same = ours.is_some() && ours == theirs;
        self.same.insert(relative.to_path_buf(), same);
        same
    }
}

/// What a rustc dep-info file (`deps/<crate>-<hash>.d`) says of a unit.
#[derive(Debug, PartialEq, Eq)]
struct DepInfo {
    /// The files compiled in, as rustc was given them (relative to the folder cargo ran it
    /// in: the workspace root), in order.
    sources: Vec<String>,
    /// The values of the environment variables compiled in (`env!`).
    env: Vec<String>,
}

impl DepInfo {
    /// Reads a dep-info file: its first rule lists the sources after `<output>: `, spaces in
    /// names escaped; `# env-dep:NAME=VALUE` lines name the variables. `None` when the text
    /// has no rule.
    fn parse(text: &str) -> Option<DepInfo> {
        let first = text.lines().next()?;
        let (_, sources) = first.split_once(": ")?;
        let mut names = Vec::new();
        let mut name = String::new();
        let mut chars = sources.chars();
        while let Some(char) = chars.next() {
            match char {
                '\\' => name.extend(chars.next()),
                ' ' => names.extend((!name.is_empty()).then(|| std::mem::take(&mut name))),
                _ => name.push(char),
            }
        }
        names.extend((!name.is_empty()).then_some(name));
        let env = text
            .lines()
            .filter_map(|line| line.strip_prefix("# env-dep:"))
            .filter_map(|line| line.split_once('=').map(|(_, value)| value.to_owned()))
            .collect();
        Some(DepInfo {
            sources: names,
            env,
        })
    }
}

/// The units of the workspace's packages in the `debug` folder `built`, and their index by
/// fingerprint hash.
fn units(
    built: &Path,
    members: &BTreeSet<String>,
) -> anyhow::Result<(Vec<Unit>, HashMap<String, usize>)> {
    let folder = built.join(".fingerprint");
    let mut units = Vec::new();
    let mut by_hash = HashMap::new();
    for entry in read_names(&folder)? {
        let Some((package, hash)) = entry.rsplit_once('-') else {
            continue;
        };
        let package = package.replace('-', "_");
        if !members.contains(&package) {
            continue;
        }
        // the unit's hash file is the one with a `.json` beside it
        for file in read_names(&folder.join(&entry))? {
            let Some(kind) = file.strip_suffix(".json") else {
                continue;
            };
            let stem = ["lib-", "bin-"]
                .iter()
                .find_map(|prefix| kind.strip_prefix(prefix))
                .map(|name| format!("{}-{hash}", name.replace('-', "_")));
            let json = std::fs::read_to_string(folder.join(&entry).join(&file)).ok();
            let dependencies = json
                .as_deref()
                .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
                .map(|json| dependency_hashes(&json))
                .unwrap_or_default();
            let hash = std::fs::read_to_string(folder.join(&entry).join(kind))
                .ok()
                .map(|hash| hash.trim().to_owned());
            if let Some(hash) = &hash {
                by_hash.insert(hash.clone(), units.len());
            }
            units.push(Unit {
                entry: entry.clone(),
                package: package.clone(),
                stem,
                kind: kind.to_owned(),
                hash,
                dependencies,
            });
        }
    }
    Ok((units, by_hash))
}

/// Gives the files that carry no hash to the unit that made them. cargo names a path
/// package's dylib `lib<crate>.so` and its dep-info `<crate>.d` whatever the unit's hash, so
/// those files are the last build's of the crate: of the units whose own stem names no
/// dep-info, the one built last (its `invoked.timestamp`) takes the stem `<crate>`. The others
/// keep a stem that names no files, and are not adopted.
fn hashless_stems(built: &Path, units: &mut [Unit]) {
    let deps = built.join("deps");
    let mut last: HashMap<String, (std::time::SystemTime, usize)> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        let Some(stem) = &unit.stem else { continue };
        let Some((name, _)) = stem.rsplit_once('-') else {
            continue;
        };
        if deps.join(format!("{stem}.d")).exists() || !deps.join(format!("{name}.d")).exists() {
            continue;
        }
        let invoked = built
            .join(".fingerprint")
            .join(&unit.entry)
            .join("invoked.timestamp");
        let Ok(at) = std::fs::metadata(invoked).and_then(|meta| meta.modified()) else {
            continue;
        };
        if last.get(name).is_none_or(|&(latest, _)| at > latest) {
            last.insert(name.to_owned(), (at, index));
        }
    }
    for (name, (_, index)) in last {
        units[index].stem = Some(name);
    }
}

/// The hashes of the units a fingerprint (`.fingerprint/<entry>/<kind>.json`) depends on,
/// written as its hash files write them: the 64-bit number's bytes, little-endian, in hex.
fn dependency_hashes(fingerprint: &serde_json::Value) -> Vec<String> {
    fingerprint["deps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|dependency| dependency.as_array()?.last()?.as_u64())
        .map(|hash| homelab_synth_helm::cache::hex(&hash.to_le_bytes()))
        .collect()
}

/// The files of `deps/` by unit stem (`<crate>-<hash>`): `lib<crate>-<hash>.rlib`,
/// `<crate>-<hash>.d`, a binary `<crate>-<hash>`...
fn files_by_stem(deps: &Path) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in read_names(deps)? {
        let stem = name.split('.').next().unwrap_or(&name);
        files.entry(stem.to_owned()).or_default().push(name.clone());
        if let Some(library) = stem.strip_prefix("lib") {
            files
                .entry(library.to_owned())
                .or_default()
                .push(name.clone());
        }
    }
    Ok(files)
}

/// Makes the worktree's unit `entry` (its `.fingerprint/` entry and its `files` in `deps/`)
/// the workspace's; whether anything changed (files already the same are left).
fn take_unit(built: &Path, target: &Path, entry: &str, files: &[String]) -> anyhow::Result<bool> {
    let mut pairs = vec![(
        built.join(".fingerprint").join(entry),
        target.join(".fingerprint").join(entry),
    )];
    for file in files {
        pairs.push((
            built.join("deps").join(file),
            target.join("deps").join(file),
        ));
    }
    if pairs.iter().all(|(ours, theirs)| same_file(ours, theirs)) {
        return Ok(false);
    }
    for (ours, theirs) in pairs {
        remove(&theirs)?;
        if let Some(parent) = theirs.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        link_or_copy(&ours, &theirs)?;
    }
    Ok(true)
}

/// Whether `theirs` is a link or a copy of `ours` (same length and modification time, for a
/// folder: of every file in it).
fn same_file(ours: &Path, theirs: &Path) -> bool {
    let (Ok(a), Ok(b)) = (std::fs::metadata(ours), std::fs::metadata(theirs)) else {
        return false;
    };
    if a.is_dir() && b.is_dir() {
        let (Ok(names), Ok(other)) = (read_names(ours), read_names(theirs)) else {
            return false;
        };
        return names == other
            && names
                .iter()
                .all(|name| same_file(&ours.join(name), &theirs.join(name)));
    }
    a.is_file()
        && b.is_file()
        && a.len() == b.len()
        && a.modified().ok().is_some()
        && a.modified().ok() == b.modified().ok()
}

/// Gives `theirs` the modification time of `ours`; whether it changed.
fn take_time(ours: &Path, theirs: &Path) -> anyhow::Result<bool> {
    let modified = std::fs::metadata(ours)
        .and_then(|metadata| metadata.modified())
        .with_context(|| format!("cannot read the time of {}", ours.display()))?;
    let current = std::fs::metadata(theirs)
        .and_then(|metadata| metadata.modified())
        .with_context(|| format!("cannot read the time of {}", theirs.display()))?;
    if current == modified {
        return Ok(false);
    }
    File::options()
        .write(true)
        .open(theirs)
        .and_then(|file| file.set_modified(modified))
        .with_context(|| format!("cannot set the time of {}", theirs.display()))?;
    Ok(true)
}

/// Removes the fingerprints of the worktree's units that are not the workspace's (`taken`):
/// its own builds of the crates it changed, of its build scripts and of dependencies only
/// it has. They may have been compiled against a unit that was replaced, or watch a source
/// whose time went back, so cargo builds (or runs) them again.
fn make_other_units_stale(target: &Path, taken: &BTreeSet<String>) -> anyhow::Result<()> {
    let folder = target.join(".fingerprint");
    for entry in read_names(&folder)? {
        if !taken.contains(&entry) {
            remove(&folder.join(&entry))?;
        }
    }
    Ok(())
}

/// Makes the worktree's units of dependencies (units of neither workspace's packages: `ours`,
/// `theirs`) the workspace's, linking in those it lacks and replacing those that differ: a
/// registry's unit of the same name is the same build, and one of a path dependency outside
/// the repository is built from the same files for both, so the workspace's is as fresh for
/// the worktree as for the workspace. Returns the `.fingerprint/` entries taken and whether
/// anything changed.
fn take_dependencies(
    built: &Path,
    target: &Path,
    ours: &BTreeSet<String>,
    theirs: &BTreeSet<String>,
) -> anyhow::Result<(BTreeSet<String>, bool)> {
    let mut taken = BTreeSet::new();
    let mut changed = false;
    for folder in [".fingerprint", "deps", "build"] {
        let from = built.join(folder);
        if !from.is_dir() {
            continue;
        }
        let to = target.join(folder);
        std::fs::create_dir_all(&to).with_context(|| format!("cannot create {}", to.display()))?;
        for name in read_names(&from)? {
            if !is_dependency_unit(&name, ours) || !is_dependency_unit(&name, theirs) {
                continue;
            }
            if folder == ".fingerprint" {
                taken.insert(name.clone());
            }
            if same_file(&from.join(&name), &to.join(&name)) {
                continue;
            }
            remove(&to.join(&name))?;
            link_or_copy(&from.join(&name), &to.join(&name))?;
            changed = true;
        }
    }
    Ok((taken, changed))
}

/// Removes a file or a folder, if there is one.
fn remove(path: &Path) -> anyhow::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => return Ok(()),
    };
    removed.with_context(|| format!("cannot remove {}", path.display()))
}

/// The names in a folder, sorted; none when it does not exist.
fn read_names(folder: &Path) -> anyhow::Result<Vec<String>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", folder.display()));
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
        names.extend(entry.file_name().to_str().map(str::to_owned));
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_lists_sources_with_escaped_spaces_and_compiled_in_variables() {
        let text = "/t/debug/deps/libcore-0123456789abcdef.rmeta: core/src/lib.rs \
                    core/src/my\\ file.rs /home/u/.cargo/registry/x.rs\n\
                    \n\
                    /t/debug/deps/core-0123456789abcdef.d: core/src/lib.rs\n\
                    \n\
                    core/src/lib.rs:\n\
                    \n\
                    # env-dep:CARGO_PKG_VERSION=0.1.0\n\
                    # env-dep:CARGO_MANIFEST_DIR=/home/u/lab/core\n";
        assert_eq!(
            DepInfo::parse(text),
            Some(DepInfo {
                sources: vec![
                    "core/src/lib.rs".to_owned(),
                    "core/src/my file.rs".to_owned(),
                    "/home/u/.cargo/registry/x.rs".to_owned(),
                ],
                env: vec!["0.1.0".to_owned(), "/home/u/lab/core".to_owned()],
            })
        );
        assert_eq!(DepInfo::parse(""), None);
        assert_eq!(DepInfo::parse("no rule here\n"), None);
    }

    #[test]
    fn files_without_a_hash_belong_to_the_unit_of_their_crate_built_last() {
        let built = tempfile::tempdir().unwrap();
        let built = built.path();
        let deps = built.join("deps");
        std::fs::create_dir_all(&deps).unwrap();
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        // two dylib builds of `lab-link` (other features, say) and a check build of it
        for (hash, invoked_at) in [("aaaa", 200), ("bbbb", 100), ("cccc", 300)] {
            let entry = built.join(".fingerprint").join(format!("lab-link-{hash}"));
            std::fs::create_dir_all(&entry).unwrap();
            std::fs::write(entry.join("lib-lab_link"), hash).unwrap();
            std::fs::write(entry.join("lib-lab_link.json"), "{}").unwrap();
            let invoked = File::create(entry.join("invoked.timestamp")).unwrap();
            invoked
                .set_modified(epoch + std::time::Duration::from_secs(invoked_at))
                .unwrap();
        }
        std::fs::write(deps.join("lab_link-cccc.d"), "").unwrap();
        std::fs::write(deps.join("liblab_link-cccc.rmeta"), "").unwrap();
        std::fs::write(deps.join("lab_link.d"), "").unwrap();
        std::fs::write(deps.join("liblab_link.so"), "").unwrap();
        let members = BTreeSet::from(["lab_link".to_owned()]);
        let (mut units, _) = units(built, &members).unwrap();
        hashless_stems(built, &mut units);
        let stems: BTreeMap<&str, &str> = units
            .iter()
            .map(|unit| (unit.entry.as_str(), unit.stem.as_deref().unwrap()))
            .collect();
        assert_eq!(
            stems,
            BTreeMap::from([
                ("lab-link-aaaa", "lab_link"),
                ("lab-link-bbbb", "lab_link-bbbb"),
                ("lab-link-cccc", "lab_link-cccc"),
            ])
        );
        let files = files_by_stem(&deps).unwrap();
        assert_eq!(files["lab_link"], ["lab_link.d", "liblab_link.so"]);
    }

    #[test]
    fn fingerprint_dependencies_are_written_as_hash_files_write_them() {
        let json = serde_json::json!({
            "deps": [[181293818721345371u64, "kustomize", false, 9409999246482923409u64]]
        });
        assert_eq!(dependency_hashes(&json), ["91df4e5775089782"]);
    }
}
