//! Paths as a learner would type them from where they are, for the
//! verbs' messages.

use std::path::{Path, PathBuf};

/// The folder `dir` as a learner would type it from where they are, to put
/// a file's name after: empty when they are in it.
pub fn shown_dir(dir: &Path) -> PathBuf {
    match shown(dir).as_str() {
        "." => PathBuf::new(),
        other => PathBuf::from(other),
    }
}

/// The folder `dir` in a sentence: as [`shown`], or `this folder`.
pub fn named(dir: &Path) -> String {
    match shown(dir).as_str() {
        "." => "this folder".into(),
        other => other.into(),
    }
}

/// `path` as a learner would type it from where they are.
pub fn shown(path: &Path) -> String {
    let here = std::env::current_dir()
        .ok()
        .and_then(|h| h.canonicalize().ok());
    let relative = here
        .as_deref()
        .and_then(|here| path.strip_prefix(here).ok());
    match relative {
        Some(rel) if rel.as_os_str().is_empty() => ".".into(),
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}
