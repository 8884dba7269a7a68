//! The stage-8 binary as an operator runs it: a bad setting stops it at once
//! with one line; with Okta not there yet it starts anyway and says it is
//! not ready; SIGTERM (what a service manager sends) stops it cleanly.

#[path = "../../tests/src/binary.rs"]
mod binary;

use binary::{Running, first_answer, free_port, get};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stage_8(vars: &[(&str, &str)]) -> Command {
    binary::command(env!("CARGO_BIN_EXE_stage-8"), vars)
}

#[test]
fn each_bad_setting_stops_it_with_one_line() {
    let cases = [
        ("LISTEN_ADDR", "8082", "LISTEN_ADDR=\"8082\" is not host:port"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL is not a Redis URL"),
        ("REDIS_URL", "redis:/:hunter2@127.0.0.1:6390", "REDIS_URL is not a Redis URL"),
        ("SESSION_SECRET", "too-short", "SESSION_SECRET is 9 bytes"),
        ("REDIS_URL", "redis://127.0.0.1:1", "give every instance the same SESSION_SECRET"),
    ];
    for (name, value, expected) in cases {
        let output = stage_8(&[(name, value)]).output().expect("stage-8 runs");
        assert!(!output.status.success(), "{name}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("hunter2"), "a password was shown: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn without_okta_it_starts_unready_and_stops_cleanly_on_sigterm() {
    let (app, listen) = (free_port(), free_port());
    // Okta (the default, the local mock) is not running: nothing listens on
    // the issuer's port.
    let nowhere = format!("http://127.0.0.1:{}/oauth2/default", free_port());
    let mut running = Running(
        stage_8(&[
            ("APP_URL", &format!("http://localhost:{app}")),
            ("LISTEN_ADDR", &format!("127.0.0.1:{listen}")),
            ("OKTA_BASE_URL", &nowhere),
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stage-8 starts"),
    );
    let alive = first_answer(listen, "/healthz", "stage-8 on LISTEN_ADDR");
    assert!(alive.starts_with("HTTP/1.1 200"), "{alive}");
    let ready = get(listen, "/healthz/ready").expect("an answer");
    assert!(ready.starts_with("HTTP/1.1 503") && ready.contains("discovery"), "{ready}");
    let login = get(listen, "/login/okta").expect("an answer");
    assert!(
        login.starts_with("HTTP/1.1 503") && login.contains("data-error=\"not-ready\""),
        "{login}"
    );

    let pid = running.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs").success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = running.0.try_wait().expect("a status") {
            break status;
        }
        assert!(Instant::now() < deadline, "SIGTERM did not stop it");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let mut log = String::new();
    running.0.stdout.take().expect("its log").read_to_string(&mut log).expect("read");
    assert!(log.contains("not ready") && log.contains("stopped"), "{log}");
}
