//! The stage-4 binary as a learner starts it: it answers on APP_URL, and a
//! bad setting stops it at once with one line naming the variable.
//! (Stages 2 and 3 start with the same `main.rs`; every stage's settings
//! are checked by `stages/tests/tests/config.rs`.)

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stage_4(vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stage-4"));
    // Run in an empty folder, so a developer's own .env is not read.
    command.current_dir(std::env::temp_dir()).env("RUST_LOG", "off");
    for name in [
        "APP_URL",
        "OKTA_BASE_URL",
        "OAUTH_CLIENT_ID",
        "OAUTH_CLIENT_SECRET",
        "SESSION_SECRET",
        "OAUTH_INSECURE_TRANSPORT",
    ] {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command
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

/// The binary under test, killed when the test ends, even by a failed assertion.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// One plain HTTP/1.1 `GET /login/okta`.
fn try_login(port: u16) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream
        .write_all(b"GET /login/okta HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[test]
fn with_no_settings_it_starts_against_the_local_mock() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port();
    let _running = Running(
        stage_4(&[("APP_URL", &format!("http://127.0.0.1:{port}"))])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("stage-4 starts"),
    );
    // While it starts, a connection may be refused, or even reset: the port
    // found free can, for a moment, still be held by a copy of that listener
    // inherited by a child the other test spawned, before its `exec`.
    let deadline = Instant::now() + Duration::from_secs(10);
    let answer = loop {
        match try_login(port) {
            Ok(answer) if !answer.is_empty() => break answer,
            _ => assert!(Instant::now() < deadline, "stage-4 did not answer in time"),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
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
