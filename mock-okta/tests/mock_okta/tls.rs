//! https: a login over it with a client that trusts only the mock's
//! certificate, and clients that do not trust it refused at the handshake.

use crate::helpers::{
    ALICE, REDIRECT_URI, VERIFIER, authorize_url, param, redirect_params, sign_in,
};
use mock_okta::{Browser, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockOkta};
use reqwest::StatusCode;
use serde_json::Value;

/// A client that trusts `pem` and nothing else (no built-in roots).
fn trusting_only(pem: &str) -> reqwest::ClientBuilder {
    let certificate = reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(certificate)
}

async fn json(client: &reqwest::Client, url: &str) -> Value {
    let response = client.get(url).send().await.expect("an answer over https");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn a_login_over_https_trusting_only_the_mocks_certificate() {
    let okta = MockOkta::builder().tls(true).start().await.expect("starts");
    let pem = okta.tls_certificate_pem().expect("https").to_string();
    let port = okta.addr().port();
    assert_eq!(okta.org_issuer(), format!("https://127.0.0.1:{port}"));
    assert_eq!(
        okta.issuer(),
        format!("https://127.0.0.1:{port}/oauth2/default")
    );
    let client = trusting_only(&pem).build().expect("a client");

    let discovery = json(
        &client,
        &format!("{}/.well-known/openid-configuration", okta.issuer()),
    )
    .await;
    assert_eq!(discovery["issuer"], okta.issuer());
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let url = discovery[endpoint].as_str().unwrap_or_default();
        assert!(
            url.starts_with(&format!("{}/v1/", okta.issuer())),
            "{endpoint}: {url}"
        );
    }

    // authorize → the login form → a code, in a browser that trusts only it.
    let browser = Browser::with_client(trusting_only(&pem));
    let back = sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let code = param(&redirect_params(&back), "code").expect("a code");

    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
    ];
    let token_endpoint = discovery["token_endpoint"].as_str().expect("a URL");
    let response = client
        .post(token_endpoint)
        .form(&form)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.expect("JSON");
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let claims = mock_okta::decode_claims(id_token).expect("claims");
    assert_eq!(claims["iss"], okta.issuer());
    assert_eq!(claims["email"], ALICE.0);

    let userinfo = client
        .get(discovery["userinfo_endpoint"].as_str().expect("a URL"))
        .bearer_auth(tokens["access_token"].as_str().expect("an access token"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(userinfo.status(), StatusCode::OK);

    // The org server, the control API and the health endpoint answer over it too.
    let org = json(
        &client,
        &format!("{}/.well-known/openid-configuration", okta.org_issuer()),
    )
    .await;
    assert_eq!(
        org["token_endpoint"],
        format!("{}/oauth2/v1/token", okta.org_issuer())
    );
    let control = okta.control_url().expect("on");
    assert_eq!(
        json(&client, &format!("{control}/faults")).await["faults"],
        serde_json::json!([])
    );
    let health = json(&client, &format!("{control}/health")).await;
    assert_eq!(health["tls"], true);
    assert_eq!(health["issuers"]["org"], okta.org_issuer());
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_fails_the_handshake() {
    let okta = MockOkta::builder().tls(true).start().await.expect("starts");
    let other = MockOkta::builder().tls(true).start().await.expect("starts");
    let url = format!("{}/.well-known/openid-configuration", okta.issuer());

    // The public roots only (reqwest's built-in webpki roots).
    let public = reqwest::Client::new();
    // Another mock's certificate only: each mock's authority is its own.
    let another = trusting_only(other.tls_certificate_pem().expect("https"))
        .build()
        .expect("a client");
    for (who, client) in [("the public roots", public), ("another mock's", another)] {
        let error = client.get(&url).send().await.expect_err(who);
        assert!(error.is_connect(), "{who}: {error:?}");
        let chain = format!("{:?}", error);
        assert!(chain.contains("UnknownIssuer"), "{who}: {chain}");
    }

    // Plain http to the https port gets no answer of the mock's.
    let plain = url.replacen("https://", "http://", 1);
    let answered = reqwest::get(&plain).await.map(|r| r.status());
    assert!(answered.is_err(), "{answered:?}");
    assert!(okta.requests().is_empty(), "no request reached the mock");
}

#[tokio::test]
async fn a_given_certificate_is_served_and_a_key_of_another_is_refused() {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("made");
    let (chain, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let okta = MockOkta::builder()
        .host("localhost")
        .tls_pem(chain.clone(), key)
        .start()
        .await
        .expect("starts");
    assert_eq!(okta.tls_certificate_pem(), Some(chain.as_str()));
    assert!(okta.issuer().starts_with("https://localhost:"));
    let client = trusting_only(&chain).build().expect("a client");
    let discovery = json(
        &client,
        &format!("{}/.well-known/openid-configuration", okta.issuer()),
    )
    .await;
    assert_eq!(discovery["issuer"], okta.issuer());

    let stranger = rcgen::KeyPair::generate().expect("a key").serialize_pem();
    let error = MockOkta::builder()
        .tls_pem(chain, stranger)
        .start()
        .await
        .expect_err("a key of another certificate");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("do not go together"), "{error}");
    let error = MockOkta::builder()
        .tls_pem("not PEM", "not PEM")
        .start()
        .await
        .expect_err("no certificate");
    assert!(error.to_string().contains("no CERTIFICATE"), "{error}");
}
