//! The exercises, as `exercises.toml` describes them.

use serde::Deserialize;

/// The manifest, built into the binary.
pub const MANIFEST: &str = include_str!("../exercises.toml");

/// Every chapter with exercises, and every exercise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// In the book's order.
    pub chapter: Vec<Chapter>,
    /// In the order a learner does them.
    pub exercise: Vec<Exercise>,
}

/// A chapter of the book, and the stage its exercises are in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// The chapter's file name without `.md`, e.g. `log-in`: what
    /// `exercises start` takes.
    pub name: String,
    /// The stage whose sources are the chapter's solution; for a chapter
    /// of [`Kind::Tests`], the stage its tests are of.
    pub stage: u32,
    /// The chapter's title in the book.
    pub title: String,
    /// The first part of its exercises' ids, for a chapter with no stage
    /// of its own (`c` for Configuration, whose exercises are in stage
    /// 2's `config.rs`); by default, the stage's number.
    pub prefix: Option<String>,
    /// What the learner writes.
    #[serde(default)]
    pub kind: Kind,
}

/// What a chapter's exercises have the learner write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Code of the stage: the learner's folder is a copy of the stage,
    /// `stage-N`, shared by every such chapter of that stage.
    #[default]
    Code,
    /// Tests of the stage: the learner's folder, named after the chapter,
    /// holds copies of the workbook's test modules (of
    /// `stages/tests/tests/stages/`) with tests taken out. A test is done
    /// when it passes against the stage and fails against a copy of the
    /// stage broken in the promise it tests.
    Tests,
}

/// One exercise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// `2.1`: the stage, then its number in the chapter.
    pub id: String,
    /// The [`Chapter::name`] it belongs to.
    pub chapter: String,
    /// What to do, in a few words.
    pub title: String,
    /// How to do it, for a learner who is stuck.
    pub hint: String,
    /// The section of the book it practises, e.g. `log-in.md#the-way-back`.
    pub book: String,
    /// The tests that must pass, as `MODULE::NAME` (a test of
    /// `stages/tests/tests/stages/MODULE.rs`); for an exercise of a
    /// [`Kind::Tests`] chapter, the tests the learner writes.
    pub tests: Vec<String>,
    /// What takes the lesson out of the stage (or, for a [`Kind::Tests`]
    /// chapter, out of the test module: `file` is then the module's file,
    /// e.g. `promises.rs`).
    pub edit: Vec<Edit>,
    /// For a [`Kind::Tests`] chapter: the edits that break the stage in
    /// the promise its tests are of. The learner's tests must fail
    /// against the stage with these edits made.
    #[serde(default)]
    pub broken: Vec<Edit>,
    /// For a [`Kind::Tests`] chapter: what the broken stage does wrong, in
    /// words that finish "a copy of stage N that …".
    pub breaks: Option<String>,
    /// The earlier exercises of the same folder whose work its tests go
    /// through (a login's callback needs the login started): while one of
    /// them is not done, this one *waits on* it, and is not said to fail.
    #[serde(default)]
    pub needs: Vec<String>,
    /// For an exercise that applies the lesson somewhere the book does
    /// not show (a new route, group, scope or claim): the edits that make
    /// the stage its solution. Its answer is then not in the stage's
    /// sources, so not in the book; its tests are of its own, in
    /// `exercises/practice/`.
    #[serde(default)]
    pub solution: Vec<Edit>,
    /// For such an exercise: what to build, in a sentence or two (the
    /// book's list and `hint` show it; its tests hold the details).
    pub task: Option<String>,
}

/// One change that takes (part of) the lesson out of a stage's file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// The file, relative to the stage folder, e.g. `src/okta.rs`.
    pub file: String,
    /// The function whose body is the region.
    #[serde(rename = "fn")]
    pub function: Option<String>,
    /// With `fn`: the region starts at this text, inside the body.
    pub from: Option<String>,
    /// An exact text, found once in the file, that is the region.
    pub find: Option<String>,
    /// What replaces the region; for a `fn` region, `todo!` by default.
    pub with: Option<String>,
}

impl Manifest {
    /// Reads and checks a manifest.
    ///
    /// # Errors
    /// A one-line description of the first problem: TOML that does not
    /// parse, an exercise in an unknown chapter, an id that does not start
    /// with its chapter's prefix, an id used twice, an edit that is neither
    /// a `fn` nor a `find`, a test not written `MODULE::NAME`, or a
    /// test-writing exercise without its broken stage (or another with one).
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|e| format!("exercises.toml: {}", e.message()))?;
        let mut seen = std::collections::HashSet::new();
        for exercise in &manifest.exercise {
            let id = &exercise.id;
            let chapter = manifest.chapter(&exercise.chapter).ok_or(format!(
                "exercise {id}: no chapter named {:?}",
                exercise.chapter
            ))?;
            if !id.starts_with(&format!("{}.", chapter.id_prefix())) {
                return Err(format!(
                    "exercise {id}: its id must start with {}.",
                    chapter.id_prefix()
                ));
            }
            if !seen.insert(id.to_lowercase()) {
                return Err(format!("exercise {id}: the id is used twice"));
            }
            if exercise.tests.is_empty() || exercise.edit.is_empty() {
                return Err(format!(
                    "exercise {id}: it needs at least one test and one edit"
                ));
            }
            if let Some(test) = exercise.tests.iter().find(|t| test_parts(t).is_none()) {
                return Err(format!(
                    "exercise {id}: the test {test:?} is not MODULE::NAME"
                ));
            }
            let writes_tests = chapter.kind == Kind::Tests;
            if writes_tests != (!exercise.broken.is_empty() && exercise.breaks.is_some()) {
                return Err(match writes_tests {
                    true => format!(
                        "exercise {id}: a test-writing exercise needs `breaks` and a `broken` edit"
                    ),
                    false => format!(
                        "exercise {id}: only an exercise of a `kind = \"tests\"` chapter has `broken` and `breaks`"
                    ),
                });
            }
            if writes_tests && !exercise.solution.is_empty() {
                return Err(format!(
                    "exercise {id}: a test-writing exercise's solution is the workbook's test: no `solution`"
                ));
            }
            if exercise.solution.is_empty() == exercise.task.is_some() {
                return Err(format!(
                    "exercise {id}: `task` says what to build for an exercise with a `solution`, and only for one"
                ));
            }
            for needed in &exercise.needs {
                let earlier = manifest
                    .exercise
                    .iter()
                    .take_while(|e| e.id != *id)
                    .find(|e| e.id == *needed);
                let same_folder = earlier
                    .and_then(|e| manifest.chapter(&e.chapter))
                    .is_some_and(|c| c.folder() == chapter.folder());
                if !same_folder {
                    return Err(format!(
                        "exercise {id}: it needs {needed:?}, which is not an exercise before it in the same folder"
                    ));
                }
            }
            for edit in exercise
                .edit
                .iter()
                .chain(&exercise.broken)
                .chain(&exercise.solution)
            {
                match (&edit.function, &edit.find) {
                    (Some(_), None) | (None, Some(_)) => {}
                    _ => {
                        return Err(format!(
                            "exercise {id}: an edit needs `fn` or `find`, not both"
                        ));
                    }
                }
                if edit.find.is_some() && (edit.with.is_none() || edit.from.is_some()) {
                    return Err(format!(
                        "exercise {id}: a `find` edit needs `with`, and no `from`"
                    ));
                }
            }
        }
        Ok(manifest)
    }

    /// The manifest built into this binary.
    ///
    /// # Panics
    /// If it does not parse: `cargo test -p exercises` fails first.
    pub fn builtin() -> Manifest {
        Manifest::parse(MANIFEST).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The chapter named `name`.
    pub fn chapter(&self, name: &str) -> Option<&Chapter> {
        self.chapter.iter().find(|c| c.name == name)
    }

    /// The chapter a learner means: its name, or its stage's number (the
    /// chapter of that stage, not one that only has exercises in it).
    ///
    /// # Errors
    /// One line naming the chapters there are.
    pub fn find_chapter(&self, wanted: &str) -> Result<&Chapter, String> {
        let wanted = wanted.trim().trim_end_matches(".md");
        let stage = wanted.trim_start_matches("stage-").parse::<u32>().ok();
        self.chapter
            .iter()
            .find(|c| c.name == wanted)
            .or_else(|| {
                self.chapter
                    .iter()
                    .find(|c| c.prefix.is_none() && Some(c.stage) == stage)
            })
            .ok_or_else(|| {
                // A stage's number starts its first chapter (`start 2`).
                let mut numbered = Vec::new();
                let names: Vec<String> = self
                    .chapter
                    .iter()
                    .map(|c| match c.prefix {
                        None if !numbered.contains(&c.stage) => {
                            numbered.push(c.stage);
                            format!("{} ({})", c.name, c.stage)
                        }
                        _ => c.name.clone(),
                    })
                    .collect();
                format!(
                    "there is no chapter {wanted:?}: pick one of {}",
                    names.join(", ")
                )
            })
    }

    /// The exercise with this id (`2.3`, `c.1` or `C.1`).
    ///
    /// # Errors
    /// One line that says how to see the ids.
    pub fn find_exercise(&self, id: &str) -> Result<&Exercise, String> {
        let id = id.trim();
        self.exercise
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(id))
            .ok_or(format!(
                "there is no exercise {id:?}: `cargo run -p exercises -- list` shows them all"
            ))
    }

    /// The exercises of `chapter`, in order.
    pub fn exercises_of(&self, chapter: &Chapter) -> Vec<&Exercise> {
        self.exercise
            .iter()
            .filter(|e| e.chapter == chapter.name)
            .collect()
    }

    /// The learner's folders, in the book's order of their first chapter:
    /// each with its chapters.
    pub fn folders(&self) -> Vec<Folder<'_>> {
        let mut folders: Vec<Folder<'_>> = Vec::new();
        for chapter in &self.chapter {
            match folders.iter_mut().find(|f| f.name == chapter.folder()) {
                Some(folder) => folder.chapters.push(chapter),
                None => folders.push(Folder {
                    name: chapter.folder(),
                    kind: chapter.kind,
                    stage: chapter.stage,
                    chapters: vec![chapter],
                }),
            }
        }
        folders
    }

    /// The folder `chapter`'s exercises are in.
    pub fn folder_of(&self, chapter: &Chapter) -> Folder<'_> {
        let mut folders = self.folders();
        let at = folders
            .iter()
            .position(|f| f.name == chapter.folder())
            .expect("every chapter is in a folder");
        folders.swap_remove(at)
    }

    /// The chapter `exercise` belongs to.
    pub fn chapter_of(&self, exercise: &Exercise) -> &Chapter {
        self.chapter(&exercise.chapter)
            .expect("a parsed manifest names only its own chapters")
    }
}

/// One folder of a learner's: a copy of a stage (or of test modules) that
/// holds the exercises of one or more chapters.
#[derive(Debug, Clone)]
pub struct Folder<'a> {
    /// `stage-2`, or a [`Kind::Tests`] chapter's name.
    pub name: String,
    /// What is written in it.
    pub kind: Kind,
    /// The stage it is a copy of, or whose tests it holds.
    pub stage: u32,
    /// Its chapters, in the book's order.
    pub chapters: Vec<&'a Chapter>,
}

impl<'a> Folder<'a> {
    /// Every exercise in it, in the order they are done.
    pub fn exercises(&self, manifest: &'a Manifest) -> Vec<&'a Exercise> {
        self.chapters
            .iter()
            .flat_map(|c| manifest.exercises_of(c))
            .collect()
    }
}

impl Chapter {
    /// The first part of its exercises' ids: `2`, or `c`.
    pub fn id_prefix(&self) -> String {
        self.prefix
            .clone()
            .unwrap_or_else(|| self.stage.to_string())
    }

    /// The name of the learner's folder its exercises are in: `stage-2`
    /// (shared by every chapter of stage 2), or the chapter's own name
    /// when the learner writes tests.
    pub fn folder(&self) -> String {
        match self.kind {
            Kind::Code => format!("stage-{}", self.stage),
            Kind::Tests => self.name.clone(),
        }
    }
}

/// `MODULE::NAME` as `(MODULE, NAME)`.
pub fn test_parts(test: &str) -> Option<(&str, &str)> {
    let (file, name) = test.split_once("::")?;
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain(file) && plain(name)).then_some((file, name))
}

/// What ends the part of a `todo!`'s message that `check` shows: the rest
/// says how to ask for the hint, and the book's section.
pub const STUCK: &str = " Stuck? ";

impl Exercise {
    /// The line a `todo!` placeholder panics with: the exercise, and how
    /// to ask for its hint (never the hint itself: it is there for the
    /// asking, with `hint ID`).
    pub fn message(&self) -> String {
        format!(
            "Exercise {}: {}.{STUCK}cargo run -p exercises -- hint {} Book: book/src/{}",
            self.id,
            self.title.trim_end_matches('.'),
            self.id,
            self.book
        )
    }

    /// Whether its answer is in the book: the stage's own code (its
    /// sources are printed in the chapter), not a `solution` of its own.
    pub fn answer_in_book(&self) -> bool {
        self.solution.is_empty()
    }

    /// Every file it touches, relative to the learner's folder, in the
    /// order its edits (then its solution) name them, each once.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for edit in self.edit.iter().chain(&self.solution) {
            if !files.contains(&edit.file.as_str()) {
                files.push(&edit.file);
            }
        }
        files
    }

    /// The files among [`Exercise::files`] that say where it is (`Exercise
    /// ID`, in a comment or a `todo!`): those its edits change.
    pub fn marked_files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for edit in &self.edit {
            if !files.contains(&edit.file.as_str()) {
                files.push(&edit.file);
            }
        }
        files
    }
}
