//! Both authorization servers of an Okta org, served at once: the org
//! authorization server (issuer `{org}`, endpoints `{org}/oauth2/v1/…`) and
//! the custom one (`{org}/oauth2/default`), each with its own issuer, keys,
//! codes and tokens, and one login shared between them.

use crate::helpers::*;
use mock_okta::{
    Browser, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, MockOkta,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_org_server_is_discovered_at_the_orgs_own_url_with_okta_paths() {
    let okta = MockOkta::start().await.expect("start");
    let org = okta.org_issuer();
    for document in ["openid-configuration", "oauth-authorization-server"] {
        let meta = get_json(&format!("{org}/.well-known/{document}")).await;
        assert_eq!(meta["issuer"], org, "{document}");
        for (field, path) in [
            ("authorization_endpoint", "authorize"),
            ("token_endpoint", "token"),
            ("jwks_uri", "keys"),
            ("end_session_endpoint", "logout"),
            ("introspection_endpoint", "introspect"),
            ("revocation_endpoint", "revoke"),
        ] {
            assert_eq!(meta[field], format!("{org}/oauth2/v1/{path}"), "{document}");
        }
    }
    let openid = get_json(&format!("{org}/.well-known/openid-configuration")).await;
    assert_eq!(
        openid["userinfo_endpoint"],
        format!("{org}/oauth2/v1/userinfo")
    );
}

#[tokio::test]
async fn a_login_through_the_org_server_gets_tokens_of_the_org_issuer() {
    let okta = MockOkta::start().await.expect("start");
    let org = At::org(&okta);
    let tokens = tokens(org).await;
    let id = verify_with_jwks(org, field(&tokens, "id_token"))
        .await
        .expect("signed by a key of the org server's JWKS");
    assert_eq!(
        (&id["iss"], &id["aud"], &id["nonce"]),
        (
            &json!(okta.org_issuer()),
            &json!(DEFAULT_CLIENT_ID),
            &json!("nonce-456")
        )
    );
    let access = verify_with_jwks(org, field(&tokens, "access_token"))
        .await
        .expect("signed");
    assert_eq!(access["iss"], okta.org_issuer());
    assert_eq!(
        access["aud"],
        okta.org_issuer(),
        "Okta: for the org's own APIs"
    );
    let claims: Value = userinfo(org, field(&tokens, "access_token"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(claims["email"], "alice@example.com");
    let refresh = field(&tokens, "refresh_token");
    let (status, refreshed) = post(
        org,
        "/v1/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
}

#[tokio::test]
async fn each_server_signs_with_its_own_keys() {
    let okta = MockOkta::start().await.expect("start");
    let custom = get_json(&format!("{}/v1/keys", okta.issuer())).await;
    let org = get_json(&format!("{}/oauth2/v1/keys", okta.org_issuer())).await;
    assert_ne!(custom["keys"][0]["kid"], Value::Null);
    assert_ne!(custom["keys"][0]["kid"], org["keys"][0]["kid"]);
    assert_ne!(custom["keys"][0]["n"], org["keys"][0]["n"]);
}

#[tokio::test]
async fn a_token_of_one_server_is_refused_by_the_other() {
    let okta = MockOkta::start().await.expect("start");
    for (issued_by, presented_to) in [
        (At::from(&okta), At::org(&okta)),
        (At::org(&okta), At::from(&okta)),
    ] {
        let tokens = tokens(issued_by).await;
        let access = field(&tokens, "access_token");
        let id_token = field(&tokens, "id_token");
        assert_eq!(
            verify_with_jwks(presented_to, id_token).await,
            None,
            "the other server's JWKS does not verify it"
        );
        assert_eq!(
            userinfo(presented_to, access).await.status(),
            StatusCode::UNAUTHORIZED
        );
        for token in [access, field(&tokens, "refresh_token")] {
            let (_, info) = post(presented_to, "/v1/introspect", &[("token", token)]).await;
            assert_eq!(info, json!({ "active": false }));
        }
        let (status, body) = post(
            presented_to,
            "/v1/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", field(&tokens, "refresh_token")),
            ],
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
        );
        let mut logout = url::Url::parse(&presented_to.url("/v1/logout")).expect("a URL");
        logout
            .query_pairs_mut()
            .append_pair("id_token_hint", id_token);
        let page = Browser::new().get(logout.as_str()).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "a hint of the other server"
        );
    }
}

#[tokio::test]
async fn a_code_of_one_server_is_refused_by_the_other() {
    let okta = MockOkta::start().await.expect("start");
    let code = code(&okta, &[]).await;
    let (status, body) = exchange(At::org(&okta), &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
    let (status, body) = exchange(&okta, &code, Some(VERIFIER)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the custom server still redeems it: {body}"
    );
}

#[tokio::test]
async fn one_login_serves_both_servers_as_an_okta_session_does() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    let again = browser.get(&authorize_url(At::org(&okta), &[])).await;
    assert!(
        param(&redirect_params(&again), "code").is_some(),
        "the org server skips the form: {}",
        again.body
    );
}

#[tokio::test]
async fn the_org_server_refuses_client_credentials_with_a_secret_as_okta_does() {
    let okta = MockOkta::start().await.expect("start");
    let form = [
        ("client_id", DEFAULT_SERVICE_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("grant_type", "client_credentials"),
        ("scope", "messages:read"),
    ];
    let (status, body) = post_raw(At::org(&okta), "/v1/token", &form).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("must use the private_key_jwt")),
        "{body}"
    );
    assert_eq!(post_raw(&okta, "/v1/token", &form).await.0, StatusCode::OK);
}

#[tokio::test]
async fn requests_to_either_server_are_recorded_with_their_path() {
    let okta = MockOkta::start().await.expect("start");
    tokens(At::org(&okta)).await;
    assert_eq!(okta.requests_to("/oauth2/v1/token").len(), 1);
    assert_eq!(okta.requests_to("/oauth2/default/v1/token").len(), 0);
    assert_eq!(
        okta.requests_to("/v1/token").len(),
        1,
        "either server's token endpoint"
    );
}
