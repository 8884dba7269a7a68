//! What the last check found, kept in the learner's folder
//! (`.check/progress.json`), so that `list` and `hint` answer at once,
//! without building anything, and say when a folder changed since.

use crate::check::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Every folder the last checks saw, by its name (`stage-2`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// By folder name.
    pub folders: BTreeMap<String, Checked>,
}

/// What a check found in one folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// [`fingerprint`] of the folder when it was checked.
    pub fingerprint: u64,
    /// When, in seconds since 1970.
    pub at: u64,
    /// Each exercise's word, by id: `done`, `not yet`, `waits on ID`,
    /// `needs PROGRAM`, or `does not compile`.
    pub exercises: BTreeMap<String, String>,
}

impl Checked {
    /// What a check of a folder found now: each exercise's status, or
    /// (`None`) a folder that does not compile, with these `ids`.
    pub fn now(fingerprint: u64, ids: &[&str], statuses: Option<&[(String, Status)]>) -> Checked {
        let exercises = ids
            .iter()
            .map(|id| {
                let word = match statuses.and_then(|s| s.iter().find(|(i, _)| i == id)) {
                    Some((_, status)) => word(status),
                    None => "does not compile".to_string(),
                };
                (id.to_string(), word)
            })
            .collect();
        Checked {
            fingerprint,
            at: seconds_now(),
            exercises,
        }
    }

    /// How many of its exercises are done.
    pub fn done(&self) -> usize {
        self.exercises.values().filter(|w| *w == "done").count()
    }
}

/// The word `check` and `list` use for a status.
pub fn word(status: &Status) -> String {
    match status {
        Status::Done => "done".into(),
        Status::NotYet { .. } => "not yet".into(),
        Status::Waits { on } => format!("waits on {on}"),
        Status::Needs { program, .. } => format!("needs {program}"),
    }
}

/// Seconds since 1970.
pub fn seconds_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `.check/progress.json` in the learner's folder `dir`.
fn path(dir: &Path) -> PathBuf {
    dir.join(".check/progress.json")
}

impl Progress {
    /// What the last checks of `dir` found; nothing if there were none (or
    /// the file cannot be read: it is only a memo).
    pub fn load(dir: &Path) -> Progress {
        fs::read_to_string(path(dir))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Keeps it in `dir`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let path = path(dir);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let text = serde_json::to_string_pretty(self).expect("strings and numbers serialize");
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A number that changes whenever a file in `folder` does: its files'
/// paths and contents, hashed (hidden folders and `target/` left out).
pub fn fingerprint(folder: &Path) -> u64 {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(at) = folders.pop() {
        for entry in fs::read_dir(&at).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            match entry.file_type().is_ok_and(|t| t.is_dir()) {
                true => folders.push(entry.path()),
                false => files.push(entry.path()),
            }
        }
    }
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in files {
        file.strip_prefix(folder).unwrap_or(&file).hash(&mut hasher);
        fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

/// `seconds` ago, in words: `just now`, `5 min ago`, `2 h ago`, `3 days ago`.
pub fn ago(seconds: u64) -> String {
    let since = seconds_now().saturating_sub(seconds);
    match since {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", since / 60),
        3600..86400 => format!("{} h ago", since / 3600),
        _ => format!("{} days ago", since / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_changes_with_a_file_and_not_with_hidden_ones() {
        let dir =
            std::env::temp_dir().join(format!("exercises-fingerprint-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).expect("a temp folder");
        fs::write(dir.join("src/lib.rs"), "fn a() {}\n").expect("written");
        let before = fingerprint(&dir);
        fs::create_dir_all(dir.join(".hidden")).expect("a hidden folder");
        fs::write(dir.join(".hidden/x"), "x").expect("written");
        assert_eq!(fingerprint(&dir), before, "hidden files do not count");
        fs::write(dir.join("src/lib.rs"), "fn a() { }\n").expect("written");
        assert_ne!(fingerprint(&dir), before, "a changed file does");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn what_a_check_found_is_kept_and_read_back() {
        let dir = std::env::temp_dir().join(format!("exercises-progress-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(Progress::load(&dir), Progress::default(), "nothing yet");
        let statuses = [
            ("2.1".to_string(), Status::Done),
            (
                "2.2".to_string(),
                Status::NotYet {
                    test: "promises::x".into(),
                    reason: "boom".into(),
                },
            ),
        ];
        let checked = Checked::now(7, &["2.1", "2.2"], Some(&statuses));
        assert_eq!(checked.done(), 1);
        assert_eq!(checked.exercises["2.2"], "not yet");
        let broken = Checked::now(7, &["2.1"], None);
        assert_eq!(broken.exercises["2.1"], "does not compile");
        let mut progress = Progress::default();
        progress.folders.insert("stage-2".into(), checked);
        progress.save(&dir).expect("saved");
        assert_eq!(Progress::load(&dir), progress);
        let _ = fs::remove_dir_all(&dir);
    }
}
