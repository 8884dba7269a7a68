//! The learner's and the instructor's verbs, one file each: what each
//! does and prints. `main.rs` reads the command line and calls one of
//! them.
//!
//! The verbs stand on [`shared`] (the learner's folder, and the checks
//! that `check`, `watch` and `class` share), which stands on [`mod@shown`]
//! (paths as the learner types them). This file only names them.

mod check;
mod class;
mod hint;
mod list;
mod new;
mod reset;
pub mod shared;
pub mod shown;
mod start;
mod verify;
mod watch;

pub use class::class;
pub use new::new_app;
pub use shared::{FolderResult, Learner};
pub use shown::shown;
pub use verify::verify;
