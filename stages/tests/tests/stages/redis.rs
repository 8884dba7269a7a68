//! Stage 6 on: sessions in a real Redis, shared by two instances behind
//! one `APP_URL`. Each test starts its own `redis-server` on a free port;
//! where none is installed, the test says so on the terminal and does not
//! run (CI requires it: `WORKBOOK_REQUIRE_SERVICES=1`).

use axum::http::StatusCode;
use mock_okta::{Browser, Client, MockOkta};
use stage_tests::services::RedisServer;
use stage_tests::{
    ALICE, CLIENT_ID, CLIENT_SECRET, INTERNET, Instance, REDIS, Stage, Timing, each_stage,
    wait_until_discovered, wait_until_ready,
};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Two instances of a stage on one Redis, and the mock they log in with.
struct Site {
    stage: Stage,
    okta: MockOkta,
    redis: RedisServer,
    /// `APP_URL`, where A listens; B listens on a port of its own.
    app_url: String,
    a: Option<Instance>,
    b: Instance,
    browser: Browser,
}

const SECRET: &str = "redis-tests-session-secret-redis-tests-session-secret-0123456789";

/// The settings of an instance on `redis`.
fn settings<'a>(okta: &'a MockOkta, redis: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("OKTA_BASE_URL", okta.issuer()),
        ("OAUTH_CLIENT_ID", CLIENT_ID),
        ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
        ("SESSION_SECRET", SECRET),
        ("REDIS_URL", redis),
    ]
}

impl Site {
    async fn start(stage: Stage) -> Option<Site> {
        let redis = RedisServer::start()?;
        let okta = MockOkta::start().await.expect("the mock starts");
        let a = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let app_url = format!("http://127.0.0.1:{}", a.local_addr().expect("bound").port());
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{app_url}/login/okta/authorized"))
                .post_logout_redirect_uri(app_url.clone()),
        );
        let a = Some(Site::instance(stage, &okta, &redis, &app_url, a).await);
        let b = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let b = Site::instance(stage, &okta, &redis, &app_url, b).await;
        Some(Site { stage, okta, redis, app_url, a, b, browser: Browser::new() })
    }

    async fn instance(
        stage: Stage,
        okta: &MockOkta,
        redis: &RedisServer,
        app_url: &str,
        listener: TcpListener,
    ) -> Instance {
        let redis = redis.url();
        let settings = [&settings(okta, &redis)[..], &[("APP_URL", app_url)]].concat();
        let instance = Instance::spawn(listener, stage, &settings, Timing::default());
        wait_until_ready(stage, &instance.url).await;
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

/// Logs alice in at `url` in a fresh browser, again and again for up to
/// 10 s while the session store does not answer (Redis coming up): the
/// page she lands on.
async fn log_in_once_redis_answers(url: &str) -> mock_okta::Page {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = Browser::new().log_in(url, ALICE.0, ALICE.1).await;
        if page.status != StatusCode::SERVICE_UNAVAILABLE || Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_login_on_one_instance_counts_on_the_other() {
    each_stage(&REDIS, |stage| async move {
        let Some(site) = Site::start(stage).await else { return };
        let page = site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        assert!(page.body.contains("You are logged in as alice@example.com"), "{stage:?}");
        assert_eq!(site.logged_in_on(&site.b.url).await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn restarting_an_instance_keeps_its_users_logged_in() {
    each_stage(&REDIS, |stage| async move {
        let Some(mut site) = Site::start(stage).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let a = site.a.take().expect("A");
        let port = a.url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("a port");
        a.stop().await;
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("A's port again");
        let again = Site::instance(site.stage, &site.okta, &site.redis, &site.app_url, listener);
        site.a = Some(again.await);
        assert_eq!(site.logged_in_on(site.a()).await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn logging_out_on_one_instance_logs_out_on_the_other() {
    each_stage(&REDIS, |stage| async move {
        let Some(site) = Site::start(stage).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let out = site.browser.post_form(&format!("{}/logout", site.b.url), &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{stage:?}");
        assert_eq!(site.logged_in_on(site.a()).await, None, "{stage:?}");
        assert_eq!(site.logged_in_on(&site.b.url).await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn redis_down_is_a_503_page_soon_and_the_app_recovers_when_it_is_back() {
    each_stage(&REDIS, |stage| async move {
        let Some(mut site) = Site::start(stage).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        site.redis.stop();

        let started = Instant::now();
        let page = site.browser.get(&format!("{}/user", site.a())).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"session\""), "{stage:?}: {}", page.body);
        assert!(!page.body.contains("The login did not work"), "{stage:?}: a page view");
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(5), "{stage:?}: it took {waited:?}");

        site.redis.resume();
        // Back within the reconnect policy's 2 s, without a restart.
        let deadline = Instant::now() + Duration::from_secs(10);
        while site.logged_in_on(site.a()).await.is_none() {
            assert!(Instant::now() < deadline, "{stage:?}: not recovered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn readiness_says_when_redis_is_down() {
    each_stage(&INTERNET, |stage| async move {
        let Some(mut site) = Site::start(stage).await else { return };
        site.redis.stop();
        let ready = site.browser.get(&format!("{}/healthz/ready", site.b.url)).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", ready.body);
        assert!(ready.body.contains("Redis"), "{stage:?}: {}", ready.body);
        site.redis.resume();
        wait_until_ready(stage, &site.b.url).await;
    })
    .await;
}

#[tokio::test]
async fn an_instance_started_while_redis_is_down_works_when_it_comes_up() {
    each_stage(&REDIS, |stage| async move {
        let Some(mut redis) = RedisServer::start() else { return };
        redis.stop();
        let okta = MockOkta::start().await.expect("the mock starts");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = redis.url();
        let app = Instance::spawn(listener, stage, &settings(&okta, &url), Timing::default());
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{}/login/okta/authorized", app.url)),
        );
        wait_until_discovered(&app.url).await;
        if INTERNET.contains(&stage) {
            let ready = Browser::new().get(&format!("{}/healthz/ready", app.url)).await;
            assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", ready.body);
        }
        redis.resume();
        let page = log_in_once_redis_answers(&format!("{}/", app.url)).await;
        assert!(page.body.contains("You are logged in as alice@example.com"), "{stage:?}");
    })
    .await;
}
