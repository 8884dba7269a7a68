//! The workbook's exercises: a learner starts a chapter's exercises in a
//! folder of their own, gets a copy of the chapter's stage with pieces of
//! the lesson taken out, writes them back, and checks them with the
//! workbook's own behaviour tests.
//!
//! ```text
//! cargo run -p exercises -- start log-in     # writes my-exercises/stage-2
//! cargo run -p exercises -- check            # which are done, and the next one
//! cargo run -p exercises -- class FOLDER     # a table of a class's work
//! cargo run -p exercises -- verify           # CI: every exercise fails, then passes
//! ```
//!
//! The exercises are described in `exercises/exercises.toml`
//! ([`manifest`]); a starting point is made from the stage's own sources
//! ([`edit`], [`workbook`]), so it can never disagree with the code the
//! tests prove.

pub mod book;
pub mod check;
pub mod edit;
pub mod learner;
pub mod manifest;
pub mod report;
pub mod verify;
pub mod workbook;
