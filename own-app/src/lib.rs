//! What `cargo run -p exercises -- new PATH --from stage-N` adds to a stage
//! from 5 on, for an app of one's own, built and tested here with the rest
//! of the workspace: [`users`], the app's own record of its users, keyed by
//! issuer and subject, in SQLite (its table in `migrations/`).
//!
//! `new` copies `src/users.rs` and `migrations/` into the new crate as they
//! are, and connects them to the stage's callback; the book's chapter "Your
//! own app" shows where.

pub mod users;
