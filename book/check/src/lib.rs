//! Checks that keep the book honest: includes ([`include_problems`]),
//! links ([`links::link_problems`]), the generated "what changed" diffs
//! ([`diffs::stale_diffs`]) and each chapter's length ([`sizes`]).
//!
//! mdBook 0.5 only *logs* an `{{#include}}` whose file is missing, and renders
//! an anchor that is misspelled (or never closed) as nothing at all: the book
//! still builds, with a hole where the code should be. [`include_problems`]
//! finds both, and `tests/book.rs` runs it inside `cargo test --workspace`.

pub mod diffs;
pub mod links;
pub mod sizes;

use std::fs;
use std::path::{Path, PathBuf};

/// One `{{#include …}}` or `{{#rustdoc_include …}}` found in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The chapter, as a path.
    pub chapter: PathBuf,
    /// 1-based line in the chapter.
    pub line: usize,
    /// The path as written, relative to the chapter.
    pub path: String,
    /// The anchor name, if the include names one (line ranges are not anchors).
    pub anchor: Option<String>,
}

/// Every include directive in `markdown`.
pub fn includes(chapter: &Path, markdown: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#") {
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else { break };
            let directive = after[..end].trim();
            rest = &after[end + 2..];
            let spec = match directive.split_once(char::is_whitespace) {
                Some(("include" | "rustdoc_include", spec)) => spec.trim(),
                _ => continue,
            };
            let (path, anchor) = match spec.split_once(':') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (spec, None),
            };
            // `file.rs:3`, `file.rs:3:9` and `file.rs::9` are line ranges.
            let anchor = anchor
                .filter(|a| !a.chars().all(|c| c.is_ascii_digit() || c == ':'))
                .map(str::to_string);
            found.push(Include {
                chapter: chapter.to_path_buf(),
                line: index + 1,
                path: path.to_string(),
                anchor,
            });
        }
    }
    found
}

/// What is wrong with one include, if anything.
pub fn include_problem(include: &Include) -> Option<String> {
    let at = format!("{}:{}", include.chapter.display(), include.line);
    let dir = include.chapter.parent().unwrap_or(Path::new("."));
    let file = dir.join(&include.path);
    let Ok(source) = fs::read_to_string(&file) else {
        return Some(format!(
            "{at}: includes {}, which does not exist",
            include.path
        ));
    };
    let anchor = include.anchor.as_deref()?;
    let opened = has_marker(&source, "ANCHOR", anchor);
    let closed = has_marker(&source, "ANCHOR_END", anchor);
    match (opened, closed) {
        (true, true) => None,
        (false, _) => Some(format!(
            "{at}: anchor '{anchor}' is not opened in {}",
            include.path
        )),
        (true, false) => Some(format!(
            "{at}: anchor '{anchor}' is never closed in {}",
            include.path
        )),
    }
}

/// Whether `source` has a line with `ANCHOR: name` (or `ANCHOR_END: name`).
fn has_marker(source: &str, marker: &str, name: &str) -> bool {
    source.lines().any(|line| {
        line.split_once(&format!("{marker}:"))
            .is_some_and(|(before, after)| {
                !before.ends_with('_') && after.split_whitespace().next() == Some(name)
            })
    })
}

/// Every chapter (`*.md`) under `src`, sorted.
pub fn chapters(src: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every problem with the includes of the book whose sources are in `src`.
pub fn include_problems(src: &Path) -> Vec<String> {
    chapters(src)
        .iter()
        .flat_map(|chapter| {
            let markdown = fs::read_to_string(chapter).unwrap_or_default();
            includes(chapter, &markdown)
        })
        .filter_map(|include| include_problem(&include))
        .collect()
}
