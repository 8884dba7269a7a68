//! Okta's endpoints, one file each, served by each authorization server
//! under its own paths.

mod authorize;
mod discovery;
mod introspect;
mod keys;
mod logout;
mod revoke;
mod token;
mod userinfo;

use crate::org::{AuthServer, Org};
use crate::params::Params;
use crate::record::Outcome;
use crate::{Client, OAuthError};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use std::sync::Arc;

/// The OpenID Connect scopes the authorization servers know: what an
/// authorize request may ask for, and what `client_credentials` may not.
pub(crate) const OIDC_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "address",
    "phone",
];

/// The challenge sent with a `401 invalid_client` when the client
/// authenticated with an `Authorization` header (RFC 6749 §5.2).
const BASIC_CHALLENGE: &str = "Basic realm=\"mock-okta\"";

/// One authorization server's routes: its discovery documents under its
/// metadata path, its endpoints under its endpoint path.
pub(crate) fn auth_server(server: Arc<AuthServer>) -> Router {
    let well_known = |name: &str| format!("{}/.well-known/{name}", server.metadata_path);
    let endpoint = |name: &str| format!("{}/{name}", server.endpoint_path);
    Router::new()
        .route(
            &well_known("openid-configuration"),
            get(discovery::openid_configuration),
        )
        .route(
            &well_known("oauth-authorization-server"),
            get(discovery::oauth_authorization_server),
        )
        .route(
            &endpoint("authorize"),
            get(authorize::get).post(authorize::post),
        )
        .route(&endpoint("token"), post(token::token))
        .route(
            &endpoint("userinfo"),
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(&endpoint("keys"), get(keys::keys))
        .route(&endpoint("logout"), get(logout::logout))
        .route(&endpoint("introspect"), post(introspect::introspect))
        .route(&endpoint("revoke"), post(revoke::revoke))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(server)
}

pub(crate) async fn not_found() -> OAuthError {
    OAuthError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested resource is not found.",
    )
}

async fn method_not_allowed() -> OAuthError {
    OAuthError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "The HTTP method is not allowed for this endpoint.",
    )
}

/// The id and secret of an `Authorization: Basic` header, if well-formed.
pub(crate) fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
    let unescape = |s: &str| {
        Params::parse(format!("x={s}").as_bytes())
            .ok()?
            .get("x")
            .map(str::to_string)
    };
    Some((
        unescape(id).unwrap_or_default(),
        unescape(secret).unwrap_or_default(),
    ))
}

/// Authenticates the client of a token, introspect or revoke request by
/// `client_secret_basic` or `client_secret_post` (a public client by its id
/// alone), as Okta does.
///
/// A `401 invalid_client` to a client that used the `Authorization` header
/// carries `WWW-Authenticate: Basic` (RFC 6749 §5.2).
pub(crate) fn authenticate(
    org: &Org,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, OAuthError> {
    let basic = headers
        .contains_key(header::AUTHORIZATION)
        .then(|| basic_auth(headers));
    let used_header = basic.is_some();
    identify(org, basic, params).map_err(|error| {
        if used_header && error.status == StatusCode::UNAUTHORIZED {
            error.with_challenge(BASIC_CHALLENGE)
        } else {
            error
        }
    })
}

/// The client a request names, checked against its secret. `basic` is
/// `None` without an `Authorization` header, `Some(None)` with one that is
/// not Basic authentication.
fn identify(
    org: &Org,
    basic: Option<Option<(String, String)>>,
    params: &Params,
) -> Result<Client, OAuthError> {
    let (id, secret) = match (basic, params.get("client_id"), params.get("client_secret")) {
        (Some(None), _, _) => {
            return Err(OAuthError::invalid_client(
                "The Authorization header is not valid Basic authentication.",
            ));
        }
        (Some(Some(_)), _, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
            ));
        }
        (Some(Some((id, secret))), form_id, None) => {
            if form_id.is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_client(
                    "The client_id does not match the Authorization header.",
                ));
            }
            (id, Some(secret))
        }
        (None, Some(id), secret) => (id.to_string(), secret.map(str::to_string)),
        (None, None, _) => {
            return Err(OAuthError::invalid_client("No client credentials found."));
        }
    };
    let client = org
        .client(&id)
        .ok_or_else(|| OAuthError::invalid_client("The client_id is not valid."))?;
    match (&client.secret, secret) {
        (None, _) => Ok(client),
        (Some(expected), Some(given)) if constant_time_eq(expected, &given) => Ok(client),
        (Some(_), Some(_)) => Err(OAuthError::invalid_client(
            "The client secret supplied for a confidential client is invalid.",
        )),
        (Some(_), None) => Err(OAuthError::invalid_client(
            "Client authentication failed: a confidential client must send its secret.",
        )),
    }
}

/// The client and the `token` parameter of an introspect or revoke request.
pub(crate) fn client_and_token(
    org: &Org,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), OAuthError> {
    let params = form(headers, body)?;
    let client = authenticate(org, headers, &params)?;
    let token = params.require("token")?.to_string();
    Ok((client, token))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Parses a form body, or answers Okta's error for it.
pub(crate) fn form(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    if !crate::params::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "The request must be application/x-www-form-urlencoded.",
        ));
    }
    Params::parse(body)
}

/// The value of one cookie of the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page of the mock's own, in Okta's plain style, with no outside assets.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - mock-okta</title><style>\
         body{{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0}}\
         main{{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border:1px solid #ddd;border-radius:6px}}\
         h1{{font-size:1.3rem}} label{{display:block;margin:.8rem 0 .2rem}}\
         input[type=text],input[type=password]{{width:100%;padding:.5rem;box-sizing:border-box}}\
         button{{margin-top:1rem;padding:.5rem 1rem}} .error{{color:#b00020}} .note{{color:#666;font-size:.85rem}}\
         </style></head><body><main>\n<p class=\"note\">mock-okta: an offline stand-in for Okta</p>\n\
         <h1>{title}</h1>\n{body}\n</main></body></html>\n",
        title = escape(title),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// An error the mock shows as a page: for requests that must not be sent
/// back to an unchecked redirect URI.
pub(crate) fn error_page(error: &OAuthError) -> Response {
    let body = format!(
        "<p data-mock-okta=\"error-code\">Error code: <code>{}</code></p>\n<p data-mock-okta=\"error-description\">{}</p>",
        error.error,
        escape(&error.description)
    );
    let reason = error.status.canonical_reason().unwrap_or("Error");
    let title = format!("{} {reason}", error.status.as_u16());
    (Outcome::new(error.error), page(error.status, &title, &body)).into_response()
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
