//! `/v1/token`: codes, refresh tokens and client credentials for tokens.

use super::{OIDC_SCOPES, authenticate, now};
use crate::params::{Params, is_pkce_value};
use crate::record::Outcome;
use crate::store::{Challenge, Kind, Token};
use crate::tokens::{KeyName, random_id, s256};
use crate::{Client, Fault, OAuthError, Shared, User};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Access and ID tokens live an hour, as Okta's default policy says.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh tokens live 90 days.
const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(delay) = shared.fault(|f| match f {
        Fault::TokenSlow(delay) => Some(*delay),
        _ => None,
    }) {
        tokio::time::sleep(delay).await;
    }
    if let Some(response) = shared.fault(failure) {
        return response;
    }
    match answer(&shared, &headers, &body) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// The answer a token-endpoint fault puts in place of the real one.
fn failure(fault: &Fault) -> Option<Response> {
    let error = match fault {
        Fault::TokenInvalidGrant => {
            OAuthError::invalid_grant("The authorization code is invalid or has expired.")
        }
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
            let mut response = (
                [(header::CONTENT_TYPE, "application/json")],
                "<html><body>Upstream proxy error</body></html>",
            )
                .into_response();
            response
                .extensions_mut()
                .insert(Outcome("malformed JSON (fault)".into()));
            return Some(response);
        }
        _ => return None,
    };
    let mut response = error.into_response();
    response
        .extensions_mut()
        .insert(Outcome(format!("{fault} (fault)")));
    Some(response)
}

fn answer(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let params = super::form(headers, body)?;
    let client = authenticate(shared, headers, &params)?;
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
    match grant_type {
        "authorization_code" => authorization_code(shared, &client, &params),
        "refresh_token" => refresh_token(shared, &client, &params),
        _ => client_credentials(shared, &client, &params),
    }
}

fn authorization_code(
    shared: &Shared,
    client: &Client,
    params: &Params,
) -> Result<Response, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The authorization code is invalid or has expired.");
    let code = shared
        .store
        .take_code(params.require("code")?)
        .ok_or_else(invalid)?;
    if code.client_id != client.id {
        return Err(invalid());
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    match (&code.challenge, params.get("code_verifier")) {
        (None, None) => {}
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
        (Some(challenge), Some(verifier)) => {
            if !is_pkce_value(verifier) {
                return Err(OAuthError::invalid_request(
                    "The 'code_verifier' must be 43 to 128 unreserved characters.",
                ));
            }
            let matches = match challenge {
                Challenge::S256(value) => s256(verifier) == *value,
                Challenge::Plain(value) => verifier == value,
            };
            if !matches {
                return Err(OAuthError::invalid_grant("PKCE verification failed."));
            }
        }
    }
    let user = shared.user(&code.email).ok_or_else(invalid)?;
    let issued = Issue {
        client,
        user: Some(&user),
        scopes: code.scopes,
        nonce: code.nonce,
        auth_time: code.auth_time,
    };
    Ok(issued.respond(shared, None))
}

fn refresh_token(
    shared: &Shared,
    client: &Client,
    params: &Params,
) -> Result<Response, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid or expired.");
    let refresh = params.require("refresh_token")?;
    let stored = shared
        .store
        .token(refresh)
        .filter(|t| t.kind == Kind::Refresh)
        .ok_or_else(invalid)?;
    if stored.client_id != client.id {
        return Err(invalid());
    }
    let user = stored
        .email
        .as_deref()
        .and_then(|e| shared.user(e))
        .ok_or_else(invalid)?;
    // A narrower scope may be asked for, never a wider one.
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
    let issued = Issue {
        client,
        user: Some(&user),
        scopes,
        nonce: None,
        auth_time: now(),
    };
    Ok(issued.respond(shared, Some(refresh)))
}

fn client_credentials(
    shared: &Shared,
    client: &Client,
    params: &Params,
) -> Result<Response, OAuthError> {
    let scopes: Vec<String> = params.words("scope");
    if scopes.iter().any(|s| OIDC_SCOPES.contains(&s.as_str())) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The client_credentials grant cannot request OpenID Connect scopes.",
        ));
    }
    let issued = Issue {
        client,
        user: None,
        scopes,
        nonce: None,
        auth_time: now(),
    };
    Ok(issued.respond(shared, None))
}

/// What a successful token request gets.
struct Issue<'a> {
    client: &'a Client,
    user: Option<&'a User>,
    scopes: Vec<String>,
    nonce: Option<String>,
    auth_time: u64,
}

impl Issue<'_> {
    /// Mints, remembers and returns the tokens. `kept_refresh` is the
    /// refresh token of a refresh grant, which stays valid.
    fn respond(self, shared: &Shared, kept_refresh: Option<&str>) -> Response {
        let lifetime = shared
            .fault(|f| match f {
                Fault::AccessTokenLifetime(d) => Some(*d),
                _ => None,
            })
            .unwrap_or(TOKEN_LIFETIME);
        let iat = now();
        let exp = iat + lifetime.as_secs().max(1);
        let rotated = shared.has_fault(&Fault::RotateKeys);
        let key = if rotated {
            KeyName::Second
        } else {
            KeyName::First
        };
        let subject = self
            .user
            .map(User::id)
            .unwrap_or_else(|| self.client.id.clone());

        let access_claims = json!({
            "ver": 1, "jti": format!("AT.{}", random_id()), "iss": shared.issuer,
            "aud": "api://default", "iat": iat, "exp": exp, "cid": self.client.id,
            "uid": self.user.map(User::id), "scp": self.scopes,
            "sub": self.user.map(|u| u.email.clone()).unwrap_or(subject.clone()),
        });
        let access_token = shared.keys.sign(key, shared.keys.kid(key), &access_claims);
        let expires = Instant::now() + lifetime;
        let remember = |kind, expires_at, expires| Token {
            kind,
            client_id: self.client.id.clone(),
            email: self.user.map(|u| u.email.clone()),
            scopes: self.scopes.clone(),
            issued_at: iat,
            expires_at,
            expires,
        };
        shared
            .store
            .add_token(access_token.clone(), remember(Kind::Access, exp, expires));

        let mut body = json!({
            "token_type": "Bearer",
            "expires_in": exp - iat,
            "access_token": access_token,
            "scope": self.scopes.join(" "),
        });
        if let Some(user) = self.user {
            if self.scopes.iter().any(|s| s == "openid") {
                body["id_token"] = json!(id_token(shared, &self, user, iat, exp, key));
            }
            if self.scopes.iter().any(|s| s == "offline_access")
                && self.client.allows("refresh_token")
            {
                let refresh = match kept_refresh {
                    Some(kept) => kept.to_string(),
                    None => {
                        let refresh = random_id();
                        let refresh_exp = iat + REFRESH_LIFETIME.as_secs();
                        let entry = remember(
                            Kind::Refresh,
                            refresh_exp,
                            Instant::now() + REFRESH_LIFETIME,
                        );
                        shared.store.add_token(refresh.clone(), entry);
                        refresh
                    }
                };
                body["refresh_token"] = json!(refresh);
            }
        }
        let who = self
            .user
            .map(|u| u.email.as_str())
            .unwrap_or(self.client.id.as_str());
        let mut response = (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            Json(body),
        )
            .into_response();
        response
            .extensions_mut()
            .insert(Outcome(format!("tokens for {who}")));
        response
    }
}

/// The ID token, bent by whichever ID-token fault is on.
fn id_token(
    shared: &Shared,
    issue: &Issue<'_>,
    user: &User,
    iat: u64,
    exp: u64,
    key: KeyName,
) -> String {
    let mut claims = json!({
        "ver": 1, "jti": format!("ID.{}", random_id()), "iss": shared.issuer,
        "aud": issue.client.id, "sub": user.id(), "iat": iat, "exp": exp,
        "auth_time": issue.auth_time, "amr": ["pwd"], "idp": "00o-mock-okta",
    });
    if let Some(nonce) = &issue.nonce {
        claims["nonce"] = json!(nonce);
    }
    let scoped = user_claims(user, &issue.scopes);
    if let (Some(target), Value::Object(extra)) = (claims.as_object_mut(), scoped) {
        for (name, value) in extra {
            target.entry(name).or_insert(value);
        }
    }
    let faults = crate::read(&shared.faults).clone();
    let mut kid = shared.keys.kid(key).to_string();
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
            Fault::IdTokenWrongNonce => claims["nonce"] = json!(format!("not-{}", random_id())),
            Fault::IdTokenExpired => {
                claims["iat"] = json!(iat.saturating_sub(7200));
                claims["exp"] = json!(iat.saturating_sub(3600));
            }
            Fault::IdTokenBadSignature => signer = KeyName::Unpublished,
            Fault::IdTokenUnknownKid => kid = "unknown-kid".into(),
            _ => {}
        }
    }
    if faults.contains(&Fault::IdTokenAlgNone) {
        return shared.keys.unsigned(&claims);
    }
    shared.keys.sign(signer, &kid, &claims)
}

fn remove(claims: &mut Value, name: &str) {
    if let Some(map) = claims.as_object_mut() {
        map.remove(name);
    }
}

/// A user's claims that these scopes release (`sub` always).
pub(crate) fn user_claims(user: &User, scopes: &[String]) -> Value {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = json!({ "sub": user.id() });
    if has("profile") {
        let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
        claims["name"] = json!(user.name);
        claims["preferred_username"] = json!(user.email);
        claims["given_name"] = json!(given);
        claims["family_name"] = json!(family);
        claims["locale"] = json!("en_US");
        claims["zoneinfo"] = json!("America/Los_Angeles");
        for (name, value) in &user.claims {
            claims[name] = value.clone();
        }
    }
    if has("email") {
        claims["email"] = json!(user.email);
        claims["email_verified"] = json!(true);
    }
    claims
}
