//! `verify`, for CI: the exercises hold both ways. The stages' own sources
//! pass every exercise; and in each chapter, done in order, an exercise
//! fails until it is done and passes once it is: on the starting point
//! every exercise fails, and with the first k done, those k pass and the
//! next fails.
//!
//! Everything is built in `target/exercises-verify/`, a learner's folder
//! like any other, so a second run rebuilds only what changed.

use crate::check::{self, Status};
use crate::learner;
use crate::manifest::{Chapter, Exercise};
use crate::workbook::Workbook;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where `verify` builds.
pub fn folder(workbook: &Workbook) -> PathBuf {
    learner::target_dir(workbook).join("exercises-verify")
}

/// Runs every check, printing a line for each to `out`; `Ok(true)` when
/// all of them hold.
///
/// # Errors
/// A file that cannot be written, or a stage whose edits do not apply.
pub fn verify(workbook: &Workbook, out: &mut impl Write) -> Result<bool, String> {
    let started = Instant::now();
    let dir = folder(workbook);
    let chapters: Vec<&Chapter> = workbook.manifest.chapter.iter().collect();
    for chapter in &chapters {
        let copy = Workbook::copy_dir(&dir, chapter);
        let _ = std::fs::remove_dir_all(copy.join("src"));
        Workbook::write_files(&copy, &workbook.stage_files(chapter, &[])?)?;
    }
    learner::scaffold(workbook, &dir)?;
    let mut holds = true;

    let all = dir.join(".check").join("all");
    learner::write_check(workbook, &dir, &chapters, &all)?;
    let everything: Vec<&Exercise> = workbook.manifest.exercise.iter().collect();
    let expected: Vec<(&Exercise, bool)> = everything.iter().map(|e| (*e, true)).collect();
    let stages: Vec<u32> = chapters.iter().map(|c| c.stage).collect();
    holds &= step(
        workbook,
        out,
        "the stages' own sources",
        &all,
        &stages,
        &expected,
    )?;

    for chapter in &chapters {
        let exercises = workbook.manifest.exercises_of(chapter);
        let copy = Workbook::copy_dir(&dir, chapter);
        let check_dir = learner::check_dir(&dir, chapter);
        for done in 0..exercises.len() {
            let files = workbook.stage_files(chapter, &exercises[done..])?;
            Workbook::write_files(&copy, &files)?;
            let (label, expected): (String, Vec<(&Exercise, bool)>) = match done {
                0 => (
                    format!("{}, as a learner starts it", chapter.name),
                    exercises.iter().map(|e| (*e, false)).collect(),
                ),
                _ => (
                    format!("{}, with {} done", chapter.name, ids(&exercises[..done])),
                    exercises[..=done]
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (*e, i < done))
                        .collect(),
                ),
            };
            holds &= step(
                workbook,
                out,
                &label,
                &check_dir,
                &[chapter.stage],
                &expected,
            )?;
        }
        Workbook::write_files(&copy, &workbook.stage_files(chapter, &[])?)?;
    }
    let took = started.elapsed().as_secs();
    let verdict = match holds {
        true => {
            "every exercise fails as a learner starts it, passes once done, and passes with the stages' own sources"
        }
        false => "some exercises do not hold (above)",
    };
    let _ = writeln!(out, "verify: {verdict} ({}m {:02}s)", took / 60, took % 60);
    Ok(holds)
}

/// `2.1, 2.2`.
fn ids(exercises: &[&Exercise]) -> String {
    exercises
        .iter()
        .map(|e| e.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks `expected` (each exercise, and whether it must pass) in `check`,
/// and prints one line, or one per exercise that does not hold.
fn step(
    workbook: &Workbook,
    out: &mut impl Write,
    label: &str,
    check: &Path,
    stages: &[u32],
    expected: &[(&Exercise, bool)],
) -> Result<bool, String> {
    let started = Instant::now();
    let exercises: Vec<&Exercise> = expected.iter().map(|(e, _)| *e).collect();
    let outcomes = match check::run(workbook, check, stages, &exercises) {
        Ok(outcomes) => outcomes,
        Err(check::Problem::Build(errors)) => {
            let _ = writeln!(out, "{label}: does not build:\n{errors}");
            return Ok(false);
        }
        Err(check::Problem::Workbook(problem)) => return Err(problem),
    };
    let mut wrong = Vec::new();
    for (exercise, pass) in expected {
        let status = check::status(exercise, &outcomes);
        match (&status, pass) {
            (Status::Done, true) | (Status::NotYet { .. }, false) => {}
            (Status::Done, false) => wrong.push(format!(
                "  {} passes, and must fail: its tests do not see it undone",
                exercise.id
            )),
            (Status::NotYet { test, reason }, true) => wrong.push(format!(
                "  {} fails, and must pass: {test}: {}",
                exercise.id,
                check::shorten(reason, 300)
            )),
            (Status::Needs { program, install }, _) => wrong.push(format!(
                "  {} cannot be told: its tests need `{program}`: {install}",
                exercise.id
            )),
        }
    }
    let passing: Vec<&str> = expected
        .iter()
        .filter(|(_, p)| *p)
        .map(|(e, _)| e.id.as_str())
        .collect();
    let failing: Vec<&str> = expected
        .iter()
        .filter(|(_, p)| !*p)
        .map(|(e, _)| e.id.as_str())
        .collect();
    let summary = match (passing.is_empty(), failing.is_empty()) {
        (_, true) => format!("{} pass", passing.join(" ")),
        (true, false) => format!("{} fail", failing.join(" ")),
        (false, false) => format!("{} pass, {} fails", passing.join(" "), failing.join(" ")),
    };
    let seconds = started.elapsed().as_secs();
    match wrong.is_empty() {
        true => {
            let _ = writeln!(out, "{label}: {summary}, as it should ({seconds} s)");
        }
        false => {
            let _ = writeln!(
                out,
                "{label}: NOT AS IT SHOULD ({seconds} s)\n{}",
                wrong.join("\n")
            );
        }
    }
    Ok(wrong.is_empty())
}
