use book_check::diffs::{DIFFED_STAGES, stage_diff, stale_diffs};
use book_check::links::{anchors, link_problems, link_targets, slug};
use book_check::{Include, include_problem, include_problems, includes};
use std::path::{Path, PathBuf};

fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

#[test]
fn every_include_names_a_file_and_an_anchor_that_exist() {
    let problems = include_problems(&book_src());
    assert!(
        problems.is_empty(),
        "the book is wrong:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_book_includes_code_at_all() {
    let chapter = book_src().join("hello-world.md");
    let markdown = std::fs::read_to_string(&chapter).expect("the Hello World chapter");
    assert!(!includes(&chapter, &markdown).is_empty());
}

fn one(markdown: &str) -> Include {
    let found = includes(&book_src().join("chapter.md"), markdown);
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().expect("one include")
}

#[test]
fn a_missing_file_is_reported() {
    let include = one("{{#include ../../stages/stage-1/src/nope.rs:app}}");
    let problem = include_problem(&include).expect("a problem");
    assert!(
        problem.contains("nope.rs, which does not exist"),
        "{problem}"
    );
}

#[test]
fn a_misspelled_anchor_is_reported() {
    let include = one("```rust\n{{#rustdoc_include ../../stages/stage-1/src/lib.rs:ap}}\n```");
    assert_eq!(include.anchor.as_deref(), Some("ap"));
    let problem = include_problem(&include).expect("a problem");
    assert!(problem.contains("anchor 'ap' is not opened"), "{problem}");
}

#[test]
fn an_anchor_that_is_never_closed_is_reported() {
    let dir = std::env::temp_dir().join(format!("book-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    std::fs::write(dir.join("code.rs"), "// ANCHOR: open\nfn f() {}\n").expect("write");
    let include = includes(&dir.join("chapter.md"), "{{#include code.rs:open}}").remove(0);
    let problem = include_problem(&include).expect("a problem");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        problem.contains("anchor 'open' is never closed"),
        "{problem}"
    );
}

#[test]
fn line_ranges_and_whole_files_need_no_anchor() {
    assert_eq!(
        one("{{#include ../../stages/stage-1/src/lib.rs:3:9}}").anchor,
        None
    );
    assert_eq!(
        one("{{#include ../../stages/stage-1/src/main.rs}}").anchor,
        None
    );
    assert_eq!(
        include_problem(&one("{{#include ../../stages/stage-1/src/main.rs}}")),
        None
    );
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let problems = link_problems(&book_src());
    assert!(
        problems.is_empty(),
        "broken links in the book:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_what_changed_diff_is_current() {
    let stale = stale_diffs();
    assert!(
        stale.is_empty(),
        "the book's diffs for stages {stale:?} are stale: run `cargo run -p book-check --bin write-diffs` and commit them"
    );
}

#[test]
fn a_diff_shows_the_lesson_and_no_anchor_lines_of_the_sources() {
    for stage in DIFFED_STAGES {
        let diff = stage_diff(stage);
        assert!(
            diff.contains(&format!("stage-{stage}/src/lib.rs")),
            "{diff}"
        );
        let anchors = diff.lines().filter(|l| l.contains("ANCHOR"));
        assert!(
            anchors.into_iter().all(|l| l.starts_with("# ANCHOR")),
            "stage {stage}"
        );
    }
}

#[test]
fn stage_4s_diff_is_the_guard_then_the_logout() {
    let diff = stage_diff(4);
    let guard = &diff[diff.find("# ANCHOR: guard").expect("a guard part")..];
    let guard = &guard[..guard.find("# ANCHOR_END: guard").expect("its end")];
    let logout = &diff[diff.find("# ANCHOR: logout").expect("a logout part")..];
    assert!(guard.contains("route_layer") && guard.contains("+++ stage-4/src/guard.rs"));
    assert!(!guard.contains("pub async fn logout"), "{guard}");
    assert!(logout.contains("pub async fn logout") && logout.contains("MemorySessions"));
}

#[test]
fn a_file_that_only_renames_the_stage_is_named_and_examples_are_listed() {
    assert!(stage_diff(4).contains("+++ stage-4/src/main.rs: only the stage's number changed"));
    assert!(stage_diff(10).contains("+++ stage-10/examples/call-api.rs: a new file"));
}

#[test]
fn slugs_and_links_are_read_as_mdbook_does() {
    assert_eq!(slug(" Run it"), "run-it");
    assert_eq!(slug(" What `main` does, step 1!"), "what-main-does-step-1");
    assert_eq!(slug(" Custom {#here}"), "here");
    let page =
        "# A\n## A\n```\n# not a heading [x](nope.md)\n```\nSee [b](other.md#a-1) and [c](#a).";
    assert!(anchors(page).contains("a") && anchors(page).contains("a-1"));
    let targets: Vec<String> = link_targets(page).into_iter().map(|(_, t)| t).collect();
    assert_eq!(targets, ["other.md#a-1", "#a"]);
}

mod sizes {
    use super::book_src;
    use book_check::sizes::{
        MAX_LISTING_LINES, MAX_WORDS, chapter_size, measure, numbered_chapters,
    };

    #[test]
    fn every_numbered_chapter_fits_one_sitting() {
        let chapters = numbered_chapters(&book_src()).expect("SUMMARY.md");
        assert!(chapters.len() > 10, "{chapters:?}");
        let over: Vec<String> = chapters
            .iter()
            .map(|chapter| chapter_size(chapter).expect("a chapter"))
            .filter(|size| size.words > MAX_WORDS || size.listing_lines > MAX_LISTING_LINES)
            .map(|size| {
                format!(
                    "{}: {} words, {} listing lines",
                    size.chapter.display(),
                    size.words,
                    size.listing_lines
                )
            })
            .collect();
        assert!(
            over.is_empty(),
            "over one sitting ({MAX_WORDS} words, {MAX_LISTING_LINES} listing lines; \
             move asides to the appendix, or split the chapter):\n{}",
            over.join("\n")
        );
    }

    #[test]
    fn prose_listings_and_collapsed_diffs_are_counted_apart() {
        let chapter = book_src().join("chapter.md");
        let markdown = "# A title\n\nTwo words, then `code` too.\n\n<!-- not counted -->\n\
                        ```rust\nfn f() {}\nfn g() {}\n```\n\n<details>\n<summary>The diff</summary>\n\n\
                        ```diff\n+ one\n- two\n  three\n```\n\n</details>\n\n| a | b |\n|---|---|\n";
        let size = measure(&chapter, markdown);
        assert_eq!(size.words, 2 + 5 + 2, "{size:?}");
        assert_eq!(size.listing_lines, 2, "{size:?}");
        assert_eq!(size.collapsed_lines, 3, "{size:?}");
    }

    #[test]
    fn an_include_counts_as_the_lines_of_its_anchor() {
        let chapter = book_src().join("hello-world.md");
        let source = std::fs::read_to_string(book_src().join("../../stages/stage-1/src/main.rs"))
            .expect("stage 1's main.rs");
        let markdown = "```rust\n{{#include ../../stages/stage-1/src/main.rs}}\n```\n";
        let whole = measure(&chapter, markdown).listing_lines;
        let markers = source.lines().filter(|l| l.contains("ANCHOR")).count();
        assert_eq!(whole, source.lines().count() - markers);
        assert!(whole > 3, "{whole}");
    }
}

/// A test the book names, as `snake_case_words` of six words or more in
/// backticks, is a test of the workspace: a renamed test leaves no stale
/// name behind in the text.
#[test]
fn every_test_the_book_names_exists() {
    let root = book_src().join("../..");
    let mut sources = String::new();
    let mut dirs = vec![
        root.join("stages"),
        root.join("mock-okta"),
        root.join("exercises"),
        root.join("own-app"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("target") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut missing = Vec::new();
    for chapter in book_check::chapters(&book_src()) {
        let text = std::fs::read_to_string(&chapter).expect("a chapter");
        for quoted in text.split('`').skip(1).step_by(2) {
            let words = quoted.split('_').count();
            let snake = quoted
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if words >= 6 && snake && !sources.contains(&format!("fn {quoted}(")) {
                missing.push(format!("{}: {quoted}", chapter.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the book names tests that do not exist:\n{}",
        missing.join("\n")
    );
}
