//! Tests of exercise 7.7, whose answer is not in the book: `POST
//! /refresh` of stage 7, which refreshes the login's tokens now, when the
//! user asks, one refresh at a time as every other. Run only by the
//! exercises' checks, against a learner's stage 7 (and by `verify`,
//! against stage 7 with the exercise's solution).

use axum::http::StatusCode;
use stage_tests::{Stage, TestApp, assert_logged_in_as};

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
