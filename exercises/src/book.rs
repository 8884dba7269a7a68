//! The list of exercises at the end of each chapter, generated from the
//! manifest between two marker lines. `cargo run -p exercises --bin
//! write-exercise-lists` writes them; a test fails when one is stale.

use crate::manifest::Chapter;
use crate::workbook::Workbook;
use std::fs;
use std::path::PathBuf;

/// The line before a chapter's generated list.
pub const BEGIN: &str = "<!-- exercises: generated from exercises/exercises.toml by `cargo run -p exercises --bin write-exercise-lists` -->";
/// The line after it.
pub const END: &str = "<!-- end of the generated exercises -->";

/// `book/src/CHAPTER.md`.
pub fn chapter_path(workbook: &Workbook, chapter: &Chapter) -> PathBuf {
    workbook
        .root
        .join("book/src")
        .join(format!("{}.md", chapter.name))
}

/// The heading of `markdown` whose anchor is `anchor`.
fn heading<'a>(markdown: &'a str, anchor: &str) -> Option<&'a str> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|heading| heading.trim_start_matches('#').trim())
        .find(|heading| book_check::links::slug(heading) == anchor)
}

/// The generated list of `chapter`'s exercises, markers included.
///
/// # Errors
/// An exercise's book link names another chapter's file whose heading is
/// missing, or a heading that is not in its chapter.
pub fn list(workbook: &Workbook, chapter: &Chapter) -> Result<String, String> {
    let mut out = format!(
        "{BEGIN}\n\nStart them in a folder of your own (see [Doing the exercises](exercises.md)):\n\n```console\ncargo run -p exercises -- start {}\n```\n\n",
        chapter.name
    );
    for exercise in workbook.manifest.exercises_of(chapter) {
        let (file, anchor) = exercise
            .book
            .split_once('#')
            .unwrap_or((&exercise.book, ""));
        let page = fs::read_to_string(workbook.root.join("book/src").join(file))
            .map_err(|e| format!("exercise {}: book/src/{file}: {e}", exercise.id))?;
        let title = heading(&page, anchor).ok_or(format!(
            "exercise {}: book/src/{file} has no heading #{anchor}",
            exercise.id
        ))?;
        let link = match file == format!("{}.md", chapter.name) {
            true => format!("#{anchor}"),
            false => exercise.book.clone(),
        };
        let files: Vec<String> = exercise
            .files()
            .iter()
            .map(|file| format!("`{}/{file}`", chapter.folder()))
            .collect();
        let checked = exercise.breaks.as_ref().map_or(String::new(), |breaks| {
            format!(
                " Done when it passes against stage {} and fails against a copy of stage {} that {breaks}.",
                chapter.stage, chapter.stage
            )
        });
        // The hint is for the asking (`hint ID`), not printed here; an
        // exercise whose answer is not in the book says what to build.
        let task = exercise.task.as_ref().map_or(String::new(), |task| {
            format!(" New, not in this chapter: {}", task.trim())
        });
        out.push_str(&format!(
            "- **{} {}**, in {} (practises [{}]({link})).{task}{checked}\n",
            exercise.id,
            exercise.title.trim_end_matches('.'),
            crate::report::and_list(&files),
            title.replace('`', ""),
        ));
    }
    let first = workbook
        .manifest
        .exercises_of(chapter)
        .first()
        .map_or(String::new(), |e| e.id.clone());
    out.push_str(&format!(
        "\nThen leave this running while you work: it checks them now, and again\neach time you save a file, says which are done, and the next one to do.\nStuck on one? Its hint is there when you ask for it, by its id:\n\n```console\ncargo run -p exercises -- watch\ncargo run -p exercises -- hint {first}\n```\n\n"
    ));
    out.push_str(END);
    Ok(out)
}

/// `chapter`'s page with its list as the manifest gives it now.
///
/// # Errors
/// The page cannot be read, lacks the markers, or the list cannot be made.
pub fn current_page(workbook: &Workbook, chapter: &Chapter) -> Result<String, String> {
    let path = chapter_path(workbook, chapter);
    let page = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(begin), Some(end)) = (page.find(BEGIN), page.find(END)) else {
        return Err(format!(
            "{}: no generated exercise list: put the line\n{BEGIN}\nand the line\n{END}\nwhere it goes",
            path.display()
        ));
    };
    let list = list(workbook, chapter)?;
    Ok(format!(
        "{}{list}{}",
        &page[..begin],
        &page[end + END.len()..]
    ))
}

/// The chapters whose list is not what the manifest gives now.
///
/// # Errors
/// As [`current_page`].
pub fn stale_lists(workbook: &Workbook) -> Result<Vec<String>, String> {
    let mut stale = Vec::new();
    for chapter in &workbook.manifest.chapter {
        let page = fs::read_to_string(chapter_path(workbook, chapter)).unwrap_or_default();
        if current_page(workbook, chapter)? != page {
            stale.push(chapter.name.clone());
        }
    }
    Ok(stale)
}
