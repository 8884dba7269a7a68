//! `class FOLDER`, for an instructor: checks every learner's folder in
//! FOLDER and prints a table, a row per learner and a column per
//! exercise.

use super::shared::Learner;
use super::shown::shown;
use crate::check::Status;
use crate::learner;
use crate::manifest::Chapter;
use crate::report::{self, Row};
use crate::workbook::Workbook;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `class FOLDER`: a row per learner, a column per exercise.
///
/// # Errors
/// `folder` is not a folder, holds no learner's folder, or the workbook is
/// wrong.
pub fn class(workbook: &Workbook, folder: &Path) -> Result<ExitCode, String> {
    if !folder.is_dir() {
        return Err(format!(
            "{} is not a folder: give the folder that holds the learners' folders",
            shown(folder)
        ));
    }
    let mut learners: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {e}", shown(folder)))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !learner::started(workbook, p).is_empty())
        .collect();
    learners.sort();
    if learners.is_empty() {
        return Err(format!(
            "{} holds no learner's folder (one with a stage-N folder in it, as `start` makes)",
            shown(folder)
        ));
    }
    let mut rows = Vec::new();
    let mut chapters: Vec<&Chapter> = Vec::new();
    for dir in &learners {
        let name = dir
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        eprintln!("checking {name}…");
        let learner = Learner {
            workbook,
            dir: dir.clone(),
            needs_dir: true,
        };
        let folders = learner::started_folders(workbook, dir);
        let results = learner.check_folders(&folders)?;
        let mut row = Row {
            learner: name,
            cells: Vec::new(),
            notes: Vec::new(),
        };
        for check in learner.chapter_checks(&results) {
            if !chapters.iter().any(|c| c.name == check.chapter.name) {
                chapters.push(check.chapter);
            }
            match &check.result {
                Ok(statuses) => {
                    for (exercise, status) in statuses {
                        row.cells.push((exercise.id.clone(), report::cell(status)));
                        if let Status::Needs { program, .. } = status {
                            row.notes.push(format!(
                                "{} needs {program}, which is not installed here",
                                exercise.id
                            ));
                        }
                    }
                }
                Err(_) => {
                    for exercise in workbook.manifest.exercises_of(check.chapter) {
                        row.cells.push((exercise.id.clone(), "fail"));
                    }
                    let note = format!("{} does not compile", check.chapter.folder());
                    if !row.notes.contains(&note) {
                        row.notes.push(note);
                    }
                }
            }
        }
        rows.push(row);
    }
    let order = |c: &&Chapter| {
        workbook
            .manifest
            .chapter
            .iter()
            .position(|m| m.name == c.name)
    };
    chapters.sort_by_key(order);
    let ids: Vec<String> = chapters
        .iter()
        .flat_map(|c| workbook.manifest.exercises_of(c))
        .map(|e| e.id.clone())
        .collect();
    print!("{}", report::class_table(&ids, &rows));
    let all_pass = rows.iter().all(|r| {
        ids.iter()
            .all(|id| r.cells.iter().any(|(i, c)| i == id && *c == "pass"))
    });
    Ok(if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
