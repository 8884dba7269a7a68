//! `start CHAPTER`: writes the learner's copy of the chapter's stage (or
//! of its tests), with the chapter's exercises taken out, and says what
//! is in it and how to go on. A chapter started already is left as it is.

use super::shared::Learner;
use super::shown::shown;
use crate::learner;
use crate::manifest::Kind;
use std::process::ExitCode;

impl Learner<'_> {
    /// `start CHAPTER`.
    ///
    /// # Errors
    /// An unknown chapter, `--dir` naming a file, or a file that cannot be
    /// written.
    pub fn start(&self, wanted: &str) -> Result<ExitCode, String> {
        let workbook = self.workbook;
        let chapter = workbook.manifest.find_chapter(wanted)?;
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(format!(
                "{} is a file, not a folder: give --dir a folder",
                shown(&self.dir)
            ));
        }
        let fresh = learner::start(workbook, chapter, &self.dir)?;
        let folder = workbook.manifest.folder_of(chapter);
        let copy = self.dir.join(&folder.name);
        let exercises = workbook.manifest.exercises_of(chapter);
        let what = match folder.kind {
            Kind::Code => format!("your copy of stage {}", chapter.stage),
            Kind::Tests => format!("your copy of the tests of stage {}", chapter.stage),
        };
        match fresh {
            true => println!(
                "Started \"{}\": {what} is in {}, with {} exercises taken out:",
                chapter.title,
                shown(&copy),
                exercises.len()
            ),
            false => println!(
                "\"{}\" is started already: {what} is in {}, with your work in it (to start over, delete that folder: rm -r {}). Its exercises:",
                chapter.title,
                shown(&copy),
                shown(&copy)
            ),
        }
        for exercise in &exercises {
            println!(
                "  {}  {}  ({})",
                exercise.id,
                exercise.title,
                exercise.files().join(", ")
            );
        }
        let others: Vec<String> = folder
            .chapters
            .iter()
            .filter(|c| c.name != chapter.name)
            .map(|c| format!("\"{}\"", c.title))
            .collect();
        if fresh && !others.is_empty() {
            println!(
                "The exercises of {} are in that folder too, for their chapter.",
                others.join(" and ")
            );
        }
        let first = exercises
            .first()
            .map(|e| (e.id.as_str(), e.edit[0].file.as_str()));
        let (id, file) = first.unwrap_or(("", "src/lib.rs"));
        println!(
            "\nRead the chapter first (book/src/{}.md), then:\n  1. Start the loop:  {}\n     It checks now, and again each time you save a file.\n  2. Open {}, where it says `Exercise {id}`, and write it.\n     Stuck? {}",
            chapter.name,
            self.command("watch"),
            shown(&copy.join(file)),
            self.command(&format!("hint {id}"))
        );
        if folder.kind == Kind::Code {
            println!(
                "To run your stage (with `cargo run -p mock-okta` in another terminal):\n  cd {} && cargo run -p stage-{}",
                shown(&self.dir),
                chapter.stage
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
