//! Stage 1 as a visitor sees it: `/` greets, anything else is not found.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

async fn get(path: &str) -> (StatusCode, String) {
    let request = Request::get(path).body(Body::empty()).expect("a valid request");
    let response = stage_1::app().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.expect("a body");
    (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
}

#[tokio::test]
async fn the_home_page_says_hello_world() {
    assert_eq!(get("/").await, (StatusCode::OK, "Hello, World!".to_string()));
}

#[tokio::test]
async fn an_unknown_path_is_not_found() {
    assert_eq!(get("/nope").await.0, StatusCode::NOT_FOUND);
}

#[test]
fn app_url_gives_the_listen_address() {
    let cases = [
        ("http://localhost:8080", "localhost:8080"),
        ("http://127.0.0.1:9000/", "127.0.0.1:9000"),
        ("https://example.test", "example.test:443"),
        ("http://[::1]:8080", "[::1]:8080"),
    ];
    for (app_url, addr) in cases {
        assert_eq!(stage_1::listen_addr(app_url).as_deref(), Ok(addr), "{app_url}");
    }
}

#[test]
fn a_bad_app_url_names_the_variable_and_the_fix() {
    for bad in ["localhost:8080", "ftp://localhost", "not a url", "http://"] {
        let problem = stage_1::listen_addr(bad).expect_err(bad);
        assert!(problem.starts_with("APP_URL="), "{problem}");
        assert!(problem.contains("e.g. APP_URL=http://localhost:8080"), "{problem}");
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

/// The binary under test, killed when the test ends, even by a failed assertion.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// One plain HTTP/1.1 `GET /`.
async fn try_get(port: u16) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    Ok(answer)
}

/// Asks until the server answers. While it starts, a connection may be
/// refused, or even reset: the port `free_port` found can, for a moment,
/// still be held by a copy of its listener that a child spawned by another
/// test inherited before its `exec`.
async fn raw_get(port: u16, deadline: Instant) -> String {
    loop {
        if let Ok(answer) = try_get(port).await
            && !answer.is_empty()
        {
            return answer;
        }
        assert!(Instant::now() < deadline, "stage-1 did not answer in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_real_binary_answers_on_app_url() {
    let port = free_port();
    let _running = Running(
        Command::new(env!("CARGO_BIN_EXE_stage-1"))
            .env("APP_URL", format!("http://127.0.0.1:{port}"))
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .spawn()
            .expect("stage-1 starts"),
    );
    let answer = raw_get(port, Instant::now() + Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nHello, World!"), "{answer}");
}

#[test]
fn a_port_in_use_stops_the_binary_with_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("bound").port();
    let output = Command::new(env!("CARGO_BIN_EXE_stage-1"))
        .env("APP_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "off")
        .output()
        .expect("stage-1 runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("set APP_URL to another port"), "{stderr}");
}

#[test]
fn a_bad_app_url_stops_the_binary_with_one_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_stage-1"))
        .env("APP_URL", "localhost:8080")
        .output()
        .expect("stage-1 runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: APP_URL=\"localhost:8080\""), "{stderr}");
}
