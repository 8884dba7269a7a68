//! What the login costs a page view: requests per second of a logged-in
//! `GET /` on stage 4 (session lookup + guard + page) beside stage 1's bare
//! `GET /`, on stage 8 with its sessions in Redis beside stage 4's in
//! memory, and of stage 10's `GET /api/messages` with an access token (its
//! RS256 signature and claims checked on every request) beside stage 1,
//! side by side in one run, under wrk; then full logins per second, end to
//! end, on stages 4 and 8. Run it with:
//!
//! ```text
//! cargo bench -p stage-tests --bench guard
//! ```
//!
//! It needs wrk (`apt-get install wrk`), and `redis-server` for stage 8's
//! rows. Each server runs in this process on a 2-thread runtime; wrk runs
//! with 1 thread and 64 connections for 5 s, three rounds taken in turn,
//! and the median is printed. A full login is mock-okta's test browser
//! opening `/`, signing in at the mock and landing back on `/` (five
//! requests to the app and the mock, a token exchange, and the email from
//! userinfo or the ID token), 8 at a time for 5 s.
//!
//! To profile stage 4 alone (e.g. under `perf record`), set
//! `GUARD_BENCH_STAGE_4_ONLY=1`.

use axum::Router;
use mock_okta::MockOkta;
use stage_tests::services::RedisServer;
use stage_tests::{ALICE, Stage, TestApp, Timing, session_cookie};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;

/// Requests per second wrk measured at `url`, sending `header` (a whole
/// header line) with each request.
fn wrk(url: &str, header: Option<&str>) -> f64 {
    let mut command = Command::new("wrk");
    command.args(["-t1", "-c64", "-d5s", "--latency"]);
    if let Some(header) = header {
        command.args(["-H", header]);
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
    let filter = "info,tower_sessions=warn,tower_sessions_core=warn";
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::sink).init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let redis = RedisServer::start();
    let (stage_1, four, eight, api) = runtime.block_on(async {
        let stage_1 = serve(stage_1::app()).await;
        let api = with_access_token(TestApp::start(Stage::Ten).await).await;
        let four = logged_in(TestApp::start(Stage::Four).await).await;
        let eight = match &redis {
            Some(redis) => {
                let okta = MockOkta::start().await.expect("the mock starts");
                let secret = "guard-bench-".repeat(8);
                let settings = [("REDIS_URL", redis.url()), ("SESSION_SECRET", secret)];
                let settings: Vec<(&str, &str)> =
                    settings.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let app =
                    TestApp::start_with(Stage::Eight, okta, Timing::default(), &settings).await;
                Some(logged_in(app).await)
            }
            None => None,
        };
        (stage_1, four, eight, api)
    });

    let (mut one, mut fours, mut eights, mut apis) = (vec![], vec![], vec![], vec![]);
    let stage_4_only = std::env::var_os("GUARD_BENCH_STAGE_4_ONLY").is_some();
    for _ in 0..ROUNDS {
        if !stage_4_only {
            one.push(wrk(&stage_1, None));
        }
        fours.push(wrk(&four.1, Some(&four.2)));
        if stage_4_only {
            continue;
        }
        if let Some(eight) = &eight {
            eights.push(wrk(&eight.1, Some(&eight.2)));
        }
        apis.push(wrk(&api.1, Some(&api.2)));
    }
    if stage_4_only {
        println!("stage 4, GET / logged in: {:.0} /s", median(fours));
        return;
    }
    let (one, four_rate) = (median(one), median(fours));
    println!(
        "requests per second, median of {ROUNDS} rounds of wrk -t1 -c64 -d5s (2 server threads)"
    );
    println!("  stage 1, GET / (Hello, World!)                {one:>9.0} /s");
    println!(
        "  stage 4, GET / logged in (sessions in memory) {four_rate:>9.0} /s   ({:.0}% of stage 1)",
        100.0 * four_rate / one
    );
    match &eight {
        Some(_) => {
            let eight_rate = median(eights);
            println!(
                "  stage 8, GET / logged in (sessions in Redis)  {eight_rate:>9.0} /s   ({:.0}% of stage 4)",
                100.0 * eight_rate / four_rate
            );
        }
        None => println!("  stage 8: skipped, `redis-server` is not installed"),
    }
    let api_rate = median(apis);
    println!(
        "  stage 10, GET /api/messages (access token)    {api_rate:>9.0} /s   ({:.0}% of stage 1)",
        100.0 * api_rate / one
    );
    println!("full logins per second, end to end (8 at a time, 5 s)");
    let logins = |app: &TestApp| runtime.block_on(logins_per_second(app));
    println!("  stage 4                                       {:>9.0} /s", logins(&four.0));
    if let Some(eight) = &eight {
        println!("  stage 8 (Redis)                               {:>9.0} /s", logins(&eight.0));
    }
    runtime.shutdown_background();
}

/// The app, with alice logged in: its `/` and her session cookie.
async fn logged_in(app: TestApp) -> (TestApp, String, String) {
    let page = app.log_in_as_alice("/").await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    let cookie =
        format!("{}={}", session_cookie(&app.url), app.session_id().expect("a session cookie"));
    let url = app.at("/");
    (app, url, format!("Cookie: {cookie}"))
}

/// Stage 10, with a service's access token (client credentials, scope
/// `messages:read`): its API's URL and the `Authorization` header.
async fn with_access_token(app: TestApp) -> (TestApp, String, String) {
    stage_tests::wait_until_ready(Stage::Ten, &app.url).await;
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/token", app.okta.issuer()))
        .basic_auth(mock_okta::DEFAULT_SERVICE_CLIENT_ID, Some(mock_okta::DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "messages:read")])
        .send()
        .await
        .expect("the mock answers");
    let body: serde_json::Value = answer.json().await.expect("JSON");
    let token = body["access_token"].as_str().expect("an access token");
    let url = app.at("/api/messages");
    let checked = reqwest::Client::new().get(&url).bearer_auth(token).send().await;
    assert_eq!(checked.expect("the API answers").status(), 200, "the token is refused");
    let header = format!("Authorization: Bearer {token}");
    (app, url, header)
}

/// Full logins per second: each a new browser opening `/`, signing in at
/// the mock, and landing back on `/`.
async fn logins_per_second(app: &TestApp) -> f64 {
    let started = Instant::now();
    let until = started + Duration::from_secs(5);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let home = app.at("/");
        workers.spawn(async move {
            let mut done = 0u32;
            while Instant::now() < until {
                let page = mock_okta::Browser::new().log_in(&home, ALICE.0, ALICE.1).await;
                assert!(page.body.contains("You are logged in as"), "{}", page.body);
                done += 1;
            }
            done
        });
    }
    let mut total = 0;
    while let Some(done) = workers.join_next().await {
        total += done.expect("a worker");
    }
    f64::from(total) / started.elapsed().as_secs_f64()
}
