//! What `check` and `class` print.

use crate::check::Status;
use crate::manifest::{Chapter, Exercise};
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

/// The word for a status in `check`'s list.
fn word(status: &Status) -> String {
    match status {
        Status::Done => "done".into(),
        Status::NotYet { .. } => "not yet".into(),
        Status::Needs { program, .. } => format!("needs {program}"),
    }
}

/// What `check` prints for a learner's folder `dir` (as the learner wrote
/// it). `next_chapter` is the chapter after the last one started, and
/// `again` the command that checks this folder.
pub fn check_text(
    dir: &Path,
    checks: &[ChapterCheck<'_>],
    next_chapter: Option<&Chapter>,
    again: &str,
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
        let copy = dir.join(format!("stage-{}", chapter.stage));
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
                "Your stage {} does not compile yet: fix the errors above, then check again:\n  {again}\n",
                check.chapter.stage
            ));
            return out;
        }
    }
    match next {
        Some((chapter, exercise, status)) => {
            out.push_str(&format!("Next: {} {}\n", exercise.id, exercise.title));
            let file = exercise
                .edit
                .first()
                .map_or("src/lib.rs", |e| e.file.as_str());
            let copy = dir.join(format!("stage-{}", chapter.stage)).join(file);
            out.push_str(&format!(
                "  Open: {}, where it says `Exercise {}`\n",
                copy.display(),
                exercise.id
            ));
            out.push_str(&format!("  Hint:\n{}\n", wrap(&exercise.hint, 72, "    ")));
            out.push_str(&format!("  Book: book/src/{}\n", exercise.book));
            match status {
                Status::NotYet { test, reason } => {
                    let reason = crate::check::shorten(reason, 300);
                    out.push_str(&format!("  Fails: {test}\n{}\n", wrap(&reason, 72, "    ")));
                    let check = dir.join(".check").join(format!("stage-{}", chapter.stage));
                    out.push_str(&format!(
                        "  To run that test alone:\n    cd {} && cargo test --test {TEST_BINARY} -- --exact {test}\n",
                        check.display()
                    ));
                }
                Status::Needs { program, install } => {
                    let needs = format!(
                        "Its tests need `{program}`, which is not installed, so they cannot tell: {install}."
                    );
                    out.push_str(&format!("{}\n", wrap(&needs, 74, "  ")));
                }
                Status::Done => {}
            }
            out.push_str(&format!("Then check again:\n  {again}\n"));
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

/// One learner's row in `class`: their name and each exercise's cell.
#[derive(Debug, Clone)]
pub struct Row {
    /// The learner's folder name.
    pub learner: String,
    /// `pass`, `fail`, `needs` or `-` (not started), by exercise id.
    pub cells: Vec<(String, &'static str)>,
    /// What went wrong beyond a failed test, e.g. `stage 3 does not compile`.
    pub notes: Vec<String>,
}

/// The word for a status in `class`'s table.
pub fn cell(status: &Status) -> &'static str {
    match status {
        Status::Done => "pass",
        Status::NotYet { .. } => "fail",
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
