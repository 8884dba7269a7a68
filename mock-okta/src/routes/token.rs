//! `/v1/token`: codes (RFC 6749 §4.1.3), refresh tokens (§6) and client
//! credentials (§4.4) for tokens; ID tokens as OpenID Connect Core §2 and
//! §3.1.3 describe them.

use super::{OIDC_SCOPES, authenticate, now};
use crate::org::{AuthServer, Org};
use crate::params::{Params, is_pkce_value};
use crate::record::Outcome;
use crate::store::{Challenge, Code, Kind, Token};
use crate::tokens::{self, KeyName, random_id, s256};
use crate::{Client, Fault, LONGEST_DURATION, OAuthError, User};
use axum::Json;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde::Serialize;
use serde_json::{Value, json};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Access and ID tokens live an hour, as Okta's default policy says.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh tokens live 90 days.
const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);
/// What a code's replay, or a refresh token of another client, gets.
const INVALID_CODE: &str = "The authorization code is invalid or has expired.";

pub(super) async fn token(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(delay) = server.org.fault(|f| match f {
        Fault::TokenSlow(delay) => Some(*delay),
        _ => None,
    }) {
        tokio::time::sleep(delay).await;
    }
    if let Some(answer) = server.org.fault(|f| failure(&server.org, f)) {
        return answer;
    }
    let answer = exchange(&server, &headers, &body).unwrap_or_else(IntoResponse::into_response);
    if server.org.has_fault(&Fault::TokenConnectionClosed) {
        return cut_short(answer).await;
    }
    answer
}

/// The answer a token-endpoint fault puts in place of the real one.
fn failure(org: &Org, fault: &Fault) -> Option<Response> {
    let outcome = Outcome::new(format!("{fault} (fault)"));
    let error = match fault {
        Fault::TokenInvalidGrant => OAuthError::invalid_grant(INVALID_CODE),
        Fault::Token500 => OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An internal error occurred.",
        ),
        Fault::Token503 => OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Try again later.",
        ),
        Fault::TokenMalformedJson => {
            let html = "<html><body>Upstream proxy error</body></html>";
            let json = [(header::CONTENT_TYPE, "application/json")];
            return Some((outcome, json, html).into_response());
        }
        Fault::TokenRedirect => {
            let sign_in = [(header::LOCATION, format!("{}/login/login.htm", org.base))];
            return Some((StatusCode::FOUND, outcome, sign_in).into_response());
        }
        _ => return None,
    };
    Some((outcome, error).into_response())
}

/// Sends the answer's status, headers and the first half of its body, then
/// fails the body, which closes the connection: what a client sees when the
/// connection drops mid-answer.
async fn cut_short(answer: Response) -> Response {
    let (mut parts, body) = answer.into_parts();
    let whole = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, whole.len().into());
    let half = whole.slice(..whole.len() / 2);
    let outcome = Outcome::new("connection closed mid-answer (fault)");
    let body = CutShort {
        head: Some(half),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    (outcome, Response::from_parts(parts, Body::new(body))).into_response()
}

/// A body that yields its head, pauses (so the server sends what it has),
/// then fails.
struct CutShort {
    head: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for CutShort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        self.pause.as_mut().poll(context).map(|()| {
            Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "the token-connection-closed fault",
            )))
        })
    }
}

/// A checked token request, answered with tokens or with Okta's error.
fn exchange(server: &AuthServer, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let params = super::form(headers, body)?;
    let client = authenticate(&server.org, headers, &params)?;
    let grant = match grant_type(&params, &client)? {
        "authorization_code" => authorization_code(server, client, &params)?,
        "refresh_token" => refresh_token(server, client, &params)?,
        _ => client_credentials(server, client, &params)?,
    };
    Ok(issue(server, &grant))
}

/// The `grant_type`, if the server knows it and the client may use it.
fn grant_type<'a>(params: &'a Params, client: &Client) -> Result<&'a str, OAuthError> {
    let grant_type = params.require("grant_type")?;
    if !["authorization_code", "refresh_token", "client_credentials"].contains(&grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "The grant type '{}' is not supported.",
                crate::params::shorten(grant_type)
            ),
        ));
    }
    if !client.allows(grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The client is not authorized to use the provided grant type.",
        ));
    }
    Ok(grant_type)
}

/// What a token request is granted: the tokens follow from it.
struct Grant {
    client: Client,
    /// The user; `None` for `client_credentials`.
    user: Option<User>,
    scopes: Vec<String>,
    nonce: Option<String>,
    auth_time: u64,
    /// The authorization code the tokens descend from, if any.
    grant: Option<String>,
    /// The refresh token of a refresh grant: it stays valid and is sent back.
    kept_refresh: Option<String>,
}

impl Grant {
    fn gets_id_token(&self) -> bool {
        self.user.is_some() && self.scopes.iter().any(|s| s == "openid")
    }

    fn gets_refresh_token(&self) -> bool {
        self.user.is_some()
            && self.scopes.iter().any(|s| s == "offline_access")
            && self.client.allows("refresh_token")
    }
}

/// How long access tokens live now: the fault's lifetime, kept within
/// what Okta allows (at most a day).
fn access_lifetime(org: &Org) -> Duration {
    org.fault(|f| match f {
        Fault::AccessTokenLifetime(d) => Some((*d).min(LONGEST_DURATION)),
        _ => None,
    })
    .unwrap_or(TOKEN_LIFETIME)
}

/// Redeems a code. A code works once: a second redemption is refused and
/// revokes every token issued from the first (RFC 6749 §4.1.2).
fn authorization_code(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    let invalid = || OAuthError::invalid_grant(INVALID_CODE);
    let value = params.require("code")?;
    let redeemed = server.codes.update(value, |code| {
        if code.redeemed {
            Err(code.grant.clone())
        } else {
            code.redeemed = true;
            Ok(code.clone())
        }
    });
    let code = match redeemed {
        Some(Ok(code)) => code,
        Some(Err(grant)) => {
            server.revoke_grant(&grant);
            return Err(invalid());
        }
        None => return Err(invalid()),
    };
    if code.client_id != client.id {
        return Err(invalid());
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    verify_pkce(&code, params.get("code_verifier"))?;
    let user = server.org.user(&code.email).ok_or_else(invalid)?;
    let grant = Grant {
        client,
        user: Some(user),
        scopes: code.scopes,
        nonce: code.nonce,
        auth_time: code.auth_time,
        grant: Some(code.grant),
        kept_refresh: None,
    };
    // Remember the redeemed code as long as its tokens may live, so that a
    // replay can still revoke them.
    let lives = if grant.gets_refresh_token() {
        REFRESH_LIFETIME
    } else {
        access_lifetime(&server.org)
    };
    server
        .codes
        .update(value, |code| code.expires = Instant::now() + lives);
    Ok(grant)
}

/// RFC 7636 §4.6: the verifier matches the challenge the code was bound to.
fn verify_pkce(code: &Code, verifier: Option<&str>) -> Result<(), OAuthError> {
    let matches = match (&code.challenge, verifier) {
        (None, None) => return Ok(()),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "A 'code_verifier' was sent, but the authorization request had no 'code_challenge'.",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "PKCE verification failed: the 'code_verifier' is missing.",
            ));
        }
        (Some(_), Some(verifier)) if !is_pkce_value(verifier) => {
            return Err(OAuthError::invalid_request(
                "The 'code_verifier' must be 43 to 128 unreserved characters.",
            ));
        }
        (Some(Challenge::S256(challenge)), Some(verifier)) => s256(verifier) == *challenge,
        (Some(Challenge::Plain(challenge)), Some(verifier)) => verifier == challenge,
    };
    if matches {
        Ok(())
    } else {
        Err(OAuthError::invalid_grant("PKCE verification failed."))
    }
}

fn refresh_token(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid or expired.");
    let refresh = params.require("refresh_token")?;
    let stored = server
        .tokens
        .get(refresh)
        .filter(|t| t.kind == Kind::Refresh && t.client_id == client.id)
        .ok_or_else(invalid)?;
    let user = stored
        .email
        .as_deref()
        .and_then(|e| server.org.user(e))
        .ok_or_else(invalid)?;
    // A narrower scope may be asked for, never a wider one (RFC 6749 §6).
    let scopes = match params.words("scope") {
        asked if asked.is_empty() => stored.scopes.clone(),
        asked if asked.iter().all(|s| stored.scopes.contains(s)) => asked,
        _ => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "The requested scope is invalid, unknown, or malformed.",
            ));
        }
    };
    Ok(Grant {
        client,
        user: Some(user),
        scopes,
        nonce: None,
        auth_time: now(),
        grant: stored.grant,
        kept_refresh: Some(refresh.to_string()),
    })
}

fn client_credentials(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    if server.is_org {
        // Okta's org authorization server takes client credentials only for
        // its own APIs, and only with private_key_jwt.
        return Err(OAuthError::invalid_client(
            "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
        ));
    }
    let scopes: Vec<String> = params.words("scope");
    if scopes.iter().any(|s| OIDC_SCOPES.contains(&s.as_str())) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The client_credentials grant cannot request OpenID Connect scopes.",
        ));
    }
    Ok(Grant {
        client,
        user: None,
        scopes,
        nonce: None,
        auth_time: now(),
        grant: None,
        kept_refresh: None,
    })
}

/// When tokens issued now are issued and expire.
struct Times {
    /// `iat`, seconds since the Unix epoch.
    iat: u64,
    /// `exp` of access and ID tokens.
    exp: u64,
    /// The same moment as `exp`, for the store.
    expires: Instant,
}

/// The successful answer (RFC 6749 §5.1).
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    expires_in: u64,
    access_token: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// Mints, remembers and returns the tokens of a grant.
fn issue(server: &AuthServer, grant: &Grant) -> Response {
    let lifetime = access_lifetime(&server.org).max(Duration::from_secs(1));
    let iat = now();
    let times = Times {
        iat,
        exp: iat + lifetime.as_secs(),
        expires: Instant::now() + lifetime,
    };
    let key = server.keys.active(server.org.rotated());
    let access_token = access_token(server, grant, &times, key);
    remember(server, &access_token, Kind::Access, grant, &times);
    let body = TokenResponse {
        token_type: "Bearer",
        expires_in: times.exp - times.iat,
        scope: grant.scopes.join(" "),
        id_token: grant
            .gets_id_token()
            .then(|| id_token(server, grant, &times, key)),
        refresh_token: grant
            .gets_refresh_token()
            .then(|| refresh(server, grant, iat))
            .filter(|_| {
                grant.kept_refresh.is_none() || !server.org.has_fault(&Fault::RefreshTokenNotSent)
            }),
        access_token,
    };
    let who = grant
        .user
        .as_ref()
        .map_or(grant.client.id.as_str(), |u| u.email.as_str());
    let no_store = [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ];
    (
        Outcome::new(format!("tokens for {who}")),
        no_store,
        Json(body),
    )
        .into_response()
}

/// Stores an issued token, so userinfo, introspection and revocation know it.
fn remember(server: &AuthServer, token: &str, kind: Kind, grant: &Grant, times: &Times) {
    let entry = Token {
        kind,
        client_id: grant.client.id.clone(),
        email: grant.user.as_ref().map(|u| u.email.clone()),
        scopes: grant.scopes.clone(),
        grant: grant.grant.clone(),
        issued_at: times.iat,
        expires_at: times.exp,
        expires: times.expires,
    };
    server.tokens.insert(token.to_string(), entry);
}

/// The refresh token: the one the grant kept, or a new one.
fn refresh(server: &AuthServer, grant: &Grant, iat: u64) -> String {
    if let Some(kept) = &grant.kept_refresh {
        return kept.clone();
    }
    let refresh = random_id();
    let times = Times {
        iat,
        exp: iat + REFRESH_LIFETIME.as_secs(),
        expires: Instant::now() + REFRESH_LIFETIME,
    };
    remember(server, &refresh, Kind::Refresh, grant, &times);
    refresh
}

/// An Okta access token: a JWT for the server's audience.
fn access_token(server: &AuthServer, grant: &Grant, times: &Times, key: KeyName) -> String {
    let user = grant.user.as_ref();
    let claims = json!({
        "ver": 1, "jti": format!("AT.{}", random_id()), "iss": server.issuer,
        "aud": server.audience, "iat": times.iat, "exp": times.exp, "cid": grant.client.id,
        "uid": user.map(User::id), "scp": grant.scopes,
        "sub": user.map_or(grant.client.id.as_str(), |u| u.email.as_str()),
    });
    tokens::sign(key, tokens::kid(key), &claims)
}

/// The ID token, bent by whichever ID-token fault is on.
fn id_token(server: &AuthServer, grant: &Grant, times: &Times, key: KeyName) -> String {
    let user = grant
        .user
        .as_ref()
        .expect("only a user's grant gets an ID token");
    let mut claims = json!({
        "ver": 1, "jti": format!("ID.{}", random_id()), "iss": server.issuer,
        "aud": grant.client.id, "sub": user.id(), "iat": times.iat, "exp": times.exp,
        "auth_time": grant.auth_time, "amr": ["pwd"], "idp": "00o-mock-okta",
    });
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    if let (Some(target), Value::Object(scoped)) =
        (claims.as_object_mut(), user.claims(&grant.scopes))
    {
        for (name, value) in scoped {
            target.entry(name).or_insert(value);
        }
    }
    let faults = server.org.faults();
    let mut kid = tokens::kid(key).to_string();
    let mut signer = key;
    for fault in &faults {
        match fault {
            Fault::IdTokenWrongIssuer => {
                claims["iss"] = json!("https://wrong-issuer.example.com/oauth2/default")
            }
            Fault::IdTokenWrongAudience => claims["aud"] = json!("0oa-some-other-client"),
            Fault::IdTokenMissingAudience => remove(&mut claims, "aud"),
            Fault::IdTokenMissingSubject => remove(&mut claims, "sub"),
            Fault::IdTokenMissingIssuedAt => remove(&mut claims, "iat"),
            Fault::IdTokenWithoutEmail => {
                remove(&mut claims, "email");
                remove(&mut claims, "email_verified");
            }
            Fault::IdTokenWrongNonce => claims["nonce"] = json!(format!("not-{}", random_id())),
            Fault::IdTokenExpired => {
                claims["iat"] = json!(times.iat.saturating_sub(7200));
                claims["exp"] = json!(times.iat.saturating_sub(3600));
            }
            Fault::IdTokenBadSignature => signer = KeyName::Unpublished,
            Fault::IdTokenUnknownKid => kid = "unknown-kid".into(),
            _ => {}
        }
    }
    if faults.contains(&Fault::IdTokenAlgNone) {
        return tokens::unsigned(&claims);
    }
    tokens::sign(signer, &kid, &claims)
}

fn remove(claims: &mut Value, name: &str) {
    if let Some(map) = claims.as_object_mut() {
        map.remove(name);
    }
}
