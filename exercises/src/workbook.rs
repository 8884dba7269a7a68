//! The workbook this binary belongs to: where it is, and a stage's files
//! with some of its lessons taken out.

use crate::edit;
use crate::manifest::{Chapter, Exercise, Manifest};
use std::fs;
use std::path::{Path, PathBuf};

/// The name of the workbook's one test binary of the stages.
pub const TEST_BINARY: &str = "stages";

/// The workbook: its folder and its exercises.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The workbook's root folder (where its `Cargo.toml` is).
    pub root: PathBuf,
    /// Its exercises.
    pub manifest: Manifest,
}

/// One file of a stage, relative to the stage folder, and its text.
pub type StageFile = (PathBuf, String);

impl Workbook {
    /// The workbook this binary was built from, with its built-in manifest.
    pub fn here() -> Workbook {
        let exercises = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = exercises.parent().unwrap_or(exercises);
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Workbook {
            root,
            manifest: Manifest::builtin(),
        }
    }

    /// `stages/stage-N`.
    pub fn stage_dir(&self, stage: u32) -> PathBuf {
        self.root.join("stages").join(format!("stage-{stage}"))
    }

    /// The folder a learner's copy of `chapter`'s stage goes in, under `dir`.
    pub fn copy_dir(dir: &Path, chapter: &Chapter) -> PathBuf {
        dir.join(format!("stage-{}", chapter.stage))
    }

    /// `chapter`'s stage as a learner gets it: its `Cargo.toml` and every
    /// file under `src/`, without anchor lines, and with the edits of
    /// `taken_out` made (none: the solution).
    ///
    /// # Errors
    /// A file that cannot be read, or an edit whose region is not there
    /// exactly once: `stage-2, exercise 2.1: src/okta.rs: there is no `fn login``.
    pub fn stage_files(
        &self,
        chapter: &Chapter,
        taken_out: &[&Exercise],
    ) -> Result<Vec<StageFile>, String> {
        let dir = self.stage_dir(chapter.stage);
        let mut files = vec![PathBuf::from("Cargo.toml")];
        let mut folders = vec![PathBuf::from("src")];
        while let Some(folder) = folders.pop() {
            let entries = fs::read_dir(dir.join(&folder))
                .map_err(|e| format!("{}: {e}", dir.join(&folder).display()))?;
            for entry in entries.flatten() {
                let relative = folder.join(entry.file_name());
                match entry.file_type().is_ok_and(|t| t.is_dir()) {
                    true => folders.push(relative),
                    false => files.push(relative),
                }
            }
        }
        files.sort();
        let mut read = Vec::new();
        for file in files {
            let path = dir.join(&file);
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            read.push((file, text));
        }
        for exercise in taken_out {
            for change in &exercise.edit {
                let at = format!("stage-{}, exercise {}", chapter.stage, exercise.id);
                let (_, text) = read
                    .iter_mut()
                    .find(|(file, _)| *file == Path::new(&change.file))
                    .ok_or(format!("{at}: there is no {}", change.file))?;
                *text = edit::apply(text, change, &exercise.message())
                    .map_err(|e| format!("{at}: {e}"))?;
            }
        }
        for (file, text) in &mut read {
            if file.extension().is_some_and(|e| e == "rs") {
                *text = edit::without_anchors(text);
            }
        }
        Ok(read)
    }

    /// Writes `files` into `dir`, replacing what is there.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn write_files(dir: &Path, files: &[StageFile]) -> Result<(), String> {
        for (file, text) in files {
            let path = dir.join(file);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            // Unchanged files keep their time, so cargo rebuilds nothing for them.
            if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        Ok(())
    }

    /// The folder of the workbook's one test binary of the stages,
    /// `stages/tests/tests/stages/` (`main.rs` and a module per topic).
    pub fn tests_dir(&self) -> PathBuf {
        self.root.join("stages/tests/tests").join(TEST_BINARY)
    }

    /// The modules of that test binary (`promises`, `steps`, …), by name.
    pub fn test_files(&self) -> Vec<String> {
        let dir = self.tests_dir();
        let mut names: Vec<String> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".rs")
                    .filter(|name| *name != "main")
                    .map(String::from)
            })
            .collect();
        names.sort();
        names
    }
}
