//! The authorization servers of an Okta org, served at once: the org
//! authorization server (issuer `{org}`, endpoints `{org}/oauth2/v1/…`) and
//! the custom ones (`{org}/oauth2/default`, and more if set up), each with
//! its own issuer, keys, codes and tokens, and one login shared between
//! them.

use crate::helpers::*;
use mock_okta::{
    Browser, CustomServer, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID,
    MockOkta, Server, TokenRequest,
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

/// A mock with a second custom authorization server, `orders`, for the
/// orders API: its own audience and scope.
async fn with_orders() -> MockOkta {
    let orders = CustomServer::new("orders").scope("orders:read");
    MockOkta::builder()
        .custom_server(orders)
        .start()
        .await
        .expect("start")
}

/// A `client_credentials` token of the built-in service client, at `at`.
async fn service_token<'a>(at: impl Into<At<'a>>, scope: &str) -> (StatusCode, Value) {
    let form = [
        ("client_id", DEFAULT_SERVICE_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("grant_type", "client_credentials"),
        ("scope", scope),
    ];
    post_raw(at, "/v1/token", &form).await
}

#[tokio::test]
async fn each_custom_server_has_its_own_issuer_discovery_keys_audience_and_scopes() {
    let okta = with_orders().await;
    let (default, orders) = (At::from(&okta), At::custom(&okta, "orders"));
    assert_eq!(
        orders.issuer(),
        format!("{}/oauth2/orders", okta.org_issuer())
    );
    let mut kids = Vec::new();
    for at in [default, orders] {
        let meta = get_json(&format!("{}/.well-known/openid-configuration", at.issuer())).await;
        assert_eq!(meta["issuer"], at.issuer());
        assert_eq!(meta["token_endpoint"], at.url("/v1/token"));
        let keys = get_json(&at.url("/v1/keys")).await;
        kids.push(keys["keys"][0]["kid"].clone());
    }
    assert_ne!(kids[0], kids[1], "each server signs with keys of its own");

    let orders_meta = get_json(&format!(
        "{}/.well-known/openid-configuration",
        orders.issuer()
    ))
    .await;
    let scopes = orders_meta["scopes_supported"].as_array().expect("scopes");
    assert!(scopes.contains(&json!("orders:read")), "{scopes:?}");
    assert!(!scopes.contains(&json!("messages:read")), "{scopes:?}");

    let (status, body) = service_token(orders, "orders:read").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = verify_with_jwks(orders, field(&body, "access_token"))
        .await
        .expect("signed by a key of the orders server");
    assert_eq!(
        (&access["iss"], &access["aud"]),
        (&json!(orders.issuer()), &json!("api://orders"))
    );
    assert!(
        verify_with_jwks(default, field(&body, "access_token"))
            .await
            .is_none(),
        "the default server's keys do not verify the orders server's token"
    );
    let (status, body) = service_token(orders, "messages:read").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn a_token_of_one_custom_server_is_refused_by_anothers_introspection_and_userinfo() {
    let okta = with_orders().await;
    let (default, orders) = (At::from(&okta), At::custom(&okta, "orders"));
    let from_default = tokens(default).await;
    let access = field(&from_default, "access_token");
    let form = [("token", access)];
    let (status, own) = post(default, "/v1/introspect", &form).await;
    assert_eq!(
        (status, &own["active"]),
        (StatusCode::OK, &json!(true)),
        "{own}"
    );
    let (status, other) = post(orders, "/v1/introspect", &form).await;
    assert_eq!(
        (status, &other["active"]),
        (StatusCode::OK, &json!(false)),
        "{other}"
    );
    assert_eq!(userinfo(default, access).await.status(), StatusCode::OK);
    assert_eq!(
        userinfo(orders, access).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // And the other way round, with a login at the orders server.
    let from_orders = tokens(orders).await;
    let (_, seen) = post(
        default,
        "/v1/introspect",
        &[("token", field(&from_orders, "access_token"))],
    )
    .await;
    assert_eq!(seen["active"], json!(false), "{seen}");
}

#[tokio::test]
async fn the_control_api_lists_every_authorization_server() {
    let okta = with_orders().await;
    let control = okta.control_url().expect("on");
    let listed = get_json(&format!("{control}/auth-servers")).await;
    let servers = listed["auth_servers"].as_array().expect("a list");
    let names: Vec<&Value> = servers.iter().map(|s| &s["name"]).collect();
    assert_eq!(names, [&json!("default"), &json!("orders"), &Value::Null]);
    assert_eq!(
        servers[1]["issuer"],
        okta.issuer_of("orders").expect("orders")
    );
    assert_eq!(servers[1]["audience"], "api://orders");
    assert_eq!(servers[1]["scopes"], json!(["orders:read"]));
    assert_eq!(servers[0]["scopes"], json!(["messages:read"]));
    assert_eq!(servers[2]["issuer"], okta.org_issuer());
    let health = get_json(&format!("{control}/health")).await;
    assert_eq!(health["issuers"]["custom"]["orders"], servers[1]["issuer"]);
}

#[tokio::test]
async fn custom_servers_with_one_name_or_too_many_are_refused_at_start() {
    let twice = MockOkta::builder()
        .custom_server(CustomServer::new("default"))
        .start()
        .await
        .expect_err("two servers named default");
    assert_eq!(
        twice.to_string(),
        "\"default\" names two custom authorization servers: give each its own name"
    );
    let five = ["a", "b", "c", "d"]
        .into_iter()
        .fold(MockOkta::builder(), |b, name| {
            b.custom_server(CustomServer::new(name))
        });
    let refused = five.start().await.expect_err("five custom servers");
    assert!(
        refused
            .to_string()
            .starts_with("5 custom authorization servers: mock-okta serves at most 4"),
        "{refused}"
    );
    let bad = MockOkta::builder()
        .custom_server(CustomServer::new("orders").audience(""))
        .start()
        .await
        .expect_err("an empty audience");
    assert!(
        bad.to_string().starts_with("audience of \"orders\""),
        "{bad}"
    );
}

#[tokio::test]
async fn a_token_minted_for_another_custom_server_is_that_servers_alone() {
    let okta = with_orders().await;
    let (default, orders) = (At::from(&okta), At::custom(&okta, "orders"));
    let request = TokenRequest::new("svc-reports")
        .server(Server::custom("orders"))
        .scope("orders:read");
    let minted = okta.mint(&request).access_token.expect("an access token");
    assert_eq!(
        (&minted.claims["iss"], &minted.claims["aud"]),
        (&json!(orders.issuer()), &json!("api://orders"))
    );
    assert!(verify_with_jwks(orders, &minted.token).await.is_some());
    assert!(verify_with_jwks(default, &minted.token).await.is_none());
    let form = [("token", minted.token.as_str())];
    let (_, seen) = post(orders, "/v1/introspect", &form).await;
    assert_eq!(seen["active"], json!(true), "{seen}");
    let (_, seen) = post(default, "/v1/introspect", &form).await;
    assert_eq!(seen["active"], json!(false), "{seen}");
}
