//! `new PATH --from stage-N`: lays the stage down ([`crate::scaffold`]) and
//! says what was written and what to do next.

use crate::cli::shown;
use crate::scaffold;
use crate::workbook::Workbook;
use std::path::Path;
use std::process::ExitCode;

/// Lays down stage `from` at `path`, and prints the next steps.
///
/// # Errors
/// The one line [`scaffold::new_app`] gives.
pub fn new_app(workbook: &Workbook, path: &Path, from: &str) -> Result<ExitCode, String> {
    let made = scaffold::new_app(workbook, path, from)?;
    let at = shown(path);
    println!(
        "Wrote {at}: the crate {}, from stage {} ({} files).",
        made.name,
        made.stage,
        made.files.len()
    );
    println!();
    println!("Next:");
    println!("  cd {at}");
    println!("  cargo test      # alice logs in against a mock Okta, offline");
    println!("  cargo run       # with `cargo run -p mock-okta` running in the workbook");
    println!("Then {at}/README.md says what to change to make it your app.");
    Ok(ExitCode::SUCCESS)
}
