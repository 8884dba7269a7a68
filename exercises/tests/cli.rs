//! The command as a learner meets it, for everything that needs no build:
//! starting a chapter, and the one-line answers to a mistake.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty folder of this test's own.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exercises-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp folder");
    dir
}

fn exercises(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exercises"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the exercises binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn start_writes_the_learners_stage_with_the_exercises_taken_out_and_says_what_next() {
    let dir = folder("start");
    let out = exercises(&["start", "log-in", "--dir", "mine"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Started \"Log in with Okta\""), "{stdout}");
    assert!(
        stdout.contains("2.1  Send the PKCE challenge and keep the verifier"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Open mine/stage-2/src/okta.rs, where it says `Exercise 2.1`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cargo run -p exercises -- watch --dir mine"),
        "{stdout}"
    );
    let okta = std::fs::read_to_string(dir.join("mine/stage-2/src/okta.rs")).expect("the copy");
    assert!(
        okta.contains("todo!(\"Exercise 2.1: Send the PKCE challenge"),
        "{okta}"
    );
    assert!(
        !okta.contains("session.cycle_id().await?;"),
        "2.4 is taken out"
    );
    for generated in [
        "Cargo.toml",
        "Cargo.lock",
        ".check/stage-2/Cargo.toml",
        ".cargo/config.toml",
        ".exercises/Cargo.toml",
    ] {
        assert!(dir.join("mine").join(generated).is_file(), "{generated}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn work_already_started_is_never_written_over() {
    let dir = folder("again");
    assert!(
        exercises(&["start", "2", "--dir", "mine"], &dir)
            .status
            .success()
    );
    let mine = dir.join("mine/stage-2/src/okta.rs");
    std::fs::write(&mine, "// my work\n").expect("the learner writes");
    let again = exercises(&["start", "log-in", "--dir", "mine"], &dir);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let stdout = text(&again.stdout);
    assert!(
        stdout.contains("\"Log in with Okta\" is started already")
            && stdout.contains(
                "with your work in it (to start over, delete that folder: rm -r mine/stage-2)"
            ),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&mine).expect("still there"),
        "// my work\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mistakes_get_one_line_that_says_what_to_do() {
    let dir = folder("mistakes");
    let cases: [(&[&str], i32, &str); 4] = [
        (
            &["start", "login", "--dir", "mine"],
            2,
            "there is no chapter \"login\": pick one of configuration, log-in (2)",
        ),
        (&["class", "nowhere"], 2, "nowhere is not a folder"),
        (&["class", "."], 2, "holds no learner's folder"),
        (
            &["check", "--dir", "nothing-here"],
            1,
            "Nothing is started in nothing-here: start with `cargo run -p exercises -- start configuration --dir nothing-here`.",
        ),
    ];
    for (args, code, says) in cases {
        let out = exercises(args, &dir);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(said.lines().count(), 1, "{args:?}: {said}");
        assert!(said.contains(says), "{args:?}: {said}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
