//! Helpers shared by the modules of this test binary: an OAuth client's side
//! of the conversation, spoken directly (no app in between), with either
//! authorization server of the mock.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mock_okta::{Browser, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockOkta, Page};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const REDIRECT_URI: &str = "http://localhost:8080/login/okta/authorized";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const ALICE: (&str, &str) = ("alice@example.com", "alice-password");

/// One authorization server of a running mock. A `&MockOkta` is its (first)
/// custom authorization server; `At::org(&okta)` its org authorization
/// server; `At::custom(&okta, "orders")` another custom server.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub okta: &'a MockOkta,
    pub org: bool,
    /// Another custom server's name.
    pub custom: Option<&'a str>,
}

impl<'a> From<&'a MockOkta> for At<'a> {
    fn from(okta: &'a MockOkta) -> Self {
        At {
            okta,
            org: false,
            custom: None,
        }
    }
}

impl<'a> At<'a> {
    pub fn org(okta: &'a MockOkta) -> Self {
        At {
            okta,
            org: true,
            custom: None,
        }
    }

    pub fn custom(okta: &'a MockOkta, name: &'a str) -> Self {
        At {
            okta,
            org: false,
            custom: Some(name),
        }
    }

    pub fn issuer(self) -> &'a str {
        match (self.org, self.custom) {
            (true, _) => self.okta.org_issuer(),
            (false, Some(name)) => self
                .okta
                .issuer_of(name)
                .expect("a custom server of that name"),
            (false, None) => self.okta.issuer(),
        }
    }

    /// The URL of an endpoint given as `/v1/token`: `{issuer}/v1/token`
    /// for a custom server, `{org}/oauth2/v1/token` for the org server.
    pub fn url(self, endpoint: &str) -> String {
        if self.org {
            format!("{}/oauth2{endpoint}", self.okta.org_issuer())
        } else {
            format!("{}{endpoint}", self.issuer())
        }
    }
}

/// An authorize URL with the usual parameters; `changes` overrides them
/// (an empty value removes one).
pub fn authorize_url<'a>(at: impl Into<At<'a>>, changes: &[(&str, &str)]) -> String {
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
    let mut url = url::Url::parse(&at.into().url("/v1/authorize")).expect("a URL");
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
pub async fn code<'a>(at: impl Into<At<'a>>, changes: &[(&str, &str)]) -> String {
    let browser = Browser::new();
    let back = sign_in(&browser, &authorize_url(at, changes), ALICE).await;
    assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
    let params = redirect_params(&back);
    param(&params, "code").unwrap_or_else(|| panic!("no code in {params:?}"))
}

/// POSTs a form to an endpoint (`/v1/token`, …), with the default client's
/// credentials in the form (client_secret_post).
pub async fn post<'a>(
    at: impl Into<At<'a>>,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut fields = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
    ];
    fields.extend_from_slice(form);
    post_raw(at, endpoint, &fields).await
}

/// POSTs a form as it is.
pub async fn post_raw<'a>(
    at: impl Into<At<'a>>,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(at.into().url(endpoint))
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
pub async fn exchange<'a>(
    at: impl Into<At<'a>>,
    code: &str,
    verifier: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    post(at, "/v1/token", &form).await
}

/// A refresh with `refresh_token`, by the default client.
pub async fn refresh<'a>(at: impl Into<At<'a>>, refresh_token: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    post(at, "/v1/token", &form).await
}

/// A full login as alice: the token response.
pub async fn tokens<'a>(at: impl Into<At<'a>>) -> Value {
    let at = at.into();
    let code = code(at, &[]).await;
    let (status, body) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// GET a JSON document.
pub async fn get_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON")
}

/// The names of a JSON object's members (claims), in order.
pub fn names(object: &Value) -> Vec<&str> {
    let map = object.as_object().expect("a JSON object");
    map.keys().map(String::as_str).collect()
}

/// One string field of a token response, e.g. `"access_token"`.
pub fn field<'v>(tokens: &'v Value, name: &str) -> &'v str {
    tokens[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {tokens}"))
}

/// GET /v1/userinfo with a bearer token.
pub async fn userinfo<'a>(at: impl Into<At<'a>>, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(at.into().url("/v1/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the mock answers")
}

/// Verifies an RS256 JWT against the server's published JWKS, with
/// jsonwebtoken and nothing of the mock's own code: the claims if the
/// signature holds (expiry, audience and issuer are not checked here).
pub async fn verify_with_jwks<'a>(at: impl Into<At<'a>>, jwt: &str) -> Option<Value> {
    let jwks: JwkSet = reqwest::get(at.into().url("/v1/keys"))
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

/// One call to the control API: its status and JSON body.
pub async fn control(
    okta: &MockOkta,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    let url = format!(
        "{}{path}",
        okta.control_url().expect("the control API is on")
    );
    let answer = reqwest::Client::new()
        .request(method, url)
        .body(body.to_string())
        .send()
        .await
        .expect("the mock answers");
    let status = answer.status();
    let body = answer.bytes().await.expect("a body");
    if body.is_empty() {
        return (status, Value::Null);
    }
    (
        status,
        serde_json::from_slice(&body).expect("a JSON answer"),
    )
}

/// The one line a refused call answers.
pub fn error_line(body: &Value) -> &str {
    let line = body["error"].as_str().expect("an error line");
    assert!(!line.contains('\n'), "one line: {line}");
    line
}
