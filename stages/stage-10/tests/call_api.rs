//! The example `call-api`, as a service runs it: it gets a token from Okta
//! with the client credentials grant and reads the API's messages; a wrong
//! secret, or an API that is not there, is one line on stderr and a
//! failing exit code.

use mock_okta::MockOkta;
use std::path::PathBuf;
use std::process::{Command, Output};
use tokio::net::TcpListener;

/// `target/debug/examples/call-api`, which `cargo test -p stage-10` builds.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let debug = exe.parent().and_then(|deps| deps.parent()).expect("target/debug");
    let example = debug.join("examples").join(format!("call-api{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} is not built: run all of stage 10's tests (cargo test -p stage-10), or first cargo build -p stage-10 --example call-api",
        example.display()
    );
    example
}

/// The example, run with `vars`, in a folder of its own that holds `.env`
/// when there is one.
async fn call_api(vars: Vec<(&'static str, String)>, dot_env: Option<&str>) -> Output {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("call-api-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder of its own");
    if let Some(text) = dot_env {
        std::fs::write(dir.join(".env"), text).expect(".env is written");
    }
    let mut command = Command::new(example());
    command.current_dir(&dir).envs(vars);
    for name in ["OKTA_BASE_URL", "APP_URL", "SERVICE_CLIENT_ID", "SERVICE_CLIENT_SECRET"] {
        if !command.get_envs().any(|(set, _)| set == name) {
            command.env_remove(name);
        }
    }
    let output = tokio::task::spawn_blocking(move || command.output().expect("the example runs"))
        .await
        .expect("the example's thread");
    std::fs::remove_dir_all(&dir).ok();
    output
}

/// Stage 10 against `okta`, served on a free port, once it is ready: its URL.
async fn stage_10(okta: &MockOkta) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let vars = [("OKTA_BASE_URL", okta.issuer().to_string()), ("APP_URL", url.clone())];
    let config = stage_10::config::Config::from_lookup(|name| {
        vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    })
    .expect("a good config");
    tokio::spawn(stage_10::server::serve(listener, config, std::future::pending()));
    for _ in 0..100 {
        let ready = reqwest::get(format!("{url}/healthz/ready")).await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return url;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("stage 10 was not ready within 2 s");
}

#[tokio::test]
async fn the_example_reads_the_messages_with_a_service_token() {
    let okta = MockOkta::start().await.expect("the mock starts");
    let url = stage_10(&okta).await;
    let output =
        call_api(vec![("OKTA_BASE_URL", okta.issuer().into()), ("APP_URL", url)], None).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("200 OK\n"), "{stdout}");
    assert!(stdout.contains("Hello from the API.") && stdout.contains("a service"), "{stdout}");
    let grants = okta.requests_to("/v1/token");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].param("grant_type"), Some("client_credentials"));
    assert_eq!(grants[0].param("scope"), Some("messages:read"));
}

#[tokio::test]
async fn a_wrong_secret_or_no_api_is_one_line_and_a_failure() {
    let okta = MockOkta::start().await.expect("the mock starts");
    let url = stage_10(&okta).await;
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let nowhere = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    let issuer = || ("OKTA_BASE_URL", okta.issuer().to_string());
    let cases = [
        (
            vec![issuer(), ("APP_URL", url), ("SERVICE_CLIENT_SECRET", "hunter2-wrong".into())],
            "error: Okta gave no access token",
        ),
        (vec![issuer(), ("APP_URL", nowhere)], "error: the API cannot be reached at"),
    ];
    for (vars, expected) in cases {
        let output = call_api(vars, None).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{expected}");
        assert!(stderr.starts_with(expected) && stderr.lines().count() == 1, "{stderr}");
        assert!(!stderr.contains("hunter2"), "a secret was shown: {stderr}");
    }
}

#[tokio::test]
async fn the_example_reads_its_settings_from_dot_env_as_the_stages_do() {
    let okta = MockOkta::start().await.expect("the mock starts");
    let url = stage_10(&okta).await;
    let dot_env = format!("OKTA_BASE_URL={}\nAPP_URL={url}\n", okta.issuer());
    let output = call_api(vec![], Some(&dot_env)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("200 OK\n"), "{stdout}");
    assert_eq!(okta.requests_to("/v1/token").len(), 1, "the mock that .env names was asked");

    let broken = "SERVICE_CLIENT_SECRET=hunter2-in-env\nthis line is not a setting\n";
    let output = call_api(vec![], Some(broken)).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.starts_with("error: .env cannot be read (not NAME=value at character")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "a secret was shown: {stderr}");
}
