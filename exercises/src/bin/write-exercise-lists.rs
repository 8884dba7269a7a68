//! Writes the list of exercises at the end of each chapter of the book,
//! from `exercises/exercises.toml`:
//!
//! ```text
//! cargo run -p exercises --bin write-exercise-lists
//! ```

use exercises::book::{chapter_path, current_page};
use exercises::workbook::Workbook;
use std::process::ExitCode;

fn main() -> ExitCode {
    let workbook = Workbook::builtin();
    for chapter in &workbook.manifest.chapter {
        let path = chapter_path(&workbook, chapter);
        let written = current_page(&workbook, chapter)
            .and_then(|page| std::fs::write(&path, page).map_err(|e| e.to_string()));
        match written {
            Ok(()) => println!("wrote the exercises of {}", path.display()),
            Err(problem) => {
                eprintln!("error: {problem}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
