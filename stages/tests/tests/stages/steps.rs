//! One step of a lesson at a time: each test needs only its own piece of a
//! stage to work, where the other tests need a whole login. The workbook's
//! exercises (`exercises/exercises.toml`) are done in order, and these
//! tell an exercise done while the ones after it are still to do.

use axum::http::StatusCode;
use base64::Engine;
use mock_okta::Browser;
use stage_tests::{
    ALICE, CLIENT_ID, OPENID, PROTECTING, STAGES, Stage, TestApp, assert_logged_in_as, each_stage,
    session_cookie,
};

/// A query parameter of `url`.
fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

/// The name of the cookie a login with `state` waits in.
fn attempt_cookie(app: &TestApp, state: &str) -> String {
    format!("{}_login_{state}", session_cookie(&app.url))
}

#[tokio::test]
async fn the_login_sends_okta_a_s256_challenge_and_a_fresh_state_kept_in_a_cookie() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let mut seen = Vec::new();
        for _ in 0..2 {
            let start = app.browser.get(&app.at("/login/okta")).await;
            let to_okta = start.location().expect("/login/okta redirects");
            let authorize = format!("{}/v1/authorize?", app.okta.issuer());
            assert!(to_okta.as_str().starts_with(&authorize), "{stage:?}: sent to {to_okta}");
            assert_eq!(param(&to_okta, "response_type").as_deref(), Some("code"), "{stage:?}");
            assert_eq!(param(&to_okta, "client_id").as_deref(), Some(CLIENT_ID), "{stage:?}");
            let redirect_uri = param(&to_okta, "redirect_uri");
            assert_eq!(redirect_uri, Some(app.at("/login/okta/authorized")), "{stage:?}");
            let scope = param(&to_okta, "scope").unwrap_or_default();
            assert!(scope.split(' ').any(|s| s == "openid"), "{stage:?}: scope {scope:?}");
            assert_eq!(param(&to_okta, "code_challenge_method").as_deref(), Some("S256"));
            // A SHA-256 hash, base64url without padding: 43 characters.
            let challenge = param(&to_okta, "code_challenge").expect("a PKCE challenge");
            let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&challenge);
            assert!(decoded.is_ok_and(|hash| hash.len() == 32), "{stage:?}: {challenge:?}");
            let state = param(&to_okta, "state").expect("a state");
            // The login waits in a cookie named after its state, sent back to
            // the callback only, and sealed: the challenge is not readable.
            let name = attempt_cookie(&app, &state);
            let cookie = start.set_cookie(&name).unwrap_or_else(|| {
                panic!("{stage:?}: no cookie {name} for this login: {:?}", start.set_cookies())
            });
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("Path=/login/okta;"),
                "{stage:?}: {cookie}"
            );
            assert!(!cookie.contains(&challenge), "{stage:?}: the attempt is readable");
            seen.push((state, challenge));
        }
        assert_ne!(seen[0].0, seen[1].0, "{stage:?}: the state is reused");
        assert_ne!(seen[0].1, seen[1].1, "{stage:?}: the PKCE challenge is reused");
    })
    .await;
}

#[tokio::test]
async fn the_code_is_traded_with_the_verifier_whose_challenge_went_to_okta() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let callback = app.callback_url().await;
        let state = param(&callback, "state").expect("a state");
        let name = attempt_cookie(&app, &state);
        let attempt = app.browser.cookie("127.0.0.1", &name).expect("the login's cookie");
        // What the app does after the token request is not this test's
        // business: the callback is sent, and its answer, if any, ignored.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with no TLS settings to load always builds");
        let cookie = format!("{name}={attempt}");
        let _ = http.get(callback.as_str()).header("cookie", cookie).send().await;

        let asked = app.okta.requests_to("/v1/authorize");
        let asked = asked.iter().find(|r| r.method == "GET").expect("the login went to Okta");
        let traded = app.okta.requests_to("/v1/token");
        assert_eq!(traded.len(), 1, "{stage:?}: the code was not traded once");
        assert_eq!(traded[0].param("code"), param(&callback, "code").as_deref(), "{stage:?}");
        let verifier = traded[0].param("code_verifier").expect("a PKCE verifier");
        let hashed = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hashed);
        assert_eq!(
            asked.param("code_challenge"),
            Some(challenge.as_str()),
            "{stage:?}: the verifier is not the one whose challenge went to Okta"
        );
    })
    .await;
}

#[tokio::test]
async fn stage_3_a_stranger_is_sent_to_the_login_and_a_logged_in_user_sees_each_checked_page() {
    let app = TestApp::start(Stage::Three).await;
    for path in ["/", "/user"] {
        let page = Browser::new().get(&app.at(path)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let to = page.location().map(|l| l.path().to_string());
        assert_eq!(to.as_deref(), Some("/login/okta"), "{path}");
    }
    // Logged in from the login link itself, with no page to come back to.
    app.browser.log_in(&app.at("/login/okta"), ALICE.0, ALICE.1).await;
    for path in ["/", "/user"] {
        let page = app.browser.get(&app.at(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_logged_in_as(&page, "alice@example.com", path);
    }
}

#[tokio::test]
async fn a_local_next_given_to_the_login_is_where_the_user_lands() {
    each_stage(&PROTECTING, |stage| async move {
        for next in ["/user?tab=1", "/members"] {
            let app = TestApp::start(stage).await;
            let mut start = url::Url::parse(&app.at("/login/okta")).expect("a URL");
            start.query_pairs_mut().append_pair("next", next);
            let page = app.browser.log_in(start.as_str(), ALICE.0, ALICE.1).await;
            assert_eq!(page.url.as_str(), app.at(next), "{stage:?}: next={next}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_next_of_1024_bytes_is_where_the_user_lands_and_a_longer_one_is_ignored() {
    each_stage(&PROTECTING, |stage| async move {
        // 1,024 bytes keep the login attempt's cookie well under the 4,096
        // a browser keeps; one byte more, and the user lands on `/`.
        for (bytes, kept) in [(1024, true), (1025, false)] {
            let app = TestApp::start(stage).await;
            let next = format!("/user?q={}", "a".repeat(bytes - "/user?q=".len()));
            let mut start = url::Url::parse(&app.at("/login/okta")).expect("a URL");
            start.query_pairs_mut().append_pair("next", &next);
            let page = app.browser.log_in(start.as_str(), ALICE.0, ALICE.1).await;
            let landed = if kept { app.at(&next) } else { app.at("/") };
            assert_eq!(page.url.as_str(), landed, "{stage:?}: a next of {bytes} bytes");
        }
    })
    .await;
}

#[tokio::test]
async fn stage_4_a_stranger_reaches_the_login_routes() {
    let app = TestApp::start(Stage::Four).await;
    let stranger = Browser::new();
    let start = stranger.get(&app.at("/login/okta")).await;
    let to = start.location();
    assert!(
        to.as_ref().is_some_and(|l| l.as_str().starts_with(app.okta.issuer())),
        "/login/okta sent a stranger to {to:?}, not to Okta"
    );
    let callback = stranger.get(&app.at("/login/okta/authorized?code=x&state=y")).await;
    assert_eq!(callback.status, StatusCode::BAD_REQUEST, "the callback answers a stranger itself");
}

#[tokio::test]
async fn the_login_sends_okta_a_fresh_nonce_and_keeps_it_sealed_in_its_cookie() {
    each_stage(&OPENID, |stage| async move {
        let app = TestApp::start(stage).await;
        let mut nonces = Vec::new();
        for _ in 0..2 {
            let start = app.browser.get(&app.at("/login/okta")).await;
            let to_okta = start.location().expect("/login/okta redirects");
            let nonce = param(&to_okta, "nonce").expect("a nonce");
            assert!(nonce.len() >= 22, "{stage:?}: a nonce of {} characters", nonce.len());
            let state = param(&to_okta, "state").expect("a state");
            let cookie = start.set_cookie(&attempt_cookie(&app, &state)).expect("the attempt");
            assert!(!cookie.contains(&nonce), "{stage:?}: the nonce is readable");
            nonces.push(nonce);
        }
        assert_ne!(nonces[0], nonces[1], "{stage:?}: the nonce is reused");
    })
    .await;
}
