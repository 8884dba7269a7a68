//! A soak of stage 8 as it runs in production: two instances behind one
//! `APP_URL`, sessions in Redis, 50 users logging in (on either
//! instance), reading pages in three tabs at once (on both), half of them
//! logging out and in again every hundred page views, for 30 s, with
//! short-lived access tokens (4 s: logins are refreshed all the time) and
//! refresh tokens that rotate with no grace period (Okta's "Rotate token
//! after every use", grace 0: a refresh token sent twice revokes its grant),
//! while the mock's faults switch on and off (rotated signing keys; users
//! denying consent). It runs three times, once on each shape of Redis,
//! and halfway through each, Redis is disrupted once: one Redis restarts;
//! on a Redis Cluster (three primaries, three replicas) one primary fails
//! over to its replica; on a Sentinel set (a primary, a replica, three
//! sentinels) the primary fails over. Run it with:
//!
//! ```text
//! cargo bench -p stage-tests --bench soak
//! ```
//!
//! (`WORKBOOK_REDIS=cluster` runs it on fewer shapes; `TEST_LOG=1` shows
//! the apps' warnings.)
//!
//! It needs `redis-server`. It prints what happened, side by side for the
//! three shapes, and checks nothing by time: the targets are **1.0
//! refreshes per due refresh** (each refresh token is sent once, whatever
//! the tabs and instances), **0 grants revoked**, **0 sessions lost** (a
//! user who did not log out is never sent back to the login), **no 5xx
//! outside the window while Redis is disrupted** (it prints how long that
//! was, and when the first and last 5xx came), and memory flat.

use axum::http::StatusCode;
use mock_okta::{Browser, Client, Fault, MockOkta};
use stage_tests::services::{Redis, RedisCluster, SentinelSet, Topology, topologies};
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
    /// When the first and the last 5xx came, as times since the start.
    server_errors_seen: Option<(Duration, Duration)>,
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

async fn instance(okta: &MockOkta, redis: &Redis, app_url: Option<&str>) -> Instance {
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
                if page.status.is_server_error() {
                    let (first, _) = t.server_errors_seen.unwrap_or((at, at));
                    t.server_errors_seen = Some((first, started.elapsed()));
                }
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

/// What one run of the soak measured.
struct Figures {
    tally: Tally,
    refreshes: u32,
    refresh_tokens: usize,
    revoked: usize,
    window: (Duration, Duration),
    rss: Vec<f64>,
}

#[tokio::main]
async fn main() {
    // TEST_LOG=1: the apps' warnings on the terminal.
    let log = tracing_subscriber::fmt().with_env_filter("warn");
    match std::env::var_os("TEST_LOG") {
        Some(_) => log.with_writer(std::io::stderr).init(),
        None => log.with_writer(std::io::sink).init(),
    }
    let mut runs = Vec::new();
    for topology in topologies() {
        let redis = match topology {
            Topology::One => Redis::start(topology),
            Topology::Cluster => RedisCluster::start().map(|c| Redis::Cluster(c.into())),
            Topology::Sentinel => SentinelSet::start().map(|s| Redis::Sentinel(s.into())),
        };
        let Some(redis) = redis else {
            eprintln!("the soak needs redis-server: {}", stage_tests::services::INSTALL_REDIS);
            std::process::exit(2);
        };
        runs.push((topology, soak(redis).await));
    }
    print(&runs);
}

/// Disrupts `redis` once: a restart of one Redis, a failover of one
/// primary of a cluster, or of a Sentinel set's primary.
fn disrupt(redis: &mut Redis) {
    match redis {
        Redis::One(server) => {
            server.stop();
            std::thread::sleep(Duration::from_secs(1));
            server.resume();
        }
        // The primary of some key: any one of the three.
        Redis::Cluster(cluster) => cluster.fail_over("soak"),
        Redis::Sentinel(set) => set.fail_over(),
    }
}

/// One run of the soak, on `redis`.
async fn soak(mut redis: Redis) -> Figures {
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

    // The faults, on and off, and Redis disrupted once, halfway.
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
            tokio::task::block_in_place(|| disrupt(&mut redis));
            let to = started.elapsed() + Duration::from_secs(1);
            *window.lock().unwrap_or_else(|p| p.into_inner()) = Some((from, to));
        }
    }
    while users.join_next().await.is_some() {}
    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|p| p.into_inner()));
    count_refreshes(&okta, &mut sent);
    let refreshes: u32 = sent.values().sum();
    // With no grace period, each refresh token sent again is refused, and
    // the grant it belongs to revoked at Okta (its reuse detection).
    let revoked = sent.values().filter(|&&times| times > 1).count();
    let window = window.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or_default();
    drop((a, b));
    Figures { tally, refreshes, refresh_tokens: sent.len(), revoked, window, rss }
}

/// The runs' figures, side by side.
fn print(runs: &[(Topology, Figures)]) {
    let seconds = |d: Duration| format!("{:.1}", d.as_secs_f64());
    println!(
        "soak: 2 instances of stage 8, {USERS} users, {} s on each shape of Redis",
        LENGTH.as_secs()
    );
    let row = |name: &str, cell: &dyn Fn(&Figures) -> String| {
        let cells: Vec<String> = runs.iter().map(|(_, f)| format!("{:>14}", cell(f))).collect();
        println!("  {name:<44}{}", cells.concat());
    };
    let shapes: Vec<String> =
        runs.iter().map(|(t, _)| format!("{:>14}", format!("{t:?}"))).collect();
    println!("  {:<44}{}", "", shapes.concat());
    row("logins", &|f| f.tally.logins.to_string());
    row("  refused while a fault was on", &|f| f.tally.logins_refused.to_string());
    row("page views", &|f| f.tally.page_views.to_string());
    row("logouts", &|f| f.tally.logouts.to_string());
    row("refreshes", &|f| f.refreshes.to_string());
    row("refresh tokens", &|f| f.refresh_tokens.to_string());
    row("refreshes per due refresh (target 1.00)", &|f| {
        format!("{:.2}", f64::from(f.refreshes) / f.refresh_tokens.max(1) as f64)
    });
    row("grants revoked, a token sent twice (0)", &|f| f.revoked.to_string());
    row("sessions lost (target 0)", &|f| f.tally.lost.to_string());
    row("5xx outside the window (target 0)", &|f| f.tally.server_errors_outside.to_string());
    row("window: Redis disrupted, from s", &|f| seconds(f.window.0));
    row("  to s (back, plus 1 s to reconnect)", &|f| seconds(f.window.1));
    row("  503 pages in it", &|f| f.tally.unavailable_inside.to_string());
    row("first 5xx at s", &|f| f.tally.server_errors_seen.map_or("-".into(), |s| seconds(s.0)));
    row("last 5xx at s", &|f| f.tally.server_errors_seen.map_or("-".into(), |s| seconds(s.1)));
    row("resident memory at 5 s / end, MB", &|f| {
        let at = |i: usize| f.rss.get(i).map_or("-".into(), |mb| format!("{mb:.0}"));
        format!("{} / {}", at(4), at(f.rss.len().saturating_sub(1)))
    });
    println!(
        "  (one Redis restarts halfway; the cluster fails one primary over to its replica; the Sentinel set fails its primary over; resident memory is this process's: both apps, the mock, the users)"
    );
}
