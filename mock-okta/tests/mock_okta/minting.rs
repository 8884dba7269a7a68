//! Tokens minted on request (`MockOkta::mint`, `POST /__mock/tokens`):
//! shaped as the mock's own, for any subject, server, audience, lifetime,
//! claims and key, and a bad request told what to send.

use crate::helpers::*;
use mock_okta::{Fault, Key, MockOkta, Server, TokenRequest, Tokens};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, UNIX_EPOCH};

/// The mock's clock, in seconds since the Unix epoch.
fn now(okta: &MockOkta) -> u64 {
    okta.now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// `POST /__mock/tokens` with `body`, which must succeed: its JSON answer.
async fn mint_over_http(okta: &MockOkta, body: Value) -> Value {
    let (status, answer) = control(okta, Method::POST, "/tokens", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[tokio::test]
async fn a_users_minted_tokens_are_shaped_as_a_logins_and_userinfo_takes_the_access_token() {
    let okta = MockOkta::start().await.expect("start");
    let request = TokenRequest::new("alice@example.com")
        .tokens(Tokens::Both)
        .scope("openid")
        .scope("email")
        .scope("messages:read");
    let minted = okta.mint(&request);
    let access = minted.access_token.expect("an access token");
    let id = minted.id_token.expect("an ID token");

    let from_login = tokens(&okta).await;
    let login_claims = mock_okta::decode_claims(field(&from_login, "access_token")).expect("a JWT");
    assert_eq!(
        names(&access.claims),
        names(&login_claims),
        "the same claims"
    );
    assert!(
        access.claims["jti"]
            .as_str()
            .unwrap_or_default()
            .starts_with("AT.")
    );
    assert_eq!(access.claims["iss"], okta.issuer());
    assert_eq!(access.claims["aud"], "api://default");
    assert_eq!(access.claims["sub"], "alice@example.com");
    assert_eq!(access.claims["uid"], login_claims["uid"], "alice's id");
    assert_eq!(access.claims["cid"], mock_okta::DEFAULT_CLIENT_ID);
    assert_eq!(
        access.claims["scp"],
        json!(["openid", "email", "messages:read"])
    );
    assert_eq!(
        access.claims["exp"].as_u64(),
        access.claims["iat"].as_u64().map(|t| t + 3600)
    );
    assert_eq!(
        verify_with_jwks(&okta, &access.token).await,
        Some(access.claims.clone())
    );

    assert_eq!(id.claims["sub"], access.claims["uid"]);
    assert_eq!(id.claims["aud"], mock_okta::DEFAULT_CLIENT_ID);
    assert_eq!(id.claims["email"], "alice@example.com");
    assert!(id.claims["at_hash"].is_string(), "{}", id.claims);
    assert_eq!(verify_with_jwks(&okta, &id.token).await, Some(id.claims));

    let answer = userinfo(&okta, &access.token).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let info: Value = answer.json().await.expect("JSON");
    assert_eq!(info["sub"], access.claims["uid"]);
}

#[tokio::test]
async fn any_subject_gets_a_services_token_for_the_audience_and_client_asked() {
    let okta = MockOkta::start().await.expect("start");
    let answer = mint_over_http(
        &okta,
        json!({"subject": "nightly-report", "client_id": "0oa-reports", "audience": "api://reports",
               "scopes": ["reports:read"]}),
    )
    .await;
    assert!(answer.get("id_token").is_none(), "{answer}");
    let claims = &answer["access_token"]["claims"];
    assert_eq!(claims["sub"], "nightly-report");
    assert_eq!(claims["cid"], "0oa-reports");
    assert_eq!(claims["aud"], "api://reports");
    assert_eq!(claims["scp"], json!(["reports:read"]));
    assert!(
        claims.get("uid").is_none() && claims.get("auth_time").is_none(),
        "{claims}"
    );
    let token = answer["access_token"]["token"].as_str().expect("a JWT");
    assert_eq!(mock_okta::decode_claims(token).as_ref(), Some(claims));
    assert_eq!(
        userinfo(&okta, token).await.status(),
        StatusCode::UNAUTHORIZED,
        "no user"
    );
}

#[tokio::test]
async fn a_minted_token_expires_when_asked_even_in_the_past() {
    let okta = MockOkta::start().await.expect("start");
    let before = now(&okta);
    let short = okta.mint(&TokenRequest::new("svc").expires_in(Duration::from_secs(90)));
    let claims = short.access_token.expect("a token").claims;
    assert_eq!(
        claims["exp"].as_u64(),
        claims["iat"].as_u64().map(|iat| iat + 90)
    );

    let answer = mint_over_http(
        &okta,
        json!({"subject": "alice@example.com", "expires_in": -120,
                                              "tokens": "both"}),
    )
    .await;
    for token in ["access_token", "id_token"] {
        let claims = &answer[token]["claims"];
        let exp = claims["exp"].as_u64().expect("exp");
        assert!(
            exp <= before.max(now(&okta)) - 120 && exp + 130 >= before,
            "{token}: {claims}"
        );
        assert_eq!(
            claims["iat"].as_u64(),
            Some(exp - 3600),
            "{token}: issued an hour before"
        );
    }
    let expired = answer["access_token"]["token"].as_str().expect("a JWT");
    assert_eq!(
        userinfo(&okta, expired).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_signed_with_the_unpublished_key_fails_the_published_keys() {
    let okta = MockOkta::start().await.expect("start");
    let request = TokenRequest::new("alice@example.com").tokens(Tokens::Both);
    let forged = okta.mint(&request.clone().key(Key::Unpublished));
    for token in [forged.access_token, forged.id_token] {
        let token = token.expect("minted").token;
        assert_eq!(
            verify_with_jwks(&okta, &token).await,
            None,
            "not under a published key"
        );
        assert_eq!(
            userinfo(&okta, &token).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Once keys rotate, the current key is the second one, as for the
    // server's own tokens, and it is published.
    let kid = |jwt: &str| mock_okta::decode_header(jwt).expect("a JWT")["kid"].clone();
    let before = okta.mint(&request).access_token.expect("minted").token;
    okta.set_fault(Fault::RotateKeys);
    let rotated = okta.mint(&request).access_token.expect("minted").token;
    let from_login = tokens(&okta).await;
    assert_eq!(kid(&rotated), kid(field(&from_login, "access_token")));
    assert_ne!(kid(&rotated), kid(&before));
    assert!(verify_with_jwks(&okta, &rotated).await.is_some());
}

#[tokio::test]
async fn either_server_mints_by_name_and_an_unknown_name_lists_the_servers() {
    let okta = MockOkta::builder()
        .auth_server("aus1")
        .start()
        .await
        .expect("start");
    let org = okta.mint(&TokenRequest::new("alice@example.com").server(Server::Org));
    let claims = org.access_token.expect("minted").claims;
    assert_eq!(
        (&claims["iss"], &claims["aud"]),
        (&json!(okta.org_issuer()), &json!(okta.org_issuer()))
    );
    let answer = mint_over_http(&okta, json!({"subject": "a", "server": "aus1"})).await;
    assert_eq!(answer["access_token"]["claims"]["iss"], okta.issuer());
    assert_eq!(answer["access_token"]["claims"]["aud"], "api://aus1");

    let (status, body) = control(
        &okta,
        Method::POST,
        "/tokens",
        r#"{"subject": "a", "server": "default"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_line(&body),
        "\"server\": no authorization server named \"default\": the servers are \"aus1\", \"org\""
    );
}

#[tokio::test]
async fn a_bad_mint_request_is_a_400_saying_what_to_send() {
    let okta = MockOkta::start().await.expect("start");
    let refused = [
        ("", "expected a JSON object with \"subject\""),
        ("[\"alice\"]", "expected a JSON object with \"subject\""),
        (
            r#"{"scopes": ["openid"]}"#,
            "\"subject\": expected a string",
        ),
        (
            r#"{"subject": "a", "lifetime": 60}"#,
            "unknown field \"lifetime\": expected a JSON object",
        ),
        (
            r#"{"subject": "a", "expires_in": "1h"}"#,
            "\"expires_in\": expected an integer number of seconds",
        ),
        (
            r#"{"subject": "a", "expires_in": 90000}"#,
            "\"expires_in\": 90000 is more than a day",
        ),
        (
            r#"{"subject": "a", "tokens": "refresh"}"#,
            "\"tokens\": expected \"access\"",
        ),
        (
            r#"{"subject": "a", "scopes": ["two words"]}"#,
            "\"scopes\": \"two words\" is not a scope",
        ),
        (r#"{"subject": ""}"#, "\"subject\": empty"),
    ];
    for (body, says) in refused {
        let (status, answer) = control(&okta, Method::POST, "/tokens", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let line = error_line(&answer);
        assert!(line.starts_with(says), "{body}: {line}");
        assert!(!line.contains("line 1"), "no parser's words: {line}");
    }
}
