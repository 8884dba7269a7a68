//! Tests of exercise 10.4, whose answer is not in the book: `POST
//! /api/messages` of stage 10, for a caller whose token grants
//! `messages:write`. Run only by the exercises' checks, against a
//! learner's stage 10 (and by `verify`, against stage 10 with the
//! exercise's solution).

use axum::http::StatusCode;
use axum::http::header::WWW_AUTHENTICATE;
use mock_okta::{DEFAULT_SERVICE_CLIENT_ID, TokenRequest};
use serde_json::Value;
use stage_tests::{Stage, TestApp};

/// An access token of the app's mock for the built-in service client,
/// with `scope`.
fn token(app: &TestApp, scope: &str) -> String {
    let minted = app.okta.mint(&TokenRequest::new(DEFAULT_SERVICE_CLIENT_ID).scope(scope));
    minted.access_token.expect("an access token").token
}

/// The API's answer to a post of a message with `token`: its status, its
/// `WWW-Authenticate` challenge, and its body.
async fn post(app: &TestApp, token: Option<&str>) -> (StatusCode, String, Value) {
    let mut request = reqwest::Client::new()
        .post(app.at("/api/messages"))
        .json(&serde_json::json!({"text": "hi"}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.expect("the app answers");
    let status = answer.status();
    let challenge = answer.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
    let challenge = challenge.unwrap_or_default().to_string();
    (status, challenge, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_token_with_messages_write_posts_a_message() {
    let app = TestApp::start(Stage::Ten).await;
    let (status, _, body) = post(&app, Some(&token(&app, "messages:write"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_token_that_may_only_read_is_a_403_naming_the_scope_to_write() {
    let app = TestApp::start(Stage::Ten).await;
    let (status, challenge, body) = post(&app, Some(&token(&app, "messages:read"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(challenge, "Bearer error=\"insufficient_scope\", scope=\"messages:write\"");
    assert_eq!(body["error"], "insufficient_scope");
}

#[tokio::test]
async fn a_post_without_a_token_is_a_401() {
    let app = TestApp::start(Stage::Ten).await;
    let (status, challenge, _) = post(&app, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Bearer"), "{challenge}");
}
