//! A soak of stage 8 as it runs in production: two instances behind one
//! `APP_URL`, sessions in one Redis, 50 users logging in (on either
//! instance), reading pages in three tabs at once (on both), half of them
//! logging out and in again every hundred page views, for 30 s, with
//! short-lived access tokens (4 s: logins are refreshed all the time) and
//! refresh tokens that rotate with no grace period (Okta's "Rotate token
//! after every use", grace 0: a refresh token sent twice revokes its grant),
//! while the mock's faults switch on and off (rotated signing keys; users
//! denying consent) and Redis restarts once. Run it with:
//!
//! ```text
//! cargo bench -p stage-tests --bench soak
//! ```
//!
//! It needs `redis-server`. It prints what happened, and checks nothing by
//! time: the targets are **1.0 refreshes per due refresh** (each refresh
//! token is sent once, whatever the tabs and instances), **0 grants
//! revoked**, **0 sessions lost** (a user who did not log out is never sent
//! back to the login), **no 5xx outside the window while Redis is down**,
//! and memory flat.

use axum::http::StatusCode;
use mock_okta::{Browser, Client, Fault, MockOkta};
use stage_tests::services::RedisServer;
use stage_tests::{
    ALICE, CLIENT_ID, CLIENT_SECRET, Form, Instance, OKTA_LOGOUT_FORM, Stage, Timing,
    wait_until_ready,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USERS: usize = 50;
const LENGTH: Duration = Duration::from_secs(30);

/// What the users saw.
#[derive(Debug, Default)]
struct Tally {
    logins: u32,
    logins_refused: u32,
    page_views: u32,
    logouts: u32,
    lost: u32,
    server_errors_outside: u32,
    unavailable_inside: u32,
}

/// When Redis was down, as times since the start (until it answered again,
/// plus a second for the apps to reconnect).
type Window = Arc<Mutex<Option<(Duration, Duration)>>>;

fn inside(window: &Window, at: Duration) -> bool {
    let window = *window.lock().unwrap_or_else(|p| p.into_inner());
    window.is_some_and(|(from, to)| at >= from && at <= to)
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb =
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1));
    kb.and_then(|kb| kb.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

async fn instance(okta: &MockOkta, redis: &RedisServer, app_url: Option<&str>) -> Instance {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let redis_url = redis.url();
    let mut settings = vec![
        ("OKTA_BASE_URL", okta.issuer()),
        ("OAUTH_CLIENT_ID", CLIENT_ID),
        ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
        ("SESSION_SECRET", "soak-bench-session-secret-soak-bench-session-secret-0123456789-0123"),
        ("REDIS_URL", redis_url.as_str()),
    ];
    settings.extend(app_url.map(|url| ("APP_URL", url)));
    let instance = Instance::spawn(listener, Stage::Eight, &settings, Timing::default());
    wait_until_ready(Stage::Eight, &instance.url).await;
    instance
}

/// One user, until `until`: logs in, reads pages on both instances, now and
/// then logs out (and in again).
async fn user(
    n: usize,
    sites: [String; 2],
    started: Instant,
    window: Window,
    tally: Arc<Mutex<Tally>>,
) {
    let browser = Browser::new();
    let mut logged_in = false;
    let mut step = n;
    while started.elapsed() < LENGTH {
        step += 1;
        let site = &sites[step % 2];
        let count =
            |f: &mut dyn FnMut(&mut Tally)| f(&mut tally.lock().unwrap_or_else(|p| p.into_inner()));
        if !logged_in {
            let at = started.elapsed();
            // The mock may remember the user (as Okta does) and skip its form.
            let page = browser.open(&format!("{site}/")).await;
            let page = match page.is_login_page() {
                true => browser.submit_login(&page, "login", ALICE.0, ALICE.1).await,
                false => page,
            };
            logged_in = page.body.contains("You are logged in as");
            let outside = !inside(&window, at) && !inside(&window, started.elapsed());
            count(&mut |t| {
                t.logins += u32::from(logged_in);
                t.logins_refused += u32::from(!logged_in);
                t.server_errors_outside += u32::from(page.status.is_server_error() && outside);
            });
            if !logged_in {
                // A person who was turned away does not try again at once.
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            continue;
        }
        // Half the users log out (and in again) often, half read on and
        // outlive their access tokens, which are then refreshed.
        let stays = if n.is_multiple_of(2) { 100 } else { 4000 };
        if step.is_multiple_of(stays) {
            // The logout page's form ends the login at Okta too (a login
            // that had ended already gets no form: it goes home).
            let page = browser.post_form(&format!("{site}/logout"), &[]).await;
            if let Some(form) = Form::of(&page, OKTA_LOGOUT_FORM) {
                form.submit(&browser).await;
            }
            logged_in = false;
            count(&mut |t| t.logouts += 1);
            continue;
        }
        // Three tabs at once, on both instances.
        let at = started.elapsed();
        let other = &sites[(step + 1) % 2];
        let (user, home, members) =
            (format!("{site}/user"), format!("{other}/"), format!("{site}/members"));
        let pages = tokio::join!(browser.get(&user), browser.get(&home), browser.get(&members));
        let outside = !inside(&window, at) && !inside(&window, started.elapsed());
        for page in [pages.0, pages.1, pages.2] {
            let lost =
                page.status == StatusCode::SEE_OTHER || page.status == StatusCode::UNAUTHORIZED;
            count(&mut |t| {
                t.page_views += 1;
                t.lost += u32::from(lost && outside);
                t.server_errors_outside += u32::from(page.status.is_server_error() && outside);
                t.unavailable_inside +=
                    u32::from(page.status == StatusCode::SERVICE_UNAVAILABLE && !outside);
            });
            logged_in &= !lost;
        }
    }
}

/// Counts the refresh tokens sent in the refreshes the mock has seen since
/// its record was last emptied, into `sent` (how often each was sent).
fn count_refreshes(okta: &MockOkta, sent: &mut HashMap<String, u32>) {
    for request in okta.requests_to("/v1/token") {
        if request.param("grant_type") == Some("refresh_token") {
            let token = request.param("refresh_token").unwrap_or_default().to_string();
            *sent.entry(token).or_default() += 1;
        }
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter("error").with_writer(std::io::sink).init();
    let Some(mut redis) = RedisServer::start() else {
        eprintln!("the soak needs redis-server: {}", stage_tests::services::INSTALL_REDIS);
        std::process::exit(2);
    };
    let okta = MockOkta::start().await.expect("the mock starts");
    let a = instance(&okta, &redis, None).await;
    let b = instance(&okta, &redis, Some(&a.url)).await;
    okta.add_client(
        Client::web(CLIENT_ID, CLIENT_SECRET)
            .redirect_uri(format!("{}/login/okta/authorized", a.url))
            .post_logout_redirect_uri(a.url.clone()),
    );
    okta.set_fault(Fault::AccessTokenLifetime(Duration::from_secs(4)));
    okta.set_fault(Fault::RefreshTokenRotation(Duration::ZERO));

    let started = Instant::now();
    let window: Window = Arc::default();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut users = tokio::task::JoinSet::new();
    for n in 0..USERS {
        users.spawn(user(
            n,
            [a.url.clone(), b.url.clone()],
            started,
            window.clone(),
            tally.clone(),
        ));
    }

    // The faults, on and off, and Redis restarted once, halfway.
    let (mut rss, mut sent) = (Vec::new(), HashMap::new());
    let faults = [Fault::RotateKeys, Fault::DenyConsent];
    let mut second = 0;
    while started.elapsed() < LENGTH {
        tokio::time::sleep(Duration::from_secs(1)).await;
        second += 1;
        rss.push(rss_mb());
        // Count the refreshes, and empty the mock's record of requests, which
        // would otherwise grow to 10,000 requests and hide the apps' memory.
        count_refreshes(&okta, &mut sent);
        okta.clear_requests();
        let fault = &faults[(second / 4) % faults.len()];
        match second % 4 {
            1 => okta.set_fault(fault.clone()),
            3 => okta.clear_fault(fault),
            _ => {}
        }
        if second as u64 == LENGTH.as_secs() / 2 {
            let from = started.elapsed();
            *window.lock().unwrap_or_else(|p| p.into_inner()) = Some((from, LENGTH));
            tokio::task::block_in_place(|| redis.stop());
            tokio::time::sleep(Duration::from_secs(1)).await;
            tokio::task::block_in_place(|| redis.resume());
            let to = started.elapsed() + Duration::from_secs(1);
            *window.lock().unwrap_or_else(|p| p.into_inner()) = Some((from, to));
        }
    }
    while users.join_next().await.is_some() {}
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    count_refreshes(&okta, &mut sent);
    let refreshes: u32 = sent.values().sum();
    // With no grace period, each refresh token sent again is refused, and
    // the grant it belongs to revoked at Okta (its reuse detection).
    let revoked = sent.values().filter(|&&times| times > 1).count();
    let (from, to) = window.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or_default();

    println!("soak: 2 instances of stage 8 on one Redis, {USERS} users, {} s", LENGTH.as_secs());
    println!(
        "  logins {} (refused while a fault was on: {}), page views {}, logouts {}",
        tally.logins, tally.logins_refused, tally.page_views, tally.logouts
    );
    println!(
        "  refreshes {refreshes}, of {} refresh tokens, in 3 tabs per user on 2 instances",
        sent.len()
    );
    println!(
        "  refreshes per due refresh            {:>6.2}   (target: 1.00)",
        f64::from(refreshes) / sent.len().max(1) as f64
    );
    println!("  grants revoked (a token sent twice)  {revoked:>6}   (target: 0)");
    println!(
        "  Redis down from {:.1} s to {:.1} s: 503 pages then: {}",
        from.as_secs_f64(),
        to.as_secs_f64(),
        tally.unavailable_inside
    );
    println!("  sessions lost                        {:>6}   (target: 0)", tally.lost);
    println!(
        "  5xx outside the Redis-down window    {:>6}   (target: 0)",
        tally.server_errors_outside
    );
    let every_5_s: Vec<String> =
        rss.iter().skip(4).step_by(5).map(|mb| format!("{mb:.0}")).collect();
    println!(
        "  resident memory every 5 s, MB (this process: both apps, the mock, the users): {}",
        every_5_s.join(" ")
    );
    drop((a, b));
}
