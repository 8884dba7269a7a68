//! Prints each numbered chapter's words of prose and lines of listings,
//! against the limits of one sitting ([`book_check::sizes`]).
//!
//! ```text
//! cargo run -p book-check --bin chapter-sizes
//! ```

use book_check::sizes::{MAX_LISTING_LINES, MAX_WORDS, chapter_size, numbered_chapters};
use std::path::Path;

fn main() -> std::io::Result<()> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    println!(
        "{:<28} {:>6} {:>9} {:>10}",
        "chapter", "words", "listings", "collapsed"
    );
    for chapter in numbered_chapters(&src)? {
        let size = chapter_size(&chapter)?;
        let over = size.words > MAX_WORDS || size.listing_lines > MAX_LISTING_LINES;
        println!(
            "{:<28} {:>6} {:>9} {:>10}{}",
            chapter.file_name().unwrap_or_default().to_string_lossy(),
            size.words,
            size.listing_lines,
            size.collapsed_lines,
            if over { "  over one sitting" } else { "" }
        );
    }
    println!("(one sitting: at most {MAX_WORDS} words and {MAX_LISTING_LINES} listing lines)");
    Ok(())
}
