//! Writes the book's "what changed" diffs: `book/src/changes/stage-N.diff`.
//!
//! ```text
//! cargo run -p book-check --bin write-diffs
//! ```

use book_check::diffs::{DIFFED_STAGES, diff_path, stage_diff};

fn main() -> std::io::Result<()> {
    for stage in DIFFED_STAGES {
        let path = diff_path(stage);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, stage_diff(stage))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
