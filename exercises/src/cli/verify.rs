//! `verify`, for CI: every exercise fails as a learner starts it, passes
//! once done, and passes with the stages' own sources (the checks are
//! [`crate::verify`]'s); its lines go to stdout.

use crate::workbook::Workbook;
use std::process::ExitCode;

/// `verify`: success when every check holds.
///
/// # Errors
/// A file that cannot be written, or a stage whose edits do not apply.
pub fn verify(workbook: &Workbook) -> Result<ExitCode, String> {
    crate::verify::verify(workbook, &mut std::io::stdout()).map(|holds| match holds {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}
