//! The workbook's exercises: a learner starts a chapter's exercises in a
//! folder of their own, gets a copy of the chapter's stage with pieces of
//! the lesson taken out, writes them back, and checks them with the
//! workbook's own behaviour tests.
//!
//! ```text
//! cargo run -p exercises -- start log-in     # writes my-exercises/stage-2
//! cargo run -p exercises -- watch            # checks now, and at each save
//! cargo run -p exercises -- check            # which are done, and the next one
//! cargo run -p exercises -- list             # every chapter, where you stand
//! cargo run -p exercises -- hint 2.3         # an exercise's hint
//! cargo run -p exercises -- reset 2.3        # its starting point back
//! cargo run -p exercises -- class FOLDER     # a table of a class's work
//! cargo run -p exercises -- verify           # CI: every exercise fails, then passes
//! cargo run -p exercises -- new ../my-app --from stage-7   # a stage as your own crate
//! ```
//!
//! The exercises are described in `exercises/exercises.toml`
//! ([`manifest`]); a starting point is made from the stage's own sources
//! ([`edit`], [`workbook`]), so it can never disagree with the code the
//! tests prove. Three kinds: write back a function's body that was taken
//! out; write a pure function (the issuer, in Configuration); and write a
//! test, checked against the stage and against a copy of it broken in the
//! promise the test is of ([`manifest::Kind::Tests`]).

pub mod book;
pub mod check;
pub mod cli;
pub mod edit;
pub mod learner;
pub mod manifest;
pub mod progress;
pub mod report;
pub mod reset;
pub mod scaffold;
pub mod verify;
pub mod watch;
pub mod workbook;
