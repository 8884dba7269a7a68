//! Stage 5's lessons, shown by what a user sees: a validated ID token (one
//! test per way mock-okta can spoil one), Okta found by discovery even when
//! it is late, a refresh that keeps a login alive, and what a server needs
//! around it (health checks, limits, security headers).

use axum::http::StatusCode;
use mock_okta::{Browser, Fault, MockOkta};
use stage_tests::{ALICE, Instance, Stage, TestApp, Timing, serve_now};
use std::time::{Duration, Instant};

/// Logs alice in to a fresh stage 5 whose mock has `fault` on (once the
/// app has discovered Okta); returns the app and the page that ends it.
async fn log_in_with(fault: Fault) -> (TestApp, mock_okta::Page) {
    let app = TestApp::start(Stage::Five).await;
    app.okta.set_fault(fault);
    let page = app.log_in_as_alice("/").await;
    (app, page)
}

/// One test per way an ID token can be bad: the login is refused with a
/// page that names the problem, and nothing is kept: no session.
macro_rules! refused {
    ($($test:ident: $fault:expr => $named:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            let (app, page) = log_in_with($fault).await;
            assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
            assert!(page.body.contains("data-error=\"bad-id-token\""), "{}", page.body);
            assert!(page.body.contains($named), "the page does not name {:?}: {}", $named, page.body);
            assert_eq!(app.session_id(), None, "a session was kept");
            assert_eq!(app.logged_in_email().await, None);
        }
    )*};
}

refused! {
    an_id_token_from_another_issuer_is_refused: Fault::IdTokenWrongIssuer => "issuer";
    an_id_token_for_another_client_is_refused: Fault::IdTokenWrongAudience => "audience";
    an_id_token_without_an_audience_is_refused: Fault::IdTokenMissingAudience => "aud";
    an_id_token_without_a_subject_is_refused: Fault::IdTokenMissingSubject => "sub";
    an_id_token_without_an_issue_time_is_refused: Fault::IdTokenMissingIssuedAt => "iat";
    an_id_token_for_another_login_is_refused: Fault::IdTokenWrongNonce => "nonce";
    an_id_token_with_a_bad_signature_is_refused: Fault::IdTokenBadSignature => "signature";
    an_unsigned_id_token_is_refused: Fault::IdTokenAlgNone => "No signature";
    an_expired_id_token_is_refused: Fault::IdTokenExpired => "expired";
    an_id_token_signed_by_a_key_okta_does_not_publish_is_refused: Fault::IdTokenUnknownKid => "key";
}

#[tokio::test]
async fn a_key_the_app_has_not_seen_makes_it_fetch_okta_keys_once_more() {
    let (app, page) = log_in_with(Fault::IdTokenUnknownKid).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert_eq!(app.okta.requests_to("/v1/keys").len(), 2, "discovery, then once more");
}

#[tokio::test]
async fn after_okta_rotates_its_keys_the_login_works_after_one_fetch_of_them() {
    let (app, page) = log_in_with(Fault::RotateKeys).await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    assert_eq!(app.okta.requests_to("/v1/keys").len(), 2, "discovery, then the new keys");
    // The new keys are kept: the next login fetches nothing.
    app.browser.clear_cookies();
    let again = app.log_in_as_alice("/").await;
    assert!(again.body.contains("You are logged in as alice@example.com"));
    assert_eq!(app.okta.requests_to("/v1/keys").len(), 2, "keys fetched on a login");
}

#[tokio::test]
async fn every_login_sends_a_nonce_and_fetches_no_keys() {
    let app = TestApp::start(Stage::Five).await;
    for _ in 0..2 {
        app.browser.clear_cookies();
        app.log_in_as_alice("/").await;
    }
    let nonces: Vec<_> = app
        .okta
        .requests_to("/v1/authorize")
        .into_iter()
        .filter(|r| r.method == "GET")
        .filter_map(|r| r.param("nonce").map(String::from))
        .collect();
    assert_eq!(nonces.len(), 2, "{nonces:?}");
    assert_ne!(nonces[0], nonces[1]);
    assert_eq!(app.okta.requests_to("/v1/keys").len(), 1, "only at discovery");
    assert!(app.okta.requests_to("/v1/userinfo").is_empty(), "the email is the ID token's");
}

#[tokio::test]
async fn okta_unreachable_at_start_is_a_503_page_until_it_answers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port();
    let issuer = format!("http://127.0.0.1:{port}/oauth2/default");
    let settings = [
        ("OKTA_BASE_URL", issuer.as_str()),
        ("OAUTH_CLIENT_ID", stage_tests::CLIENT_ID),
        ("OAUTH_CLIENT_SECRET", stage_tests::CLIENT_SECRET),
    ];
    let app = serve_now(Stage::Five, &settings, Timing::default()).await;
    let browser = Browser::new();
    let page = browser.get(&format!("{app}/login/okta")).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(
        page.body.contains("data-error=\"not-ready\"") && page.body.contains("discovery"),
        "{}",
        page.body
    );
    let ready = browser.get(&format!("{app}/healthz/ready")).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.body);
    assert_eq!(browser.get(&format!("{app}/healthz")).await.status, StatusCode::OK, "alive");

    // Okta comes up: the app finds it on its own.
    let okta = MockOkta::builder().port(port).start().await.expect("the mock starts");
    okta.add_client(
        mock_okta::Client::web(stage_tests::CLIENT_ID, stage_tests::CLIENT_SECRET)
            .redirect_uri(format!("{app}/login/okta/authorized")),
    );
    let started = Instant::now();
    stage_tests::wait_until_ready(&app).await;
    let page = browser.log_in(&format!("{app}/"), ALICE.0, ALICE.1).await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(12));
}

/// Stage 5 against a mock whose access tokens live `lifetime`.
async fn short_tokens(lifetime: Duration) -> TestApp {
    let okta = MockOkta::builder()
        .fault(Fault::AccessTokenLifetime(lifetime))
        .start()
        .await
        .expect("start");
    let app = TestApp::start_with(Stage::Five, okta, Timing::default(), &[]).await;
    app.log_in_as_alice("/").await;
    app
}

fn refreshes(app: &TestApp) -> usize {
    let tokens = app.okta.requests_to("/v1/token");
    tokens.iter().filter(|r| r.param("grant_type") == Some("refresh_token")).count()
}

#[tokio::test]
async fn a_page_view_shortly_before_the_access_token_expires_refreshes_it() {
    let app = short_tokens(Duration::from_secs(4)).await;
    assert_eq!(refreshes(&app), 0);
    // Three quarters of the lifetime on, the token is due.
    tokio::time::sleep(Duration::from_millis(3300)).await;
    assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0));
    assert_eq!(refreshes(&app), 1);
    // Past the first token's end, the login goes on with the new one.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0));
}

#[tokio::test]
async fn a_refresh_answer_without_a_new_refresh_token_keeps_the_login_going() {
    let app = short_tokens(Duration::from_secs(2)).await;
    app.okta.set_fault(Fault::RefreshTokenNotSent);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0));
    assert_eq!(refreshes(&app), 1);
    // Past the refreshed token's end: the refresh token kept from the login
    // refreshes it again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0));
    assert_eq!(refreshes(&app), 2);
}

#[tokio::test]
async fn two_page_views_at_once_when_the_token_is_due_both_stay_logged_in() {
    let app = short_tokens(Duration::from_secs(2)).await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let (user, members) = (app.at("/user"), app.at("/members"));
    let (a, b) = tokio::join!(app.browser.get(&user), app.browser.get(&members));
    for page in [&a, &b] {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    assert!(refreshes(&app) >= 1);
    assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0));
}

#[tokio::test]
async fn a_refresh_okta_refuses_ends_the_login_with_a_page() {
    let app = short_tokens(Duration::from_secs(2)).await;
    app.okta.set_fault(Fault::TokenInvalidGrant);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let page = app.browser.get(&app.at("/")).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
    assert!(
        page.body.contains("data-error=\"login-ended\"") && page.body.contains("invalid_grant"),
        "{}",
        page.body
    );
    let home = app.browser.get(&app.at("/")).await;
    assert_eq!(home.location().map(|l| l.path().to_string()).as_deref(), Some("/login/okta"));
}

#[tokio::test]
async fn health_checks_answer_without_a_session() {
    let app = TestApp::start(Stage::Five).await;
    let alive = app.browser.get(&app.at("/healthz")).await;
    assert_eq!((alive.status, alive.body.as_str()), (StatusCode::OK, "ok"));
    let ready = app.browser.get(&app.at("/healthz/ready")).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let checks: serde_json::Value = serde_json::from_str(&ready.body).expect("JSON");
    assert_eq!(checks, serde_json::json!({"okta": "ok", "sessions": "in memory"}));
    app.log_in_as_alice("/").await;
    let before = app.session_id();
    for health in [alive, ready, app.browser.get(&app.at("/healthz")).await] {
        assert!(health.set_cookies().is_empty(), "{:?}", health.set_cookies());
    }
    assert_eq!(app.session_id(), before);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::start(Stage::Five).await;
    for path in ["/", "/login/okta", "/nope", "/healthz"] {
        let page = Browser::new().get(&app.at(path)).await;
        let header = |name: &str| {
            page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
        };
        let policy = header("content-security-policy");
        assert!(
            policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            policy.contains(&format!(
                "form-action 'self' {}",
                app.okta.issuer().trim_end_matches("/oauth2/default")
            )),
            "{path}: {policy}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn logout_typed_into_the_address_bar_is_a_page_pointing_to_the_button() {
    let app = TestApp::start(Stage::Five).await;
    let page = Browser::new().get(&app.at("/logout")).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.body.contains("use the Log out button"), "{}", page.body);
    let health = Browser::new().post_form(&app.at("/healthz"), &[]).await;
    assert_eq!(health.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(health.body.contains("Go home"), "a page, not an empty answer: {}", health.body);
}

/// A connection to `url` that sends half a request: its headers never end.
async fn half_a_request(url: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = url.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connects");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.expect("sent");
    slow
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_headers_is_cut_off() {
    use tokio::io::AsyncReadExt;
    let okta = MockOkta::start().await.expect("the mock starts");
    let timing = Timing { header_timeout: Duration::from_millis(300), ..Timing::default() };
    let app = TestApp::start_with(Stage::Five, okta, timing, &[]).await;
    let mut slow = half_a_request(&app.url).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection is still open after 5 s");
    let health = Browser::new().get(&app.at("/healthz")).await;
    assert_eq!(health.status, StatusCode::OK, "the server still serves others");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_does_not_hold_up_a_shutdown() {
    let okta = MockOkta::start().await.expect("the mock starts");
    let timing = Timing {
        header_timeout: Duration::from_secs(60),
        shutdown_grace: Duration::from_millis(300),
        ..Timing::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let app = Instance::spawn(listener, Stage::Five, &[("OKTA_BASE_URL", okta.issuer())], timing);
    let _slow = half_a_request(&app.url).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped = tokio::time::timeout(Duration::from_secs(5), app.stop()).await;
    assert!(stopped.is_ok(), "still serving 5 s after the signal");
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_a_408_page() {
    let okta = MockOkta::builder()
        .fault(Fault::TokenSlow(Duration::from_secs(5)))
        .start()
        .await
        .expect("start");
    let timing = Timing {
        idp_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_millis(500),
        ..Timing::default()
    };
    let app = TestApp::start_with(Stage::Five, okta, timing, &[]).await;
    let callback = app.callback_url().await;
    let started = Instant::now();
    let page = app.browser.get(callback.as_str()).await;
    assert_eq!(page.status, StatusCode::REQUEST_TIMEOUT, "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_request_body_over_the_limit_is_refused() {
    let app = TestApp::start(Stage::Five).await;
    let big = "x".repeat(64 * 1024);
    let answer = Browser::new().post_form(&app.at("/logout"), &[("pad", big.as_str())]).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
}
