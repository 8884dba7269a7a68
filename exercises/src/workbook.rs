//! The workbook this binary belongs to: where it is, and a stage's files
//! with some of its lessons taken out.

use crate::edit;
use crate::manifest::{Chapter, Edit, Exercise, Folder, Kind, Manifest};
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

/// The variable that points the command at another workbook than the one
/// it was built from, with its own `exercises/exercises.toml`: for the
/// command's own tests, on a small workbook of theirs.
pub const WORKBOOK_VARIABLE: &str = "EXERCISES_WORKBOOK";

impl Workbook {
    /// The workbook this binary was built from, with its built-in
    /// manifest; or the one [`WORKBOOK_VARIABLE`] names.
    ///
    /// # Errors
    /// The named workbook's manifest cannot be read or is wrong.
    pub fn here() -> Result<Workbook, String> {
        match std::env::var_os(WORKBOOK_VARIABLE) {
            Some(root) => Workbook::at(Path::new(&root)),
            None => Ok(Workbook::builtin()),
        }
    }

    /// The workbook this binary was built from, with its built-in manifest.
    pub fn builtin() -> Workbook {
        let exercises = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = exercises.parent().unwrap_or(exercises);
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Workbook {
            root,
            manifest: Manifest::builtin(),
        }
    }

    /// The workbook in `root`, with the manifest in its
    /// `exercises/exercises.toml`.
    ///
    /// # Errors
    /// The manifest cannot be read or is wrong.
    pub fn at(root: &Path) -> Result<Workbook, String> {
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let path = root.join("exercises/exercises.toml");
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Workbook {
            root,
            manifest: Manifest::parse(&text)?,
        })
    }

    /// `stages/stage-N`.
    pub fn stage_dir(&self, stage: u32) -> PathBuf {
        self.root.join("stages").join(format!("stage-{stage}"))
    }

    /// The folder under `dir` that holds `chapter`'s exercises.
    pub fn copy_dir(dir: &Path, chapter: &Chapter) -> PathBuf {
        dir.join(chapter.folder())
    }

    /// `folder` as a learner gets it, with the edits of `taken_out` made
    /// and every other exercise done (none taken out: the solution): for a
    /// folder of code, the stage's `Cargo.toml` and every file under
    /// `src/`, with the `solution` of each exercise that has one and is
    /// not taken out; for a folder of tests, the test modules its
    /// exercises edit. Anchor lines are left out.
    ///
    /// # Errors
    /// A file that cannot be read, or an edit whose region is not there
    /// exactly once: `stage-2, exercise 2.1: src/okta.rs: there is no `fn login``.
    pub fn folder_files(
        &self,
        folder: &Folder<'_>,
        taken_out: &[&Exercise],
    ) -> Result<Vec<StageFile>, String> {
        let read = match folder.kind {
            Kind::Code => self.read_stage(folder.stage)?,
            Kind::Tests => {
                let mut modules: Vec<&str> = folder
                    .exercises(&self.manifest)
                    .iter()
                    .flat_map(|e| &e.edit)
                    .map(|e| e.file.as_str())
                    .collect();
                modules.sort();
                modules.dedup();
                let mut read = Vec::new();
                for module in modules {
                    let path = self.tests_dir().join(module);
                    let text = fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    read.push((PathBuf::from(module), text));
                }
                read
            }
        };
        // The solutions first (they are edits of the stage as it is), then
        // what is taken out.
        let solved = folder
            .exercises(&self.manifest)
            .into_iter()
            .filter(|e| !taken_out.iter().any(|t| t.id == e.id));
        let solutions = solved.flat_map(|e| e.solution.iter().map(move |edit| (e, edit)));
        let taken = taken_out
            .iter()
            .flat_map(|e| e.edit.iter().map(move |edit| (*e, edit)));
        let edits: Vec<(&Exercise, &Edit)> = solutions.chain(taken).collect();
        edited(&folder.name, read, &edits)
    }

    /// A copy of `stage` broken in the promise that `exercise`'s tests are
    /// of (its `broken` edits made), for checking a learner's tests.
    ///
    /// # Errors
    /// As [`Workbook::folder_files`].
    pub fn broken_stage(&self, stage: u32, exercise: &Exercise) -> Result<Vec<StageFile>, String> {
        let edits: Vec<(&Exercise, &Edit)> =
            exercise.broken.iter().map(|e| (exercise, e)).collect();
        edited(&format!("stage-{stage}"), self.read_stage(stage)?, &edits)
    }

    /// A stage's `Cargo.toml` and every file under its `src/`, as they are.
    fn read_stage(&self, stage: u32) -> Result<Vec<StageFile>, String> {
        let dir = self.stage_dir(stage);
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

    /// The folder of the tests that exist only for the exercises whose
    /// answer is not in the book, `exercises/practice/`: a module per
    /// stage (`practice_3.rs`), never run by `cargo test --workspace`.
    pub fn practice_dir(&self) -> PathBuf {
        self.root.join("exercises/practice")
    }

    /// The modules of that test binary (`promises`, `steps`, …), by name.
    pub fn test_files(&self) -> Vec<String> {
        rust_modules(&self.tests_dir())
    }

    /// Every test module an exercise may name: the test binary's, and the
    /// practice modules (`practice_3`, …).
    pub fn test_modules(&self) -> Vec<String> {
        let mut names = self.test_files();
        names.extend(rust_modules(&self.practice_dir()));
        names
    }

    /// The file of the test module `name`: the test binary's, or a
    /// practice module.
    pub fn module_file(&self, name: &str) -> PathBuf {
        let file = format!("{name}.rs");
        match self.practice_dir().join(&file) {
            practice if practice.is_file() => practice,
            _ => self.tests_dir().join(file),
        }
    }

    /// The files of the test modules that `tests` (`MODULE::NAME`) need,
    /// in name order: their own, and those they use (`crate::MODULE::`),
    /// so a check builds only what it runs.
    pub fn modules_for(&self, tests: &[&str]) -> Vec<PathBuf> {
        let mut names: Vec<String> = tests
            .iter()
            .filter_map(|t| crate::manifest::test_parts(t))
            .map(|(module, _)| module.to_string())
            .collect();
        let known = self.test_modules();
        let mut at = 0;
        while at < names.len() {
            let text = fs::read_to_string(self.module_file(&names[at])).unwrap_or_default();
            for other in &known {
                if text.contains(&format!("crate::{other}::")) && !names.contains(other) {
                    names.push(other.clone());
                }
            }
            at += 1;
        }
        names.sort();
        names.dedup();
        names.iter().map(|n| self.module_file(n)).collect()
    }
}

/// The Rust modules in `dir` (its `*.rs` files but `main.rs`), by name.
fn rust_modules(dir: &Path) -> Vec<String> {
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

/// `files` with `edits` made, and without anchor lines in Rust files;
/// `at` names where they are in an error (`stage-2`).
fn edited(
    at: &str,
    mut files: Vec<StageFile>,
    edits: &[(&Exercise, &Edit)],
) -> Result<Vec<StageFile>, String> {
    for (exercise, change) in edits {
        let at = format!("{at}, exercise {}", exercise.id);
        let (_, text) = files
            .iter_mut()
            .find(|(file, _)| *file == Path::new(&change.file))
            .ok_or(format!("{at}: there is no {}", change.file))?;
        *text = edit::apply(text, change, &exercise.message()).map_err(|e| format!("{at}: {e}"))?;
    }
    for (file, text) in &mut files {
        if file.extension().is_some_and(|e| e == "rs") {
            *text = edit::without_anchors(text);
        }
    }
    Ok(files)
}
