//! Stage 6 on: sessions in a real Redis, shared by two instances behind
//! one `APP_URL`, on each shape of Redis a `REDIS_URL` can name: one
//! Redis, a Redis Cluster and a Sentinel set ([`topologies`]). A test on
//! one Redis starts its own `redis-server` on a free port; the cluster and
//! the Sentinel set are started once and shared by the tests of this
//! process, except where a test fails one over. Where `redis-server` is not
//! installed, the test says so on the terminal and does not run (CI
//! requires it: `WORKBOOK_REQUIRE_SERVICES=1`).

use axum::http::StatusCode;
use mock_okta::{Browser, Client, Fault, MockOkta};
use stage_tests::services::{
    FreezingProxy, INSTALL_REDIS, Redis, RedisCluster, RedisServer, SentinelSet, Topology,
    available, restartable_port, topologies,
};
use stage_tests::{
    ALICE, CLIENT_ID, CLIENT_SECRET, INTERNET, Instance, REDIS, REFRESHING, ROTATING_SECRETS,
    Stage, Timing, assert_logged_in_as, each_stage, logged_in_as, wait_until_discovered,
    wait_until_ready,
};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Two instances of a stage on one Redis (or cluster, or Sentinel set),
/// and the mock they log in with.
struct Site {
    stage: Stage,
    okta: MockOkta,
    redis: Redis,
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

/// Runs `test` for each of `stages` on each of the [`topologies`], all at
/// once; a test that fails fails this, naming its stage and topology.
async fn each_topology<F, Fut>(stages: &[Stage], test: F)
where
    F: Fn(Topology, Stage) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // The shared cluster and Sentinel set take seconds to start: started
    // before the stages run, which this would hold up (one thread runs
    // them all).
    for topology in topologies().into_iter().filter(|&t| t != Topology::One) {
        Redis::start(topology);
    }
    let runs: Vec<(Topology, Stage)> =
        topologies().into_iter().flat_map(|t| stages.iter().map(move |&s| (t, s))).collect();
    let mut running = tokio::task::JoinSet::new();
    for (topology, stage) in runs {
        let run = tokio::spawn(test(topology, stage));
        running.spawn(async move {
            if let Err(failed) = run.await {
                let failed = failed.into_panic();
                let why = failed.downcast_ref::<String>().map(String::as_str);
                let why = why.or_else(|| failed.downcast_ref::<&str>().copied());
                panic!("on {topology:?}, {stage:?}: {}", why.unwrap_or("a panic"));
            }
        });
    }
    while let Some(done) = running.join_next().await {
        if let Err(failed) = done {
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}

impl Site {
    async fn start(stage: Stage, topology: Topology) -> Option<Site> {
        Site::start_with(stage, topology, MockOkta::builder()).await
    }

    /// [`Site::start`], with the mock `okta` builds.
    async fn start_with(
        stage: Stage,
        topology: Topology,
        okta: mock_okta::Builder,
    ) -> Option<Site> {
        let redis = Redis::start(topology)?;
        Some(Site::start_on(stage, redis, okta, [&[], &[]]).await)
    }

    /// [`Site::start_with`], on `redis`, with settings of A's and of B's
    /// own (their `SESSION_SECRET`, say), taken before the site's.
    async fn start_on(
        stage: Stage,
        redis: Redis,
        okta: mock_okta::Builder,
        [a_own, b_own]: [&[(&str, &str)]; 2],
    ) -> Site {
        let okta = okta.start().await.expect("the mock starts");
        // A's port, which a test may stop it on and start it again. Found
        // free, it can be taken before it is bound (another test process
        // counts through the same range; a verify run failed so once):
        // then the next one.
        let mut tries = 0..5;
        let a = loop {
            match TcpListener::bind(("127.0.0.1", restartable_port())).await {
                Ok(listener) => break listener,
                Err(e) if tries.next().is_none() => panic!("{stage:?}: no port for A: {e}"),
                Err(_) => continue,
            }
        };
        let app_url = format!("http://127.0.0.1:{}", a.local_addr().expect("bound").port());
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{app_url}/login/okta/authorized"))
                .post_logout_redirect_uri(app_url.clone()),
        );
        let a = Some(Site::instance(stage, &okta, &redis, &app_url, a, a_own).await);
        let b = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let b = Site::instance(stage, &okta, &redis, &app_url, b, b_own).await;
        Site { stage, okta, redis, app_url, a, b, browser: Browser::new() }
    }

    async fn instance(
        stage: Stage,
        okta: &MockOkta,
        redis: &Redis,
        app_url: &str,
        listener: TcpListener,
        own: &[(&str, &str)],
    ) -> Instance {
        let redis = redis.url();
        let settings = [own, &settings(okta, &redis)[..], &[("APP_URL", app_url)]].concat();
        let instance = Instance::spawn(listener, stage, &settings, Timing::default());
        wait_until_ready(stage, &instance.url).await;
        instance
    }

    fn a(&self) -> &str {
        &self.a.as_ref().expect("A is running").url
    }

    /// A client of the site's Redis.
    async fn redis_client(&self) -> fred::prelude::Client {
        redis_client(&self.redis.url()).await
    }

    /// The Redis key of the browser's session (the session id, after the
    /// cookie's 44-character signature).
    fn session_key(&self) -> String {
        let cookie = self.browser.cookie("127.0.0.1", &stage_tests::session_cookie(&self.app_url));
        let cookie = cookie.expect("a session cookie");
        cookie.get(44..).expect("a signed cookie").to_string()
    }

    /// The session's record, as Redis has it.
    async fn session(&self, redis: &fred::prelude::Client) -> tower_sessions::session::Record {
        use fred::prelude::KeysInterface;
        let saved: Vec<u8> = redis.get(self.session_key()).await.expect("the session");
        rmp_serde::from_slice(&saved).expect("a session record")
    }

    /// The key the login's tokens are kept under (the session names it).
    async fn tokens_key(&self, redis: &fred::prelude::Client) -> String {
        let record = self.session(redis).await;
        let user = &record.data["logged_in_user"];
        user["tokens"].as_str().expect("the tokens' key").to_string()
    }

    /// Who `/` on `instance` (a URL) says is logged in, if anyone.
    async fn logged_in_on(&self, instance: &str) -> Option<String> {
        let home = self.browser.get(&format!("{instance}/")).await;
        logged_in_as(&home).map(String::from)
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
    each_topology(&REDIS, |topology, stage| async move {
        let Some(site) = Site::start(stage, topology).await else { return };
        let page = site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        assert_eq!(site.logged_in_on(&site.b.url).await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn tabs_on_two_instances_when_the_token_is_due_make_one_refresh_and_stay_logged_in() {
    each_topology(&REFRESHING, |topology, stage| async move {
        // Okta rotates refresh tokens, with no grace: one sent twice ends the
        // login. 4 s: a refresh is due 3 s after the last (whole seconds).
        let okta = MockOkta::builder()
            .fault(Fault::AccessTokenLifetime(Duration::from_secs(4)))
            .fault(Fault::RefreshTokenRotation(Duration::ZERO));
        let Some(site) = Site::start_with(stage, topology, okta).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let refreshes = || {
            let tokens = site.okta.requests_to("/v1/token");
            tokens.iter().filter(|r| r.param("grant_type") == Some("refresh_token")).count()
        };
        let (a, b) = (format!("{}/", site.a()), format!("{}/members", site.b.url));
        let tab = |url| site.browser.get(url);
        for due in 1..=2 {
            tokio::time::sleep(Duration::from_millis(3200)).await;
            let pages = tokio::join!(tab(&a), tab(&b), tab(&a), tab(&b), tab(&a), tab(&b));
            for page in [pages.0, pages.1, pages.2, pages.3, pages.4, pages.5] {
                assert_eq!(page.status, StatusCode::OK, "{stage:?}, {due}: {}", page.body);
            }
            assert_eq!(refreshes(), due, "{stage:?}: one refresh for both instances");
        }
        assert_eq!(site.logged_in_on(&site.b.url).await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

/// Another session secret, for rotating [`SECRET`].
const NEW_SECRET: &str = "redis-tests-the-next-session-secret-redis-tests-the-next-secret-98";

#[tokio::test]
async fn a_session_secret_rolled_out_with_the_other_as_fallback_loses_no_login_either_way() {
    each_stage(&ROTATING_SECRETS, |stage| async move {
        let (old, new) = (SECRET, NEW_SECRET);
        // The middle of a rolling change of the secret: one instance makes
        // cookies under the new secret and still reads the old one's, the
        // other still makes them under the old one and reads the new one's
        // already (the rotation's first step). A login starts on B (its
        // login cookie) and comes back to A (`APP_URL`), which makes the
        // session's cookie; B then reads that.
        let rolling: [[&[(&str, &str)]; 2]; 2] = [
            [
                &[("SESSION_SECRET", old), ("SESSION_SECRET_FALLBACKS", new)],
                &[("SESSION_SECRET", new), ("SESSION_SECRET_FALLBACKS", old)],
            ],
            [
                &[("SESSION_SECRET", new), ("SESSION_SECRET_FALLBACKS", old)],
                &[("SESSION_SECRET", old), ("SESSION_SECRET_FALLBACKS", new)],
            ],
        ];
        for keys in rolling {
            let Some(redis) = Redis::start(Topology::One) else { return };
            let site = Site::start_on(stage, redis, MockOkta::builder(), keys).await;
            let page = site.browser.log_in(&format!("{}/", site.b.url), ALICE.0, ALICE.1).await;
            assert_logged_in_as(&page, ALICE.0, stage);
            assert_eq!(site.logged_in_on(&site.b.url).await.as_deref(), Some(ALICE.0), "{stage:?}");
            assert_eq!(site.logged_in_on(site.a()).await.as_deref(), Some(ALICE.0), "{stage:?}");
        }
        // Without the fallback, the instance on the old secret cannot read
        // the new one's cookies: the user is logged out there.
        let apart: [&[(&str, &str)]; 2] = [&[("SESSION_SECRET", new)], &[("SESSION_SECRET", old)]];
        let Some(redis) = Redis::start(Topology::One) else { return };
        let site = Site::start_on(stage, redis, MockOkta::builder(), apart).await;
        let page = site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        assert_logged_in_as(&page, ALICE.0, stage);
        assert_eq!(site.logged_in_on(&site.b.url).await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn restarting_an_instance_keeps_its_users_logged_in() {
    each_topology(&REDIS, |topology, stage| async move {
        let Some(mut site) = Site::start(stage, topology).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let a = site.a.take().expect("A");
        let port = a.url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("a port");
        a.stop().await;
        // Once in a few runs, with eight tests at a time, the port was
        // still refused just after the stop: it gets up to 2 s to be free.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => break listener,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => {
                    panic!("{stage:?}: A's port {port} is still taken 2 s after A stopped: {e}")
                }
            }
        };
        let again =
            Site::instance(site.stage, &site.okta, &site.redis, &site.app_url, listener, &[]);
        site.a = Some(again.await);
        assert_eq!(site.logged_in_on(site.a()).await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn logging_out_on_one_instance_logs_out_on_the_other() {
    each_topology(&REDIS, |topology, stage| async move {
        let Some(site) = Site::start(stage, topology).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let out = site.browser.post_form(&format!("{}/logout", site.b.url), &[]).await;
        assert_eq!(out.status, StatusCode::OK, "{stage:?}: the page on to Okta's logout");
        assert_eq!(site.logged_in_on(site.a()).await, None, "{stage:?}");
        assert_eq!(site.logged_in_on(&site.b.url).await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn redis_down_is_a_503_page_soon_and_the_app_recovers_when_it_is_back() {
    each_stage(&REDIS, |stage| async move {
        let Some(mut site) = Site::start(stage, Topology::One).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        site.redis.own().stop();

        let started = Instant::now();
        let page = site.browser.get(&format!("{}/user", site.a())).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"session\""), "{stage:?}: {}", page.body);
        assert!(!page.body.contains("The login did not work"), "{stage:?}: a page view");
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(5), "{stage:?}: it took {waited:?}");

        site.redis.own().resume();
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
        let Some(mut site) = Site::start(stage, Topology::One).await else { return };
        site.redis.own().stop();
        let ready = site.browser.get(&format!("{}/healthz/ready", site.b.url)).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", ready.body);
        assert!(ready.body.contains("Redis"), "{stage:?}: {}", ready.body);
        site.redis.own().resume();
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
        assert_logged_in_as(&page, "alice@example.com", stage);
    })
    .await;
}

/// A client of the Redis at `url` (one, a cluster or a Sentinel set), for
/// tests that change what is in it.
async fn redis_client(url: &str) -> fred::prelude::Client {
    use fred::prelude::ClientLike;
    let config = fred::prelude::Config::from_url(url).expect("a Redis URL");
    let client = fred::prelude::Client::new(config, None, None, None);
    client.init().await.expect("Redis answers");
    client
}

#[tokio::test]
async fn sessions_saved_by_another_version_of_the_app_are_logged_out_not_locked_out() {
    use fred::prelude::{ClientLike, KeysInterface};
    each_topology(&REDIS, |topology, stage| async move {
        let Some(site) = Site::start(stage, topology).await else { return };
        for rewrite in ["an older shape", "bytes that are not a session"] {
            site.browser.clear_cookies();
            site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
            let redis = site.redis_client().await;
            let key = site.session_key();
            let changed = match rewrite {
                // What stage 4 kept: no `identity`, an `email` instead.
                "an older shape" => {
                    let mut record = site.session(&redis).await;
                    let old = serde_json::json!({"email": ALICE.0, "expires_at": u64::MAX});
                    record.data.insert("logged_in_user".into(), old);
                    rmp_serde::to_vec(&record).expect("encoded")
                }
                _ => b"not a session".to_vec(),
            };
            let set = redis.set::<(), _, _>(&key, changed.as_slice(), None, None, false);
            set.await.expect("rewritten");
            redis.quit().await.ok();
            // The page sends the user to log in again, on either instance...
            let page = site.browser.get(&format!("{}/user", site.b.url)).await;
            let to = page.location().map(|l| l.path().to_string());
            assert_eq!(to.as_deref(), Some("/login/okta"), "{stage:?} {rewrite}: {}", page.body);
            // ...and the login works (Okta remembers her: no password asked).
            let page = site.browser.open(&format!("{}/", site.a())).await;
            assert!(page.body.contains("You are logged in as"), "{stage:?} {rewrite}");
            let out = site.browser.post_form(&format!("{}/logout", site.b.url), &[]).await;
            assert_eq!(out.status, StatusCode::OK, "{stage:?} {rewrite}: {}", out.body);
        }
    })
    .await;
}

#[tokio::test]
async fn a_logout_works_with_a_session_that_does_not_decode() {
    use fred::prelude::{ClientLike, KeysInterface};
    each_topology(&REDIS, |topology, stage| async move {
        let Some(site) = Site::start(stage, topology).await else { return };
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let redis = site.redis_client().await;
        let set = redis.set::<(), _, _>(site.session_key(), "not a session", None, None, false);
        set.await.expect("rewritten");
        redis.quit().await.ok();
        let out = site.browser.post_form(&format!("{}/logout", site.a()), &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{stage:?}: {}", out.body);
    })
    .await;
}

/// The session store's connections to Redis of `stage`, as it makes them.
fn connections(stage: Stage, redis_url: &str) -> fred::prelude::Pool {
    let settings = [("REDIS_URL", redis_url), ("SESSION_SECRET", SECRET)];
    let lookup = |n: &str| settings.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string());
    macro_rules! pool {
        ($krate:ident) => {{
            let config = stage_tests::$krate::config::Config::from_lookup(lookup).expect("valid");
            stage_tests::$krate::session::Sessions::connect(&config).redis.expect("a pool")
        }};
    }
    match stage {
        Stage::Six => pool!(stage_6),
        Stage::Seven => pool!(stage_7),
        Stage::Eight => pool!(stage_8),
        Stage::Nine => pool!(stage_9),
        Stage::Ten => pool!(stage_10),
        _ => unreachable!("{stage:?} keeps no sessions in Redis"),
    }
}

#[tokio::test]
async fn a_redis_connection_that_stops_answering_is_replaced_within_seconds() {
    use fred::prelude::{ClientLike, KeysInterface};
    each_stage(&REDIS, |stage| async move {
        let Some(redis) = RedisServer::start() else { return };
        let proxy = FreezingProxy::start(redis.port).await;
        let pool = connections(stage, &format!("redis://127.0.0.1:{}", proxy.port));
        pool.wait_for_connect().await.expect("connected");
        let set = pool.set::<(), _, _>("a-session", "alice", None, None, false);
        set.await.expect("Redis answers");
        // Every connection open now stops answering, and stays open.
        proxy.freeze();
        let frozen = Instant::now();
        loop {
            let read: Result<Option<String>, _> = pool.get("a-session").await;
            if read.is_ok_and(|v| v.as_deref() == Some("alice")) {
                break;
            }
            let waited = frozen.elapsed();
            assert!(waited < Duration::from_secs(15), "{stage:?}: no answer for {waited:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_logout_while_a_refresh_waits_at_okta_leaves_nothing_of_the_login_live() {
    each_topology(&REFRESHING, |topology, stage| async move {
        // Okta commits the rotation, then its answer takes a second to
        // come back: the logout arrives in between.
        let okta = MockOkta::builder()
            .fault(Fault::AccessTokenLifetime(Duration::from_secs(2)))
            .fault(Fault::RefreshTokenRotation(Duration::ZERO))
            .fault(Fault::TokenSlowAfterIssue(Duration::from_secs(1)));
        let Some(site) = Site::start_with(stage, topology, okta).await else { return };
        stage_tests::a_second_begins().await;
        site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
        let redis = site.redis_client().await;
        let tokens = format!("workbook:tokens:{}", site.tokens_key(&redis).await);
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let home = format!("{}/", site.a());
        let page_view = site.browser.get(&home);
        let logout = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            site.browser.post_form(&format!("{}/logout", site.b.url), &[]).await
        };
        let (page, out) = tokio::join!(page_view, logout);
        assert!(!page.status.is_server_error(), "{stage:?}: {} {}", page.status, page.body);
        assert!(!out.status.is_server_error(), "{stage:?}: {} {}", out.status, out.body);
        let refreshes = site.okta.requests_to("/v1/token");
        let refreshes = refreshes.iter().filter(|r| r.param("grant_type") == Some("refresh_token"));
        assert_eq!(refreshes.count(), 1, "{stage:?}: the refresh was in flight");
        assert_eq!(site.okta.live_refresh_tokens(ALICE.0), 0, "{stage:?}: live at Okta");
        let left: i64 = fred::prelude::KeysInterface::exists(&redis, &tokens).await.expect("read");
        assert_eq!(left, 0, "{stage:?}: tokens kept after the logout");
        assert_eq!(site.logged_in_on(site.a()).await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_session_saved_after_a_logout_deleted_it_is_no_error_and_stays_gone() {
    use fred::prelude::ClientLike;
    use tower_sessions::SessionStore;
    use tower_sessions::cookie::time::{Duration as Span, OffsetDateTime};
    use tower_sessions::session::{Id, Record};
    each_topology(&REDIS, |topology, stage| async move {
        let Some(redis) = Redis::start(topology) else { return };
        let config = fred::prelude::Config::from_url(&redis.url()).expect("a Redis URL");
        let pool = fred::prelude::Builder::from_config(config).build_pool(1).expect("a pool");
        pool.init().await.expect("Redis answers");
        let expiry_date = OffsetDateTime::now_utc() + Span::hours(1);
        let mut record = Record { id: Id::default(), data: Default::default(), expiry_date };
        // A page view read the session; a logout deletes it; the page view
        // saves it after: what a race between them does to the store.
        macro_rules! race {
            ($krate:ident) => {{
                let store = stage_tests::$krate::session::RedisSessions::new(pool.clone());
                store.create(&mut record).await.expect("created");
                store.delete(&record.id).await.expect("deleted");
                let saved = store.save(&record).await;
                (saved.map_err(|e| e.to_string()), store.load(&record.id).await.ok().flatten())
            }};
        }
        let (saved, after) = match stage {
            Stage::Six => race!(stage_6),
            Stage::Seven => race!(stage_7),
            Stage::Eight => race!(stage_8),
            Stage::Nine => race!(stage_9),
            _ => race!(stage_10),
        };
        assert_eq!(saved, Ok(()), "{stage:?}: a 500 for the page view");
        assert!(after.is_none(), "{stage:?}: the logout lost");
    })
    .await;
}

#[tokio::test]
async fn readiness_says_when_no_redis_of_the_url_answers() {
    each_stage(&INTERNET, |stage| async move {
        // Nothing listens on this port: no Redis, no cluster node, no sentinel.
        let nowhere = restartable_port();
        let urls = [
            format!("redis://127.0.0.1:{nowhere}"),
            format!("redis-cluster://127.0.0.1:{nowhere}"),
            format!("redis-sentinel://127.0.0.1:{nowhere}?sentinelServiceName=workbook"),
        ];
        for url in urls {
            let okta = MockOkta::start().await.expect("the mock starts");
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let app = Instance::spawn(listener, stage, &settings(&okta, &url), Timing::default());
            wait_until_discovered(&app.url).await;
            let ready = Browser::new().get(&format!("{}/healthz/ready", app.url)).await;
            assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?} {url}");
            assert!(ready.body.contains("Redis"), "{stage:?} {url}: {}", ready.body);
        }
    })
    .await;
}

/// The grace period the chapter asks for on Okta's refresh-token rotation
/// ("Grace period for token rotation", 0 to 60 s): a refresh token sent
/// twice within it is answered with the same new one, not taken for a
/// stolen one.
const GRACE: Duration = Duration::from_secs(30);

/// The refreshes Okta has been asked for.
fn refreshes_at(okta: &MockOkta) -> usize {
    let tokens = okta.requests_to("/v1/token");
    tokens.iter().filter(|r| r.param("grant_type") == Some("refresh_token")).count()
}

#[tokio::test]
async fn a_refresh_lock_lost_in_a_failover_costs_no_login_within_okta_grace_period() {
    use fred::prelude::KeysInterface;
    each_topology(&REFRESHING, |topology, stage| async move {
        // Without a grace period, two refreshes with one refresh token end
        // the login (Okta takes the second for a stolen token): the lock
        // alone cannot promise one refresh when Redis loses it.
        for (grace, kept) in [(Duration::ZERO, false), (GRACE, true)] {
            let okta = MockOkta::builder()
                .fault(Fault::AccessTokenLifetime(Duration::from_secs(2)))
                .fault(Fault::RefreshTokenRotation(grace))
                .fault(Fault::TokenSlowAfterIssue(Duration::from_secs(1)));
            let Some(site) = Site::start_with(stage, topology, okta).await else { return };
            stage_tests::a_second_begins().await;
            site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
            let redis = site.redis_client().await;
            let lock = format!("workbook:refreshing:{}", site.tokens_key(&redis).await);
            tokio::time::sleep(Duration::from_millis(1600)).await;
            // A page view on A refreshes; while Okta answers it, A's lock is
            // gone, as after a failover to a replica that never got it, and
            // a page view on B refreshes too.
            let home = format!("{}/", site.a());
            let on_a = site.browser.get(&home);
            let on_b = async {
                let taken = async {
                    while redis.exists::<i64, _>(&lock).await.expect("Redis answers") == 0 {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                };
                let taken = tokio::time::timeout(Duration::from_secs(10), taken).await;
                taken.expect("A's page view takes the lock");
                redis.del::<i64, _>(&lock).await.expect("the lock deleted");
                site.browser.get(&format!("{}/members", site.b.url)).await
            };
            let (a, b) = tokio::join!(on_a, on_b);
            assert_eq!(refreshes_at(&site.okta), 2, "{stage:?}: both refreshed, with one token");
            let live = site.okta.live_refresh_tokens(ALICE.0);
            if kept {
                for page in [&a, &b] {
                    assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
                }
                assert!(live > 0, "{stage:?}: the grant was revoked at Okta");
                let on = site.logged_in_on(&site.b.url).await;
                assert_eq!(on.as_deref(), Some(ALICE.0), "{stage:?}, grace {grace:?}");
            } else {
                assert_eq!(live, 0, "{stage:?}: Okta revoked the grant");
                assert_eq!(site.logged_in_on(site.a()).await, None, "{stage:?}, no grace");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_failover_while_two_instances_refresh_loses_no_login() {
    let mut runs = tokio::task::JoinSet::new();
    for topology in topologies().into_iter().filter(|&t| t != Topology::One) {
        runs.spawn(fail_over_while_two_instances_refresh(topology));
    }
    while let Some(done) = runs.join_next().await {
        if let Err(failed) = done {
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}

/// [`a_failover_while_two_instances_refresh_loses_no_login`] on a
/// `topology` of its own: the other tests' shared ones must not fail over
/// under them.
async fn fail_over_while_two_instances_refresh(topology: Topology) {
    if !available("redis-server", INSTALL_REDIS) || !available("redis-cli", INSTALL_REDIS) {
        return;
    }
    let redis = tokio::task::spawn_blocking(move || match topology {
        Topology::Cluster => RedisCluster::start().map(|c| Redis::Cluster(c.into())),
        _ => SentinelSet::start().map(|s| Redis::Sentinel(s.into())),
    });
    let Some(redis) = redis.await.expect("started") else { return };
    let shared = |redis: &Redis| match redis {
        Redis::Cluster(cluster) => Redis::Cluster(cluster.clone()),
        Redis::Sentinel(set) => Redis::Sentinel(set.clone()),
        Redis::One(_) => unreachable!("only a cluster or a Sentinel set fails over"),
    };
    let mut stages = tokio::task::JoinSet::new();
    for stage in REFRESHING {
        let redis = shared(&redis);
        stages.spawn(async move {
            // 4 s: a refresh is due 3 s after the last.
            let okta = MockOkta::builder()
                .fault(Fault::AccessTokenLifetime(Duration::from_secs(4)))
                .fault(Fault::RefreshTokenRotation(GRACE));
            let site = Site::start_on(stage, redis, okta, [&[], &[]]).await;
            site.browser.log_in(&format!("{}/", site.a()), ALICE.0, ALICE.1).await;
            let (a, b) = (format!("{}/", site.a()), format!("{}/members", site.b.url));
            let tab = |url| site.browser.get(url);
            for due in 1..=4 {
                tokio::time::sleep(Duration::from_millis(3200)).await;
                let pages = tokio::join!(tab(&a), tab(&b), tab(&a), tab(&b), tab(&a), tab(&b));
                for page in [pages.0, pages.1, pages.2, pages.3, pages.4, pages.5] {
                    // Redis failing over may answer a page view with a
                    // 503 page; the login stays.
                    let served = page.status == StatusCode::OK
                        || page.status == StatusCode::SERVICE_UNAVAILABLE;
                    assert!(
                        served,
                        "{topology:?}, {stage:?}, {due}: {} {}",
                        page.status, page.body
                    );
                }
            }
            assert!(site.okta.live_refresh_tokens(ALICE.0) > 0, "{stage:?}: revoked at Okta");
            for on in [site.a(), site.b.url.as_str()] {
                let user = site.logged_in_on(on).await;
                assert_eq!(user.as_deref(), Some(ALICE.0), "{topology:?}, {stage:?}");
            }
        });
    }
    // While the stages' tabs refresh: every primary fails over.
    let failing = shared(&redis);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let failed_over = tokio::task::spawn_blocking(move || match &failing {
        Redis::Cluster(cluster) => cluster.fail_over_each_primary(),
        Redis::Sentinel(set) => set.fail_over(),
        Redis::One(_) => {}
    });
    failed_over.await.expect("failed over");
    while let Some(done) = stages.join_next().await {
        if let Err(failed) = done {
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}
