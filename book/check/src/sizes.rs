//! How long each chapter is to read: words of prose and lines of listings.
//!
//! A chapter should fit one sitting (DESIGN.md, "Book"): about 2,000 words
//! of prose and 300 lines of listings at most. [`chapter_size`] measures one
//! chapter the way a reader meets it:
//!
//! - **words** are the whitespace-separated words outside fenced code
//!   blocks, tables and lists included, HTML comments and tags left out;
//! - **listing lines** are the lines of fenced code blocks, each
//!   `{{#include}}` counted as the lines it expands to (an anchor's region
//!   without its `ANCHOR` marker lines, or the whole file);
//! - whatever is inside `<details>` … `</details>` (the generated "what
//!   changed" diff at a chapter's end, collapsed until opened) is counted
//!   apart, as **collapsed lines**, and in neither of the others.

use crate::{Include, includes};
use std::fs;
use std::path::{Path, PathBuf};

/// Most words of prose a numbered chapter may have.
pub const MAX_WORDS: usize = 2_000;
/// Most lines of listings (outside `<details>`) a numbered chapter may have.
pub const MAX_LISTING_LINES: usize = 300;

/// One chapter's measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterSize {
    /// The chapter's file.
    pub chapter: PathBuf,
    /// Words of prose, outside code blocks and `<details>`.
    pub words: usize,
    /// Lines of listings, outside `<details>`, includes expanded.
    pub listing_lines: usize,
    /// Lines of listings inside `<details>` (collapsed until opened).
    pub collapsed_lines: usize,
}

/// Measures the chapter at `chapter` (see the module's docs).
///
/// # Errors
/// The chapter cannot be read. An include whose file or anchor is missing
/// counts as no lines ([`crate::include_problems`] reports it).
pub fn chapter_size(chapter: &Path) -> std::io::Result<ChapterSize> {
    let markdown = fs::read_to_string(chapter)?;
    Ok(measure(chapter, &markdown))
}

/// Measures `markdown`, read from `chapter` (its includes are relative to it).
pub fn measure(chapter: &Path, markdown: &str) -> ChapterSize {
    let mut size = ChapterSize {
        chapter: chapter.to_path_buf(),
        words: 0,
        listing_lines: 0,
        collapsed_lines: 0,
    };
    let mut fenced = false;
    let mut collapsed = false;
    let mut comment = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            let lines = match includes(chapter, line).first() {
                Some(include) => expanded_lines(include),
                None => 1,
            };
            if collapsed {
                size.collapsed_lines += lines;
            } else {
                size.listing_lines += lines;
            }
            continue;
        }
        if trimmed.starts_with("<details") {
            collapsed = true;
        }
        if trimmed.starts_with("</details>") {
            collapsed = false;
            continue;
        }
        if collapsed {
            continue;
        }
        let mut text = trimmed;
        if comment || text.starts_with("<!--") {
            comment = !text.contains("-->");
            continue;
        }
        if text.starts_with('<') && text.ends_with('>') {
            text = "";
        }
        size.words += text
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count();
    }
    size
}

/// The lines an include expands to: its anchor's region without the
/// marker lines, or the whole file; 0 when the file cannot be read.
fn expanded_lines(include: &Include) -> usize {
    let dir = include.chapter.parent().unwrap_or(Path::new("."));
    let Ok(source) = fs::read_to_string(dir.join(&include.path)) else {
        return 0;
    };
    let is_marker = |line: &str| line.contains("ANCHOR:") || line.contains("ANCHOR_END:");
    let Some(anchor) = include.anchor.as_deref() else {
        return source.lines().filter(|line| !is_marker(line)).count();
    };
    let names = |line: &str, marker: &str| {
        line.split_once(marker)
            .is_some_and(|(_, after)| after.split_whitespace().next() == Some(anchor))
    };
    source
        .lines()
        .skip_while(|line| !names(line, "ANCHOR:"))
        .skip(1)
        .take_while(|line| !names(line, "ANCHOR_END:"))
        .filter(|line| !is_marker(line))
        .count()
}

/// The numbered chapters of the book whose sources are in `src`, in the
/// order of `SUMMARY.md`: every linked chapter before the first `---`
/// (after it come the appendices, which are reference, not a sitting).
///
/// # Errors
/// `SUMMARY.md` cannot be read.
pub fn numbered_chapters(src: &Path) -> std::io::Result<Vec<PathBuf>> {
    let summary = fs::read_to_string(src.join("SUMMARY.md"))?;
    Ok(summary
        .lines()
        .take_while(|line| line.trim() != "---")
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            Some(src.join(&line[start..end]))
        })
        .collect())
}
