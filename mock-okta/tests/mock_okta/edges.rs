//! Strict at every HTTP edge: what the recorder keeps of a request and
//! the status it notes, a half-sent request's connection closed, RFC 9110's
//! case rules for schemes and media types, redirect URIs a browser would
//! run refused at registration, and a mock behind a proxy's origin.

use crate::helpers::{control, error_line, field, tokens, userinfo};
use base64::Engine;
use mock_okta::{
    Client, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, Fault, MockOkta,
    RECORDED_BYTES,
};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

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

// --- The header-read timeout ---------------------------------------------

/// Sends half a request's head and waits (10 s at most) for the server to
/// close the connection: what it answered meanwhile, or `None` if it kept
/// the connection open.
async fn half_a_request(mut stream: impl AsyncRead + AsyncWrite + Unpin) -> Option<Vec<u8>> {
    stream
        .write_all(b"GET /oauth2/default/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("sent");
    let mut answered = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answered));
    // EOF or a reset (TLS without close_notify): closed, either way.
    read.await.ok().map(|_closed| answered)
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let okta = MockOkta::builder()
        .header_read_timeout(timeout)
        .start()
        .await
        .expect("starts");
    let started = Instant::now();
    let stream = tokio::net::TcpStream::connect(okta.addr())
        .await
        .expect("connects");
    let answered = half_a_request(stream).await.expect("closed within 10 s");
    assert!(answered.is_empty(), "no answer to half a request");
    assert!(started.elapsed() >= timeout, "closed before its time");

    // A whole request on a new connection is answered as ever.
    let discovery = format!("{}/.well-known/openid-configuration", okta.issuer());
    let answer = reqwest::get(discovery).await.expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_half_sent_request_over_https_is_closed_too() {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

    let okta = MockOkta::builder()
        .tls(true)
        .header_read_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let pem = okta.tls_certificate_pem().expect("https");
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(certificate.expect("PEM")).expect("a root");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(okta.addr())
        .await
        .expect("connects");
    let name = ServerName::try_from("localhost").expect("a name");
    let stream = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("a handshake");
    let answered = half_a_request(stream).await.expect("closed within 10 s");
    assert!(answered.is_empty(), "no answer to half a request");
}

#[tokio::test]
async fn a_zero_header_read_timeout_is_refused() {
    let refused = MockOkta::builder()
        .header_read_timeout(Duration::ZERO)
        .start()
        .await
        .expect_err("refused");
    assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    assert!(refused.to_string().starts_with("header_read_timeout: "));
}

// --- RFC 9110: schemes and media types, in any case ----------------------

fn basic(scheme: &str, id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("{scheme} {encoded}")
}

/// POSTs `body` to an endpoint with this `Content-Type` and `Authorization`.
async fn post_as(
    url: &str,
    content_type: &str,
    authorization: &str,
    body: &str,
) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .post(url)
        .header(CONTENT_TYPE, content_type)
        .header(AUTHORIZATION, authorization)
        .body(body.to_string())
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_token_endpoint_takes_basic_and_a_form_type_in_any_case() {
    let okta = MockOkta::start().await.expect("starts");
    let token = format!("{}/v1/token", okta.issuer());
    let body = "grant_type=client_credentials&scope=messages%3Aread";
    let forms = [
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
    ];
    for (scheme, content_type) in [
        ("basic", forms[1]),
        ("BASIC", forms[0]),
        ("Basic", forms[1]),
    ] {
        let auth = basic(scheme, DEFAULT_SERVICE_CLIENT_ID, DEFAULT_CLIENT_SECRET);
        let (status, answer) = post_as(&token, content_type, &auth, body).await;
        assert_eq!(status, StatusCode::OK, "{scheme} {content_type}: {answer}");
        assert_eq!(answer["token_type"], "Bearer");
    }
}

#[tokio::test]
async fn a_media_type_that_only_begins_like_a_form_is_not_one() {
    let okta = MockOkta::start().await.expect("starts");
    let token = format!("{}/v1/token", okta.issuer());
    let auth = basic("Basic", DEFAULT_SERVICE_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    let body = "grant_type=client_credentials&scope=messages%3Aread";
    let (status, answer) = post_as(&token, "application/x-www-form-urlencodedX", &auth, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"], "invalid_request");
    assert_eq!(
        answer["error_description"],
        "The request must be application/x-www-form-urlencoded."
    );
    let recorded = okta.requests_to("/v1/token").pop().expect("recorded");
    assert_eq!(recorded.param("grant_type"), None, "not read as a form");
}

#[tokio::test]
async fn userinfo_takes_bearer_in_any_case() {
    let okta = MockOkta::start().await.expect("starts");
    let access = field(&tokens(&okta).await, "access_token").to_string();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let answer = reqwest::Client::new()
            .get(format!("{}/v1/userinfo", okta.issuer()))
            .header(AUTHORIZATION, format!("{scheme} {access}"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), StatusCode::OK, "{scheme}");
    }
    // Not a scheme of its own: "Bearer" glued to the token.
    let glued = reqwest::Client::new()
        .get(format!("{}/v1/userinfo", okta.issuer()))
        .header(AUTHORIZATION, format!("Bearer{access}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(glued.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(userinfo(&okta, &access).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn introspection_and_revocation_take_basic_and_a_form_type_in_any_case() {
    let okta = MockOkta::start().await.expect("starts");
    let access = field(&tokens(&okta).await, "access_token").to_string();
    let auth = basic("basic", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    let content_type = "APPLICATION/X-WWW-FORM-URLENCODED;charset=utf-8";
    let body = format!("token={access}");
    let introspect = format!("{}/v1/introspect", okta.issuer());
    let (status, answer) = post_as(&introspect, content_type, &auth, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["active"], true);

    let revoke = format!("{}/v1/revoke", okta.issuer());
    let (status, _) = post_as(&revoke, content_type, &auth, &body).await;
    assert_eq!(status, StatusCode::OK);
    let (_, answer) = post_as(&introspect, content_type, &auth, &body).await;
    assert_eq!(answer["active"], false, "revoked");
}

// --- Redirect URIs a browser would run ------------------------------------

#[tokio::test]
async fn the_control_api_refuses_a_redirect_uri_that_runs_in_the_browser_or_has_a_fragment() {
    let okta = MockOkta::start().await.expect("starts");
    let cases = [
        (
            r#"{"id": "a", "secret": "s", "redirect_uris": ["javascript:alert(document.cookie)"]}"#,
            "redirect_uris[0]: \"javascript:alert(document.cookie)\": a redirect URI may not use the javascript: scheme",
        ),
        (
            r#"{"id": "a", "secret": "s", "redirect_uris": ["http://localhost:3000/cb"], "post_logout_redirect_uris": ["http://localhost:3000", "data:text/html,hi"]}"#,
            "post_logout_redirect_uris[1]: \"data:text/html,hi\": a redirect URI may not use the data: scheme",
        ),
        (
            r##"{"id": "a", "secret": "s", "redirect_uris": ["http://localhost:3000/cb#done"]}"##,
            "redirect_uris[0]: \"http://localhost:3000/cb#done\" has a fragment (#done): a redirect URI has none (RFC 6749 §3.1.2; Okta refuses one): remove it",
        ),
    ];
    for (client, expected) in cases {
        let (status, answer) = control(&okta, Method::POST, "/clients", client).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{client}");
        assert!(error_line(&answer).starts_with(expected), "{answer}");
    }
    assert!(
        okta.clients().iter().all(|c| c.id != "a"),
        "none registered"
    );

    let native = r#"{"id": "native", "redirect_uris": ["com.example.app:/callback"]}"#;
    let (status, answer) = control(&okta, Method::POST, "/clients", native).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn the_builder_refuses_a_redirect_uri_with_a_fragment() {
    let client = Client::web("app", "s").redirect_uri("http://localhost:3000/cb#x");
    let refused = MockOkta::builder()
        .client(client)
        .start()
        .await
        .expect_err("refused");
    assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    let said = refused.to_string();
    assert!(said.starts_with("clients[2].redirect_uris[0]: "), "{said}");
    assert!(said.contains("has a fragment"), "{said}");
}

// --- Behind a proxy: an origin in the issuers ------------------------------

#[tokio::test]
async fn an_origin_names_the_issuers_while_the_mock_serves_plain_http_at_its_address() {
    let okta = MockOkta::builder()
        .host("https://login.example.com")
        .start()
        .await
        .expect("starts");
    let issuer = "https://login.example.com/oauth2/default";
    assert_eq!(okta.issuer(), issuer);
    assert_eq!(okta.org_issuer(), "https://login.example.com");

    // The mock itself, over plain http, at the address it listens on.
    let at = format!("http://{}", okta.addr());
    let discovery: Value = reqwest::get(format!(
        "{at}/oauth2/default/.well-known/openid-configuration"
    ))
    .await
    .expect("an answer")
    .json()
    .await
    .expect("JSON");
    assert_eq!(discovery["issuer"], issuer);
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
    ] {
        let url = discovery[endpoint].as_str().unwrap_or_default();
        assert!(
            url.starts_with(&format!("{issuer}/v1/")),
            "{endpoint}: {url}"
        );
    }

    let minted: Value = reqwest::Client::new()
        .post(format!("{at}/__mock/tokens"))
        .body(r#"{"subject": "alice@example.com"}"#)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    let token = minted["access_token"]["token"].as_str().expect("a token");
    let claims = mock_okta::decode_claims(token).expect("a JWT");
    assert_eq!(claims["iss"], issuer);
}

#[tokio::test]
async fn an_origin_with_a_port_and_https_to_the_mock_itself() {
    let okta = MockOkta::builder()
        .host("https://login.example.com:8443")
        .tls(true)
        .start()
        .await
        .expect("starts");
    assert_eq!(
        okta.issuer(),
        "https://login.example.com:8443/oauth2/default"
    );
    // The certificate names the origin's host, and the local names.
    let pem = okta.tls_certificate_pem().expect("https");
    let trusted = reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM");
    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(trusted)
        .resolve("login.example.com", okta.addr())
        .build()
        .expect("a client");
    for at in [
        format!("https://login.example.com:{}", okta.addr().port()),
        format!("https://localhost:{}", okta.addr().port()),
    ] {
        let discovery: Value = client
            .get(format!("{at}/.well-known/openid-configuration"))
            .send()
            .await
            .expect("an answer over https")
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            discovery["issuer"], "https://login.example.com:8443",
            "{at}"
        );
    }
}

#[tokio::test]
async fn an_origin_with_a_path_is_refused_in_one_line() {
    let refused = MockOkta::builder()
        .host("https://login.example.com/okta")
        .start()
        .await
        .expect_err("refused");
    assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        refused.to_string(),
        "\"https://login.example.com/okta\": an origin has no path: e.g. https://login.example.com (the issuers add /oauth2/…)"
    );
}
