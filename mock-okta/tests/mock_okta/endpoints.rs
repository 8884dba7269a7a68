//! Okta's endpoints, as a strict client meets them.

use crate::helpers::*;
use mock_okta::{
    Browser, Client, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID,
    LOGIN_COOKIE, MockOkta, User,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn discovery_matches_what_is_served() {
    let okta = MockOkta::start().await.expect("start");
    for doc in ["openid-configuration", "oauth-authorization-server"] {
        let meta: Value = reqwest::get(format!("{}/.well-known/{doc}", okta.issuer()))
            .await
            .expect("answer")
            .json()
            .await
            .expect("JSON");
        assert_eq!(meta["issuer"], okta.issuer());
        for endpoint in [
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "end_session_endpoint",
            "introspection_endpoint",
            "revocation_endpoint",
        ] {
            let url = meta[endpoint]
                .as_str()
                .unwrap_or_else(|| panic!("{doc} lacks {endpoint}"));
            let answer = reqwest::Client::new()
                .get(url)
                .send()
                .await
                .expect("answer");
            assert_ne!(
                answer.status(),
                StatusCode::NOT_FOUND,
                "{doc}: {endpoint} {url} is not served"
            );
        }
        assert_eq!(
            meta["code_challenge_methods_supported"],
            json!(["S256", "plain"])
        );
    }
}

#[tokio::test]
async fn a_full_login_issues_signed_tokens_with_the_claims_an_app_checks() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );

    let id = verify_with_jwks(&okta, tokens["id_token"].as_str().expect("an ID token"))
        .await
        .expect("a valid signature");
    assert_eq!(id["iss"], okta.issuer());
    assert_eq!(id["aud"], DEFAULT_CLIENT_ID);
    assert_eq!(id["nonce"], "nonce-456");
    assert_eq!(id["email"], "alice@example.com");
    assert!(id["sub"].as_str().is_some_and(|s| s.starts_with("00u")));
    let (iat, exp) = (
        id["iat"].as_u64().expect("iat"),
        id["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - iat, 3600);
    let header =
        mock_okta::decode_header(tokens["id_token"].as_str().expect("a token")).expect("a header");
    assert_eq!(header["alg"], "RS256");
    assert!(header["kid"].is_string());

    let access = verify_with_jwks(
        &okta,
        tokens["access_token"].as_str().expect("an access token"),
    )
    .await
    .expect("signed");
    assert_eq!(access["cid"], DEFAULT_CLIENT_ID);
    assert_eq!(access["iss"], okta.issuer());
}

/// RFC 6749 §4.1.2: a code used twice is refused, and the server "SHOULD
/// revoke (when possible) all tokens previously issued based on that
/// authorization code", including those refreshed from them.
#[tokio::test]
async fn a_second_redemption_revokes_the_first_tokens() {
    let okta = MockOkta::start().await.expect("start");
    let code = code(&okta, &[]).await;
    let (status, first) = exchange(&okta, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK);
    let refresh = field(&first, "refresh_token");
    let (_, refreshed) = post(
        &okta,
        "/v1/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    let access = [
        field(&first, "access_token"),
        field(&refreshed, "access_token"),
    ];
    for token in access {
        assert_eq!(userinfo(&okta, token).await.status(), StatusCode::OK);
    }

    let (status, body) = exchange(&okta, &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    for token in access {
        assert_eq!(
            userinfo(&okta, token).await.status(),
            StatusCode::UNAUTHORIZED,
            "an access token of the replayed code"
        );
    }
    for token in [access[0], access[1], refresh] {
        let (_, info) = post(&okta, "/v1/introspect", &[("token", token)]).await;
        assert_eq!(info, json!({ "active": false }));
    }
    let (status, _) = post(
        &okta,
        "/v1/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the refresh token is revoked"
    );
}

/// RFC 6749 §5.2: when the client authenticated with the `Authorization`
/// header, a `401 invalid_client` carries `WWW-Authenticate` with its
/// scheme; with the credentials in the body, there is none to match.
#[tokio::test]
async fn a_client_refused_over_basic_auth_gets_a_basic_challenge() {
    let okta = MockOkta::start().await.expect("start");
    let http = reqwest::Client::new();
    for endpoint in ["/v1/token", "/v1/introspect", "/v1/revoke"] {
        let refused = http
            .post(format!("{}{endpoint}", okta.issuer()))
            .basic_auth(DEFAULT_CLIENT_ID, Some("wrong"))
            .form(&[("grant_type", "client_credentials"), ("token", "t")])
            .send()
            .await
            .expect("an answer");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        let challenge = refused.headers()["www-authenticate"]
            .to_str()
            .expect("ASCII");
        assert!(
            challenge.starts_with("Basic realm="),
            "{endpoint}: {challenge}"
        );
    }
    let by_post = http
        .post(format!("{}/v1/token", okta.issuer()))
        .form(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(by_post.status(), StatusCode::UNAUTHORIZED);
    assert!(by_post.headers().get("www-authenticate").is_none());
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_and_redirect_uri() {
    let okta = MockOkta::start().await.expect("start");
    okta.add_client(Client::web("other", "other-secret").redirect_uri(REDIRECT_URI));
    let code1 = code(&okta, &[]).await;
    let stolen = post_raw(
        &okta,
        "/v1/token",
        &[
            ("client_id", "other"),
            ("client_secret", "other-secret"),
            ("grant_type", "authorization_code"),
            ("code", &code1),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(stolen.1["error"], "invalid_grant");

    let code2 = code(&okta, &[]).await;
    let moved = post(
        &okta,
        "/v1/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code2),
            ("redirect_uri", "http://localhost:8080/elsewhere"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(moved.1["error"], "invalid_grant");
}

#[tokio::test]
async fn pkce_is_enforced() {
    let okta = MockOkta::start().await.expect("start");
    let wrong = "x".repeat(43);
    let code1 = code(&okta, &[]).await;
    let (status, body) = exchange(&okta, &code1, Some(&wrong)).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );

    let code2 = code(&okta, &[]).await;
    assert_eq!(
        exchange(&okta, &code2, None).await.1["error"],
        "invalid_grant",
        "a missing verifier"
    );

    let code3 = code(
        &okta,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await;
    assert_eq!(
        exchange(&okta, &code3, Some(VERIFIER)).await.1["error"],
        "invalid_grant",
        "a verifier with no challenge"
    );

    let code4 = code(
        &okta,
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    assert_eq!(
        exchange(&okta, &code4, Some(VERIFIER)).await.0,
        StatusCode::OK,
        "plain PKCE"
    );

    let code5 = code(
        &okta,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await;
    assert_eq!(
        exchange(&okta, &code5, None).await.0,
        StatusCode::OK,
        "no PKCE at all is allowed for a web app"
    );
}

/// The `error` an authorize request of `client_id` without PKCE gets back
/// (`None`: the login page, the request taken).
async fn error_without_pkce(okta: &MockOkta, client_id: &str) -> Option<String> {
    let url = authorize_url(
        okta,
        &[
            ("client_id", client_id),
            ("code_challenge", ""),
            ("code_challenge_method", ""),
        ],
    );
    let back = Browser::new().get(&url).await;
    match back.status {
        StatusCode::OK => None,
        _ => param(&redirect_params(&back), "error"),
    }
}

#[tokio::test]
async fn a_public_client_must_use_pkce_however_it_was_registered() {
    // RFC 9700 §2.1.1; Okta requires PKCE of public clients.
    let okta = MockOkta::start().await.expect("start");
    okta.add_client(Client::public("spa").redirect_uri(REDIRECT_URI));
    assert_eq!(
        error_without_pkce(&okta, "spa").await.as_deref(),
        Some("invalid_request")
    );

    // Over HTTP (and so in the config file, which reads clients the same
    // way): no secret is a public client, PKCE required unless it says not.
    let client = format!(r#"{{"id": "spa-http", "redirect_uris": ["{REDIRECT_URI}"]}}"#);
    let (status, _) = control(&okta, Method::POST, "/clients", &client).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        error_without_pkce(&okta, "spa-http").await.as_deref(),
        Some("invalid_request")
    );
    let lax = format!(
        r#"{{"id": "spa-lax", "redirect_uris": ["{REDIRECT_URI}"], "require_pkce": false}}"#
    );
    let (status, _) = control(&okta, Method::POST, "/clients", &lax).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        error_without_pkce(&okta, "spa-lax").await,
        None,
        "explicitly not required"
    );
}

#[tokio::test]
async fn client_authentication_by_basic_or_post_and_a_wrong_secret_is_401() {
    let okta = MockOkta::start().await.expect("start");
    let url = format!("{}/v1/token", okta.issuer());
    let form = |code: String| {
        vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code),
            ("redirect_uri", REDIRECT_URI.into()),
            ("code_verifier", VERIFIER.into()),
        ]
    };
    let basic = reqwest::Client::new()
        .post(&url)
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&form(code(&okta, &[]).await))
        .send()
        .await
        .expect("answer");
    assert_eq!(basic.status(), StatusCode::OK, "client_secret_basic");

    let wrong = reqwest::Client::new()
        .post(&url)
        .basic_auth(DEFAULT_CLIENT_ID, Some("wrong"))
        .form(&form(code(&okta, &[]).await))
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.json::<Value>().await.expect("JSON")["error"],
        "invalid_client"
    );

    let (status, body) = post_raw(
        &okta,
        "/v1/token",
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client")),
        "client_secret_post"
    );
    let (status, body) = post_raw(
        &okta,
        "/v1/token",
        &[
            ("client_id", "nobody"),
            ("client_secret", "x"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client")),
        "unknown client"
    );
}

#[tokio::test]
async fn refresh_tokens_work_and_made_up_ones_do_not() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let (status, fresh) = post(
        &okta,
        "/v1/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_ne!(fresh["access_token"], tokens["access_token"]);
    let (status, body) = post(
        &okta,
        "/v1/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "made-up"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
}

#[tokio::test]
async fn client_credentials_for_a_service_app_only() {
    let okta = MockOkta::start().await.expect("start");
    let (status, body) = post_raw(
        &okta,
        "/v1/token",
        &[
            ("client_id", DEFAULT_SERVICE_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "messages:read"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("id_token").is_none());
    let claims = verify_with_jwks(&okta, body["access_token"].as_str().expect("a token"))
        .await
        .expect("signed");
    assert_eq!(claims["sub"], DEFAULT_SERVICE_CLIENT_ID);
    assert_eq!(claims["scp"], json!(["messages:read"]));

    let (status, body) = post(&okta, "/v1/token", &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("unauthorized_client")),
        "a web app"
    );
}

#[tokio::test]
async fn userinfo_gives_claims_by_scope_and_401_for_a_bad_token() {
    let okta = MockOkta::builder()
        .user(
            User::new("carol@example.com", "Carol Example", "carol-password")
                .claim("department", json!("Finance")),
        )
        .start()
        .await
        .expect("start");
    let browser = Browser::new();
    let back = sign_in(
        &browser,
        &authorize_url(&okta, &[("scope", "openid email")]),
        ("carol@example.com", "carol-password"),
    )
    .await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let tokens = exchange(&okta, &code, Some(VERIFIER)).await.1;
    let claims: Value = userinfo(&okta, tokens["access_token"].as_str().expect("a token"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(claims["email"], "carol@example.com");
    assert!(claims.get("name").is_none(), "no profile scope, no name");
    assert!(claims.get("department").is_none(), "nor a profile claim");

    let with_profile = tokens_as(&okta, ("carol@example.com", "carol-password")).await;
    let claims: Value = userinfo(
        &okta,
        with_profile["access_token"].as_str().expect("a token"),
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(
        (claims["name"].as_str(), claims["department"].as_str()),
        (Some("Carol Example"), Some("Finance"))
    );

    let bad = userinfo(&okta, "not-a-token").await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let challenge = bad.headers()["www-authenticate"].to_str().expect("ASCII");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

async fn tokens_as(okta: &MockOkta, user: (&str, &str)) -> Value {
    let back = sign_in(&Browser::new(), &authorize_url(okta, &[]), user).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    exchange(okta, &code, Some(VERIFIER)).await.1
}

#[tokio::test]
async fn an_unknown_client_or_redirect_uri_is_an_error_page_never_a_redirect() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    for changes in [
        [("client_id", "nobody")],
        [("redirect_uri", "https://evil.example/steal")],
        [("redirect_uri", "")],
    ] {
        let page = browser.get(&authorize_url(&okta, &changes)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{changes:?}");
        assert!(page.location().is_none(), "{changes:?} redirected");
        assert!(
            page.body.contains("data-mock-okta=\"error-code\""),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn other_authorize_errors_go_back_to_the_app_with_the_state() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    let cases = [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "email")], "invalid_scope"),
        (vec![("scope", "openid admin")], "invalid_scope"),
        (vec![("code_challenge_method", "S512")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (vec![("state", "")], "invalid_request"),
    ];
    for (changes, error) in cases {
        let page = browser.get(&authorize_url(&okta, &changes)).await;
        assert_eq!(page.status, StatusCode::FOUND, "{changes:?}");
        let location = page.location().expect("a redirect");
        assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
        let params = redirect_params(&page);
        assert_eq!(
            param(&params, "error").as_deref(),
            Some(error),
            "{changes:?}"
        );
        if !changes.contains(&("state", "")) {
            assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
        }
    }
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_on_the_page_and_deny_returns_access_denied() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    let url = authorize_url(&okta, &[]);
    let wrong = sign_in(&browser, &url, ("alice@example.com", "guess")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.is_login_page() && wrong.body.contains("wrong username or password"));

    let login = browser.get(&url).await;
    let denied = browser.post_login_form(&login, "deny", "", "").await;
    let params = redirect_params(&denied);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
}

#[tokio::test]
async fn the_login_is_remembered_until_prompt_login_or_logout() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    let first = sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    let cookie = first
        .set_cookie(LOGIN_COOKIE)
        .expect("the mock's login cookie");
    assert!(
        cookie.contains("Path=/oauth2") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    let again = browser.get(&authorize_url(&okta, &[])).await;
    assert!(
        param(&redirect_params(&again), "code").is_some(),
        "a second authorize skips the form"
    );
    let forced = browser
        .get(&authorize_url(&okta, &[("prompt", "login")]))
        .await;
    assert!(forced.is_login_page(), "prompt=login shows the form");

    let id_token = exchange(
        &okta,
        &param(&redirect_params(&again), "code").expect("code"),
        Some(VERIFIER),
    )
    .await
    .1["id_token"]
        .clone();
    let mut logout = url::Url::parse(&format!("{}/v1/logout", okta.issuer())).expect("URL");
    logout
        .query_pairs_mut()
        .append_pair("id_token_hint", id_token.as_str().expect("an ID token"))
        .append_pair("post_logout_redirect_uri", "http://localhost:8080")
        .append_pair("state", "bye");
    let out = browser.get(logout.as_str()).await;
    assert_eq!(
        out.location().map(String::from).as_deref(),
        Some("http://localhost:8080/?state=bye")
    );
    assert!(
        browser
            .get(&authorize_url(&okta, &[]))
            .await
            .is_login_page(),
        "logout clears the mock's login"
    );
}

#[tokio::test]
async fn logout_refuses_a_forged_hint_or_an_unregistered_uri() {
    let okta = MockOkta::start().await.expect("start");
    let id_token = tokens(&okta).await["id_token"]
        .as_str()
        .expect("an ID token")
        .to_string();
    let browser = Browser::new();
    let logout = |hint: &str, uri: &str| {
        let mut url = url::Url::parse(&format!("{}/v1/logout", okta.issuer())).expect("URL");
        url.query_pairs_mut()
            .append_pair("id_token_hint", hint)
            .append_pair("post_logout_redirect_uri", uri);
        url.to_string()
    };
    let forged = format!("{}x", &id_token[..id_token.len() - 1]);
    for (hint, uri) in [
        (forged.as_str(), "http://localhost:8080"),
        (id_token.as_str(), "https://evil.example"),
    ] {
        let page = browser.get(&logout(hint, uri)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.location().is_none());
    }
}

/// A refused logout changes nothing: the error page is shown, and the
/// user's login to Okta is still there (Okta answers 400 and keeps the
/// session; an app that sends a wrong URI must not log its user out of Okta
/// by accident).
#[tokio::test]
async fn a_refused_logout_leaves_the_user_logged_in() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    let back = sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let tokens = exchange(&okta, &code, Some(VERIFIER)).await.1;
    let mut logout = url::Url::parse(&format!("{}/v1/logout", okta.issuer())).expect("URL");
    logout
        .query_pairs_mut()
        .append_pair("id_token_hint", field(&tokens, "id_token"))
        .append_pair("post_logout_redirect_uri", "https://evil.example");
    let refused = browser.get(logout.as_str()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.set_cookie(LOGIN_COOKIE).is_none(),
        "the cookie is kept"
    );
    let again = browser.get(&authorize_url(&okta, &[])).await;
    assert!(
        param(&redirect_params(&again), "code").is_some(),
        "still logged in: a second authorize skips the form"
    );
}

#[tokio::test]
async fn introspect_and_revoke() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let access = tokens["access_token"].as_str().expect("a token");
    let (_, info) = post(&okta, "/v1/introspect", &[("token", access)]).await;
    assert_eq!(
        (info["active"].as_bool(), info["username"].as_str()),
        (Some(true), Some("alice@example.com"))
    );
    let (status, _) = post(&okta, "/v1/revoke", &[("token", access)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        post(&okta, "/v1/introspect", &[("token", access)]).await.1,
        json!({ "active": false })
    );
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked token is dead"
    );
    assert_eq!(
        post(&okta, "/v1/revoke", &[("token", "never-issued")])
            .await
            .0,
        StatusCode::OK
    );
}

/// RFC 7009 §2.1: revoking a refresh token invalidates the access tokens
/// of its grant too (those issued beside it and those refreshed from it);
/// another login's tokens, and a revoked access token's refresh token, stay.
#[tokio::test]
async fn revoking_a_refresh_token_revokes_the_access_tokens_of_its_grant() {
    let okta = MockOkta::start().await.expect("start");
    for at in [At::from(&okta), At::org(&okta)] {
        let first = tokens(at).await;
        let refresh_token = field(&first, "refresh_token");
        let (status, refreshed) = refresh(at, refresh_token).await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let grants_access = [
            field(&first, "access_token"),
            field(&refreshed, "access_token"),
        ];
        let other = tokens(at).await;

        // An access token goes alone.
        let (status, _) = post(at, "/v1/revoke", &[("token", grants_access[0])]).await;
        assert_eq!(status, StatusCode::OK);
        let (_, info) = post(at, "/v1/introspect", &[("token", grants_access[1])]).await;
        assert_eq!(info["active"], true, "the other access token of the grant");
        assert_eq!(refresh(at, refresh_token).await.0, StatusCode::OK);

        let (status, _) = post(
            at,
            "/v1/revoke",
            &[
                ("token", refresh_token),
                ("token_type_hint", "refresh_token"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        for access in grants_access {
            let (_, info) = post(at, "/v1/introspect", &[("token", access)]).await;
            assert_eq!(info, json!({ "active": false }));
            assert_eq!(
                userinfo(at, access).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let (status, body) = refresh(at, refresh_token).await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
        );
        let (_, info) = post(
            at,
            "/v1/introspect",
            &[("token", field(&other, "access_token"))],
        )
        .await;
        assert_eq!(info["active"], true, "another login's tokens stay");
        assert_eq!(
            refresh(at, field(&other, "refresh_token")).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn requests_are_recorded_for_assertions() {
    let okta = MockOkta::start().await.expect("start");
    let code = code(&okta, &[]).await;
    exchange(&okta, &code, Some(VERIFIER)).await;
    let token_requests = okta.requests_to("/v1/token");
    assert_eq!(token_requests.len(), 1);
    assert_eq!(token_requests[0].param("code_verifier"), Some(VERIFIER));
    assert_eq!(
        token_requests[0].param("grant_type"),
        Some("authorization_code")
    );
    let authorize = &okta.requests_to("/v1/authorize")[0];
    assert_eq!(authorize.param("code_challenge_method"), Some("S256"));
    okta.clear_requests();
    assert!(okta.requests().is_empty());
}

#[tokio::test]
async fn an_unknown_path_is_an_okta_shaped_404() {
    let okta = MockOkta::start().await.expect("start");
    let answer = reqwest::get(format!("{}/v1/nope", okta.issuer()))
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json::<Value>().await.expect("JSON")["error"],
        "not_found"
    );
}
