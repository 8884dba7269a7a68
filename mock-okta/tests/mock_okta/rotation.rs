//! Refresh-token rotation as Okta does it: a lost answer, two refreshes at
//! once, and a token two generations old.

use crate::helpers::*;
use mock_okta::{Fault, MockOkta};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn rotating(grace: Duration) -> MockOkta {
    MockOkta::builder()
        .fault(Fault::RefreshTokenRotation(grace))
        .start()
        .await
        .expect("start")
}

fn refused(answer: &(StatusCode, Value)) -> bool {
    (answer.0, &answer.1["error"]) == (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
}

#[tokio::test]
async fn a_lost_refresh_answer_without_grace_ends_the_grant_when_the_old_token_comes_back() {
    let okta = rotating(Duration::ZERO).await;
    let first = tokens(&okta).await;
    okta.set_fault(Fault::TokenConnectionClosed);
    let lost = send_refresh(&okta, field(&first, "refresh_token")).await;
    assert!(lost.text().await.is_err(), "the answer is lost");
    okta.clear_fault(&Fault::TokenConnectionClosed);

    let retry = refresh(&okta, field(&first, "refresh_token")).await;
    assert!(
        refused(&retry),
        "the rotated token, presented again: {retry:?}"
    );
    let access = field(&first, "access_token");
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, info) = post(&okta, "/v1/introspect", &[("token", access)]).await;
    assert_eq!(
        info,
        json!({ "active": false }),
        "revoked at introspection too"
    );
}

#[tokio::test]
async fn a_lost_refresh_answer_within_the_grace_period_gets_the_new_token_again() {
    let okta = rotating(Duration::from_secs(30)).await;
    let first = tokens(&okta).await;
    let old = field(&first, "refresh_token");
    okta.set_fault(Fault::TokenConnectionClosed);
    let lost = send_refresh(&okta, old).await;
    assert!(lost.text().await.is_err(), "the answer is lost");
    okta.clear_fault(&Fault::TokenConnectionClosed);

    okta.advance(Duration::from_secs(29));
    let (status, recovered) = refresh(&okta, old).await;
    assert_eq!(status, StatusCode::OK, "{recovered}");
    let new = field(&recovered, "refresh_token");
    assert_ne!(new, old);
    okta.advance(Duration::from_secs(60));
    let (status, next) = refresh(&okta, new).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the recovered token goes on: {next}"
    );
}

#[tokio::test]
async fn two_refreshes_at_once_without_grace_end_the_grant_as_oktas_reuse_detection_does() {
    let okta = rotating(Duration::ZERO).await;
    let first = tokens(&okta).await;
    let old = field(&first, "refresh_token");
    let (a, b) = tokio::join!(refresh(&okta, old), refresh(&okta, old));
    let (won, lost) = if a.0 == StatusCode::OK {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(won.0, StatusCode::OK, "one rotates: {won:?}");
    assert!(refused(&lost), "the other is a reuse: {lost:?}");
    let new = field(&won.1, "refresh_token");
    assert!(
        refused(&refresh(&okta, new).await),
        "its new token is revoked too"
    );
}

#[tokio::test]
async fn two_refreshes_at_once_within_the_grace_period_get_the_same_new_token() {
    let okta = rotating(Duration::from_secs(10)).await;
    let first = tokens(&okta).await;
    let old = field(&first, "refresh_token");
    let answers = at_once(&okta, old, 8).await;
    let news: Vec<&str> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            field(body, "refresh_token")
        })
        .collect();
    assert!(news.iter().all(|n| *n == news[0]), "one rotation: {news:?}");
    assert_eq!(refresh(&okta, news[0]).await.0, StatusCode::OK);
}

/// A refresh with `token` at `issuer`, as it comes: its body not read yet.
async fn send_refresh_to(issuer: &str, token: &str) -> reqwest::Response {
    let form = [
        ("client_id", mock_okta::DEFAULT_CLIENT_ID),
        ("client_secret", mock_okta::DEFAULT_CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
    ];
    reqwest::Client::new()
        .post(format!("{issuer}/v1/token"))
        .form(&form)
        .send()
        .await
        .expect("the status arrives")
}

async fn send_refresh(okta: &MockOkta, token: &str) -> reqwest::Response {
    send_refresh_to(okta.issuer(), token).await
}

/// `n` refreshes with one token, at once.
async fn at_once(okta: &MockOkta, token: &str, n: usize) -> Vec<(StatusCode, Value)> {
    let mut refreshes = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (issuer, token) = (okta.issuer().to_string(), token.to_string());
        refreshes.spawn(async move {
            let answer = send_refresh_to(&issuer, &token).await;
            (answer.status(), answer.json().await.expect("JSON"))
        });
    }
    refreshes.join_all().await
}

#[tokio::test]
async fn a_token_two_generations_old_is_a_reuse_even_within_the_grace_period() {
    let okta = rotating(Duration::from_secs(60)).await;
    let first = tokens(&okta).await;
    let r0 = field(&first, "refresh_token");
    let (_, second) = refresh(&okta, r0).await;
    let r1 = field(&second, "refresh_token");
    let (status, third) = refresh(&okta, r1).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert!(
        refused(&refresh(&okta, r0).await),
        "r0's successor was replaced"
    );
    assert!(refused(
        &refresh(&okta, field(&third, "refresh_token")).await
    ));
}

#[tokio::test]
async fn a_rotated_token_keeps_the_first_ones_expiry() {
    let okta = rotating(Duration::ZERO).await;
    let first = tokens(&okta).await;
    okta.advance(Duration::from_secs(80 * 24 * 3600));
    let (status, second) = refresh(&okta, field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    okta.advance(Duration::from_secs(11 * 24 * 3600));
    assert!(
        refused(&refresh(&okta, field(&second, "refresh_token")).await),
        "91 days after the login, the rotated token has expired too"
    );
}

/// Whether introspection says `token` is active.
async fn active(okta: &MockOkta, token: &str) -> bool {
    let (status, info) = post(okta, "/v1/introspect", &[("token", token)]).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    info["active"].as_bool().expect("active is a boolean")
}

/// Introspection agrees with the token endpoint: a replaced refresh token
/// is active while it can still be presented (Okta: "the previous token
/// remains valid for the configured amount of time"), inactive after.
#[tokio::test]
async fn a_rotated_token_is_active_at_introspection_during_its_grace_period_only() {
    let okta = rotating(Duration::from_secs(30)).await;
    let first = tokens(&okta).await;
    let old = field(&first, "refresh_token");
    let (status, second) = refresh(&okta, old).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let new = field(&second, "refresh_token");
    assert!(active(&okta, old).await, "within the grace period");
    okta.advance(Duration::from_secs(31));
    assert!(!active(&okta, old).await, "past the grace period");
    assert!(active(&okta, new).await, "its successor");
    assert!(
        refused(&refresh(&okta, old).await),
        "as the token endpoint says"
    );

    let without_grace = rotating(Duration::ZERO).await;
    let first = tokens(&without_grace).await;
    let old = field(&first, "refresh_token");
    assert_eq!(refresh(&without_grace, old).await.0, StatusCode::OK);
    assert!(
        !active(&without_grace, old).await,
        "no grace: inactive at once"
    );
}

/// A refresh sent by a client that gives up after 300 ms, while
/// `token-slow-after-issue` holds the answer back for 5 s.
async fn refresh_given_up(okta: &MockOkta, token: &str) {
    okta.set_fault(Fault::TokenSlowAfterIssue(Duration::from_secs(5)));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("a client");
    let form = [
        ("client_id", mock_okta::DEFAULT_CLIENT_ID),
        ("client_secret", mock_okta::DEFAULT_CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
    ];
    let answer = impatient
        .post(format!("{}/v1/token", okta.issuer()))
        .form(&form)
        .send()
        .await;
    assert!(
        answer.as_ref().is_err_and(reqwest::Error::is_timeout),
        "the client gave up: {answer:?}"
    );
    okta.clear_fault(&Fault::TokenSlowAfterIssue(Duration::ZERO));
}

/// `token-slow-after-issue` answers late after the rotation is done: the
/// app that timed out has lost its refresh token, and presenting it again
/// past the grace period is a reuse that ends the grant.
#[tokio::test]
async fn a_refresh_answer_too_slow_to_wait_for_has_rotated_the_token_already() {
    let okta = rotating(Duration::ZERO).await;
    let first = tokens(&okta).await;
    refresh_given_up(&okta, field(&first, "refresh_token")).await;
    assert!(
        refused(&refresh(&okta, field(&first, "refresh_token")).await),
        "rotated before the answer was sent"
    );
    assert_eq!(
        userinfo(&okta, field(&first, "access_token"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the grant is revoked"
    );
}

/// The way through the race: a retry within the grace period gets the new
/// token the lost answer carried.
#[tokio::test]
async fn a_retry_within_the_grace_period_survives_an_answer_too_slow_to_wait_for() {
    let okta = rotating(Duration::from_secs(30)).await;
    let first = tokens(&okta).await;
    let old = field(&first, "refresh_token");
    refresh_given_up(&okta, old).await;
    let (status, retried) = refresh(&okta, old).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    let new = field(&retried, "refresh_token");
    assert_ne!(new, old);
    okta.advance(Duration::from_secs(31));
    assert_eq!(
        refresh(&okta, new).await.0,
        StatusCode::OK,
        "the new one goes on"
    );
}

#[tokio::test]
async fn the_library_counts_a_user_s_live_refresh_tokens() {
    let okta = rotating(Duration::ZERO).await;
    assert_eq!(okta.live_refresh_tokens("alice@example.com"), 0);
    let first = tokens(&okta).await;
    assert_eq!(okta.live_refresh_tokens("alice@example.com"), 1);
    let (status, _) = refresh(&okta, field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        okta.live_refresh_tokens("alice@example.com"),
        1,
        "the rotated one is not"
    );
    let second = tokens(&okta).await;
    assert_eq!(
        okta.live_refresh_tokens("alice@example.com"),
        2,
        "two logins"
    );
    let revoked = post(
        &okta,
        "/v1/revoke",
        &[("token", field(&second, "refresh_token"))],
    )
    .await;
    assert_eq!(revoked.0, StatusCode::OK);
    assert_eq!(okta.live_refresh_tokens("alice@example.com"), 1);
    assert_eq!(okta.live_refresh_tokens("nobody@example.com"), 0);
}
