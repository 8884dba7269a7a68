//! `reset ID`: puts back one exercise's starting point in the learner's
//! copy, and nothing else. The place is found in the learner's file as it
//! is now: a function's body by the function's name (read with rustc's
//! lexer, as [`crate::edit`] does), and a replaced text by the lines
//! around it in the starting point. When the learner's file no longer has
//! that place, nothing is written, and the error says what to put back.

use crate::edit::fn_body;
use crate::manifest::{Edit, Exercise, Folder};
use crate::workbook::{StageFile, Workbook};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What a reset changed: each file, with the learner's text before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// Relative to the learner's folder, e.g. `src/okta.rs`.
    pub file: PathBuf,
    /// The file as the learner had it.
    pub before: String,
    /// The file with the exercise's starting point put back.
    pub after: String,
}

/// The files of `copy` (the learner's folder `folder`) with `exercise`'s
/// starting point put back. Nothing is written.
///
/// # Errors
/// One line: a file of the learner's that cannot be read, or that no
/// longer has the place, and what to put back.
pub fn reset(
    workbook: &Workbook,
    folder: &Folder<'_>,
    copy: &Path,
    exercise: &Exercise,
) -> Result<Vec<Reset>, String> {
    let start = workbook.folder_files(folder, &folder.exercises(&workbook.manifest))?;
    let mut changed: Vec<Reset> = Vec::new();
    for edit in &exercise.edit {
        let path = copy.join(&edit.file);
        let shown = path.display();
        let before = match changed.iter().find(|r| r.file == Path::new(&edit.file)) {
            Some(done) => done.after.clone(),
            None => fs::read_to_string(&path).map_err(|e| format!("{shown}: {e}"))?,
        };
        let starting = starting_text(&start, &edit.file)?;
        let placeholder = edit
            .with
            .clone()
            .unwrap_or_else(|| format!("todo!({:?})", exercise.message()));
        let after = put_back(&before, starting, edit, &placeholder)
            .map_err(|missing| format!("cannot reset {}: {shown} {missing}", exercise.id))?;
        match changed.iter_mut().find(|r| r.file == Path::new(&edit.file)) {
            Some(done) => done.after = after,
            None => changed.push(Reset {
                file: PathBuf::from(&edit.file),
                before,
                after,
            }),
        }
    }
    changed.retain(|r| r.before != r.after);
    Ok(changed)
}

/// The text of `file` in the starting point.
fn starting_text<'a>(start: &'a [StageFile], file: &str) -> Result<&'a str, String> {
    start
        .iter()
        .find(|(f, _)| f == Path::new(file))
        .map(|(_, text)| text.as_str())
        .ok_or(format!("the starting point has no {file}"))
}

/// `mine` (the learner's file) with the region of `edit` as it is in
/// `starting`, where `placeholder` is what took its place (the edit's
/// `with`, or its `todo!`); or what is missing, in words that follow the
/// file's name.
fn put_back(mine: &str, starting: &str, edit: &Edit, placeholder: &str) -> Result<String, String> {
    let lines: Vec<&str> = starting.split_inclusive('\n').collect();
    let mine_lines: Vec<&str> = mine.split_inclusive('\n').collect();
    if let Some(name) = &edit.function {
        let theirs = fn_body(starting, name).map_err(|e| format!("(the starting point): {e}"))?;
        let Ok(body) = fn_body(mine, name) else {
            return Err(format!(
                "has no `fn {name}` any more: put it back (`{}}}`), then reset again",
                signature(starting, name)
            ));
        };
        if edit.from.is_none() {
            return Ok(splice(mine, body, &starting[theirs]));
        }
        // From a line of the body to its end: the lines before it in the
        // body are the stage's (or another exercise's), and stay as they are.
        let first = placeholder.lines().next().unwrap_or_default().trim();
        let at = starting[theirs.clone()]
            .find(first)
            .map(|at| theirs.start + at)
            .ok_or("(the starting point): its placeholder is not in the body")?;
        let line = |text: &str, at: usize| text[..at].matches('\n').count();
        let region = line(starting, at)..line(starting, theirs.end);
        // Where it starts in the learner's body: the placeholder, if it is
        // still there; or else the text it starts with in the solution; or
        // else the lines above it.
        let in_body = |needle: &str| {
            let mut found = mine[body.clone()].match_indices(needle);
            match (found.next(), found.next()) {
                (Some((at, _)), None) => Some(line(mine, body.start + at)),
                _ => None,
            }
        };
        let to = line(mine, body.end);
        let from = match in_body(first).or_else(|| edit.from.as_deref().and_then(in_body)) {
            Some(from) => from,
            None => {
                let before = context(&lines, region.start, Direction::Up, &mine_lines).map_err(|line| {
                    format!(
                        "no longer has the line before the exercise (`{line}`) exactly once: put it back as it was, then reset again"
                    )
                })?;
                if before.end > to || before.end <= line(mine, body.start) {
                    return Err(format!(
                        "no longer has the line before the exercise in `fn {name}`: put it back as it was, then reset again"
                    ));
                }
                before.end
            }
        };
        let mut out: String = mine_lines[..from].concat();
        out.push_str(&lines[region].concat());
        out.push_str(&mine_lines[to..].concat());
        return Ok(out);
    }
    let with = edit.with.as_deref().unwrap_or_default();
    let region = line_region(starting, with)?;
    let before = context(&lines, region.start, Direction::Up, &mine_lines).map_err(|line| {
        format!(
            "no longer has the line before the exercise (`{line}`) exactly once: put it back as it was, then reset again"
        )
    })?;
    let from = before.end;
    let after = context(&lines, region.end, Direction::Down, &mine_lines[from..]).map_err(|line| {
        format!(
            "no longer has the line after the exercise (`{line}`): put it back as it was, then reset again"
        )
    })?;
    let to = from + after.start;
    let mut out: String = mine_lines[..from].concat();
    out.push_str(&lines[region].concat());
    out.push_str(&mine_lines[to..].concat());
    Ok(out)
}

/// `mine` with `range` replaced by `with`.
fn splice(mine: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &mine[..range.start], &mine[range.end..])
}

/// `fn name`'s signature in `source`, on one line, up to its `{`.
fn signature(source: &str, name: &str) -> String {
    let Ok(body) = fn_body(source, name) else {
        return format!("fn {name}");
    };
    let head = &source[..body.start];
    let at = head.rfind(&format!("fn {name}")).unwrap_or(0);
    let line = head[..at].rfind('\n').map_or(0, |i| i + 1);
    head[line..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of `starting` that are `with` (whole lines, found once).
fn line_region(starting: &str, with: &str) -> Result<Range<usize>, String> {
    let mut found = starting.match_indices(with).map(|(at, _)| at);
    let (Some(at), None) = (found.next(), found.next()) else {
        return Err(format!(
            "(the starting point): its text {with:?} is not there exactly once"
        ));
    };
    let whole = (at == 0 || starting[..at].ends_with('\n')) && with.ends_with('\n');
    if !whole {
        return Err(format!(
            "(the starting point): its text {with:?} is not whole lines"
        ));
    }
    let first = starting[..at].matches('\n').count();
    Ok(first..first + with.matches('\n').count())
}

#[derive(Debug, Clone, Copy)]
enum Direction {
    Up,
    Down,
}

/// Where the place next to line `at` of `lines` (above it, or from it
/// down) is in `mine`: the fewest lines next to it, found once in `lines`
/// and once in `mine` (by their trimmed text, so indentation may differ),
/// with a line that is not blank. Their range in `mine`; or the first line
/// that marks the place, when `mine` does not have them once.
fn context(
    lines: &[&str],
    at: usize,
    direction: Direction,
    mine: &[&str],
) -> Result<Range<usize>, String> {
    let trimmed: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
    let mine: Vec<&str> = mine.iter().map(|l| l.trim()).collect();
    let found = |slice: &[&str], within: &[&str]| -> Vec<usize> {
        (slice.len()..=within.len())
            .filter(|&end| within[end - slice.len()..end] == *slice)
            .collect()
    };
    let most = match direction {
        Direction::Up => at,
        Direction::Down => lines.len() - at,
    };
    let mut first_line = "";
    for n in 1..=most {
        let range = match direction {
            Direction::Up => at - n..at,
            Direction::Down => at..at + n,
        };
        let slice = &trimmed[range];
        if first_line.is_empty() {
            first_line = slice
                .iter()
                .find(|l| !l.is_empty())
                .copied()
                .unwrap_or_default();
        }
        if slice.iter().all(|l| l.is_empty()) || found(slice, &trimmed).len() != 1 {
            continue;
        }
        match found(slice, &mine)[..] {
            [] => return Err(first_line.to_string()),
            [end] => return Ok(end - n..end),
            _ => {}
        }
    }
    match (direction, most) {
        // At the start or the end of the file: the file's edge is the place.
        (Direction::Up, 0) => Ok(0..0),
        (Direction::Down, 0) => Ok(mine.len()..mine.len()),
        _ => Err(first_line.to_string()),
    }
}

/// Writes `resets` into `copy`, keeping each file as the learner had it
/// in `kept` (e.g. `my-exercises/.reset/2.4/`).
///
/// # Errors
/// A file that cannot be written.
pub fn write(copy: &Path, kept: &Path, resets: &[Reset]) -> Result<(), String> {
    for reset in resets {
        let old = kept.join(&reset.file);
        if let Some(parent) = old.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&old, &reset.before).map_err(|e| format!("{}: {e}", old.display()))?;
        let path = copy.join(&reset.file);
        fs::write(&path, &reset.after).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STARTING: &str = "fn a() {
    let x = 1;
    // Exercise 1.2: add one here.
    x
}

fn b(y: u8) -> u8 {
    todo!(\"Exercise 1.1\")
}
";

    const WITH: &str = "    // Exercise 1.2: add one here.\n";

    fn find(with: &str) -> Edit {
        Edit {
            file: "src/lib.rs".into(),
            function: None,
            from: None,
            find: Some("unused".into()),
            with: Some(with.into()),
        }
    }

    fn body(name: &str) -> Edit {
        Edit {
            file: "src/lib.rs".into(),
            function: Some(name.into()),
            from: None,
            find: None,
            with: None,
        }
    }

    #[test]
    fn a_body_is_put_back_and_the_rest_is_kept() {
        let mine = "fn a() {\n    let x = 1;\n    let x = x + 1;\n    x\n}\n\nfn b(y: u8) -> u8 {\n    y * 2\n}\n";
        let reset = put_back(mine, STARTING, &body("b"), "todo!(\"Exercise 1.1\")").expect("reset");
        assert_eq!(
            reset,
            mine.replace("    y * 2\n", "    todo!(\"Exercise 1.1\")\n"),
            "only b's body"
        );
    }

    #[test]
    fn the_rest_of_a_body_is_put_back_and_what_is_above_it_is_kept() {
        let starting = "fn c() {\n    let a = 1;\n    // Exercise 1.3: this is wrong.\n    let b = a;\n    todo!(\"Exercise 1.4\")\n}\n";
        let edit = Edit {
            from: Some("let c".into()),
            ..body("c")
        };
        let todo = "todo!(\"Exercise 1.4\")";
        // 1.3 and 1.4 done: 1.3's work stays.
        let mine = "fn c() {\n    let a = 1;\n    let b = a + 1;\n    let c = b;\n    c * 2\n}\n";
        let reset = put_back(mine, starting, &edit, todo).expect("reset");
        assert_eq!(
            reset,
            "fn c() {\n    let a = 1;\n    let b = a + 1;\n    todo!(\"Exercise 1.4\")\n}\n"
        );
        // Written otherwise, found by the lines above it.
        let mine = "fn c() {\n    let a = 1;\n    // Exercise 1.3: this is wrong.\n    let b = a;\n    b * 3\n}\n";
        assert_eq!(
            put_back(mine, starting, &edit, todo).expect("reset"),
            starting
        );
        // Still at its start: nothing changes.
        assert_eq!(
            put_back(starting, starting, &edit, todo).expect("reset"),
            starting
        );
    }

    #[test]
    fn replaced_lines_are_found_by_the_lines_around_them_however_indented() {
        let mine = "fn a() {\n  let x = 1;\n  let x = x + 1;\n  let x = x * 1;\n  x\n}\n\nfn b(y: u8) -> u8 {\n    y * 2\n}\n";
        let reset = put_back(mine, STARTING, &find(WITH), WITH).expect("reset");
        assert_eq!(
            reset,
            "fn a() {\n  let x = 1;\n    // Exercise 1.2: add one here.\n  x\n}\n\nfn b(y: u8) -> u8 {\n    y * 2\n}\n"
        );
    }

    #[test]
    fn a_place_that_is_gone_is_one_line_that_says_what_to_put_back() {
        let no_fn = put_back(
            "fn a() {}\n",
            STARTING,
            &body("b"),
            "todo!(\"Exercise 1.1\")",
        )
        .expect_err("no fn b");
        assert_eq!(
            no_fn,
            "has no `fn b` any more: put it back (`fn b(y: u8) -> u8 {}`), then reset again"
        );
        let no_line = put_back("fn a() {\n    x\n}\n", STARTING, &find(WITH), WITH)
            .expect_err("the line before is gone");
        assert!(
            no_line.starts_with("no longer has the line before the exercise (`let x = 1;`)"),
            "{no_line}"
        );
    }
}
