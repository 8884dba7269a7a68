//! A flood of strangers at the login: 1,000,000 anonymous
//! `GET /login/okta` (wrk, 64 connections) at the release stage-4 binary,
//! with alice logged in before it. Prints the server's resident memory
//! before and after, and whether alice is still logged in. Run it with:
//!
//! ```text
//! cargo bench -p stage-tests --bench flood
//! ```
//!
//! It needs wrk (`apt-get install wrk`), and builds `stage-4` in release
//! mode first. The target is at most 100 MB after the flood: a login
//! attempt lives in the stranger's own (encrypted) cookie, so the server
//! keeps nothing for it.

use mock_okta::{Browser, Client, MockOkta};
use stage_tests::{ALICE, CLIENT_ID, CLIENT_SECRET, session_cookie};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REQUESTS: u64 = 1_000_000;

/// The server, killed when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

impl Server {
    /// Resident memory, in MB, from `/proc`.
    fn rss_mb(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).expect("/proc");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
        let kb: f64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("kB");
        kb / 1024.0
    }
}

fn release_stage_4() -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo).args(["build", "--release", "-q", "-p", "stage-4"]).status();
    assert!(built.is_ok_and(|s| s.success()), "cargo build --release -p stage-4 failed");
    let bench = std::env::current_exe().expect("this bench's path");
    // target/release/deps/flood-… → target/release/stage-4
    bench.parent().and_then(|deps| deps.parent()).expect("target/release").join("stage-4")
}

/// Runs wrk (1 thread, 64 connections) at `url` for `seconds`, with the
/// Lua `script` if any; returns its count of requests.
fn wrk(url: &str, seconds: u64, script: Option<&std::path::Path>) -> u64 {
    let mut command = Command::new("wrk");
    command.args(["-t1", "-c64", &format!("-d{seconds}s")]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().unwrap_or_else(|e| {
        eprintln!("wrk is needed: apt-get install wrk ({e})");
        std::process::exit(2);
    });
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("requests in"))
        .unwrap_or_else(|| panic!("wrk said:\n{text}"));
    line.split_whitespace().next().and_then(|n| n.parse().ok()).expect("a count")
}

/// Sends `REQUESTS` of `GET url`; returns how many wrk sent, and the rate
/// per second. A short run measures the rate, then a run long enough for
/// the rest stops itself once they are answered (wrk itself waits out its
/// duration, so the wall time is no measure).
fn flood(url: &str) -> (u64, f64) {
    let calibration = wrk(url, 2, None);
    let script = std::env::temp_dir().join("workbook-flood.lua");
    let lua = format!(
        "local n = 0\nfunction response()\n  n = n + 1\n  if n >= {} then wrk.thread:stop() end\nend\n",
        REQUESTS - calibration
    );
    std::fs::write(&script, lua).expect("a temp file");
    let seconds = (REQUESTS - calibration) * 2 * 12 / 10 / calibration.max(1) + 2;
    (calibration + wrk(url, seconds, Some(&script)), calibration as f64 / 2.0)
}

#[tokio::main]
async fn main() {
    let binary = release_stage_4();
    let okta = MockOkta::start().await.expect("the mock starts");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port();
    let app = format!("http://127.0.0.1:{port}");
    okta.add_client(
        Client::web(CLIENT_ID, CLIENT_SECRET).redirect_uri(format!("{app}/login/okta/authorized")),
    );
    let server = Server(
        Command::new(binary)
            .env_clear()
            .envs([
                ("APP_URL", app.as_str()),
                ("OKTA_BASE_URL", okta.issuer()),
                ("OAUTH_CLIENT_ID", CLIENT_ID),
                ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
                ("SESSION_SECRET", &"flood-bench-".repeat(8)),
                ("RUST_LOG", "error"),
            ])
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .spawn()
            .expect("stage-4 starts"),
    );
    let browser = Browser::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break browser.log_in(&format!("{app}/"), ALICE.0, ALICE.1).await;
        }
        assert!(Instant::now() < deadline, "stage-4 did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    let before = server.rss_mb();

    let (sent, rate) = tokio::task::spawn_blocking({
        let url = format!("{app}/login/okta");
        move || flood(&url)
    })
    .await
    .expect("wrk ran");
    let after = server.rss_mb();
    let home = browser.get(&format!("{app}/")).await;
    let alice_still_in = home.body.contains("You are logged in as alice@example.com");
    assert!(browser.cookie("127.0.0.1", &session_cookie(&app)).is_some());

    println!("stage 4 (release), {sent} anonymous GET /login/okta (wrk -t1 -c64, {rate:.0} /s)");
    println!("  resident memory before   {before:>7.1} MB");
    println!("  resident memory after    {after:>7.1} MB   (target: at most 100 MB)");
    println!(
        "  alice, logged in before: {}",
        if alice_still_in { "still logged in" } else { "LOGGED OUT" }
    );
}
