//! `verify`, for CI: the exercises hold both ways. The stages' own sources
//! (with the solutions of the exercises whose answer is not in the book)
//! pass every exercise; and in each chapter, done in order, an exercise
//! fails until it is done and passes once it is: on the starting point
//! every exercise fails, and with the first k done, those k pass and the
//! others fail. The `needs` declarations are checked for each exercise
//! that another one needs: with it alone taken out (as `reset` does),
//! it and those that need it fail, and every other one passes (those
//! that need it only through another one are not held to either).
//!
//! Everything is built in `target/exercises-verify/`, a learner's folder
//! like any other, so a second run rebuilds only what changed.

use crate::check::{self, Mine, Status};
use crate::learner;
use crate::manifest::{Exercise, Folder, Kind};
use crate::workbook::Workbook;
use std::io::Write;
use std::path::PathBuf;
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
    let manifest = &workbook.manifest;
    let folders = manifest.folders();
    for folder in &folders {
        let copy = dir.join(&folder.name);
        let _ = std::fs::remove_dir_all(copy.join("src"));
        Workbook::write_files(&copy, &workbook.folder_files(folder, &[])?)?;
    }
    learner::scaffold(workbook, &dir)?;
    let mut holds = true;

    // The stages' own sources, all in one build: every exercise of code.
    let code: Vec<&Folder<'_>> = folders.iter().filter(|f| f.kind == Kind::Code).collect();
    let all = dir.join(".check").join("all");
    let copies: Vec<(u32, PathBuf)> = code.iter().map(|f| (f.stage, dir.join(&f.name))).collect();
    let everything: Vec<&Exercise> = code.iter().flat_map(|f| f.exercises(manifest)).collect();
    let tests: Vec<&str> = everything
        .iter()
        .flat_map(|e| &e.tests)
        .map(String::as_str)
        .collect();
    learner::write_check(workbook, &copies, &all, &workbook.modules_for(&tests))?;
    let expected: Vec<(&Exercise, bool)> = everything.iter().map(|e| (*e, true)).collect();
    let mine: Vec<Mine> = code.iter().flat_map(|f| Mine::of(workbook, f)).collect();
    let found = || {
        check::run(workbook, &all, &mine, &tests).map(|outcomes| {
            everything
                .iter()
                .map(|e| (*e, check::status(e, &outcomes)))
                .collect::<Vec<_>>()
        })
    };
    holds &= step(
        out,
        "the stages' own sources (and the new exercises' solutions)",
        found,
        &expected,
    )?;

    for folder in &folders {
        let exercises = folder.exercises(manifest);
        let copy = dir.join(&folder.name);
        // A folder of tests is checked with its solutions too (for code,
        // the step above did it).
        let last = match folder.kind {
            Kind::Code => exercises.len() - 1,
            Kind::Tests => exercises.len(),
        };
        for done in 0..=last {
            let files = workbook.folder_files(folder, &exercises[done..])?;
            Workbook::write_files(&copy, &files)?;
            let label = match done {
                0 => format!("{}, as a learner starts it", folder.name),
                _ => format!("{}, with {} done", folder.name, ids(&exercises[..done])),
            };
            // Those done pass, and every other one fails (or waits).
            let expected: Vec<(&Exercise, bool)> = exercises
                .iter()
                .enumerate()
                .map(|(i, e)| (*e, i < done))
                .collect();
            let found = || check::folder(workbook, &dir, folder);
            holds &= step(out, &label, found, &expected)?;
        }
        // The `needs` declarations, for each exercise another one needs:
        // with it alone taken out (a learner's `reset`), it and the ones
        // that need it fail, and every other one passes (but those that
        // need it only through another one: they may pass, or wait).
        let needed_ones = exercises
            .iter()
            .filter(|d| folder.kind == Kind::Code && !needing(&exercises, d).is_empty());
        for needed in needed_ones {
            let files = workbook.folder_files(folder, &[needed])?;
            Workbook::write_files(&copy, &files)?;
            let through = needing(&exercises, needed);
            let waiting: Vec<&str> = exercises
                .iter()
                .filter(|e| e.needs.contains(&needed.id))
                .map(|e| e.id.as_str())
                .collect();
            let expected: Vec<(&Exercise, bool)> = exercises
                .iter()
                .filter(|e| waiting.contains(&e.id.as_str()) || !through.contains(&e.id.as_str()))
                .map(|e| (*e, e.id != needed.id && !waiting.contains(&e.id.as_str())))
                .collect();
            let label = format!(
                "{}, with {} alone taken out ({} wait on it)",
                folder.name,
                needed.id,
                waiting.join(", ")
            );
            let found = || check::folder(workbook, &dir, folder);
            holds &= step(out, &label, found, &expected)?;
        }
        Workbook::write_files(&copy, &workbook.folder_files(folder, &[])?)?;
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

/// The exercises of `exercises` that need `needed`, directly or through
/// another one that does, by id.
fn needing<'a>(exercises: &[&'a Exercise], needed: &Exercise) -> Vec<&'a str> {
    let mut found: Vec<&'a str> = Vec::new();
    for exercise in exercises {
        if exercise
            .needs
            .iter()
            .any(|n| *n == needed.id || found.contains(&n.as_str()))
        {
            found.push(&exercise.id);
        }
    }
    found
}

/// `2.1, 2.2`.
fn ids(exercises: &[&Exercise]) -> String {
    exercises
        .iter()
        .map(|e| e.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Holds `found` (what a check found) against `expected` (each exercise,
/// and whether it must pass), and prints one line, or one per exercise
/// that does not hold.
fn step<'a>(
    out: &mut impl Write,
    label: &str,
    found: impl FnOnce() -> Result<Vec<(&'a Exercise, Status)>, check::Problem>,
    expected: &[(&Exercise, bool)],
) -> Result<bool, String> {
    let started = Instant::now();
    let found = match found() {
        Ok(found) => found,
        Err(check::Problem::Build(errors)) => {
            let _ = writeln!(out, "{label}: does not build:\n{errors}");
            return Ok(false);
        }
        Err(check::Problem::Workbook(problem)) => return Err(problem),
    };
    let mut wrong = Vec::new();
    for (exercise, pass) in expected {
        let Some((_, status)) = found.iter().find(|(e, _)| e.id == exercise.id) else {
            wrong.push(format!("  {} was not checked", exercise.id));
            continue;
        };
        match (status, pass) {
            (Status::Done, true) | (Status::NotYet { .. } | Status::Waits { .. }, false) => {}
            (Status::Waits { on }, true) => {
                wrong.push(format!("  {} waits on {on}, and must pass", exercise.id))
            }
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
        (false, false) => format!("{} pass, {} fail", passing.join(" "), failing.join(" ")),
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
