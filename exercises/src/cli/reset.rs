//! `reset ID`: puts back one exercise's starting point in the learner's
//! copy (with [`crate::reset`]) and changes nothing else; the learner's
//! version is kept in `.reset/ID/`.

use super::shared::Learner;
use super::shown::shown;
use crate::learner;
use crate::reset;
use std::process::ExitCode;

impl Learner<'_> {
    /// `reset ID`: that exercise's starting point back in the learner's
    /// file, and nothing else; what was there is kept in `.reset/ID/`.
    ///
    /// # Errors
    /// An unknown id, a chapter not started, or a file that no longer has
    /// the exercise's place (one line that says what to put back).
    pub fn reset(&self, id: &str) -> Result<ExitCode, String> {
        let manifest = &self.workbook.manifest;
        let exercise = manifest.find_exercise(id)?;
        let chapter = manifest.chapter_of(exercise);
        let folder = manifest.folder_of(chapter);
        if !learner::started_folders(self.workbook, &self.dir)
            .iter()
            .any(|f| f.name == folder.name)
        {
            return Err(format!(
                "{} is in \"{}\", which is not started in {}: `{}` starts it",
                exercise.id,
                chapter.title,
                shown(&self.dir),
                self.command(&format!("start {}", chapter.name))
            ));
        }
        let copy = self.dir.join(&folder.name);
        let resets = reset::reset(self.workbook, &folder, &copy, exercise)?;
        if resets.is_empty() {
            println!(
                "{} is at its starting point already: nothing to put back.",
                exercise.id
            );
            return Ok(ExitCode::SUCCESS);
        }
        let kept = self.dir.join(".reset").join(&exercise.id);
        reset::write(&copy, &kept, &resets)?;
        for done in &resets {
            println!(
                "Put back the starting point of {} in {} (your version is kept in {}).",
                exercise.id,
                shown(&copy.join(&done.file)),
                shown(&kept.join(&done.file))
            );
        }
        println!(
            "Nothing else was changed. Check it: {}",
            self.command("check")
        );
        Ok(ExitCode::SUCCESS)
    }
}
