//! Protect an API: `GET /api/messages` answers the holder of an access token.
//!
//! Another program (or this app's own page, for its logged-in user) calls
//! the API with `Authorization: Bearer <access token>` (RFC 6750). The app
//! checks the token itself: a JWT from the custom authorization server,
//! signed with one of its keys (RS256), issued by it (`iss`), for this API
//! (`aud` = `API_AUDIENCE`), not expired (`exp`, with a minute of skew), and
//! granting this route's scope (`scp`). No session, no cookie: a request
//! with a session cookie and no token is refused like any other.

use crate::error::AppError;
use crate::provider::Discovery;
use crate::session::now;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, Validation, dangerous, decode, decode_header};
use moka::future::Cache;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Where the API is, and its messages in it.
pub const API_PATH: &str = "/api";
pub const MESSAGES_PATH: &str = "/api/messages";
/// The scope a caller needs to read them (a custom scope of the custom
/// authorization server: Security, API, Authorization Servers, Scopes).
pub const READ_MESSAGES: &str = "messages:read";
/// The clock skew allowed on `exp`, in seconds.
const LEEWAY: u64 = 60;

// ANCHOR: caller
/// What the API reads of a valid access token (Okta's access tokens carry
/// more: `ver`, `jti`, `iat`, `cid`, …).
#[derive(Debug, Clone, Deserialize)]
pub struct Caller {
    /// The user the token was issued for, or, for a service (client
    /// credentials), the client itself.
    pub sub: String,
    /// The scopes the token grants (Okta's `scp`).
    #[serde(default)]
    pub scp: Vec<String>,
    /// The user's id, in a user's token only.
    pub uid: Option<String>,
    /// When the token expires, in seconds since the Unix epoch.
    pub exp: u64,
}

/// A valid access token's caller, as an extractor: a handler that takes a
/// `Caller` runs only for a request with one.
impl FromRequestParts<Arc<Api>> for Caller {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, api: &Arc<Api>) -> Result<Caller, Refusal> {
        let token = bearer(&parts.headers)?.ok_or(Refusal::NoToken)?;
        api.check(token).await
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme's name is
/// case-insensitive, RFC 7235 §2.1), if there is one. Two `Authorization`
/// headers are a malformed request (RFC 9110 §5.3), and a bearer token that
/// is not visible ASCII is not a token (RFC 6750 §2.1, `b64token`).
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return match headers.contains_key(AUTHORIZATION) {
            true => Err(Refusal::Malformed("send one Authorization header, not several")),
            false => Ok(None),
        };
    };
    let Some((scheme, token)) = value.as_bytes().split_at_checked(7) else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return Ok(None);
    }
    match std::str::from_utf8(token).map(str::trim) {
        Ok("") => Ok(None),
        Ok(token) if token.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(token)),
        _ => Err(Refusal::invalid("it is not a token: a bearer token is visible ASCII")),
    }
}
// ANCHOR_END: caller

// ANCHOR: routes
/// The API's routes, under [`API_PATH`]. Every answer is JSON for a
/// program to read, a path or a method the API does not have included:
/// never the HTML pages of the site around it.
pub fn routes(api: Api) -> Router {
    let not_found = || async { Refusal::NotHere(StatusCode::NOT_FOUND) };
    let routes = Router::new()
        .route("/messages", get(messages))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { Refusal::NotHere(StatusCode::METHOD_NOT_ALLOWED) })
        .with_state(Arc::new(api));
    // `/api/` is not under the nested routes (their fallback starts below
    // it): it is answered in JSON too.
    Router::new().nest(API_PATH, routes).route(&format!("{API_PATH}/"), any(not_found))
}
// ANCHOR_END: routes

// ANCHOR: messages
/// `GET /api/messages`: for a caller whose token grants `messages:read`.
pub async fn messages(caller: Caller) -> Result<Json<Value>, Refusal> {
    if !caller.scp.iter().any(|s| s == READ_MESSAGES) {
        return Err(Refusal::InsufficientScope(READ_MESSAGES));
    }
    let who = caller.uid.map_or("a service", |_| "a user");
    Ok(Json(json!({
        "messages": [
            {"text": "Hello from the API.", "to": caller.sub},
            {"text": format!("Your access token says you are {who}.")},
        ]
    })))
}
// ANCHOR_END: messages

// ANCHOR: check
/// What the API needs to check a token: Okta's keys (from discovery) and
/// what a token for this API must say.
#[derive(Debug)]
pub struct Api {
    discovery: Arc<Discovery>,
    issuer: String,
    audience: String,
    /// Tokens found valid, their callers and the `kid` of the key that
    /// signed them: a caller sends the same token with every request, and
    /// checking its RS256 signature again each time would cost more than
    /// the rest of the request. At most 10,000, each for at most five
    /// minutes, never past its `exp`, and only while Okta still publishes
    /// its key (a key withdrawn takes its tokens with it).
    valid: Cache<String, (Caller, String)>,
}

impl Api {
    pub fn new(discovery: Arc<Discovery>, issuer: &str, audience: &str) -> Api {
        let valid = Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(300));
        Api { discovery, issuer: issuer.into(), audience: audience.into(), valid: valid.build() }
    }

    /// The caller `token` names, once it is valid: found valid before and
    /// not expired since, or checked now.
    async fn check(&self, token: &str) -> Result<Caller, Refusal> {
        if let Some((caller, kid)) = self.valid.get(token).await
            && now() <= caller.exp.saturating_add(LEEWAY)
            && self.discovery.provider().is_ok_and(|p| p.api_keys.contains_key(&kid))
        {
            return Ok(caller);
        }
        let (caller, kid) = self.verify(token).await?;
        self.valid.insert(token.into(), (caller.clone(), kid)).await;
        Ok(caller)
    }

    /// The caller `token` names, once its signature and claims are valid,
    /// and the `kid` of the key that signed it.
    async fn verify(&self, token: &str) -> Result<(Caller, String), Refusal> {
        let header = decode_header(token).map_err(|_| Refusal::invalid("it is not a JWT"))?;
        // Whose is it? Read before any key is looked for (the claims are not
        // trusted yet: only the answer's wording depends on them).
        let claimed = dangerous::insecure_decode_claims::<Value>(token);
        let iss = claimed.ok().and_then(|c| c["iss"].as_str().map(String::from));
        match iss {
            // The org authorization server (its issuer is the org's URL, not
            // `…/oauth2/{server}`) signs its access tokens for Okta's own
            // APIs, with keys no other API can check them with.
            Some(iss) if !iss.contains("/oauth2/") => {
                return Err(Refusal::invalid(
                    "it is from Okta's org authorization server, whose tokens are for Okta's own APIs: ask a custom authorization server for one",
                ));
            }
            Some(iss) if iss == self.issuer => {}
            _ => return Err(Refusal::invalid("it is from another issuer")),
        }
        let kid = header.kid.ok_or(Refusal::invalid("it names no signing key"))?;
        let provider = self.discovery.provider().map_err(Refusal::NotReady)?;
        let key = match provider.api_keys.get(&kid) {
            Some(key) => key.clone(),
            // A key the app has not seen: Okta rotated its keys. Read them
            // once more (at most every ten seconds), and look again.
            None => {
                let provider = self.discovery.again_for_api().await.map_err(Refusal::NotReady)?;
                let key = provider.api_keys.get(&kid).cloned();
                key.ok_or(Refusal::invalid("it is signed with a key Okta does not publish"))?
            }
        };
        // RS256 only (a token that says `alg: none` is refused), Okta's
        // issuer, this API's audience, `exp` (and `nbf`, should a token
        // carry one) with a minute of clock skew.
        let mut checks = Validation::new(Algorithm::RS256);
        checks.set_issuer(&[&self.issuer]);
        checks.set_audience(&[&self.audience]);
        checks.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        checks.validate_nbf = true;
        checks.leeway = LEEWAY;
        let checked = decode::<Caller>(token, &key, &checks);
        checked.map(|data| (data.claims, kid)).map_err(|e| Refusal::invalid(&e.to_string()))
    }
}
// ANCHOR_END: check

// ANCHOR: refusal
/// Why the API refused a request, as RFC 6750 §3 says to tell it: a 401
/// with a `WWW-Authenticate: Bearer` challenge (naming `invalid_token` when a
/// token was sent), or a 403 `insufficient_scope`.
#[derive(Debug)]
pub enum Refusal {
    NoToken,
    /// 400 `invalid_request`: the request itself is malformed.
    Malformed(&'static str),
    InvalidToken(String),
    InsufficientScope(&'static str),
    /// Okta not discovered yet: its keys are unknown.
    NotReady(AppError),
    /// A path (404) or a method (405) the API does not have.
    NotHere(StatusCode),
}

impl Refusal {
    fn invalid(why: &str) -> Refusal {
        Refusal::InvalidToken(why.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, error, description, challenge) = match self {
            // No credentials at all: a bare challenge and no error code,
            // which RFC 6750 §3.1 keeps for a request that sent some
            // (`invalid_request` is a 400). The body says what to send.
            Refusal::NoToken => {
                let body =
                    json!({"message": "send an access token: Authorization: Bearer <token>"});
                let challenge = [(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))];
                return (StatusCode::UNAUTHORIZED, challenge, Json(body)).into_response();
            }
            Refusal::Malformed(why) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                why.to_string(),
                format!("Bearer error=\"invalid_request\", error_description=\"{why}\""),
            ),
            Refusal::InvalidToken(why) => {
                // For whoever runs the API: why callers are refused (the
                // reason only, never the token).
                tracing::info!(why, "the API refused an access token");
                let challenge = format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    quoted(&why)
                );
                let description = format!("the access token was refused: {why}");
                (StatusCode::UNAUTHORIZED, "invalid_token", description, challenge)
            }
            Refusal::InsufficientScope(scope) => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("the access token does not grant the scope {scope}"),
                format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
            ),
            Refusal::NotReady(why) => {
                let body = json!({"error": "temporarily_unavailable", "error_description": why.to_string()});
                return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
            }
            Refusal::NotHere(status) => {
                let why = format!("the API has no such route: it has GET {MESSAGES_PATH}");
                let error = match status {
                    StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                    _ => "not_found",
                };
                let body = json!({"error": error, "error_description": why});
                return (status, Json(body)).into_response();
            }
        };
        let challenge =
            HeaderValue::from_str(&challenge).unwrap_or(HeaderValue::from_static("Bearer"));
        let body = json!({"error": error, "error_description": description});
        (status, [(WWW_AUTHENTICATE, challenge)], Json(body)).into_response()
    }
}

/// `text` as it may stand between the quotes of a challenge's parameter.
fn quoted(text: &str) -> String {
    text.chars().filter(|c| *c != '"' && *c != '\\' && !c.is_control()).collect()
}
// ANCHOR_END: refusal
