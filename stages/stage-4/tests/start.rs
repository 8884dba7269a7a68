//! The stage-4 binary as a learner starts it: it answers on APP_URL, and a
//! bad setting stops it at once with one line naming the variable.
//! (Stages 2 and 3 start with the same `main.rs`; every stage's settings
//! are checked by `stages/tests/tests/config.rs`.)

#[path = "../../tests/src/binary.rs"]
mod binary;

use binary::{Running, first_answer, free_port};
use std::process::{Command, Stdio};

fn stage_4(vars: &[(&str, &str)]) -> Command {
    binary::command(env!("CARGO_BIN_EXE_stage-4"), vars)
}

#[test]
fn each_bad_setting_stops_it_with_one_line() {
    let cases = [
        ("SESSION_SECRET", "too-short", "SESSION_SECRET is 9 bytes"),
        ("OKTA_BASE_URL", "http://okta.example/oauth2/default", "OAUTH_INSECURE_TRANSPORT=true"),
        ("APP_URL", "localhost:8080", "APP_URL=\"localhost:8080\""),
    ];
    for (name, value, expected) in cases {
        let output = stage_4(&[(name, value)]).output().expect("stage-4 runs");
        assert!(!output.status.success(), "{name}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{stderr}");
    }
}

#[test]
fn with_no_settings_it_starts_against_the_local_mock() {
    let port = free_port();
    let _running = Running(
        stage_4(&[("APP_URL", &format!("http://127.0.0.1:{port}"))])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("stage-4 starts"),
    );
    let answer = first_answer(port, "/login/okta", "stage-4");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(
        answer.contains("location: http://localhost:8081/oauth2/default/v1/authorize?"),
        "{answer}"
    );
}

#[test]
fn a_broken_env_file_is_named_without_showing_its_secrets() {
    let folder = std::env::temp_dir().join(format!("stage-4-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    // A line without `=`, then the secret dotenvy would quote in its error.
    std::fs::write(folder.join(".env"), "APP_URL\nOAUTH_CLIENT_SECRET=hunter2-kept-secret\n")
        .expect("a .env");
    let output = stage_4(&[]).current_dir(&folder).output().expect("stage-4 runs");
    std::fs::remove_dir_all(&folder).ok();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(".env cannot be read") && stderr.contains("remove .env"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the secret was shown: {stderr}");
}
