//! The mock's clock: moved forward, codes, tokens and logins expire as if
//! that time had passed, and new tokens are dated by it.

use crate::helpers::*;
use mock_okta::{Browser, MockOkta};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, UNIX_EPOCH};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test]
async fn a_code_lives_five_minutes_as_okta_documents() {
    let okta = MockOkta::start().await.expect("start");
    let fresh = code(&okta, &[]).await;
    okta.advance(4 * MINUTE + Duration::from_secs(50));
    assert_eq!(
        exchange(&okta, &fresh, Some(VERIFIER)).await.0,
        StatusCode::OK,
        "a code of 4 min 50 s"
    );
    let stale = code(&okta, &[]).await;
    okta.advance(5 * MINUTE + Duration::from_secs(1));
    let (status, body) = exchange(&okta, &stale, Some(VERIFIER)).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
}

#[tokio::test]
async fn an_access_token_expires_when_the_clock_passes_its_hour() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let access = field(&tokens, "access_token");
    okta.advance(HOUR - MINUTE);
    assert_eq!(userinfo(&okta, access).await.status(), StatusCode::OK);
    okta.advance(2 * MINUTE);
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, info) = post(&okta, "/v1/introspect", &[("token", access)]).await;
    assert_eq!(info, json!({ "active": false }));
}

#[tokio::test]
async fn tokens_issued_after_a_move_are_dated_by_the_mocks_clock() {
    let okta = MockOkta::start().await.expect("start");
    okta.advance(3 * DAY);
    let tokens = tokens(&okta).await;
    let now = okta
        .now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    for name in ["id_token", "access_token"] {
        let claims = mock_okta::decode_claims(field(&tokens, name)).expect("claims");
        let iat = claims["iat"].as_u64().expect("iat");
        assert!(
            now.abs_diff(iat) <= 2,
            "{name}: iat {iat}, the mock's now {now}"
        );
        assert_eq!(claims["exp"].as_u64(), Some(iat + 3600), "{name}");
    }
}

#[tokio::test]
async fn a_refresh_token_expires_after_ninety_days() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", field(&tokens, "refresh_token")),
    ];
    okta.advance(89 * DAY);
    assert_eq!(post(&okta, "/v1/token", &refresh).await.0, StatusCode::OK);
    okta.advance(2 * DAY);
    let (status, body) = post(&okta, "/v1/token", &refresh).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
}

#[tokio::test]
async fn the_mocks_own_login_ends_after_two_hours() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    okta.advance(HOUR);
    let again = browser.get(&authorize_url(&okta, &[])).await;
    assert!(
        param(&redirect_params(&again), "code").is_some(),
        "still logged in"
    );
    okta.advance(HOUR + MINUTE);
    assert!(
        browser
            .get(&authorize_url(&okta, &[]))
            .await
            .is_login_page(),
        "the login ended: the form again"
    );
}
