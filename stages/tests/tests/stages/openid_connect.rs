//! Stage 5 on: Okta found by discovery, even when it is late; the ID token
//! validated, one test per way mock-okta can spoil one; and what the ID
//! token lacks asked of userinfo, once.

use axum::http::StatusCode;
use mock_okta::{Browser, Fault, MockOkta};
use stage_tests::services::restartable_port;
use stage_tests::{
    ALICE, OPENID, Stage, TestApp, Timing, assert_logged_in_as, each_stage, serve_now,
};
use std::time::{Duration, Instant};

/// Logs alice in to a fresh `stage` whose mock has `fault` on (once the
/// app has discovered Okta); returns the app and the page that ends it.
async fn log_in_with(stage: Stage, fault: Fault) -> (TestApp, mock_okta::Page) {
    let app = TestApp::start(stage).await;
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
            each_stage(&OPENID, |stage| async move {
                let (app, page) = log_in_with(stage, $fault).await;
                assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
                assert!(page.body.contains("data-error=\"bad-id-token\""), "{stage:?}: {}", page.body);
                assert!(page.body.contains($named), "{stage:?} does not name {:?}: {}", $named, page.body);
                assert_eq!(app.session_id(), None, "{stage:?}: a session was kept");
                assert_eq!(app.logged_in_email().await, None, "{stage:?}");
            })
            .await;
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
    each_stage(&OPENID, |stage| async move {
        let (app, page) = log_in_with(stage, Fault::IdTokenUnknownKid).await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}");
        let keys = app.okta.requests_to("/v1/keys").len();
        assert_eq!(keys, 2, "{stage:?}: discovery, then once more");
    })
    .await;
}

#[tokio::test]
async fn after_okta_rotates_its_keys_the_login_works_after_one_fetch_of_them() {
    each_stage(&OPENID, |stage| async move {
        let (app, page) = log_in_with(stage, Fault::RotateKeys).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        let keys = app.okta.requests_to("/v1/keys").len();
        assert_eq!(keys, 2, "{stage:?}: discovery, then the new keys");
        // The new keys are kept: the next login fetches nothing.
        app.browser.clear_cookies();
        let again = app.log_in_as_alice("/").await;
        assert_logged_in_as(&again, "alice@example.com", stage);
        assert_eq!(app.okta.requests_to("/v1/keys").len(), 2, "{stage:?}: keys fetched on a login");
    })
    .await;
}

#[tokio::test]
async fn okta_s_keys_are_read_again_when_they_may_no_longer_be_kept_so_a_next_key_is_in_hand() {
    each_stage(&OPENID, |stage| async move {
        // Okta says its keys may be kept a second: the app keeps them five
        // seconds, its least, then reads them again, and finds the next key
        // Okta published ahead of signing with it.
        let okta = MockOkta::builder().fault(Fault::KeysMaxAge(Duration::from_secs(1)));
        let okta = okta.start().await.expect("the mock starts");
        let app = TestApp::start_with(stage, okta, Timing::default(), &[]).await;
        app.okta.set_fault(Fault::NextKeyPublished);
        tokio::time::sleep(Duration::from_millis(5600)).await;
        let reads = app.okta.requests_to("/v1/keys").len();
        assert_eq!(reads, 2, "{stage:?}: at discovery, then five seconds later");
        app.okta.set_fault(Fault::RotateKeys);
        let page = app.log_in_as_alice("/").await;
        assert_logged_in_as(&page, ALICE.0, stage);
        let at_login = app.okta.requests_to("/v1/keys").len();
        assert_eq!(at_login, reads, "{stage:?}: the next key was in hand before it signed");
    })
    .await;
}

#[tokio::test]
async fn every_login_sends_a_nonce_and_fetches_no_keys() {
    each_stage(&OPENID, |stage| async move {
        let app = TestApp::start(stage).await;
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
        assert_eq!(nonces.len(), 2, "{stage:?}: {nonces:?}");
        assert_ne!(nonces[0], nonces[1], "{stage:?}");
        assert_eq!(app.okta.requests_to("/v1/keys").len(), 1, "{stage:?}: only at discovery");
        let userinfo = app.okta.requests_to("/v1/userinfo");
        assert!(userinfo.is_empty(), "{stage:?}: the ID token has the email");
    })
    .await;
}

#[tokio::test]
async fn an_email_only_userinfo_has_is_fetched_once_for_the_same_user() {
    each_stage(&OPENID, |stage| async move {
        let (app, page) = log_in_with(stage, Fault::IdTokenWithoutEmail).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        let userinfo = app.okta.requests_to("/v1/userinfo");
        assert_eq!(userinfo.len(), 1, "{stage:?}: userinfo asked once");
        for path in ["/", "/user"] {
            assert_eq!(app.browser.get(&app.at(path)).await.status, StatusCode::OK, "{stage:?}");
        }
        assert_eq!(app.okta.requests_to("/v1/userinfo").len(), 1, "{stage:?}: page views asked");
    })
    .await;
}

#[tokio::test]
async fn a_refused_userinfo_does_not_matter_when_the_id_token_has_the_email() {
    each_stage(&OPENID, |stage| async move {
        let (app, page) = log_in_with(stage, Fault::UserinfoUnauthorized).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        assert!(app.okta.requests_to("/v1/userinfo").is_empty(), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_userinfo_that_fails_when_the_id_token_lacks_the_email_is_a_502_page() {
    each_stage(&OPENID, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.set_fault(Fault::IdTokenWithoutEmail);
        app.okta.set_fault(Fault::UserinfoUnauthorized);
        let page = app.log_in_as_alice("/").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
        assert!(page.body.contains("userinfo endpoint answered 401"), "{stage:?}: {}", page.body);
        assert_eq!(app.session_id(), None, "{stage:?}: a session was kept");
    })
    .await;
}

#[tokio::test]
async fn okta_unreachable_at_start_is_a_503_page_until_it_answers() {
    each_stage(&OPENID, |stage| async move {
        // Free now, and still free when the mock starts on it.
        let port = restartable_port();
        let issuer = format!("http://127.0.0.1:{port}/oauth2/default");
        let settings = [
            ("OKTA_BASE_URL", issuer.as_str()),
            ("OAUTH_CLIENT_ID", stage_tests::CLIENT_ID),
            ("OAUTH_CLIENT_SECRET", stage_tests::CLIENT_SECRET),
        ];
        let app = serve_now(stage, &settings, Timing::default()).await;
        let browser = Browser::new();
        let page = browser.get(&format!("{app}/login/okta")).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", page.body);
        assert!(
            page.body.contains("data-error=\"not-ready\"") && page.body.contains("discovery"),
            "{stage:?}: {}",
            page.body
        );

        // Okta comes up: the app finds it on its own.
        let okta = MockOkta::builder().port(port).start().await.expect("the mock starts");
        okta.add_client(
            mock_okta::Client::web(stage_tests::CLIENT_ID, stage_tests::CLIENT_SECRET)
                .redirect_uri(format!("{app}/login/okta/authorized")),
        );
        let started = Instant::now();
        stage_tests::wait_until_ready(stage, &app).await;
        let page = browser.log_in(&format!("{app}/"), ALICE.0, ALICE.1).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        assert!(started.elapsed() < Duration::from_secs(12), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn an_issuer_okta_no_longer_uses_is_a_page_naming_the_one_to_set() {
    each_stage(&OPENID, |stage| async move {
        // Okta switched on a custom domain: its discovery document names it.
        let domain = "https://login.example.com";
        let okta = MockOkta::builder().fault(Fault::CustomDomainIssuer(domain.into()));
        let okta = okta.start().await.expect("start");
        let app = serve_now(stage, &[("OKTA_BASE_URL", okta.issuer())], Timing::default()).await;
        let moved = format!("{domain}/oauth2/default");
        let wanted = format!("set OKTA_BASE_URL={moved}");
        let deadline = Instant::now() + Duration::from_secs(5);
        let page = loop {
            let page = Browser::new().get(&format!("{app}/login/okta")).await;
            if page.body.contains(&wanted) || Instant::now() > deadline {
                break page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{stage:?}: {}", page.body);
        assert!(page.body.contains(&wanted), "{stage:?}: {}", page.body);
    })
    .await;
}
