//! What the login costs a page view: requests per second of a logged-in
//! `GET /` on stage 4 (session lookup + guard + page) beside stage 1's bare
//! `GET /`, side by side in one run, under wrk. Run it with:
//!
//! ```text
//! cargo bench -p stage-tests --bench guard
//! ```
//!
//! It needs wrk (`apt-get install wrk`). Each server runs in this process on
//! a 2-thread runtime; wrk runs with 1 thread and 64 connections for 5 s,
//! three rounds taken in turn, and the median is printed.
//!
//! To profile stage 4 alone (e.g. under `perf record`), set
//! `GUARD_BENCH_STAGE_4_ONLY=1`.

use axum::Router;
use stage_tests::{Stage, TestApp, session_cookie};
use std::process::Command;

const ROUNDS: usize = 3;

fn wrk(url: &str, cookie: Option<&str>) -> f64 {
    let mut command = Command::new("wrk");
    command.args(["-t1", "-c64", "-d5s", "--latency"]);
    if let Some(cookie) = cookie {
        command.args(["-H", &format!("Cookie: {cookie}")]);
    }
    let output = command.arg(url).output().unwrap_or_else(|e| {
        eprintln!("wrk is needed: apt-get install wrk ({e})");
        std::process::exit(2);
    });
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Non-2xx"), "wrk saw errors (a logged-out page is a redirect):\n{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .unwrap_or_else(|| panic!("wrk said:\n{text}"));
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a rate")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://127.0.0.1:{}/", listener.local_addr().expect("bound").port());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn main() {
    // Log as the stages' main.rs does by default, into a sink: the test
    // harness's own debug-level capture would be measured otherwise.
    tracing_subscriber::fmt().with_env_filter("info").with_writer(std::io::sink).init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (stage_1, stage_4, cookie) = runtime.block_on(async {
        let stage_1 = serve(stage_1::app()).await;
        let app = TestApp::start(Stage::Four).await;
        let page = app.log_in_as_alice("/").await;
        assert!(page.body.contains("You are logged in as alice@example.com"));
        let name = session_cookie(&app.url);
        let cookie = format!("{name}={}", app.session_id().expect("a session cookie"));
        let url = app.at("/");
        std::mem::forget(app); // keep the app and its mock running
        (stage_1, url, cookie)
    });

    let (mut one, mut four) = (Vec::new(), Vec::new());
    let stage_4_only = std::env::var_os("GUARD_BENCH_STAGE_4_ONLY").is_some();
    for _ in 0..ROUNDS {
        if !stage_4_only {
            one.push(wrk(&stage_1, None));
        }
        four.push(wrk(&stage_4, Some(&cookie)));
    }
    if stage_4_only {
        println!("stage 4, GET / logged in: {:.0} /s", median(four));
        return;
    }
    let (one, four) = (median(one), median(four));
    println!(
        "requests per second, median of {ROUNDS} rounds of wrk -t1 -c64 -d5s (2 server threads)"
    );
    println!("  stage 1, GET / (Hello, World!)        {one:>9.0} /s");
    println!(
        "  stage 4, GET / logged in (guarded)    {four:>9.0} /s   ({:.0}% of stage 1)",
        100.0 * four / one
    );
    runtime.shutdown_background();
}
