//! Helpers shared by mock-okta's integration tests: an OAuth client's side
//! of the conversation, spoken directly (no app in between).
#![allow(dead_code)]

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mock_okta::{Browser, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockOkta, Page};
use reqwest::StatusCode;
use serde_json::Value;

pub const REDIRECT_URI: &str = "http://localhost:8080/login/okta/authorized";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const ALICE: (&str, &str) = ("alice@example.com", "alice-password");

/// An authorize URL with the usual parameters; `changes` overrides them
/// (an empty value removes one).
pub fn authorize_url(okta: &MockOkta, changes: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid email profile offline_access"),
        ("state", "state-123"),
        ("nonce", "nonce-456"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in changes {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    let mut url = url::Url::parse(&format!("{}/v1/authorize", okta.issuer())).expect("a URL");
    url.query_pairs_mut().extend_pairs(params);
    url.into()
}

/// The query parameters of a redirect's Location.
pub fn redirect_params(page: &Page) -> Vec<(String, String)> {
    let location = page
        .location()
        .unwrap_or_else(|| panic!("expected a redirect, got {} {}", page.status, page.body));
    location.query_pairs().into_owned().collect()
}

pub fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// Opens the login page and signs in; returns the redirect back to the app
/// (not followed: no app listens there).
pub async fn sign_in(browser: &Browser, url: &str, (username, password): (&str, &str)) -> Page {
    let login = browser.get(url).await;
    assert!(
        login.is_login_page(),
        "expected the login page, got {} {}",
        login.status,
        login.body
    );
    browser
        .post_login_form(&login, "login", username, password)
        .await
}

/// A fresh login as alice, returning the authorization code.
pub async fn code(okta: &MockOkta, changes: &[(&str, &str)]) -> String {
    let browser = Browser::new();
    let back = sign_in(&browser, &authorize_url(okta, changes), ALICE).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let params = redirect_params(&back);
    param(&params, "code").unwrap_or_else(|| panic!("no code in {params:?}"))
}

/// POSTs a form to an endpoint under the issuer, with the default client's
/// credentials in the form (client_secret_post).
pub async fn post(okta: &MockOkta, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut fields = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
    ];
    fields.extend_from_slice(form);
    post_raw(okta, endpoint, &fields).await
}

/// POSTs a form as it is.
pub async fn post_raw(
    okta: &MockOkta,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{endpoint}", okta.issuer()))
        .form(form)
        .send()
        .await
        .expect("the mock answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Exchanges a code for tokens.
pub async fn exchange(okta: &MockOkta, code: &str, verifier: Option<&str>) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    post(okta, "/v1/token", &form).await
}

/// A full login as alice: the token response.
pub async fn tokens(okta: &MockOkta) -> Value {
    let code = code(okta, &[]).await;
    let (status, body) = exchange(okta, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// GET /v1/userinfo with a bearer token.
pub async fn userinfo(okta: &MockOkta, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/v1/userinfo", okta.issuer()))
        .bearer_auth(token)
        .send()
        .await
        .expect("the mock answers")
}

/// Verifies an RS256 JWT against the mock's published JWKS, with
/// jsonwebtoken and nothing of the mock's own code: the claims if the
/// signature holds (expiry, audience and issuer are not checked here).
pub async fn verify_with_jwks(okta: &MockOkta, jwt: &str) -> Option<Value> {
    let jwks: JwkSet = reqwest::get(format!("{}/v1/keys", okta.issuer()))
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let kid = jsonwebtoken::decode_header(jwt).ok()?.kid?;
    let key = DecodingKey::from_jwk(jwks.find(&kid)?).ok()?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode(jwt, &key, &validation)
        .ok()
        .map(|data| data.claims)
}
