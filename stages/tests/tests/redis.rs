//! Stage 5's sessions in a real Redis, shared by two instances behind one
//! `APP_URL`. Each test starts its own `redis-server` on a free port; where
//! none is installed, the test says so on the terminal and does not run
//! (CI requires it: `WORKBOOK_REQUIRE_SERVICES=1`).

use axum::http::StatusCode;
use mock_okta::{Browser, Client, MockOkta};
use stage_tests::services::RedisServer;
use stage_tests::{ALICE, CLIENT_ID, CLIENT_SECRET, Instance, Stage, Timing, wait_until_ready};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Two instances of stage 5 on one Redis, and the mock they log in with.
struct Site {
    okta: MockOkta,
    redis: RedisServer,
    /// `APP_URL`, where A listens; B listens on a port of its own.
    app_url: String,
    a: Option<Instance>,
    b: Instance,
    browser: Browser,
}

const SECRET: &str = "redis-tests-session-secret-redis-tests-session-secret-0123456789";

impl Site {
    async fn start() -> Option<Site> {
        let redis = RedisServer::start()?;
        let okta = MockOkta::start().await.expect("the mock starts");
        let a = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let app_url = format!("http://127.0.0.1:{}", a.local_addr().expect("bound").port());
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{app_url}/login/okta/authorized"))
                .post_logout_redirect_uri(app_url.clone()),
        );
        let a = Some(Site::instance(&okta, &redis, &app_url, a).await);
        let b = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let b = Site::instance(&okta, &redis, &app_url, b).await;
        Some(Site { okta, redis, app_url, a, b, browser: Browser::new() })
    }

    async fn instance(
        okta: &MockOkta,
        redis: &RedisServer,
        app_url: &str,
        listener: TcpListener,
    ) -> Instance {
        let settings = [
            ("APP_URL", app_url),
            ("OKTA_BASE_URL", okta.issuer()),
            ("OAUTH_CLIENT_ID", CLIENT_ID),
            ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
            ("SESSION_SECRET", SECRET),
            ("REDIS_URL", &redis.url()),
        ];
        let instance = Instance::spawn(listener, Stage::Five, &settings, Timing::default());
        wait_until_ready(&instance.url).await;
        instance
    }

    fn a(&self) -> &str {
        &self.a.as_ref().expect("A is running").url
    }

    /// Who `/` on `instance` (a URL) says is logged in, if anyone.
    async fn logged_in_on(&self, instance: &str) -> Option<String> {
        let home = self.browser.get(&format!("{instance}/")).await;
        let marker = "You are logged in as ";
        let start = home.body.find(marker)? + marker.len();
        Some(home.body[start..start + home.body[start..].find('<')?].to_string())
    }
}

#[tokio::test]
async fn a_login_on_one_instance_counts_on_the_other() {
    let Some(site) = Site::start().await else { return };
    let page = site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    assert_eq!(site.logged_in_on(&site.b.url).await.as_deref(), Some(ALICE.0));
}

#[tokio::test]
async fn restarting_an_instance_keeps_its_users_logged_in() {
    let Some(mut site) = Site::start().await else { return };
    site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
    let a = site.a.take().expect("A");
    let port = a.url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("a port");
    a.stop().await;
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("A's port again");
    site.a = Some(Site::instance(&site.okta, &site.redis, &site.app_url, listener).await);
    assert_eq!(site.logged_in_on(site.a()).await.as_deref(), Some(ALICE.0));
}

#[tokio::test]
async fn logging_out_on_one_instance_logs_out_on_the_other() {
    let Some(site) = Site::start().await else { return };
    site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
    let out = site.browser.post_form(&format!("{}/logout", site.b.url), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(site.logged_in_on(site.a()).await, None);
    assert_eq!(site.logged_in_on(&site.b.url).await, None);
}

#[tokio::test]
async fn redis_down_is_a_503_page_soon_and_the_app_recovers_when_it_is_back() {
    let Some(mut site) = Site::start().await else { return };
    site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
    site.redis.stop();

    let started = Instant::now();
    let page = site.browser.get(&format!("{}/user", site.a())).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("data-error=\"session\""), "{}", page.body);
    assert!(!page.body.contains("The login did not work"), "a page view, not a login");
    assert!(started.elapsed() < Duration::from_secs(5), "it took {:?}", started.elapsed());
    let ready = site.browser.get(&format!("{}/healthz/ready", site.b.url)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.body);
    assert!(ready.body.contains("Redis"), "{}", ready.body);

    site.redis.resume();
    wait_until_ready(site.a()).await;
    assert_eq!(site.logged_in_on(site.a()).await.as_deref(), Some(ALICE.0), "no restart needed");
}

#[tokio::test]
async fn an_instance_started_while_redis_is_down_gets_ready_when_it_comes_up() {
    let Some(mut redis) = RedisServer::start() else { return };
    redis.stop();
    let okta = MockOkta::start().await.expect("the mock starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let settings = [
        ("OKTA_BASE_URL", okta.issuer()),
        ("OAUTH_CLIENT_ID", CLIENT_ID),
        ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
        ("SESSION_SECRET", SECRET),
        ("REDIS_URL", &redis.url()),
    ];
    let app = Instance::spawn(listener, Stage::Five, &settings, Timing::default());
    okta.add_client(
        Client::web(CLIENT_ID, CLIENT_SECRET)
            .redirect_uri(format!("{}/login/okta/authorized", app.url)),
    );
    let browser = Browser::new();
    let ready = browser.get(&format!("{}/healthz/ready", app.url)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.body);

    redis.resume();
    wait_until_ready(&app.url).await;
    let page = browser.log_in(&format!("{}/", app.url), ALICE.0, ALICE.1).await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
}
