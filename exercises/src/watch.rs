//! The saves `watch` waits for: the learner's files, from the system's
//! file events (the `notify` crate), each burst of events (an editor
//! writes a file in several steps) taken as one save.

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// How long the files must stay quiet for a burst of events to count as
/// one save.
pub const QUIET: Duration = Duration::from_millis(250);

/// The learner's saves in a folder.
#[derive(Debug)]
pub struct Saves {
    dir: PathBuf,
    events: Receiver<notify::Result<Event>>,
    // Watches as long as it lives.
    _watcher: RecommendedWatcher,
}

impl Saves {
    /// Starts watching everything under `dir`.
    ///
    /// # Errors
    /// One line: the system refused to watch it (e.g. Linux's limit of
    /// inotify watches, and how to raise it).
    pub fn watch(dir: &Path) -> Result<Saves, String> {
        let (send, events) = channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = send.send(event);
        })
        .map_err(|e| cannot_watch(dir, &e))?;
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| cannot_watch(dir, &e))?;
        Ok(Saves {
            dir: dir.to_path_buf(),
            events,
            _watcher: watcher,
        })
    }

    /// Waits for the next save of a learner's file (and the events after
    /// it until the files are [`QUIET`]): the files saved.
    ///
    /// # Errors
    /// The watcher stopped, or the system reported an error.
    pub fn next(&self) -> Result<Vec<PathBuf>, String> {
        let mut saved = Vec::new();
        while saved.is_empty() {
            let event = self
                .events
                .recv()
                .map_err(|_| "the file watcher stopped".to_string())?;
            self.take(event, &mut saved)?;
        }
        loop {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => self.take(event, &mut saved)?,
                Err(RecvTimeoutError::Timeout) => return Ok(saved),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err("the file watcher stopped".into());
                }
            }
        }
    }

    /// The learner's files saved since the last call, without waiting:
    /// the saves that came while a check ran.
    ///
    /// # Errors
    /// The system reported an error.
    pub fn since(&self) -> Result<Vec<PathBuf>, String> {
        let mut saved = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            self.take(event, &mut saved)?;
        }
        Ok(saved)
    }

    /// Adds to `saved` the learner's files that `event` changed.
    fn take(&self, event: notify::Result<Event>, saved: &mut Vec<PathBuf>) -> Result<(), String> {
        let event = event.map_err(|e| format!("the file watcher: {e}"))?;
        if matches!(event.kind, EventKind::Access(_)) {
            return Ok(());
        }
        for path in event.paths {
            if let Ok(relative) = path.strip_prefix(&self.dir)
                && is_learners(relative)
                && !saved.iter().any(|p| p == relative)
            {
                saved.push(relative.to_path_buf());
            }
        }
        Ok(())
    }
}

/// Whether `path` (under the learner's folder) is a file of theirs: a Rust
/// source or a `Cargo.toml` in one of their folders, not in a generated
/// or hidden one, and not an editor's temporary file.
pub fn is_learners(path: &Path) -> bool {
    let hidden = path.components().any(|c| match c {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            name.starts_with('.') || name == "target"
        }
        _ => true,
    });
    let source = path
        .extension()
        .is_some_and(|e| e == "rs" || (e == "toml" && path.ends_with("Cargo.toml")));
    path.components().count() >= 2 && !hidden && source
}

fn cannot_watch(dir: &Path, error: &notify::Error) -> String {
    let limit = matches!(error.kind, notify::ErrorKind::MaxFilesWatch);
    let fix = match limit {
        true => {
            ": the system's limit of watched files is reached (Linux: `sudo sysctl fs.inotify.max_user_watches=524288`), or use `check` after each save"
        }
        false => ": use `check` after each save instead",
    };
    format!("{} cannot be watched ({error}){fix}", dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_learners_sources_count_as_saves() {
        for (path, theirs) in [
            ("stage-2/src/okta.rs", true),
            ("stage-2/Cargo.toml", true),
            ("testing/promises.rs", true),
            ("stage-2/src/.okta.rs.swp", false),
            ("stage-2/src/okta.rs~", false),
            ("stage-2/src/4913", false),
            (".check/stage-2/Cargo.toml", false),
            (".check/progress.json", false),
            ("Cargo.toml", false),
            ("stage-2/target/debug/x.rs", false),
        ] {
            assert_eq!(is_learners(Path::new(path)), theirs, "{path}");
        }
    }
}
