//! What `check` and `class` print.

use crate::check::Status;
use crate::manifest::{Chapter, Exercise};
use crate::progress::word;
use crate::workbook::TEST_BINARY;
use std::path::Path;

/// One chapter of a learner's folder, checked.
#[derive(Debug, Clone)]
pub struct ChapterCheck<'a> {
    /// The chapter.
    pub chapter: &'a Chapter,
    /// Each exercise's status, in order; or, when the learner's stage does
    /// not build, the compiler's errors.
    pub result: Result<Vec<(&'a Exercise, Status)>, String>,
}

impl ChapterCheck<'_> {
    /// How many exercises are done, of how many.
    pub fn progress(&self) -> (usize, usize) {
        match &self.result {
            Ok(statuses) => {
                let done = statuses.iter().filter(|(_, s)| *s == Status::Done).count();
                (done, statuses.len())
            }
            Err(_) => (0, 0),
        }
    }

    /// Whether every exercise is done.
    pub fn all_done(&self) -> bool {
        matches!(&self.result, Ok(s) if s.iter().all(|(_, s)| *s == Status::Done))
    }
}

/// `text` in lines of at most `width` characters, each after `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `check` prints for a learner's folder `dir` (as the learner wrote
/// it). `next_chapter` is the chapter after the last one started, `again`
/// the line(s) that say how to check again, and `command` writes a verb
/// as the learner types it (`hint 2.1` → `cargo run -p exercises -- hint 2.1`).
pub fn check_text(
    dir: &Path,
    checks: &[ChapterCheck<'_>],
    next_chapter: Option<&Chapter>,
    again: &str,
    command: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    let width = checks
        .iter()
        .flat_map(|c| c.result.iter().flatten())
        .map(|(_, status)| word(status).len())
        .max()
        .unwrap_or(0);
    let mut next: Option<(&Chapter, &Exercise, &Status)> = None;
    for check in checks {
        let chapter = check.chapter;
        let copy = dir.join(chapter.folder());
        out.push_str(&format!(
            "{} (stage {}), in {}:\n",
            chapter.title,
            chapter.stage,
            copy.display()
        ));
        match &check.result {
            Ok(statuses) => {
                for (exercise, status) in statuses {
                    out.push_str(&format!(
                        "  {:<width$}  {}  {}\n",
                        word(status),
                        exercise.id,
                        exercise.title
                    ));
                    if next.is_none() && *status != Status::Done {
                        next = Some((chapter, exercise, status));
                    }
                }
                let (done, all) = check.progress();
                out.push_str(&format!("{done}/{all} done.\n\n"));
            }
            Err(_) => {
                out.push_str("  it does not compile: the errors are below.\n\n");
            }
        }
    }
    for check in checks {
        if let Err(errors) = &check.result {
            out.push_str(&format!("{errors}\n\n"));
            out.push_str(&format!(
                "Your {} does not compile yet: fix the errors above.\n{again}",
                dir.join(check.chapter.folder()).display()
            ));
            return out;
        }
    }
    match next {
        Some((chapter, exercise, status)) => {
            out.push_str(&format!("Next: {} {}\n", exercise.id, exercise.title));
            let ask = command(&format!("hint {}", exercise.id));
            out.push_str(&where_and_how(dir, chapter, exercise, Some(&ask)));
            match status {
                Status::NotYet { test, reason } => {
                    let reason = crate::check::shorten(reason, 300);
                    out.push_str(&format!("  Fails: {test}\n{}\n", wrap(&reason, 72, "    ")));
                    let check = dir.join(".check").join(chapter.folder());
                    out.push_str(&format!(
                        "  To run that test alone:\n    cd {} && cargo test --test {TEST_BINARY} -- --exact {test}\n",
                        check.display()
                    ));
                    if exercise.breaks.is_some() {
                        let broken = crate::learner::broken_dir(dir, &chapter.folder(), exercise);
                        out.push_str(&format!(
                            "  And against the broken copy of stage {} (in {}):\n    cd {} && cargo test --test {TEST_BINARY} -- --exact {test}\n",
                            chapter.stage,
                            broken.join(format!("stage-{}", chapter.stage)).display(),
                            broken.join("check").display()
                        ));
                    }
                }
                Status::Waits { on } => {
                    let waits = format!(
                        "Its tests go through {on}'s work, which is not done yet: do {on} first."
                    );
                    out.push_str(&format!("{}\n", wrap(&waits, 74, "  ")));
                }
                Status::Needs { program, install } => {
                    let needs = format!(
                        "Its tests need `{program}`, which is not installed, so they cannot tell: {install}."
                    );
                    out.push_str(&format!("{}\n", wrap(&needs, 74, "  ")));
                }
                Status::Done => {}
            }
            out.push_str(again);
        }
        None => {
            let count: usize = checks.iter().map(|c| c.progress().1).sum();
            out.push_str(&format!("All {count} exercises are done. Well done!\n"));
            if let Some(chapter) = next_chapter {
                out.push_str(&format!(
                    "The next chapter, \"{}\":\n  cargo run -p exercises -- start {}\n",
                    chapter.title, chapter.name
                ));
            }
        }
    }
    out
}

/// Where `exercise` is in the learner's folder `dir` (every file it
/// touches), what to build when its answer is not in the book, how it is
/// checked, and the book's section: what `check` says of the next
/// exercise. Its hint (what `hint ID` shows), or with `ask`, the command
/// that shows it instead (the hint only when asked).
pub fn where_and_how(
    dir: &Path,
    chapter: &Chapter,
    exercise: &Exercise,
    ask: Option<&str>,
) -> String {
    let copy = dir.join(chapter.folder());
    let shown = |file: &str| copy.join(file).display().to_string();
    let marked: Vec<String> = exercise.marked_files().into_iter().map(shown).collect();
    let others: Vec<String> = exercise
        .files()
        .into_iter()
        .filter(|f| !exercise.marked_files().contains(f))
        .map(shown)
        .collect();
    let says = match marked.len() {
        1 => "where it says",
        _ => "where they say",
    };
    let mut out = format!(
        "  Open: {}, {says} `Exercise {}`",
        and_list(&marked),
        exercise.id
    );
    match others.is_empty() {
        true => out.push('\n'),
        false => out.push_str(&format!("; and {}\n", and_list(&others))),
    }
    if let Some(task) = &exercise.task {
        out.push_str(&format!("  Task:\n{}\n", wrap(task, 72, "    ")));
    }
    match ask {
        None => out.push_str(&format!("  Hint:\n{}\n", wrap(&exercise.hint, 72, "    "))),
        Some(command) => out.push_str(&format!("  Stuck? Its hint: {command}\n")),
    }
    if let Some(breaks) = &exercise.breaks {
        let how = format!(
            "Your test is done when it passes against stage {} and fails against a copy of stage {} that {breaks}.",
            chapter.stage, chapter.stage
        );
        out.push_str(&format!("  Checked:\n{}\n", wrap(&how, 72, "    ")));
    }
    out.push_str(&format!("  Book: book/src/{}\n", exercise.book));
    out
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One learner's row in `class`: their name and each exercise's cell.
#[derive(Debug, Clone)]
pub struct Row {
    /// The learner's folder name.
    pub learner: String,
    /// `pass`, `fail`, `waits`, `needs` or `-` (not started), by exercise id.
    pub cells: Vec<(String, &'static str)>,
    /// What went wrong beyond a failed test, e.g. `stage 3 does not compile`.
    pub notes: Vec<String>,
}

/// The word for a status in `class`'s table.
pub fn cell(status: &Status) -> &'static str {
    match status {
        Status::Done => "pass",
        Status::NotYet { .. } => "fail",
        Status::Waits { .. } => "waits",
        Status::Needs { .. } => "needs",
    }
}

/// `class`'s table: a row per learner, a column per exercise.
pub fn class_table(ids: &[String], rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.learner.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = format!("{:<width$}", "learner");
    for id in ids {
        out.push_str(&format!("  {id:<5}"));
    }
    out.truncate(out.trim_end_matches(' ').len());
    out.push('\n');
    for row in rows {
        out.push_str(&format!("{:<width$}", row.learner));
        for id in ids {
            let cell = row
                .cells
                .iter()
                .find(|(i, _)| i == id)
                .map_or("-", |(_, c)| *c);
            out.push_str(&format!("  {cell:<5}"));
        }
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
    }
    let notes: Vec<String> = rows
        .iter()
        .flat_map(|r| r.notes.iter().map(move |n| format!("{}: {n}", r.learner)))
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_table_has_a_row_per_learner_and_a_column_per_exercise() {
        let ids: Vec<String> = ["2.1", "2.2", "3.1"].map(String::from).to_vec();
        let rows = [
            Row {
                learner: "ada".into(),
                cells: vec![
                    ("2.1".into(), "pass"),
                    ("2.2".into(), "pass"),
                    ("3.1".into(), "fail"),
                ],
                notes: vec![],
            },
            Row {
                learner: "brian".into(),
                cells: vec![("2.1".into(), "fail"), ("2.2".into(), "fail")],
                notes: vec!["stage 2 does not compile".into()],
            },
        ];
        assert_eq!(
            class_table(&ids, &rows),
            "learner  2.1    2.2    3.1\nada      pass   pass   fail\nbrian    fail   fail   -\n\nbrian: stage 2 does not compile\n"
        );
    }

    #[test]
    fn a_hint_is_wrapped_under_its_label() {
        assert_eq!(
            wrap("one two three four", 9, "  "),
            "  one two\n  three\n  four"
        );
    }
}
