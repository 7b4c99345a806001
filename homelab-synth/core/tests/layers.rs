//! The core's modules point one way: the graph of which top-level module names which (the
//! `crate::` paths of its code, tests left out) has no cycle. The rules are those of
//! `scripts/module-edges`, which prints the same edges.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module → modules it names.
type Edges = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read src")
        .map(|entry| entry.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// `mod name;` or `pub(crate) mod name {` → `name` (and whether it is inline).
fn module_declaration(line: &str) -> Option<(&str, bool)> {
    let line = line.trim_start();
    let line = match line.strip_prefix("pub") {
        Some(rest) if rest.starts_with('(') => rest.split_once(')')?.1.trim_start(),
        Some(rest) => rest.trim_start(),
        None => line,
    };
    let rest = line.strip_prefix("mod ")?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    let after = after.trim_start();
    (!name.is_empty() && (after.starts_with(';') || after.starts_with('{')))
        .then_some((name, after.starts_with('{')))
}

/// The file's code: comment lines dropped, cut at its inline `#[cfg(test)] mod`.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    let mut cfg_test = false;
    for line in text.lines() {
        if cfg_test && module_declaration(line).is_some_and(|(_, inline)| inline) {
            break;
        }
        cfg_test = line.trim_start().starts_with("#[cfg(test)]");
        if line.trim_start().starts_with("//") {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
}

/// The top-level modules the crate root declares, and the module each name the root
/// re-exports (`pub use module::{Name, ..};`, `#[macro_export]` macros) comes from.
fn root(files: &[PathBuf]) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(module_declaration)
        .map(|(name, _)| name.to_owned())
        .collect();
    let mut reexported = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = path.split_once("::") else {
            continue;
        };
        for name in identifiers(names) {
            reexported.insert(name.to_owned(), module.to_owned());
        }
    }
    for file in files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let text = fs::read_to_string(file).expect("source");
        for (index, _) in text.match_indices("#[macro_export]") {
            let after = &text[index..];
            if let Some(rest) = after.split_once("macro_rules!").map(|(_, rest)| rest)
                && let Some(name) = identifiers(rest).next()
            {
                reexported.insert(name.to_owned(), module.clone());
            }
        }
    }
    (modules, reexported)
}

/// `helm/layers.rs` → `helm`; the crate root → `None`.
fn module_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src()).expect("below src");
    let first = relative.components().next()?.as_os_str().to_str()?;
    if relative.components().count() == 1 && (first == "lib.rs" || first == "main.rs") {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_owned())
}

/// Files that are `#[cfg(test)] mod name;` of their parent.
fn test_only(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    for file in files {
        let dir = match file.file_name().and_then(|name| name.to_str()) {
            Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().expect("dir").to_owned(),
            _ => file.with_extension(""),
        };
        let text = fs::read_to_string(file).expect("source");
        let mut cfg_test = false;
        for line in text.lines() {
            if cfg_test && let Some((name, false)) = module_declaration(line) {
                found.insert(dir.join(format!("{name}.rs")));
                found.insert(dir.join(name).join("mod.rs"));
            }
            cfg_test = line.trim_start().starts_with("#[cfg(test)]");
        }
    }
    found
}

fn edges() -> Edges {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let (modules, reexported) = root(&files);
    let skipped = test_only(&files);
    let mut edges = Edges::new();
    for file in files.iter().filter(|file| !skipped.contains(*file)) {
        let Some(from) = module_of(file) else {
            continue;
        };
        let code = code_of(&fs::read_to_string(file).expect("source"));
        for (index, _) in code.match_indices("crate::") {
            let after = &code[index + "crate::".len()..];
            let named: Vec<&str> = match after.strip_prefix('{') {
                Some(group) => {
                    let group = group.split('}').next().unwrap_or_default();
                    group
                        .split(',')
                        .filter_map(|item| identifiers(item).next())
                        .collect()
                }
                None => identifiers(after).take(1).collect(),
            };
            for name in named {
                let module = if modules.contains(name) {
                    Some(name)
                } else {
                    reexported.get(name).map(String::as_str)
                };
                if let Some(to) = module
                    && to != from
                    && modules.contains(to)
                {
                    edges.entry(from.clone()).or_default().insert(to.to_owned());
                }
            }
        }
    }
    edges
}

/// A cycle through the graph, if there is one (depth-first search).
fn cycle(edges: &Edges) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        edges: &'a Edges,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|on| *on == node) {
            let mut cycle: Vec<String> = path[start..].iter().map(|m| (*m).to_owned()).collect();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_modules_have_no_cycle() {
    let edges = edges();
    let listing: Vec<String> = edges
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |to| format!("{from} -> {to}")))
        .collect();
    assert!(listing.len() > 20, "the edges were not found: {listing:#?}");
    if let Some(cycle) = cycle(&edges) {
        panic!(
            "module cycle: {}\nedges:\n{}",
            cycle.join(" -> "),
            listing.join("\n")
        );
    }
}

#[test]
fn a_cycle_is_found() {
    let mut edges = Edges::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges
            .entry(from.to_owned())
            .or_default()
            .insert(to.to_owned());
    }
    assert_eq!(cycle(&edges).expect("cycle"), ["a", "b", "c", "a"]);
    edges.get_mut("c").expect("c").remove("a");
    assert_eq!(cycle(&edges), None);
}

#[test]
fn declarations_and_test_code_are_read_like_the_script() {
    assert_eq!(module_declaration("pub mod kit;"), Some(("kit", false)));
    assert_eq!(module_declaration("pub(crate) mod a {"), Some(("a", true)));
    assert_eq!(module_declaration("mod tests {"), Some(("tests", true)));
    assert_eq!(module_declaration("let module = 1;"), None);
    let code =
        code_of("use crate::a;\n// crate::b\n#[cfg(test)]\nmod tests {\n use crate::c;\n}\n");
    assert!(code.contains("crate::a") && !code.contains("crate::b") && !code.contains("crate::c"));
}
