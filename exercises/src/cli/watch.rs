//! `watch`: checks as `check` does, now and again each time the learner
//! saves a file, only the folders that changed; says each exercise that
//! turns done, and what comes after a chapter that is all done.

use super::shared::{FolderResult, Learner};
use super::shown::{named, shown};
use crate::check::Status;
use crate::learner;
use crate::manifest::Folder;
use crate::progress;
use crate::report::ChapterCheck;
use crate::watch::Saves;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

impl<'a> Learner<'a> {
    /// `watch`: checks now, then each time the learner saves a file, and
    /// checks again only the folders that changed. Saves made while a
    /// check runs are taken together, for one check after it. Runs until
    /// Ctrl-C.
    ///
    /// # Errors
    /// Nothing started, the folder cannot be watched, or the workbook is
    /// wrong.
    pub fn watch(&self) -> Result<ExitCode, String> {
        let mut to_check = learner::started_folders(self.workbook, &self.dir);
        if to_check.is_empty() {
            return Err(self.nothing_started());
        }
        let saves = Saves::watch(&self.dir)?;
        println!(
            "Checking {} now, and again each time you save a file there (Ctrl-C stops)…",
            named(&self.dir)
        );
        let mut results = BTreeMap::new();
        // What the last report said was done, by id.
        let mut reported: Option<BTreeMap<String, bool>> = None;
        loop {
            let started = Instant::now();
            results.extend(self.check_folders(&to_check)?);
            let took = started.elapsed();
            let during = saves.since()?;
            let changed = self.changed(&results);
            if !during.is_empty() && !changed.is_empty() {
                // The answer is about files that are not there any more:
                // one check of what is there now, for every save made.
                println!("{} saved during the check: checking again…", names(&during));
                to_check = changed;
                continue;
            }
            self.remember(&results)?;
            let checks = self.chapter_checks(&results);
            if let Some(before) = &reported {
                self.say_what_turned_done(before, &checks);
            }
            reported = Some(done_by_id(&checks));
            print!("{}", self.report(&checks, true));
            println!(
                "(checked in {:.1} s) Watching {} for saves; Ctrl-C stops.",
                took.as_secs_f32(),
                named(&self.dir)
            );
            to_check = loop {
                let saved = saves.next()?;
                let started = learner::started_folders(self.workbook, &self.dir);
                results.retain(|name, _| started.iter().any(|f| f.name == *name));
                let changed = self.changed(&results);
                if !changed.is_empty() {
                    println!("\n{} saved: checking…", names(&saved));
                    break changed;
                }
            };
        }
    }

    /// After a check in `watch`: a line for each exercise that is done now
    /// and was not `before`, and one for a chapter that is all done now,
    /// with the chapter that comes next.
    fn say_what_turned_done(&self, before: &BTreeMap<String, bool>, checks: &[ChapterCheck<'_>]) {
        let manifest = &self.workbook.manifest;
        let started = learner::started(self.workbook, &self.dir);
        for check in checks {
            let Ok(statuses) = &check.result else {
                continue;
            };
            let mut turned = false;
            for (exercise, status) in statuses {
                if *status == Status::Done && before.get(&exercise.id) != Some(&true) {
                    println!("✓ {} {}: done!", exercise.id, exercise.title);
                    turned = true;
                }
            }
            if !(turned && check.all_done()) {
                continue;
            }
            let at = manifest
                .chapter
                .iter()
                .position(|c| c.name == check.chapter.name);
            let next = at.and_then(|at| manifest.chapter.get(at + 1));
            let next = match next {
                None => "it was the last chapter with exercises.".to_string(),
                Some(next) if started.iter().any(|c| c.name == next.name) => format!(
                    "next, \"{}\" (book/src/{}.md): its exercises are in {} already.",
                    next.title,
                    next.name,
                    shown(&self.dir.join(next.folder()))
                ),
                Some(next) => format!(
                    "next, \"{}\" (book/src/{}.md): {}",
                    next.title,
                    next.name,
                    self.command(&format!("start {}", next.name))
                ),
            };
            println!("✓ All of \"{}\" is done; {next}", check.chapter.title);
        }
    }

    /// The started folders whose files are not what `results` checked
    /// (or that `results` does not have: started since).
    fn changed(&self, results: &BTreeMap<String, (u64, FolderResult<'a>)>) -> Vec<Folder<'a>> {
        let mut folders = learner::started_folders(self.workbook, &self.dir);
        folders.retain(|f| {
            results.get(&f.name).map(|(fingerprint, _)| *fingerprint)
                != Some(progress::fingerprint(&self.dir.join(&f.name)))
        });
        folders
    }
}

/// Whether each exercise checked is done, by id.
fn done_by_id(checks: &[ChapterCheck<'_>]) -> BTreeMap<String, bool> {
    checks
        .iter()
        .flat_map(|c| c.result.iter().flatten())
        .map(|(e, status)| (e.id.clone(), *status == Status::Done))
        .collect()
}

/// The file names in `saved`, as a learner reads them.
fn names(saved: &[PathBuf]) -> String {
    let names: Vec<String> = saved.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}
