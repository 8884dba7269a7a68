//! `list`: every chapter, and where the learner stands in it, as the
//! last check found (nothing is built), with the next exercise's hint.

use super::shared::Learner;
use super::shown::named;
use crate::learner;
use crate::manifest::Exercise;
use crate::progress::{self, Progress};
use std::process::ExitCode;

impl Learner<'_> {
    /// `list`: every chapter, and where the learner stands in it, as the
    /// last check found (nothing is built).
    pub fn list(&self) -> ExitCode {
        let manifest = &self.workbook.manifest;
        let progress = Progress::load(&self.dir);
        let started = learner::started_folders(self.workbook, &self.dir);
        println!("Your exercises in {}:", named(&self.dir));
        let width = manifest
            .chapter
            .iter()
            .map(|c| c.title.chars().count())
            .max()
            .unwrap_or(0);
        let mut next: Option<&Exercise> = None;
        for chapter in &manifest.chapter {
            let exercises = manifest.exercises_of(chapter);
            let folder = chapter.folder();
            let is_started = started.iter().any(|f| f.name == folder);
            let checked = progress.folders.get(&folder);
            let done = exercises
                .iter()
                .filter(|e| {
                    checked.is_some_and(|c| c.exercises.get(&e.id).is_some_and(|w| w == "done"))
                })
                .count();
            let standing = match (is_started, checked) {
                (false, _) => format!(
                    "not started: {}",
                    self.command(&format!("start {}", chapter.name))
                ),
                (true, None) => format!("started, not checked yet: {}", self.command("check")),
                (true, Some(_)) if done == exercises.len() => "done".into(),
                (true, Some(_)) => format!("{done} of {} done", exercises.len()),
            };
            let changed = is_started
                && checked.is_some_and(|c| {
                    c.fingerprint != progress::fingerprint(&self.dir.join(&folder))
                });
            let since = checked.map_or(String::new(), |c| {
                format!(
                    " (checked {}{})",
                    progress::ago(c.at),
                    if changed { ", changed since" } else { "" }
                )
            });
            let since = if is_started { since } else { String::new() };
            println!("{:<width$}  {standing}{since}", chapter.title);
            if !is_started {
                continue;
            }
            for exercise in exercises {
                let word = checked
                    .and_then(|c| c.exercises.get(&exercise.id))
                    .map_or("-", String::as_str);
                println!("  {word:<8}  {}  {}", exercise.id, exercise.title);
                if next.is_none() && word != "done" {
                    next = Some(exercise);
                }
            }
        }
        match next {
            Some(exercise) => println!(
                "\nNext: {} {}; its hint: {}",
                exercise.id,
                exercise.title,
                self.command(&format!("hint {}", exercise.id))
            ),
            None if started.is_empty() => println!("\n{}", self.nothing_started()),
            None => {}
        }
        ExitCode::SUCCESS
    }
}
