//! Every fault bites where its documentation says, and only while it is on.

mod common;

use common::*;
use mock_okta::{Browser, Fault, MockOkta};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

#[tokio::test]
async fn consent_faults_end_the_login_in_access_denied() {
    let okta = MockOkta::start().await.expect("start");
    for (fault, description) in [
        (Fault::DenyConsent, "User denied access."),
        (
            Fault::UserNotAssigned,
            "User is not assigned to the client application.",
        ),
    ] {
        okta.set_fault(fault.clone());
        let back = sign_in(&Browser::new(), &authorize_url(&okta, &[]), ALICE).await;
        let params = redirect_params(&back);
        assert_eq!(
            param(&params, "error").as_deref(),
            Some("access_denied"),
            "{fault}"
        );
        assert_eq!(
            param(&params, "error_description").as_deref(),
            Some(description)
        );
        okta.clear_faults();
    }
    code(&okta, &[]).await;
}

#[tokio::test]
async fn token_endpoint_faults_replace_its_answer() {
    let okta = MockOkta::start().await.expect("start");
    let cases = [
        (
            Fault::TokenInvalidGrant,
            StatusCode::BAD_REQUEST,
            Some("invalid_grant"),
        ),
        (
            Fault::Token500,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("server_error"),
        ),
        (
            Fault::Token503,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("temporarily_unavailable"),
        ),
        (Fault::TokenMalformedJson, StatusCode::OK, None),
    ];
    for (fault, status, error) in cases {
        let code = code(&okta, &[]).await;
        okta.set_fault(fault.clone());
        let (got, body) = exchange(&okta, &code, Some(VERIFIER)).await;
        assert_eq!(got, status, "{fault}");
        match error {
            Some(error) => assert_eq!(body["error"], error, "{fault}"),
            None => assert!(
                body.is_string(),
                "{fault}: the body must not be JSON: {body}"
            ),
        }
        okta.clear_fault(&fault);
    }
    tokens(&okta).await;
}

#[tokio::test]
async fn a_slow_token_endpoint_waits_then_answers() {
    let okta = MockOkta::builder()
        .fault(Fault::TokenSlow(Duration::from_millis(300)))
        .start()
        .await
        .expect("start");
    let code = code(&okta, &[]).await;
    let started = Instant::now();
    assert_eq!(
        exchange(&okta, &code, Some(VERIFIER)).await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn short_lived_access_tokens_expire() {
    let okta = MockOkta::builder()
        .fault(Fault::AccessTokenLifetime(Duration::from_secs(1)))
        .start()
        .await
        .expect("start");
    let tokens = tokens(&okta).await;
    assert_eq!(tokens["expires_in"], 1);
    let access = tokens["access_token"].as_str().expect("a token");
    assert_eq!(userinfo(&okta, access).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn userinfo_401_rejects_even_a_good_token() {
    let okta = MockOkta::start().await.expect("start");
    let access = tokens(&okta).await["access_token"]
        .as_str()
        .expect("a token")
        .to_string();
    okta.set_fault(Fault::UserinfoUnauthorized);
    let answer = userinfo(&okta, &access).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert!(
        answer.headers()["www-authenticate"]
            .to_str()
            .expect("ASCII")
            .contains("invalid_token")
    );
}

async fn id_token_with(fault: Fault) -> (MockOkta, Value, String) {
    let okta = MockOkta::builder()
        .fault(fault)
        .start()
        .await
        .expect("start");
    let id_token = tokens(&okta).await["id_token"]
        .as_str()
        .expect("an ID token")
        .to_string();
    let claims = mock_okta::decode_claims(&id_token).expect("claims");
    (okta, claims, id_token)
}

#[tokio::test]
async fn id_token_claim_faults() {
    let (okta, claims, _) = id_token_with(Fault::IdTokenWrongIssuer).await;
    assert_ne!(claims["iss"], okta.issuer());
    let (_, claims, _) = id_token_with(Fault::IdTokenWrongAudience).await;
    assert_ne!(claims["aud"], mock_okta::DEFAULT_CLIENT_ID);
    for (fault, claim) in [
        (Fault::IdTokenMissingAudience, "aud"),
        (Fault::IdTokenMissingSubject, "sub"),
        (Fault::IdTokenMissingIssuedAt, "iat"),
    ] {
        let (_, claims, _) = id_token_with(fault.clone()).await;
        assert!(claims.get(claim).is_none(), "{fault}: {claims}");
    }
    let (_, claims, _) = id_token_with(Fault::IdTokenWrongNonce).await;
    assert!(claims["nonce"].is_string() && claims["nonce"] != "nonce-456");
    let (_, claims, _) = id_token_with(Fault::IdTokenExpired).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    assert!(claims["exp"].as_u64().expect("exp") < now);
}

#[tokio::test]
async fn id_token_signature_faults_fail_verification() {
    for fault in [
        Fault::IdTokenBadSignature,
        Fault::IdTokenAlgNone,
        Fault::IdTokenUnknownKid,
    ] {
        let (okta, _, id_token) = id_token_with(fault.clone()).await;
        assert_eq!(verify_with_jwks(&okta, &id_token).await, None, "{fault}");
    }
    let (_, _, none) = id_token_with(Fault::IdTokenAlgNone).await;
    assert_eq!(
        mock_okta::decode_header(&none).expect("a header")["alg"],
        "none"
    );
}

#[tokio::test]
async fn key_rotation_signs_with_a_new_published_key() {
    let okta = MockOkta::start().await.expect("start");
    let before = tokens(&okta).await["id_token"]
        .as_str()
        .expect("token")
        .to_string();
    okta.set_fault(Fault::RotateKeys);
    let after = tokens(&okta).await["id_token"]
        .as_str()
        .expect("token")
        .to_string();
    let kid = |t: &str| mock_okta::decode_header(t).expect("header")["kid"].clone();
    assert_ne!(kid(&before), kid(&after));
    assert!(
        verify_with_jwks(&okta, &after).await.is_some(),
        "the new key is published"
    );
    assert!(
        verify_with_jwks(&okta, &before).await.is_some(),
        "the old key is still published"
    );
}

#[tokio::test]
async fn faults_are_switched_at_run_time_and_replace_their_kind() {
    let okta = MockOkta::start().await.expect("start");
    okta.set_fault(Fault::TokenSlow(Duration::from_secs(5)));
    okta.set_fault(Fault::TokenSlow(Duration::from_millis(1)));
    okta.set_fault(Fault::Token500);
    assert_eq!(
        okta.faults(),
        [Fault::TokenSlow(Duration::from_millis(1)), Fault::Token500]
    );
    okta.clear_fault(&Fault::Token500);
    assert_eq!(okta.faults(), [Fault::TokenSlow(Duration::from_millis(1))]);
}
