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

/// A chapter of the book, and the stage it builds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// The chapter's file name without `.md`, e.g. `log-in`: what
    /// `exercises start` takes.
    pub name: String,
    /// The stage whose sources are the chapter's solution.
    pub stage: u32,
    /// The chapter's title in the book.
    pub title: String,
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
    /// The tests that must pass, as `FILE::NAME` (a test of
    /// `stages/tests/tests/FILE.rs`).
    pub tests: Vec<String>,
    /// What takes the lesson out of the stage.
    pub edit: Vec<Edit>,
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
    /// with its chapter's stage, an id used twice, an edit that is neither
    /// a `fn` nor a `find`, or a test not written `FILE::NAME`.
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
            if !id.starts_with(&format!("{}.", chapter.stage)) {
                return Err(format!(
                    "exercise {id}: its id must start with {}.",
                    chapter.stage
                ));
            }
            if !seen.insert(id) {
                return Err(format!("exercise {id}: the id is used twice"));
            }
            if exercise.tests.is_empty() || exercise.edit.is_empty() {
                return Err(format!(
                    "exercise {id}: it needs at least one test and one edit"
                ));
            }
            if let Some(test) = exercise.tests.iter().find(|t| test_parts(t).is_none()) {
                return Err(format!(
                    "exercise {id}: the test {test:?} is not FILE::NAME"
                ));
            }
            for edit in &exercise.edit {
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

    /// The chapter a learner means: its name, or its stage's number.
    ///
    /// # Errors
    /// One line naming the chapters there are.
    pub fn find_chapter(&self, wanted: &str) -> Result<&Chapter, String> {
        let wanted = wanted.trim().trim_end_matches(".md");
        let stage = wanted.trim_start_matches("stage-").parse::<u32>().ok();
        self.chapter
            .iter()
            .find(|c| c.name == wanted || Some(c.stage) == stage)
            .ok_or_else(|| {
                let names: Vec<String> = self
                    .chapter
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.stage))
                    .collect();
                format!(
                    "there is no chapter {wanted:?}: pick one of {}",
                    names.join(", ")
                )
            })
    }

    /// The exercises of `chapter`, in order.
    pub fn exercises_of(&self, chapter: &Chapter) -> Vec<&Exercise> {
        self.exercise
            .iter()
            .filter(|e| e.chapter == chapter.name)
            .collect()
    }
}

/// `FILE::NAME` as `(FILE, NAME)`.
pub fn test_parts(test: &str) -> Option<(&str, &str)> {
    let (file, name) = test.split_once("::")?;
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain(file) && plain(name)).then_some((file, name))
}

impl Exercise {
    /// The line a `todo!` placeholder panics with, and `check` prints.
    pub fn message(&self) -> String {
        format!(
            "Exercise {}: {}. Hint: {} Book: book/src/{}",
            self.id,
            self.title.trim_end_matches('.'),
            self.hint.trim(),
            self.book
        )
    }
}
