//! `check`: builds the learner's started folders against the workbook's
//! tests once, runs them, keeps what they found (for `list` and `hint`),
//! and says which exercises are done and the next one to do.

use super::shared::Learner;
use crate::learner;
use crate::report::ChapterCheck;
use std::process::ExitCode;

impl Learner<'_> {
    /// `check`.
    ///
    /// # Errors
    /// The workbook is wrong, or a file cannot be written.
    pub fn check(&self) -> Result<ExitCode, String> {
        let folders = learner::started_folders(self.workbook, &self.dir);
        if folders.is_empty() {
            println!("{}", self.nothing_started());
            return Ok(ExitCode::FAILURE);
        }
        eprintln!(
            "Building your work against the workbook's tests, and running them (a first check builds for a few minutes, later ones take seconds)…"
        );
        let results = self.check_folders(&folders)?;
        self.remember(&results)?;
        let checks = self.chapter_checks(&results);
        print!("{}", self.report(&checks, false));
        match checks.iter().all(ChapterCheck::all_done) {
            true => Ok(ExitCode::SUCCESS),
            false => Ok(ExitCode::FAILURE),
        }
    }
}
