//! Tests of exercises 2.5 and 2.6, whose answers are not in the book:
//! `GET /login/okta/again`, a login that has Okta ask for the password
//! again (`prompt=login`); and, when Okta
//! answers a login with `error=temporarily_unavailable` (RFC 6749
//! §4.1.2.1), stage 2 shows a 503 page that says to try again, not the
//! 502 of any other error. Run only by the exercises' checks, against a
//! learner's stage 2 (and by `verify`, against stage 2 with the
//! exercise's solution).

use axum::http::StatusCode;
use mock_okta::Page;
use stage_tests::{Stage, TestApp};

/// Starts a login, and comes back to the app's callback with its state
/// and Okta's `error`, as Okta would, without going to Okta.
async fn callback_with_error(app: &TestApp, error: &str) -> Page {
    let to_okta = app.browser.get(&app.at("/login/okta")).await;
    let authorize = to_okta.location().expect("/login/okta redirects to Okta");
    let state = authorize.query_pairs().find(|(name, _)| name == "state").expect("a state").1;
    let mut back = url::Url::parse(&app.at("/login/okta/authorized")).expect("a URL");
    back.query_pairs_mut()
        .append_pair("state", &state)
        .append_pair("error", error)
        .append_pair("error_description", "Okta says so.");
    app.browser.get(back.as_str()).await
}

#[tokio::test]
async fn okta_temporarily_unavailable_is_a_503_page_that_says_to_try_again() {
    let app = TestApp::start(Stage::Two).await;
    let page = callback_with_error(&app, "temporarily_unavailable").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("data-error=\"okta-busy\""), "{}", page.body);
    assert!(page.body.contains("Try again in a moment"), "{}", page.body);
    assert!(app.okta.requests_to("/v1/token").is_empty(), "no token is asked for");
}

#[tokio::test]
async fn another_error_from_okta_is_still_a_502() {
    let app = TestApp::start(Stage::Two).await;
    let page = callback_with_error(&app, "invalid_request").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    assert!(page.body.contains("data-error=\"okta-error\""), "{}", page.body);
}

#[tokio::test]
async fn a_login_again_asks_for_the_password_even_while_okta_remembers_the_user() {
    let app = TestApp::start(Stage::Two).await;
    app.log_in_as_alice("/").await;
    // The mock remembers alice, as Okta does: a plain login skips its form.
    let again = app.browser.open(&app.at("/login/okta")).await;
    assert!(!again.is_login_page(), "Okta remembers alice: {}", again.body);
    let page = app.browser.open(&app.at("/login/okta/again")).await;
    assert!(page.is_login_page(), "asked for the password again: {} {}", page.status, page.body);
    let asked = app.okta.requests_to("/v1/authorize");
    let last = asked.last().expect("an authorize request");
    assert_eq!(last.param("prompt"), Some("login"));
    assert!(last.param("state").is_some() && last.param("code_challenge").is_some());
    // And the login it starts completes, as any other.
    let back = app.browser.submit_login(&page, "login", "alice@example.com", "alice-password").await;
    assert!(back.body.contains("You are logged in as alice@example.com"), "{}", back.body);
}
