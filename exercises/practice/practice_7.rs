//! Tests of exercises 7.7 and 7.8, whose answers are not in the book:
//! `GET /login-status` of stage 7, which says when the login's access
//! token expires and is refreshed, never the token; and `POST
//! /refresh` of stage 7, which refreshes the login's tokens now, when the
//! user asks, one refresh at a time as every other. Run only by the
//! exercises' checks, against a learner's stage 7 (and by `verify`,
//! against stage 7 with the exercise's solution).

use axum::http::StatusCode;
use mock_okta::{Fault, MockOkta};
use stage_tests::{Stage, TestApp, Timing, assert_logged_in_as};
use std::time::Duration;

/// The whole number in the element marked `attribute` of `body`.
fn number(body: &str, attribute: &str) -> u64 {
    let after = body.split(&format!("{attribute}>")).nth(1).unwrap_or_else(|| panic!("no {attribute}: {body}"));
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| panic!("no number in {attribute}: {body}"))
}

/// How many times the app traded a refresh token at the mock.
fn refreshes(app: &TestApp) -> usize {
    let requests = app.okta.requests_to("/v1/token");
    requests.iter().filter(|r| r.param("grant_type") == Some("refresh_token")).count()
}

#[tokio::test]
async fn a_refresh_asked_for_is_made_now_and_the_user_stays_logged_in() {
    let app = TestApp::start(Stage::Seven).await;
    app.log_in_as_alice("/user").await;
    assert_eq!(refreshes(&app), 0, "not due for an hour");
    let answer = app.browser.post_form(&app.at("/refresh"), &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = app.browser.follow(answer).await;
    assert_eq!(page.url.path(), "/user");
    assert_logged_in_as(&page, "alice@example.com", Stage::Seven);
    assert_eq!(refreshes(&app), 1);
    // The new tokens are kept: the next page asks Okta nothing.
    app.browser.get(&app.at("/user")).await;
    assert_eq!(refreshes(&app), 1);
}

#[tokio::test]
async fn a_stranger_asking_for_a_refresh_is_sent_to_the_login() {
    let app = TestApp::start(Stage::Seven).await;
    let answer = app.browser.post_form(&app.at("/refresh"), &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let to = answer.location().map(|l| l.path().to_string());
    assert_eq!(to.as_deref(), Some("/login/okta"));
    assert!(app.okta.requests_to("/v1/token").is_empty());
}

#[tokio::test]
async fn the_login_status_says_when_the_token_expires_and_is_refreshed_never_the_token() {
    // Tokens of 8 s, so that the test sees one refreshed (at three quarters).
    let lifetime = Fault::AccessTokenLifetime(Duration::from_secs(8));
    let okta = MockOkta::builder().fault(lifetime).start().await.expect("the mock");
    let app = TestApp::start_with(Stage::Seven, okta, Timing::default(), &[]).await;
    app.log_in_as_alice("/user").await;
    let page = app.browser.get(&app.at("/login-status")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let expires_in = number(&page.body, "data-expires-in");
    let refresh_in = number(&page.body, "data-refresh-in");
    assert!((6..=8).contains(&expires_in), "{}", page.body);
    assert!((4..=6).contains(&refresh_in) && refresh_in < expires_in, "{}", page.body);
    assert!(!page.body.contains("eyJ"), "a token on the page: {}", page.body);
    // Once the token is due, the guard refreshes it first: the page shows
    // the new token's times.
    tokio::time::sleep(Duration::from_millis(6200)).await;
    let page = app.browser.get(&app.at("/login-status")).await;
    assert_eq!(refreshes(&app), 1, "{}", page.body);
    assert!(number(&page.body, "data-expires-in") >= 6, "{}", page.body);
}

#[tokio::test]
async fn a_stranger_asking_for_the_login_status_is_sent_to_the_login() {
    let app = TestApp::start(Stage::Seven).await;
    let answer = app.browser.get(&app.at("/login-status")).await;
    let to = answer.location().map(|l| l.path().to_string());
    assert_eq!(to.as_deref(), Some("/login/okta"), "{} {}", answer.status, answer.body);
}
