//! Strict at every HTTP edge: what the recorder keeps of a request, and
//! the status it notes.

use crate::helpers::control;
use mock_okta::{DEFAULT_CLIENT_ID, Fault, MockOkta, RECORDED_BYTES};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

// --- The recorder ---------------------------------------------------------

#[tokio::test]
async fn a_recorded_request_carries_the_status_the_mock_answered() {
    let okta = MockOkta::start().await.expect("starts");
    let discovery = format!("{}/.well-known/openid-configuration", okta.issuer());
    reqwest::get(&discovery).await.expect("an answer");
    reqwest::get(format!("{}/v1/nothing", okta.issuer()))
        .await
        .expect("an answer");
    let token = format!("{}/v1/token", okta.issuer());
    let refused = reqwest::Client::new()
        .post(&token)
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "no client");

    let statuses: Vec<_> = okta.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Some(StatusCode::OK),
            Some(StatusCode::NOT_FOUND),
            Some(StatusCode::UNAUTHORIZED)
        ]
    );
    let (_, listed) = control(&okta, Method::GET, "/requests", "").await;
    let shown: Vec<&Value> = listed["requests"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(shown, [200, 404, 401]);
    assert_eq!(listed["requests"][0]["cut_bytes"], 0, "kept whole");
}

#[tokio::test]
async fn a_slow_request_is_recorded_before_it_is_answered_and_its_status_after() {
    let okta = MockOkta::builder()
        .fault(Fault::TokenSlow(Duration::from_secs(2)))
        .start()
        .await
        .expect("starts");
    let token = format!("{}/v1/token", okta.issuer());
    let slow = tokio::spawn(
        reqwest::Client::new()
            .post(token)
            .form(&[("grant_type", "client_credentials")])
            .send(),
    );
    let waiting = Instant::now();
    while okta.requests_to("/v1/token").is_empty() {
        assert!(waiting.elapsed() < Duration::from_secs(10), "never arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(okta.requests_to("/v1/token")[0].status, None, "in flight");
    let answer = slow.await.expect("joins").expect("an answer");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        okta.requests_to("/v1/token")[0].status,
        Some(StatusCode::UNAUTHORIZED)
    );
}

#[tokio::test]
async fn a_large_request_is_recorded_cut_to_the_bound_and_says_so() {
    let okta = MockOkta::start().await.expect("starts");
    let state = "s".repeat(50_000);
    let url = format!(
        "{}/v1/authorize?client_id={DEFAULT_CLIENT_ID}&state={state}",
        okta.issuer()
    );
    let answer = reqwest::Client::new()
        .get(url)
        .header("x-padding", "p".repeat(300_000))
        .send()
        .await
        .expect("an answer");
    let status = answer.status();

    let recorded = okta.requests().pop().expect("recorded");
    assert_eq!(recorded.status, Some(status));
    assert_eq!(
        recorded.param("client_id"),
        Some(DEFAULT_CLIENT_ID),
        "whole"
    );
    let kept_state = recorded.param("state").expect("kept, cut");
    assert!(kept_state.ends_with(" bytes]"), "{}", &kept_state[..80]);
    assert!(kept_state.len() < RECORDED_BYTES, "{}", kept_state.len());
    let padding = recorded.headers["x-padding"].to_str().expect("ASCII");
    assert!(padding.contains("...[cut "), "{}", &padding[..80]);
    assert!(recorded.cut_bytes > 340_000, "{}", recorded.cut_bytes);

    let (_, listed) = control(&okta, Method::GET, "/requests", "").await;
    let shown = &listed["requests"][0];
    assert_eq!(shown["cut_bytes"], recorded.cut_bytes);
    assert_eq!(shown["query"]["state"], kept_state);
    assert_eq!(shown["status"], status.as_u16());
}
