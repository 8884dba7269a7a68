//! Okta's token shapes: the ID token the token endpoint answers is thin,
//! userinfo has the rest of the profile, and `at_hash` ties the ID token to
//! its access token.

use crate::helpers::*;
use base64::Engine;
use mock_okta::{Browser, MockOkta, User};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CAROL: (&str, &str) = ("carol@example.com", "carol-password");

/// A mock that knows carol, with a profile claim and an always-claim.
async fn okta_with_carol() -> MockOkta {
    let carol = User::new(CAROL.0, "Carol Example", CAROL.1)
        .claim("department", json!("Finance"))
        .id_token_claim("employee_id", json!("E-7"));
    MockOkta::builder()
        .user(carol)
        .start()
        .await
        .expect("start")
}

/// Carol's token response for these scopes.
async fn carol_tokens(okta: &MockOkta, scope: &str) -> Value {
    let url = authorize_url(okta, &[("scope", scope)]);
    let back = sign_in(&Browser::new(), &url, CAROL).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let (status, tokens) = exchange(okta, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

#[tokio::test]
async fn the_id_token_from_the_token_endpoint_is_thin_as_oktas() {
    let okta = okta_with_carol().await;
    let tokens = carol_tokens(&okta, "openid profile email").await;
    let id = verify_with_jwks(&okta, field(&tokens, "id_token"))
        .await
        .expect("signed");
    assert_eq!(
        (&id["name"], &id["preferred_username"], &id["email"]),
        (&json!("Carol Example"), &json!(CAROL.0), &json!(CAROL.0))
    );
    assert_eq!(id["employee_id"], "E-7", "a claim set to be always in it");
    for absent in [
        "given_name",
        "family_name",
        "locale",
        "zoneinfo",
        "email_verified",
        "department",
    ] {
        assert!(
            id.get(absent).is_none(),
            "{absent} in the thin ID token: {id}"
        );
    }
    let info: Value = userinfo(&okta, field(&tokens, "access_token"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(info["sub"], id["sub"]);
    assert_eq!(
        (
            &info["given_name"],
            &info["family_name"],
            &info["email_verified"]
        ),
        (&json!("Carol"), &json!("Example"), &json!(true))
    );
    assert_eq!(
        (&info["department"], &info["employee_id"]),
        (&json!("Finance"), &json!("E-7"))
    );
}

#[tokio::test]
async fn scope_claims_follow_the_scopes_and_always_claims_do_not() {
    let okta = okta_with_carol().await;
    let tokens = carol_tokens(&okta, "openid").await;
    let id = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
    for absent in ["name", "preferred_username", "email"] {
        assert!(id.get(absent).is_none(), "{absent} without its scope: {id}");
    }
    assert_eq!(id["employee_id"], "E-7");
    let info: Value = userinfo(&okta, field(&tokens, "access_token"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        names(&info),
        ["employee_id", "groups", "sub"],
        "and the groups claim"
    );
}

#[tokio::test]
async fn at_hash_is_the_left_half_of_the_access_tokens_sha256() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let id = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        field(&tokens, "access_token").as_bytes(),
    );
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]);
    assert_eq!(id["at_hash"], expected);
}

#[tokio::test]
async fn a_refreshed_id_token_is_thin_and_keeps_the_logins_auth_time() {
    let okta = MockOkta::start().await.expect("start");
    let first = tokens(&okta).await;
    let login = mock_okta::decode_claims(field(&first, "id_token")).expect("claims");
    okta.advance(std::time::Duration::from_secs(600));
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", field(&first, "refresh_token")),
    ];
    let (status, refreshed) = post(&okta, "/v1/token", &form).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let id = verify_with_jwks(&okta, field(&refreshed, "id_token"))
        .await
        .expect("signed");
    assert_eq!(id["auth_time"], login["auth_time"], "the same login");
    assert_eq!(id["email"], "alice@example.com");
    assert!(id.get("given_name").is_none(), "{id}");
    assert!(id.get("nonce").is_none(), "no nonce on a refresh: {id}");
}
