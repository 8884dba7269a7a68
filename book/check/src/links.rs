//! Internal links and anchors of the book. mdBook renders a link to a
//! missing chapter or heading without a word; this finds them.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

/// The anchor mdBook gives a heading: lower case, spaces as `-`, other
/// punctuation dropped (or the `{#id}` written after it).
pub fn slug(heading: &str) -> String {
    if let Some(start) = heading.rfind("{#")
        && let Some(end) = heading[start..].find('}')
    {
        return heading[start + 2..start + end].to_string();
    }
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() => Some(c.to_lowercase().next().unwrap_or(c)),
            '-' | '_' => Some(c),
            c if c.is_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

/// Lines outside fenced code blocks, with their 1-based numbers.
fn prose(markdown: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push((index + 1, line));
        }
    }
    lines
}

/// The anchors of a chapter's headings.
pub fn anchors(markdown: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for (_, line) in prose(markdown) {
        if let Some(heading) = line.strip_prefix('#') {
            let mut slug = slug(heading.trim_start_matches('#'));
            let base = slug.clone();
            let mut n = 1;
            while seen.contains(&slug) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            seen.insert(slug);
        }
    }
    seen
}

/// The targets of the inline links `[text](target)` in prose.
pub fn link_targets(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose(markdown) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            found.push((number, target));
            rest = &after[end..];
        }
    }
    found
}

/// Every broken internal link or anchor in the chapters under `src`.
pub fn link_problems(src: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for chapter in crate::chapters(src) {
        let markdown = fs::read_to_string(&chapter).unwrap_or_default();
        for (line, target) in link_targets(&markdown) {
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let at = format!("{}:{line}", chapter.display());
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let target_path = if file.is_empty() {
                chapter.clone()
            } else {
                chapter.parent().unwrap_or(src).join(file)
            };
            if !target_path.exists() {
                problems.push(format!(
                    "{at}: links to {target}, and {file} does not exist"
                ));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = fs::read_to_string(&target_path).unwrap_or_default();
                if target_path.extension().is_some_and(|e| e == "md")
                    && !anchors(&text).contains(anchor)
                {
                    problems.push(format!(
                        "{at}: links to {target}, and there is no heading #{anchor}"
                    ));
                }
            }
        }
    }
    problems
}
