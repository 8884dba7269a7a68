//! The control API: `/__mock/…` over HTTP, for suites in any language,
//! the same operations as the library's, on the mock's own port.

use crate::helpers::*;
use mock_okta::{Browser, Fault, MockOkta};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_fault_switched_on_over_http_bites_and_the_library_sees_it() {
    let okta = MockOkta::start().await.expect("start");
    let (status, body) = control(&okta, Method::POST, "/faults", r#"{"fault": "token-503"}"#).await;
    assert_eq!(
        (status, &body),
        (StatusCode::OK, &json!({ "faults": ["token-503"] }))
    );
    assert_eq!(okta.faults(), [Fault::Token503], "one implementation");
    let refused = code(&okta, &[]).await;
    assert_eq!(
        exchange(&okta, &refused, Some(VERIFIER)).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );

    control(
        &okta,
        Method::POST,
        "/faults",
        r#"{"fault": "token-slow=1ms"}"#,
    )
    .await;
    let (_, listed) = control(&okta, Method::GET, "/faults", "").await;
    assert_eq!(listed["faults"], json!(["token-503", "token-slow=1ms"]));
    let (status, body) = control(&okta, Method::DELETE, "/faults/token-503", "").await;
    assert_eq!(
        (status, &body),
        (StatusCode::OK, &json!({ "faults": ["token-slow=1ms"] }))
    );
    let code = code(&okta, &[]).await;
    assert_eq!(
        exchange(&okta, &code, Some(VERIFIER)).await.0,
        StatusCode::OK
    );
    let (_, body) = control(&okta, Method::DELETE, "/faults", "").await;
    assert_eq!(body, json!({ "faults": [] }));
    assert!(okta.faults().is_empty());
}

#[tokio::test]
async fn faults_with_values_are_written_as_on_the_command_line() {
    let okta = MockOkta::start().await.expect("start");
    for fault in [
        "refresh-token-rotation=5s",
        "token-429",
        "custom-domain-issuer=https://id.example.org",
    ] {
        let body = json!({ "fault": fault }).to_string();
        assert_eq!(
            control(&okta, Method::POST, "/faults", &body).await.0,
            StatusCode::OK
        );
    }
    let (_, listed) = control(&okta, Method::GET, "/faults", "").await;
    assert_eq!(
        listed["faults"],
        json!([
            "refresh-token-rotation=5000ms",
            "token-429=60000ms",
            "custom-domain-issuer=https://id.example.org"
        ])
    );
    let discovery = get_json(&format!(
        "{}/.well-known/openid-configuration",
        okta.issuer()
    ))
    .await;
    assert_eq!(discovery["issuer"], "https://id.example.org/oauth2/default");
    let (_, left) = control(&okta, Method::DELETE, "/faults/custom-domain-issuer", "").await;
    assert_eq!(
        left,
        json!({ "faults": ["refresh-token-rotation=5000ms", "token-429=60000ms"] })
    );
}

#[tokio::test]
async fn bad_json_or_an_unknown_fault_is_a_400_saying_what_to_send() {
    let okta = MockOkta::start().await.expect("start");
    let cases = [
        ("/faults", "token-503", "send {\"fault\": \"NAME\"}"),
        (
            "/faults",
            r#"{"faults": "token-503"}"#,
            "unknown field \"faults\": the fields are fault",
        ),
        (
            "/faults",
            r#"{"fault": "explode"}"#,
            "unknown fault \"explode\": the faults are deny-consent, ",
        ),
        (
            "/faults",
            r#"{"fault": "token-slow"}"#,
            "fault token-slow needs a duration, e.g. token-slow=30s",
        ),
        (
            "/users",
            r#"{"email": "carol@example.com"}"#,
            "\"password\" is missing: send {\"email\"",
        ),
        (
            "/users",
            r#"{"email": "carol", "name": "C", "password": "p"}"#,
            "email: \"carol\" is not an email address",
        ),
        (
            "/clients",
            r#"{"id": "app", "redirect_uris": ["cb"]}"#,
            "redirect_uris[0]: \"cb\" is not an absolute URL",
        ),
        (
            "/clock",
            r#"{"advance": "soon"}"#,
            "\"soon\" is not a span: send {\"advance\": \"2h\"}",
        ),
        ("/clock", r#"{"advance": "9999d"}"#, "is not a span"),
    ];
    for (path, body, expected) in cases {
        let (status, answer) = control(&okta, Method::POST, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}");
        let line = error_line(&answer);
        assert!(line.contains(expected), "{path} {body}: {line}");
    }
    assert!(okta.faults().is_empty(), "nothing changed");
    let (status, answer) = control(&okta, Method::DELETE, "/faults/explode", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_line(&answer).starts_with("unknown fault \"explode\""));
    let (status, answer) = control(&okta, Method::GET, "/nope", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_line(&answer).contains("GET /__mock lists what it has"));
}

#[tokio::test]
async fn a_user_and_a_client_added_over_http_log_in() {
    let okta = MockOkta::start().await.expect("start");
    let user = r#"{"email": "dan@example.com", "password": "dan-password", "name": "Dan Example", "groups": ["admins"]}"#;
    let (status, added) = control(&okta, Method::POST, "/users", user).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(added["email"], "dan@example.com");
    let redirect = "http://127.0.0.1:9999/callback";
    let client =
        format!(r#"{{"id": "py-app", "secret": "py-secret", "redirect_uris": ["{redirect}"]}}"#);
    let (status, _) = control(&okta, Method::POST, "/clients", &client).await;
    assert_eq!(status, StatusCode::CREATED);

    let url = authorize_url(
        &okta,
        &[("client_id", "py-app"), ("redirect_uri", redirect)],
    );
    let back = sign_in(&Browser::new(), &url, ("dan@example.com", "dan-password")).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let (status, tokens) = post_raw(
        &okta,
        "/v1/token",
        &[
            ("client_id", "py-app"),
            ("client_secret", "py-secret"),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
    assert_eq!((&id["sub"], &id["aud"]), (&added["id"], &json!("py-app")));
    assert_eq!(id["groups"], json!(["Everyone", "admins"]));
}

#[tokio::test]
async fn recorded_requests_come_back_as_json_with_secrets_redacted() {
    let okta = MockOkta::start().await.expect("start");
    let code = code(&okta, &[]).await;
    exchange(&okta, &code, Some(VERIFIER)).await;
    control(&okta, Method::GET, "/faults", "").await;
    let (status, body) = control(&okta, Method::GET, "/requests?path=/v1/token", "").await;
    assert_eq!(status, StatusCode::OK);
    let requests = body["requests"].as_array().expect("a list");
    assert_eq!(requests.len(), 1);
    let form = &requests[0]["form"];
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["client_id"], mock_okta::DEFAULT_CLIENT_ID);
    for secret in ["client_secret", "code", "code_verifier"] {
        assert_eq!(form[secret], "[redacted]", "{secret}");
    }
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["path"], "/oauth2/default/v1/token");

    let (_, all) = control(&okta, Method::GET, "/requests", "").await;
    let text = all.to_string();
    for secret in [
        mock_okta::DEFAULT_CLIENT_SECRET,
        "alice-password",
        &code,
        VERIFIER,
    ] {
        assert!(!text.contains(secret), "{secret} is shown");
    }
    assert!(
        !text.contains("/__mock/"),
        "calls to the control API are not recorded"
    );
    assert_eq!(
        control(&okta, Method::GET, "/requests?endpoint=/v1/token", "")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    control(&okta, Method::DELETE, "/requests", "").await;
    assert!(okta.requests().is_empty());
}

#[tokio::test]
async fn basic_credentials_and_cookies_are_redacted_too() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    browser.get(&authorize_url(&okta, &[])).await;
    reqwest::Client::new()
        .post(format!("{}/v1/introspect", okta.issuer()))
        .basic_auth(
            mock_okta::DEFAULT_CLIENT_ID,
            Some(mock_okta::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("token", "some-token")])
        .send()
        .await
        .expect("an answer");
    let (_, body) = control(&okta, Method::GET, "/requests", "").await;
    let requests = body["requests"].as_array().expect("a list");
    let with_cookie = requests
        .iter()
        .find(|r| r["headers"]["cookie"].is_string())
        .expect("the second authorize sent the login cookie");
    assert_eq!(with_cookie["headers"]["cookie"], "[redacted]");
    let introspect = requests.last().expect("the introspection");
    assert_eq!(introspect["headers"]["authorization"], "Basic [redacted]");
    assert_eq!(introspect["form"]["token"], "[redacted]");
}

#[tokio::test]
async fn moving_the_clock_over_http_ends_tokens_and_logins() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let access = field(&tokens, "access_token");
    let (_, before) = control(&okta, Method::GET, "/clock", "").await;
    let (status, after) = control(&okta, Method::POST, "/clock", r#"{"advance": "2h"}"#).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["ahead_seconds"], 7200);
    let moved = after["now"].as_u64().expect("now") - before["now"].as_u64().expect("now");
    assert!((7200..7210).contains(&moved), "{moved}");
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED,
        "the hour has passed"
    );
}

#[tokio::test]
async fn with_the_control_api_off_its_paths_are_oktas_404() {
    let okta = MockOkta::builder()
        .control_api(false)
        .start()
        .await
        .expect("start");
    assert_eq!(okta.control_url(), None);
    let answer = reqwest::Client::new()
        .post(format!("{}/__mock/faults", okta.org_issuer()))
        .body(r#"{"fault": "token-503"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["error"], "not_found");
    assert!(okta.faults().is_empty());
}

#[tokio::test]
async fn a_web_page_of_another_origin_cannot_change_the_mock() {
    let okta = MockOkta::start().await.expect("start");
    let url = format!("{}/faults", okta.control_url().expect("on"));
    let post = |origin: String| {
        let request = reqwest::Client::new().post(&url).header("Origin", origin);
        request.body(r#"{"fault": "token-503"}"#).send()
    };
    // A form posted from another site's page, as a browser sends it.
    let posted = post("http://attacker.example".into())
        .await
        .expect("answers");
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    let body: Value = posted.json().await.expect("a JSON answer");
    assert!(error_line(&body).contains("another origin"), "{body}");
    assert!(okta.faults().is_empty(), "nothing changed");
    // From the mock's own origin, or from a test (no Origin), it changes.
    let own = url::Url::parse(&url)
        .expect("a URL")
        .origin()
        .ascii_serialization();
    assert_eq!(post(own).await.expect("answers").status(), StatusCode::OK);
    let (status, _) = control(&okta, Method::DELETE, "/faults", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(okta.faults().is_empty());
}
