//! Stage 10: `GET /api/messages` takes an access token of the custom
//! authorization server, with the scope `messages:read`, and nothing else:
//! RFC 6750's answers for a token that is missing, not valid, or short of
//! the scope.

use axum::http::StatusCode;
use axum::http::header::WWW_AUTHENTICATE;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mock_okta::{
    DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, Fault, Key, MockOkta, Server, TokenRequest,
    Tokens,
};
use serde_json::{Value, json};
use stage_tests::{ALICE, API, Stage, TestApp, Timing, each_stage};
use std::time::{Duration, UNIX_EPOCH};

/// A service's access token from `okta`'s custom authorization server, by
/// the client credentials grant (RFC 6749 §4.4), for `scope`.
async fn service_token(okta: &MockOkta, scope: &str) -> String {
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/token", okta.issuer()))
        .basic_auth(DEFAULT_SERVICE_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .expect("the mock answers");
    let body: Value = answer.json().await.expect("JSON");
    body["access_token"].as_str().unwrap_or_else(|| panic!("no token: {body}")).to_string()
}

/// What a service that may read the messages is given: an access token
/// for the built-in service client with `messages:read`, to which a test
/// adds what it is about (another audience, an expiry, a claim, a key).
fn service() -> TokenRequest {
    TokenRequest::new(DEFAULT_SERVICE_CLIENT_ID).scope("messages:read")
}

/// The token `request` asks `app`'s mock for (the access token, or the ID
/// token if that is all it asks for).
fn minted(app: &TestApp, request: TokenRequest) -> String {
    let minted = app.okta.mint(&request);
    minted.access_token.or(minted.id_token).expect("a token was asked for").token
}

/// The API's answer to `authorization` (the whole header value): its
/// status, its `WWW-Authenticate` challenge, and its JSON body.
async fn call(app: &TestApp, authorization: Option<&str>) -> (StatusCode, String, Value) {
    let mut request = reqwest::Client::new().get(app.at("/api/messages"));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let answer = request.send().await.expect("the app answers");
    let status = answer.status();
    let challenge = answer.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
    let challenge = challenge.unwrap_or_default().to_string();
    (status, challenge, answer.json().await.expect("a JSON body"))
}

/// The API's answer to `token`, as a bearer token.
async fn call_with(app: &TestApp, token: &str) -> (StatusCode, String, Value) {
    call(app, Some(&format!("Bearer {token}"))).await
}

/// `token` with its header's fields replaced by `header`'s (the signature
/// is kept: it no longer matches).
fn with_header(token: &str, header: Value) -> String {
    let (_, rest) = token.split_once('.').expect("a JWT");
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    format!("{header}.{rest}")
}

/// Asserts a 401 `invalid_token` whose description says `why`.
fn assert_invalid(stage: Stage, (status, challenge, body): (StatusCode, String, Value), why: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{stage:?}, {why}: {body}");
    assert!(challenge.starts_with("Bearer error=\"invalid_token\""), "{stage:?}: {challenge}");
    assert_eq!(body["error"], "invalid_token", "{stage:?}");
    let said = body["error_description"].as_str().unwrap_or_default();
    assert!(said.contains(why), "{stage:?}: {said:?} does not say {why:?}");
}

#[tokio::test]
async fn a_token_signed_with_a_key_okta_withdrew_is_refused_once_the_keys_are_read_again() {
    each_stage(&API, |stage| async move {
        let okta = MockOkta::builder().fault(Fault::KeysMaxAge(Duration::from_secs(1)));
        let okta = okta.start().await.expect("the mock starts");
        let app = TestApp::start_with(stage, okta, Timing::default(), &[]).await;
        let old = minted(&app, service());
        assert_eq!(call_with(&app, &old).await.0, StatusCode::OK, "{stage:?}");
        // An emergency at Okta: the key is withdrawn. The app's cache of
        // valid tokens lasts no longer than the keys it read.
        app.okta.set_fault(Fault::KeyWithdrawn);
        tokio::time::sleep(Duration::from_millis(5600)).await;
        assert_invalid(stage, call_with(&app, &old).await, "a key Okta does not publish");
        let new = minted(&app, service());
        assert_eq!(
            call_with(&app, &new).await.0,
            StatusCode::OK,
            "{stage:?}: the key that signs now"
        );
    })
    .await;
}

#[tokio::test]
async fn a_service_token_with_the_scope_reads_the_messages() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let token = service_token(&app.okta, "messages:read").await;
        let (status, _, body) = call_with(&app, &token).await;
        assert_eq!(status, StatusCode::OK, "{stage:?}: {body}");
        assert_eq!(body["messages"][0]["to"], DEFAULT_SERVICE_CLIENT_ID, "{stage:?}: {body}");
        assert!(body["messages"][1]["text"].as_str().unwrap_or_default().contains("a service"));
        // The scheme's name is case-insensitive (RFC 7235 §2.1).
        let (status, _, _) = call(&app, Some(&format!("bearer {token}"))).await;
        assert_eq!(status, StatusCode::OK, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_request_without_a_token_is_a_401_with_a_bearer_challenge() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        for authorization in [None, Some("Basic YWxpY2U6cGFzc3dvcmQ="), Some("Bearer "), Some("")] {
            let (status, challenge, body) = call(&app, authorization).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{stage:?}, {authorization:?}");
            assert_eq!(challenge, "Bearer", "{stage:?}, {authorization:?}");
            // No error code for a request that sent no credentials (RFC 6750
            // §3.1): `invalid_request` is a 400's.
            assert!(body.get("error").is_none(), "{stage:?}: {body}");
            assert!(body["message"].as_str().unwrap_or_default().contains("Bearer"), "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_session_cookie_alone_opens_no_api() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        let page = app.browser.get(&app.at("/api/messages")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{stage:?}: {}", page.body);
        assert_eq!(page.headers[WWW_AUTHENTICATE], "Bearer", "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_token_that_is_not_valid_is_a_401_that_says_why() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let good = service_token(&app.okta, "messages:read").await;
        assert_invalid(stage, call_with(&app, "not-a-jwt").await, "it is not a JWT");
        // Signed by a key of Okta's, but naming another issuer.
        let theirs =
            minted(&app, service().claim("iss", json!("http://127.0.0.1:9/oauth2/default")));
        assert_invalid(stage, call_with(&app, &theirs).await, "another issuer");
        // Its claims changed: the signature no longer matches.
        let (head, rest) = good.split_once('.').expect("a JWT");
        let (claims, signature) = rest.split_once('.').expect("a JWT");
        let mut forged: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).expect("base64")).expect("JSON");
        forged["scp"] = json!(["messages:read", "messages:delete"]);
        let forged = URL_SAFE_NO_PAD.encode(forged.to_string());
        let forged = format!("{head}.{forged}.{signature}");
        assert_invalid(stage, call_with(&app, &forged).await, "InvalidSignature");
        // Unsigned, or under a key Okta never published.
        let unsigned = with_header(&good, json!({"alg": "none"}));
        let unsigned = format!("{}.", unsigned.rsplit_once('.').expect("a JWT").0);
        assert_invalid(stage, call_with(&app, &unsigned).await, "it is not a JWT");
        let unknown = minted(&app, service().key(Key::Unpublished));
        assert_invalid(stage, call_with(&app, &unknown).await, "a key Okta does not publish");
        // Expired an hour ago.
        let expired = minted(&app, service().expired(Duration::from_secs(3600)));
        assert_invalid(stage, call_with(&app, &expired).await, "ExpiredSignature");
        assert_eq!(call_with(&app, &good).await.0, StatusCode::OK, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_token_for_another_api_is_refused() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let token = minted(&app, service().audience("api://another-api"));
        assert_invalid(stage, call_with(&app, &token).await, "InvalidAudience");
    })
    .await;
}

#[tokio::test]
async fn a_token_without_the_scope_is_a_403_insufficient_scope() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let token =
            minted(&app, TokenRequest::new(DEFAULT_SERVICE_CLIENT_ID).scope("messages:write"));
        let (status, challenge, body) = call_with(&app, &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{stage:?}: {body}");
        let expected = "Bearer error=\"insufficient_scope\", scope=\"messages:read\"";
        assert_eq!(challenge, expected, "{stage:?}");
        assert_eq!(body["error"], "insufficient_scope", "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn after_okta_rotates_its_keys_new_tokens_work_after_one_fetch_of_them() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let keys = || app.okta.requests_to("/v1/keys").len();
        let before = keys();
        app.okta.set_fault(Fault::RotateKeys);
        let rotated = service_token(&app.okta, "messages:read").await;
        // Five callers at once: one reads the keys, the others wait for it
        // and take the keys it found.
        let call = || call_with(&app, &rotated);
        let calls = tokio::join!(call(), call(), call(), call(), call());
        for (status, _, body) in [calls.0, calls.1, calls.2, calls.3, calls.4] {
            assert_eq!(status, StatusCode::OK, "{stage:?}: {body}");
        }
        assert_eq!(keys(), before + 1, "{stage:?}: the keys fetched once more");
        assert_eq!(call_with(&app, &rotated).await.0, StatusCode::OK, "{stage:?}");
        // Anyone can send a token naming a key nobody has: that is not
        // worth a fetch each time (at most one every ten seconds).
        let unknown = minted(&app, service().key(Key::Unpublished));
        for _ in 0..3 {
            let (status, _, _) = call_with(&app, &unknown).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{stage:?}");
        }
        assert_eq!(keys(), before + 1, "{stage:?}: a fetch per unknown key");
    })
    .await;
}

#[tokio::test]
async fn the_messages_page_calls_the_api_with_the_users_access_token() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.log_in_as_alice("/messages").await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-messages"), "{stage:?}: {}", page.body);
        assert!(page.body.contains("you are a user"), "{stage:?}: {}", page.body);
        let authorize = app.okta.requests_to("/v1/authorize");
        let scope = authorize[0].param("scope").unwrap_or_default();
        assert!(scope.split(' ').any(|s| s == "messages:read"), "{stage:?}: {scope}");
    })
    .await;
}

#[tokio::test]
async fn an_org_server_access_token_is_refused_with_a_page_saying_why() {
    each_stage(&API, |stage| async move {
        let okta = MockOkta::start().await.expect("start");
        let org = okta.org_issuer().to_string();
        let app =
            TestApp::start_with(stage, okta, Timing::default(), &[("OKTA_BASE_URL", &org)]).await;
        let page = app.log_in_as_alice("/messages").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
        for said in ["data-error=\"api-refused\"", "401", "org authorization server"] {
            assert!(page.body.contains(said), "{stage:?}: no {said}: {}", page.body);
        }
    })
    .await;
}

#[tokio::test]
async fn a_path_or_method_the_api_does_not_have_is_answered_in_json() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let http = reqwest::Client::new();
        let asked = [
            (http.get(app.at("/api/message")), StatusCode::NOT_FOUND, "not_found"),
            (http.get(app.at("/api/")), StatusCode::NOT_FOUND, "not_found"),
            (http.get(app.at("/api")), StatusCode::NOT_FOUND, "not_found"),
            (http.get(app.at("/api/messages/")), StatusCode::NOT_FOUND, "not_found"),
            (
                http.delete(app.at("/api/messages")),
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
        ];
        for (request, status, error) in asked {
            let answer = request.send().await.expect("the app answers");
            let path = answer.url().path().to_string();
            assert_eq!(answer.status(), status, "{stage:?} {path}");
            let body: Value = answer.json().await.unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(body["error"], error, "{stage:?}: {body}");
            let said = body["error_description"].as_str().unwrap_or_default();
            assert!(said.contains("GET /api/messages"), "{stage:?}: {said}");
        }
        // The site around it keeps its pages.
        let page = app.browser.get(&app.at("/message")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{stage:?}");
        assert!(page.body.starts_with("<!doctype html>"), "{stage:?}: {}", page.body);
    })
    .await;
}

#[tokio::test]
async fn a_users_token_reads_the_messages_addressed_to_the_user() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let token = minted(&app, TokenRequest::new(ALICE.0).scope("messages:read"));
        let (status, _, body) = call_with(&app, &token).await;
        assert_eq!(status, StatusCode::OK, "{stage:?}: {body}");
        assert_eq!(body["messages"][0]["to"], ALICE.0, "{stage:?}: {body}");
        let said = body["messages"][1]["text"].as_str().unwrap_or_default();
        assert!(said.contains("you are a user"), "{stage:?}: {said}");
    })
    .await;
}

#[tokio::test]
async fn a_token_expired_within_the_minute_of_clock_skew_is_taken_and_an_older_one_is_not() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let just_expired = minted(&app, service().expired(Duration::from_secs(20)));
        let (status, _, body) = call_with(&app, &just_expired).await;
        assert_eq!(status, StatusCode::OK, "{stage:?}: {body}");
        let expired = minted(&app, service().expired(Duration::from_secs(120)));
        assert_invalid(stage, call_with(&app, &expired).await, "ExpiredSignature");
    })
    .await;
}

#[tokio::test]
async fn a_token_not_valid_before_an_hour_from_now_is_refused() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let now = app.okta.now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
        let early = minted(&app, service().claim("nbf", json!(now + 3600)));
        assert_invalid(stage, call_with(&app, &early).await, "ImmatureSignature");
    })
    .await;
}

#[tokio::test]
async fn an_id_token_sent_as_an_access_token_is_refused_for_its_audience() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let id_token = minted(&app, TokenRequest::new(ALICE.0).scope("openid").tokens(Tokens::Id));
        assert_invalid(stage, call_with(&app, &id_token).await, "InvalidAudience");
    })
    .await;
}

#[tokio::test]
async fn an_org_server_token_sent_to_the_api_is_a_401_that_says_whose_it_is() {
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let org_token = minted(&app, service().server(Server::Org));
        assert_invalid(stage, call_with(&app, &org_token).await, "org authorization server");
    })
    .await;
}

#[tokio::test]
async fn two_authorization_headers_are_a_400_invalid_request() {
    // RFC 9110 §5.3: a field that may appear once, sent twice, makes the
    // request malformed; which token counts cannot be guessed.
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let token = minted(&app, service());
        let answer = reqwest::Client::new()
            .get(app.at("/api/messages"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Authorization", "Bearer another")
            .send()
            .await
            .expect("the app answers");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{stage:?}");
        let body: Value = answer.json().await.expect("a JSON body");
        assert_eq!(body["error"], "invalid_request", "{stage:?}: {body}");
        assert!(
            body["error_description"].as_str().unwrap_or_default().contains("one Authorization")
        );
    })
    .await;
}

#[tokio::test]
async fn a_token_with_bytes_that_are_not_ascii_is_an_invalid_token() {
    // A token was sent, so "no token" would be wrong: it is not a token.
    each_stage(&API, |stage| async move {
        let app = TestApp::start(stage).await;
        let value = reqwest::header::HeaderValue::from_bytes(b"Bearer caf\xc3\xa9.t\xffken")
            .expect("obs-text is a header value");
        let answer = reqwest::Client::new()
            .get(app.at("/api/messages"))
            .header("Authorization", value)
            .send()
            .await
            .expect("the app answers");
        let status = answer.status();
        let challenge = answer.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
        let challenge = challenge.unwrap_or_default().to_string();
        let body: Value = answer.json().await.expect("a JSON body");
        assert_invalid(stage, (status, challenge, body), "visible ASCII");
    })
    .await;
}
