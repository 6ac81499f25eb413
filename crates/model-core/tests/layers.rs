//! The core's layers point down only: `sql` names nothing of `engine`, `orm` or `asyncio`,
//! `engine` nothing of `orm` or `asyncio`, and `orm` nothing of `asyncio`. Read from the
//! sources, so a new import across a layer fails here.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const LAYERS: [&str; 4] = ["sql", "engine", "orm", "asyncio"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_of(layer: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    rust_files(&src().join(layer), &mut out);
    assert!(!out.is_empty(), "no sources under src/{layer}");
    out
}

/// The lines of a file that are code: comments and doc comments (whose examples may use any
/// layer through the public API) are left out.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(n, l)| (n + 1, l.to_owned()))
        .collect()
}

/// The names of the items a layer declares public (`pub struct Session`, `pub fn metadata`, ...),
/// which the crate root re-exports: naming `crate::Session` from below is an arrow up too.
fn public_names(layer: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in files_of(layer) {
        // Top-level items only: methods are not reachable as `crate::name`.
        for (_, line) in code_lines(&file) {
            let Some(rest) = line.strip_prefix("pub ") else {
                continue;
            };
            for kind in [
                "struct ", "enum ", "trait ", "fn ", "type ", "const ", "static ",
            ] {
                if let Some(item) = rest.strip_prefix(kind) {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        names.insert(name);
                    }
                }
            }
        }
    }
    names
}

/// Every `crate::...` path a line names, with `crate::{a, b::c}` groups spelled out.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(|p| p.trim().to_owned()));
            rest = &group[end..];
        } else {
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(after.len());
            out.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    out
}

/// What a file of `layer` names from the layers above it, as `file:line: path`.
fn upward(layer: &str) -> Vec<String> {
    let above: Vec<&str> = LAYERS
        .iter()
        .skip_while(|l| **l != layer)
        .skip(1)
        .copied()
        .collect();
    let names: BTreeSet<String> = above.iter().flat_map(|l| public_names(l)).collect();
    let mut found = Vec::new();
    for file in files_of(layer) {
        let shown = file.strip_prefix(src()).unwrap().display().to_string();
        for (n, line) in code_lines(&file) {
            if line.contains("super::super") {
                found.push(format!("{shown}:{n}: `super::super` leaves the layer"));
            }
            for path in crate_paths(&line) {
                let first = path.split("::").next().unwrap_or("");
                if above.contains(&first) || names.contains(first) {
                    found.push(format!("{shown}:{n}: crate::{path}"));
                }
            }
        }
    }
    found
}

#[test]
fn sql_names_neither_engine_nor_orm() {
    let found = upward("sql");
    assert!(
        found.is_empty(),
        "the sql layer names items of the layers above it:\n{}",
        found.join("\n")
    );
}

#[test]
fn engine_names_nothing_of_orm() {
    let found = upward("engine");
    assert!(
        found.is_empty(),
        "the engine layer names items of the orm layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn orm_names_nothing_of_asyncio() {
    let found = upward("orm");
    assert!(
        found.is_empty(),
        "the orm layer names items of the async layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert_eq!(
        crate_paths("use crate::{orm::Session, sql::Value};"),
        ["orm::Session", "sql::Value"]
    );
    assert_eq!(crate_paths("x: crate::Session,"), ["Session"]);
    let orm = public_names("orm");
    assert!(
        orm.contains("Session") && orm.contains("Statement"),
        "{orm:?}"
    );
    assert!(public_names("engine").contains("metadata"));
    assert!(public_names("asyncio").contains("AsyncSession"));
}
