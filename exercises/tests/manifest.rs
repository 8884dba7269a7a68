//! The manifest against the workbook as it is now: a stage that changes
//! under an exercise fails here until `exercises.toml` follows, and a
//! stale list in the book fails until it is written again.

use exercises::book::stale_lists;
use exercises::manifest::{Manifest, test_parts};
use exercises::workbook::Workbook;
use std::fs;

#[test]
fn every_exercise_comes_out_of_its_stage_as_it_is_now() {
    let workbook = Workbook::here();
    for chapter in &workbook.manifest.chapter {
        let exercises = workbook.manifest.exercises_of(chapter);
        let solution = workbook.stage_files(chapter, &[]).expect("the stage reads");
        let start = workbook
            .stage_files(chapter, &exercises)
            .unwrap_or_else(|e| panic!("{e}"));
        for exercise in &exercises {
            // Alone, too: each exercise's edits apply to the solution.
            let alone = workbook
                .stage_files(chapter, &[exercise])
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
fn every_chapter_from_stage_2_on_has_at_least_three_exercises() {
    let manifest = Manifest::builtin();
    assert_eq!(
        manifest.chapter.iter().map(|c| c.stage).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7, 8],
        "every stage with a lesson has its chapter"
    );
    for chapter in &manifest.chapter {
        let count = manifest.exercises_of(chapter).len();
        assert!(count >= 3, "{}: {count} exercises", chapter.name);
    }
}

#[test]
fn every_test_an_exercise_names_is_in_its_file() {
    let workbook = Workbook::here();
    for exercise in &workbook.manifest.exercise {
        for test in &exercise.tests {
            let (file, name) = test_parts(test).expect("FILE::NAME");
            let path = workbook.tests_dir().join(format!("{file}.rs"));
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
    let stale = stale_lists(&Workbook::here()).unwrap_or_else(|e| panic!("{e}"));
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
    let wrong = manifest
        .find_chapter("login")
        .map(|c| c.stage)
        .expect_err("no such chapter");
    assert_eq!(
        wrong,
        "there is no chapter \"login\": pick one of log-in (2), protect-by-hand (3), global-guard (4), openid-connect (5), redis (6), refresh (7), internet (8)"
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
