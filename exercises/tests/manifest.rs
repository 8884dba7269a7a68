//! The manifest against the workbook as it is now: a stage that changes
//! under an exercise fails here until `exercises.toml` follows, and a
//! stale list in the book fails until it is written again.

use exercises::book::stale_lists;
use exercises::manifest::{Manifest, test_parts};
use exercises::reset;
use exercises::workbook::Workbook;
use std::fs;

#[test]
fn every_exercise_comes_out_of_its_stage_as_it_is_now() {
    let workbook = Workbook::builtin();
    for folder in workbook.manifest.folders() {
        let exercises = folder.exercises(&workbook.manifest);
        let solution = workbook
            .folder_files(&folder, &[])
            .expect("the stage reads");
        let start = workbook
            .folder_files(&folder, &exercises)
            .unwrap_or_else(|e| panic!("{e}"));
        for exercise in &exercises {
            // Alone, too: each exercise's edits apply to the solution.
            let alone = workbook
                .folder_files(&folder, &[exercise])
                .unwrap_or_else(|e| panic!("{e}"));
            assert_ne!(
                alone, solution,
                "exercise {}: its edits change nothing",
                exercise.id
            );
            let file = &exercise.edit[0].file;
            let (_, text) = start
                .iter()
                .find(|(f, _)| f.as_os_str() == file.as_str())
                .expect("its file");
            assert!(
                text.contains(&format!("Exercise {}", exercise.id)),
                "exercise {}: the learner's {file} does not say where it is",
                exercise.id
            );
        }
        for (file, text) in &start {
            assert!(
                !text.contains("ANCHOR"),
                "{}: anchor lines in a learner's copy",
                file.display()
            );
        }
    }
}

#[test]
fn resetting_one_exercise_of_a_finished_copy_takes_out_that_exercise_alone() {
    let workbook = Workbook::builtin();
    let dir = std::env::temp_dir().join(format!("exercises-reset-all-{}", std::process::id()));
    for folder in workbook.manifest.folders() {
        let solution = workbook
            .folder_files(&folder, &[])
            .expect("the stage reads");
        let copy = dir.join(&folder.name);
        let _ = fs::remove_dir_all(&copy);
        Workbook::write_files(&copy, &solution).expect("written");
        for exercise in folder.exercises(&workbook.manifest) {
            let resets =
                reset::reset(&workbook, &folder, &copy, exercise).unwrap_or_else(|e| panic!("{e}"));
            let alone = workbook
                .folder_files(&folder, &[exercise])
                .expect("its edits apply");
            for (file, text) in &alone {
                // A new exercise's code outside its marked place (a handler
                // of its own, say) is the learner's, and a reset keeps it.
                let marked = exercise
                    .marked_files()
                    .contains(&file.to_string_lossy().as_ref());
                if !exercise.answer_in_book() && !marked {
                    continue;
                }
                let after = resets.iter().find(|r| r.file == *file).map_or(
                    solution.iter().find(|(f, _)| f == file).map(|(_, t)| t),
                    |r| Some(&r.after),
                );
                assert_eq!(
                    after,
                    Some(text),
                    "exercise {}: a reset of a finished {} is not the stage with {} alone taken out",
                    exercise.id,
                    file.display(),
                    exercise.id
                );
            }
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn no_exercise_asks_for_more_than_about_20_lines_or_depends_on_more_than_5_tests() {
    let workbook = Workbook::builtin();
    for folder in workbook.manifest.folders() {
        let solution = workbook
            .folder_files(&folder, &[])
            .expect("the stage reads");
        for exercise in folder.exercises(&workbook.manifest) {
            // A new exercise's lines are its solution's, less the text each
            // of its edits finds.
            let solved: usize = exercise
                .solution
                .iter()
                .map(|edit| {
                    let count = |text: &str| text.lines().filter(|l| !l.trim().is_empty()).count();
                    let with = edit.with.as_deref().unwrap_or_default();
                    count(with).saturating_sub(edit.find.as_deref().map_or(0, count))
                })
                .sum();
            let edits = match exercise.answer_in_book() {
                true => exercise.edit.as_slice(),
                false => &[],
            };
            let taken_out: usize = edits
                .iter()
                .map(|edit| {
                    let (_, text) = solution
                        .iter()
                        .find(|(f, _)| f.as_os_str() == edit.file.as_str())
                        .expect("its file");
                    exercises::edit::region_lines(text, edit).unwrap_or_else(|e| panic!("{e}"))
                })
                .sum();
            let lines = solved + taken_out;
            assert!(
                lines <= 20,
                "exercise {} asks for {lines} lines of code: split it",
                exercise.id
            );
            assert!(
                exercise.tests.len() <= 5,
                "exercise {} depends on {} tests: split it",
                exercise.id,
                exercise.tests.len()
            );
        }
    }
}

#[test]
fn every_stage_from_2_on_has_three_exercises_and_each_of_its_chapters_two() {
    let manifest = Manifest::builtin();
    let (own, others): (Vec<_>, Vec<_>) = manifest.chapter.iter().partition(|c| c.prefix.is_none());
    let mut stages: Vec<u32> = own.iter().map(|c| c.stage).collect();
    stages.dedup();
    assert_eq!(
        stages,
        [2, 3, 4, 5, 6, 7, 8, 9, 10],
        "every stage with a lesson has its chapter"
    );
    // A stage's lesson may take two chapters (Log in with Okta and The way
    // back; refresh tokens): each has two exercises at least, its stage three.
    for chapter in &own {
        let count = manifest.exercises_of(chapter).len();
        assert!(count >= 2, "{}: {count} exercises", chapter.name);
    }
    for stage in stages {
        let of_stage = own.iter().filter(|c| c.stage == stage);
        let count: usize = of_stage.map(|c| manifest.exercises_of(c).len()).sum();
        assert!(count >= 3, "stage {stage}: {count} exercises");
    }
    assert_eq!(
        others.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["configuration", "what-can-go-wrong", "testing"],
        "the chapters with no stage of their own that have exercises"
    );
    for chapter in &others {
        let count = manifest.exercises_of(chapter).len();
        assert!(count >= 1, "{}: {count} exercises", chapter.name);
    }
}

#[test]
fn every_test_an_exercise_names_is_in_its_file() {
    let workbook = Workbook::builtin();
    for exercise in &workbook.manifest.exercise {
        for test in &exercise.tests {
            let (file, name) = test_parts(test).expect("FILE::NAME");
            let path = workbook.module_file(file);
            let source = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{test}: {e}"));
            // `fn NAME(` for a test, `NAME:` for one a macro makes.
            assert!(
                source.contains(&format!("fn {name}(")) || source.contains(&format!("{name}:")),
                "exercise {}: there is no test {name} in {}",
                exercise.id,
                path.display()
            );
        }
    }
}

#[test]
fn the_lists_in_the_book_are_current() {
    let stale = stale_lists(&Workbook::builtin()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stale.is_empty(),
        "the exercises of {stale:?} are stale in the book: run `cargo run -p exercises --bin write-exercise-lists` and commit them"
    );
}

#[test]
fn a_chapter_is_found_by_name_or_stage_and_a_wrong_one_is_one_line() {
    let manifest = Manifest::builtin();
    assert_eq!(manifest.find_chapter("log-in").map(|c| c.stage), Ok(2));
    assert_eq!(manifest.find_chapter("5").map(|c| c.stage), Ok(5));
    assert_eq!(manifest.find_chapter("stage-3").map(|c| c.stage), Ok(3));
    // A stage's number is its own chapter, not one that only shares it.
    assert_eq!(
        manifest.find_chapter("2").map(|c| c.name.as_str()),
        Ok("log-in")
    );
    assert_eq!(
        manifest.find_chapter("4").map(|c| c.name.as_str()),
        Ok("global-guard")
    );
    assert_eq!(manifest.find_chapter("testing").map(|c| c.stage), Ok(4));
    let wrong = manifest
        .find_chapter("login")
        .map(|c| c.stage)
        .expect_err("no such chapter");
    assert_eq!(
        wrong,
        "there is no chapter \"login\": pick one of configuration, log-in (2), callback, protect-by-hand (3), global-guard (4), what-can-go-wrong, testing, openid-connect (5), redis (6), refresh (7), refresh-safely, internet (8), roles (9), api (10)"
    );
}

#[test]
fn a_manifest_with_a_mistake_is_refused_with_the_exercise_named() {
    let chapter = "[[chapter]]\nname = \"log-in\"\nstage = 2\ntitle = \"T\"\n";
    let exercise = |id: &str, edit: &str| {
        format!(
            "[[exercise]]\nid = \"{id}\"\nchapter = \"log-in\"\ntitle = \"t\"\nhint = \"h\"\nbook = \"log-in.md\"\ntests = [\"promises::x\"]\n[[exercise.edit]]\nfile = \"src/okta.rs\"\n{edit}\n"
        )
    };
    let problem = |text: String| Manifest::parse(&text).map(|_| ()).expect_err("refused");
    assert_eq!(
        problem(format!("{chapter}{}", exercise("3.1", "fn = \"login\""))),
        "exercise 3.1: its id must start with 2."
    );
    assert_eq!(
        problem(format!(
            "{chapter}{}",
            exercise("2.1", "fn = \"a\"\nfind = \"b\"")
        )),
        "exercise 2.1: an edit needs `fn` or `find`, not both"
    );
    assert_eq!(
        problem(format!("{chapter}{}", exercise("2.1", "find = \"b\""))),
        "exercise 2.1: a `find` edit needs `with`, and no `from`"
    );
    let twice = format!(
        "{chapter}{}{}",
        exercise("2.1", "fn = \"a\""),
        exercise("2.1", "fn = \"b\"")
    );
    assert_eq!(problem(twice), "exercise 2.1: the id is used twice");
}

#[test]
fn the_book_names_every_exercise_that_needs_another_program() {
    let workbook = Workbook::builtin();
    // The test modules that start a program Rust does not bring: they ask
    // whether it is there (`available`), or start Redis (`RedisServer`).
    let modules: Vec<String> = workbook
        .test_files()
        .into_iter()
        .filter(|m| {
            fs::read_to_string(workbook.tests_dir().join(format!("{m}.rs")))
                .is_ok_and(|source| source.contains("available(") || source.contains("RedisServer"))
        })
        .collect();
    let needing: std::collections::BTreeSet<&str> = workbook
        .manifest
        .exercise
        .iter()
        .filter(|e| {
            e.tests
                .iter()
                .any(|t| modules.iter().any(|m| t.starts_with(&format!("{m}::"))))
        })
        .map(|e| e.id.as_str())
        .collect();
    let page = fs::read_to_string(workbook.root.join("book/src/exercises.md")).expect("the page");
    let heading = "## Exercises that need other programs\n";
    let section = page
        .split_once(heading)
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest))
        .expect("the page has the section");
    let named: std::collections::BTreeSet<&str> = section
        .split("**")
        .skip(1)
        .step_by(2)
        .filter_map(|bold| bold.split(' ').next())
        .collect();
    assert_eq!(
        named, needing,
        "book/src/exercises.md, \"Exercises that need other programs\", must name exactly these"
    );
    let words = ["No", "One", "Two", "Three", "Four", "Five", "Six"];
    let count = format!("{} exercise", words[needing.len().min(6)]);
    assert!(section.contains(&count), "the section says \"{count}…\"");
}

#[test]
fn a_new_exercises_answer_is_not_in_its_stage_and_its_tests_are_its_own() {
    let workbook = Workbook::builtin();
    for folder in workbook.manifest.folders() {
        let stage = workbook
            .folder_files(&folder, &folder.exercises(&workbook.manifest))
            .expect("the starting point");
        for exercise in folder.exercises(&workbook.manifest) {
            if exercise.answer_in_book() {
                continue;
            }
            // What the solution adds is nowhere in the stage (whose sources
            // the book prints).
            for edit in &exercise.solution {
                let with = edit.with.as_deref().unwrap_or_default();
                let find = edit.find.as_deref().unwrap_or_default();
                let added: Vec<&str> = with
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !find.contains(l))
                    .collect();
                assert!(
                    !added.is_empty(),
                    "exercise {}: a solution edit adds nothing",
                    exercise.id
                );
                let (_, text) = stage
                    .iter()
                    .find(|(f, _)| f.as_os_str() == edit.file.as_str())
                    .expect("its file");
                assert!(
                    added.iter().any(|line| !text.contains(line.trim())),
                    "exercise {}: its solution in {} is in the stage already",
                    exercise.id,
                    edit.file
                );
            }
            // Its tests are of its own: a practice module, which
            // `cargo test --workspace` does not run against the stage.
            for test in &exercise.tests {
                let (module, _) = test_parts(test).expect("MODULE::NAME");
                assert!(
                    workbook
                        .module_file(module)
                        .starts_with(workbook.practice_dir()),
                    "exercise {}: {test} is not in exercises/practice/",
                    exercise.id
                );
            }
        }
    }
}
