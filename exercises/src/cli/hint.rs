//! `hint [ID]`: an exercise's place, hint, tests and book section;
//! without an id, those of the next exercise, as the last check found.

use super::shared::Learner;
use super::shown::shown_dir;
use crate::learner;
use crate::manifest::Exercise;
use crate::progress::Progress;
use crate::report;
use std::process::ExitCode;

impl<'a> Learner<'a> {
    /// `hint [ID]`: an exercise's place, hint and book section; without an
    /// id, the next exercise's, as the last check found.
    ///
    /// # Errors
    /// An unknown id, or no id and no check to say which is next.
    pub fn hint(&self, id: Option<&str>) -> Result<ExitCode, String> {
        let manifest = &self.workbook.manifest;
        let exercise = match id {
            Some(id) => manifest.find_exercise(id)?,
            None => self.next_exercise().ok_or(format!(
                "which exercise? e.g. `{}` (`{}` shows them)",
                self.command("hint 2.1"),
                self.command("list")
            ))?,
        };
        let chapter = manifest.chapter_of(exercise);
        println!("{} {} (\"{}\")", exercise.id, exercise.title, chapter.title);
        print!(
            "{}",
            report::where_and_how(&shown_dir(&self.dir), chapter, exercise, None)
        );
        println!("  Tests: {}", exercise.tests.join(", "));
        if !learner::started(self.workbook, &self.dir)
            .iter()
            .any(|c| c.name == chapter.name)
        {
            println!(
                "Not started yet: {}",
                self.command(&format!("start {}", chapter.name))
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The first exercise the last check did not find done, in the
    /// folders started.
    fn next_exercise(&self) -> Option<&'a Exercise> {
        let progress = Progress::load(&self.dir);
        let started = learner::started_folders(self.workbook, &self.dir);
        started
            .iter()
            .flat_map(|f| {
                let checked = progress.folders.get(&f.name);
                f.exercises(&self.workbook.manifest)
                    .into_iter()
                    .map(move |e| (e, checked))
            })
            .find(|(e, checked)| {
                checked.is_some_and(|c| c.exercises.get(&e.id).is_some_and(|w| w != "done"))
            })
            .map(|(e, _)| e)
    }
}
