//! Checking a learner's copy of a stage by behaviour: build the workbook's
//! own tests against it, run each test binary once, and read libtest's
//! `test NAME ... ok` lines.

use crate::learner;
use crate::manifest::{Exercise, Folder, Kind, STUCK, test_parts};
use crate::workbook::{TEST_BINARY, Workbook};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one test did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed; why, in a line or two (the learner's `todo!` first).
    Failed(String),
}

/// Every test that ran, by `MODULE::NAME` (its name in the test binary).
pub type Outcomes = BTreeMap<String, Outcome>;

/// Why a check could not run its tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The learner's stage does not build: the compiler's errors.
    Build(String),
    /// The workbook is wrong, not the learner: one line.
    Workbook(String),
}

/// Where an exercise is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every one of its tests passed.
    Done,
    /// One of its tests failed: which, and why.
    NotYet {
        /// `FILE::NAME`.
        test: String,
        /// The test's or the app's panic message, shortened.
        reason: String,
    },
    /// One of its tests failed, and an exercise it `needs` (whose work
    /// those tests go through) is not done: it may well be right, and
    /// waits on that one.
    Waits {
        /// The exercise it waits on, e.g. `2.1`.
        on: String,
    },
    /// Its tests need a program that is not installed, so they could not
    /// tell: never called done.
    Needs {
        /// The program, e.g. `redis-server`.
        program: String,
        /// How to install it.
        install: String,
    },
}

/// Where the learner's code is, to tell their panics from the workbook's:
/// a text found in a panic's location (`stage-2/src/`), what to show
/// instead of the location up to its end (`src/`), and whose it is
/// (`your stage`).
#[derive(Debug, Clone)]
pub struct Mine {
    /// Found in the location of a panic in the learner's code.
    pub marker: String,
    /// Shown in place of the location up to the marker's end.
    pub shown: String,
    /// `your stage`, `your test`.
    pub who: &'static str,
}

impl Mine {
    /// What is the learner's in `folder`.
    pub fn of(workbook: &Workbook, folder: &Folder<'_>) -> Vec<Mine> {
        match folder.kind {
            Kind::Code => vec![Mine {
                marker: format!("{}/src/", folder.name),
                shown: "src/".into(),
                who: "your stage",
            }],
            Kind::Tests => workbook
                .folder_files(folder, &[])
                .unwrap_or_default()
                .into_iter()
                .map(|(file, _)| {
                    let file = file.display().to_string();
                    Mine {
                        marker: format!("{}/{file}", folder.name),
                        shown: file,
                        who: "your test",
                    }
                })
                .collect(),
        }
    }
}

/// Builds the tests in `check` (a folder [`learner::write_check`] wrote)
/// and runs `tests` (`MODULE::NAME`). A panic in `mine` is the reason a
/// test failed.
///
/// # Errors
/// [`Problem::Build`] with the compiler's errors, as rustc renders them
/// (or cargo's own output when there are none); [`Problem::Workbook`] when
/// the workbook itself is wrong (a test module the manifest names is gone).
pub fn run(
    workbook: &Workbook,
    check: &Path,
    mine: &[Mine],
    tests: &[&str],
) -> Result<Outcomes, Problem> {
    let wanted: BTreeSet<&str> = tests.iter().copied().collect();
    let modules = workbook.test_modules();
    let missing = wanted
        .iter()
        .filter_map(|t| test_parts(t))
        .find(|(m, _)| !modules.iter().any(|have| have == m));
    if let Some((module, _)) = missing {
        return Err(Problem::Workbook(format!(
            "exercises.toml names a test in {module}.rs, which is neither in stages/tests/tests/{TEST_BINARY}/ nor in exercises/practice/"
        )));
    }
    let binary = build(workbook, check).map_err(Problem::Build)?;
    let output = Command::new(&binary)
        .arg("--exact")
        .args(&wanted)
        .env("WORKBOOK_REQUIRE_SERVICES", "1")
        // On one Redis, unless asked for more: the workbook's own run holds
        // the Redis promises on a cluster and a Sentinel set as well, and
        // starting those would add seconds to every check of a learner's.
        .env(
            "WORKBOOK_REDIS",
            std::env::var("WORKBOOK_REDIS").unwrap_or_else(|_| "one".into()),
        )
        .env("RUST_BACKTRACE", "0")
        .env_remove("TEST_LOG")
        .current_dir(check)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Problem::Workbook(format!("{}: {e}", binary.display())))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut found = parse_libtest(&stdout, mine);
    found.retain(|name, _| wanted.contains(name.as_str()));
    Ok(found)
}

/// Checks the learner's folder `folder` in `dir` (whose check packages
/// [`learner::scaffold`] wrote): each of its exercises' status, in order.
///
/// # Errors
/// [`Problem::Build`] when the learner's work does not compile;
/// [`Problem::Workbook`] when the workbook is wrong.
pub fn folder<'a>(
    workbook: &'a Workbook,
    dir: &Path,
    folder: &Folder<'a>,
) -> Result<Vec<(&'a Exercise, Status)>, Problem> {
    let exercises = folder.exercises(&workbook.manifest);
    let mine = Mine::of(workbook, folder);
    let check = learner::check_dir(dir, &folder.name);
    let tests: Vec<&str> = exercises
        .iter()
        .flat_map(|e| &e.tests)
        .map(String::as_str)
        .collect();
    let outcomes = run(workbook, &check, &mine, &tests)?;
    let mut statuses: Vec<(&Exercise, Status)> = Vec::new();
    for exercise in exercises {
        let mut found = waiting(exercise, status(exercise, &outcomes), &statuses);
        if folder.kind == Kind::Tests && found == Status::Done {
            let broken = learner::broken_dir(dir, &folder.name, exercise).join("check");
            let tests: Vec<&str> = exercise.tests.iter().map(String::as_str).collect();
            let against = run(workbook, &broken, &mine, &tests)?;
            found = status_against_broken(exercise, folder.stage, &against);
        }
        statuses.push((exercise, found));
    }
    Ok(statuses)
}

/// `found` (where `exercise` is by its own tests), unless it failed while
/// an exercise it needs is not done (in `before`, the statuses of the
/// exercises before it): then it waits on that one.
pub fn waiting(exercise: &Exercise, found: Status, before: &[(&Exercise, Status)]) -> Status {
    if !matches!(found, Status::NotYet { .. }) {
        return found;
    }
    let undone = exercise.needs.iter().find(|needed| {
        before
            .iter()
            .any(|(e, status)| e.id == **needed && *status != Status::Done)
    });
    match undone {
        Some(on) => Status::Waits { on: on.clone() },
        None => found,
    }
}

/// Where a test-writing exercise whose tests pass against the stage is,
/// given what they did against the stage broken for it (`outcomes`): done
/// when each of them failed there.
pub fn status_against_broken(exercise: &Exercise, stage: u32, outcomes: &Outcomes) -> Status {
    let breaks = exercise.breaks.as_deref().unwrap_or("is broken");
    for test in &exercise.tests {
        if let Some(Outcome::Passed) | None = outcomes.get(test) {
            return Status::NotYet {
                test: test.clone(),
                reason: format!(
                    "your test passes against stage {stage}, and also against a copy of stage {stage} that {breaks}: it must fail there"
                ),
            };
        }
    }
    Status::Done
}

/// `cargo test --no-run` of the workbook's test binary in `check`: where
/// the binary is.
fn build(workbook: &Workbook, check: &Path) -> Result<PathBuf, String> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.args([
        "test",
        "--no-run",
        "--message-format=json",
        "--test",
        TEST_BINARY,
    ]);
    // `cargo run -p exercises` gave this process the variables of a
    // package being run; a build script that reads one of them would be
    // rebuilt here, and again in the workbook.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
            )
        {
            cargo.env_remove(&*name);
        }
    }
    let output = cargo
        .current_dir(check)
        .env("CARGO_TARGET_DIR", learner::target_dir(workbook))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cargo cannot be run: {e}"))?;
    let mut binary = None;
    let mut errors = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                if let (Some(TEST_BINARY), Some(exe)) = (
                    message["target"]["name"].as_str(),
                    message["executable"].as_str(),
                ) {
                    binary = Some(PathBuf::from(exe));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                if let Some(rendered) = message["message"]["rendered"].as_str() {
                    errors.push(rendered.to_string());
                }
            }
            _ => {}
        }
    }
    if output.status.success() {
        return binary.ok_or(format!("cargo built no test binary {TEST_BINARY}"));
    }
    match errors.is_empty() {
        true => Err(String::from_utf8_lossy(&output.stderr).trim().to_string()),
        false => Err(errors.join("\n").trim_end().to_string()),
    }
}

/// The outcomes in libtest's output, by test name. A failure's reason is
/// the first panic in the learner's code (`mine`) if there was one (a
/// `todo!` says which exercise), or else the test's own.
pub fn parse_libtest(stdout: &str, mine: &[Mine]) -> BTreeMap<String, Outcome> {
    let mut found = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let (name, result) = match rest.rsplit_once(" ... ") {
            Some(split) => split,
            None => continue,
        };
        let outcome = match result.trim() {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed(String::new()),
            _ => continue,
        };
        found.insert(name.trim().to_string(), outcome);
    }
    // Each failure's output: `---- NAME stdout ----` up to the next one.
    let mut sections = stdout.split("\n---- ").skip(1);
    for section in &mut sections {
        let Some((head, body)) = section.split_once('\n') else {
            continue;
        };
        let Some(name) = head.strip_suffix(" stdout ----") else {
            continue;
        };
        let body = body.split("\nfailures:\n").next().unwrap_or(body);
        if let Some(Outcome::Failed(reason)) = found.get_mut(name) {
            *reason = failure_reason(body, mine);
        }
    }
    found
}

/// The message of the panic that explains a failure, on one line.
fn failure_reason(output: &str, mine: &[Mine]) -> String {
    let mut panics = Vec::new();
    let mut lines = output.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((_, at)) = line.split_once(" panicked at ") else {
            continue;
        };
        let mut message = Vec::new();
        while let Some(next) = lines.peek() {
            if next.is_empty() || next.starts_with("note: ") || next.starts_with("thread '") {
                break;
            }
            message.push(next.trim());
            lines.next();
        }
        panics.push((at.trim_end_matches(':').to_string(), message.join(" ")));
    }
    let in_mine = |at: &str| {
        mine.iter().find_map(|m| {
            at.split_once(m.marker.as_str())
                .map(|(_, p)| (m.who, format!("{}{p}", m.shown)))
        })
    };
    let chosen = panics
        .iter()
        .find(|(at, _)| in_mine(at).is_some())
        .or(panics.first());
    let Some((at, message)) = chosen else {
        return "it failed (no message)".into();
    };
    // A `todo!` of an exercise: its id and title are enough here (the
    // rest says how to ask for the hint).
    let message = message
        .split_once(STUCK)
        .map_or(message.as_str(), |(title, _)| title);
    match in_mine(at) {
        Some((who, place)) => format!("{who} panicked at {place}: {message}"),
        None => message.to_string(),
    }
}

/// `text`, cut at `most` characters with `…`.
pub fn shorten(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Where `exercise` is, after `outcomes`.
pub fn status(exercise: &Exercise, outcomes: &Outcomes) -> Status {
    let needs = "needs `";
    for test in &exercise.tests {
        if let Some(Outcome::Failed(reason)) = outcomes.get(test)
            && let Some((_, rest)) = reason.split_once(needs)
            && let Some((program, rest)) = rest.split_once('`')
            && let Some((_, install)) = rest.split_once("WORKBOOK_REQUIRE_SERVICES is set: ")
        {
            return Status::Needs {
                program: program.into(),
                install: install.trim().into(),
            };
        }
    }
    for test in &exercise.tests {
        match outcomes.get(test) {
            Some(Outcome::Passed) => {}
            Some(Outcome::Failed(reason)) => {
                return Status::NotYet {
                    test: test.clone(),
                    reason: reason.clone(),
                };
            }
            None => {
                return Status::NotYet {
                    test: test.clone(),
                    reason: "this test did not run: the workbook's exercises.toml names a test that is not there".into(),
                };
            }
        }
    }
    Status::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    /// What a test binary printed, as libtest prints it.
    const OUTPUT: &str = "
running 3 tests
test a_login_works ... ok
test the_state_is_checked ... FAILED
test redis_is_shared ... FAILED

failures:

---- the_state_is_checked stdout ----

thread 'the_state_is_checked' (9469) panicked at /home/me/my-exercises/stage-2/src/okta.rs:120:5:
not yet implemented: Exercise 2.2: Find the login attempt by its state. Stuck? cargo run -p exercises -- hint 2.2 Book: book/src/log-in.md
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

thread 'the_state_is_checked' (9469) panicked at /work/main/mock-okta/src/browser.rs:274:33:
the browser could not reach http://127.0.0.1:37391/login/okta: error sending request

---- redis_is_shared stdout ----

thread 'redis_is_shared' (9470) panicked at stages/tests/src/services.rs:22:5:
redis_is_shared needs `redis-server`, and WORKBOOK_REQUIRE_SERVICES is set: Install Redis (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`)


failures:
    redis_is_shared
    the_state_is_checked

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 4 filtered out; finished in 0.01s
";

    /// What is the learner's in their copy of stage `n`.
    fn stage(n: u32) -> Vec<Mine> {
        vec![Mine {
            marker: format!("stage-{n}/src/"),
            shown: "src/".into(),
            who: "your stage",
        }]
    }

    #[test]
    fn libtest_output_gives_each_outcome_and_the_learners_panic_first() {
        let found = parse_libtest(OUTPUT, &stage(2));
        assert_eq!(found.len(), 3);
        assert_eq!(found["a_login_works"], Outcome::Passed);
        assert_eq!(
            found["the_state_is_checked"],
            Outcome::Failed(
                "your stage panicked at src/okta.rs:120:5: not yet implemented: Exercise 2.2: Find the login attempt by its state.".into()
            )
        );
        // Another stage's panic is not the learner's.
        let theirs = parse_libtest(OUTPUT, &stage(3));
        let reason = format!("{:?}", theirs["the_state_is_checked"]);
        assert!(
            reason.contains("not yet implemented") && !reason.contains("your stage"),
            "{reason}"
        );
    }

    #[test]
    fn an_exercise_that_fails_while_one_it_needs_is_not_done_waits_on_it() {
        let manifest = Manifest::builtin();
        let find = |id: &str| manifest.find_exercise(id).expect("in the manifest");
        let (login, callback) = (find("2.1"), find("2.2"));
        assert_eq!(callback.needs, ["2.1"]);
        let failed = Status::NotYet {
            test: "promises::x".into(),
            reason: "boom".into(),
        };
        let undone = [(login, failed.clone())];
        assert_eq!(
            waiting(callback, failed.clone(), &undone),
            Status::Waits { on: "2.1".into() }
        );
        // Done, it is done whatever the other.
        assert_eq!(waiting(callback, Status::Done, &undone), Status::Done);
        // With 2.1 done, a failure is its own.
        let done = [(login, Status::Done)];
        assert_eq!(waiting(callback, failed.clone(), &done), failed);
    }

    #[test]
    fn an_exercise_is_done_only_when_all_its_tests_ran_and_passed() {
        let manifest = Manifest::builtin();
        let exercise = manifest
            .exercise
            .iter()
            .find(|e| e.id == "5.3")
            .expect("5.3");
        let mut outcomes: Outcomes = exercise
            .tests
            .iter()
            .map(|t| (t.clone(), Outcome::Passed))
            .collect();
        assert_eq!(status(exercise, &outcomes), Status::Done);
        let found = parse_libtest(OUTPUT, &stage(5));
        outcomes.insert(exercise.tests[1].clone(), found["redis_is_shared"].clone());
        assert_eq!(
            status(exercise, &outcomes),
            Status::Needs {
                program: "redis-server".into(),
                install: "Install Redis (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`)".into()
            }
        );
        outcomes.remove(&exercise.tests[1]);
        outcomes.insert(exercise.tests[0].clone(), Outcome::Failed("boom".into()));
        let not_yet = Status::NotYet {
            test: exercise.tests[0].clone(),
            reason: "boom".into(),
        };
        assert_eq!(status(exercise, &outcomes), not_yet);
        outcomes.insert(exercise.tests[0].clone(), Outcome::Passed);
        assert!(
            matches!(status(exercise, &outcomes), Status::NotYet { reason, .. } if reason.contains("did not run")),
            "a test that did not run is never done"
        );
    }
}
