//! `/v1/userinfo`: the user's claims, by the access token's scopes
//! (OpenID Connect Core §5.3). Errors are RFC 6750 §3 challenges.

use crate::claims;
use crate::error::Outcome;
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::params::bearer;
use crate::store::Kind;
use crate::users::User;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// RFC 6750 §3.1: a request without credentials gets no error code.
const NO_TOKEN: &str = "Bearer authentication_scheme=\"Bearer\"";
const INVALID_TOKEN: &str =
    "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\"";
/// Okta's words when a token lacks the scope userinfo needs.
const INSUFFICIENT_SCOPE: &str = "Bearer error=\"insufficient_scope\", error_description=\"The access token must provide access to at least one of these scopes - openid\"";

pub(super) async fn userinfo(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
) -> Response {
    let Some(bearer) = bearer(&headers) else {
        return challenge(StatusCode::UNAUTHORIZED, NO_TOKEN, "no bearer token");
    };
    if server.org.has_fault(&Fault::UserinfoUnauthorized) {
        return challenge(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
            "userinfo-401 (fault)",
        );
    }
    let Some((user, scopes)) = holder(&server, bearer) else {
        return challenge(StatusCode::UNAUTHORIZED, INVALID_TOKEN, "invalid_token");
    };
    if !scopes.iter().any(|s| s == "openid") {
        return challenge(
            StatusCode::FORBIDDEN,
            INSUFFICIENT_SCOPE,
            "insufficient_scope",
        );
    }
    if server.org.has_fault(&Fault::UserinfoInsufficientScope) {
        return challenge(
            StatusCode::FORBIDDEN,
            INSUFFICIENT_SCOPE,
            "userinfo-403 (fault)",
        );
    }
    let outcome = Outcome::new(format!("claims of {}", user.email));
    (
        outcome,
        Json(claims::userinfo(&user, &scopes, server.groups_claim())),
    )
        .into_response()
}

/// The user and scopes of a live access token this server issued to a user.
fn holder(server: &AuthServer, bearer: &str) -> Option<(User, Vec<String>)> {
    let token = server
        .tokens
        .get(bearer)
        .filter(|t| t.kind == Kind::Access)?;
    let user = server.org.user_by_id(token.user_id.as_deref()?)?;
    Some((user, token.scopes))
}

fn challenge(status: StatusCode, challenge: &'static str, outcome: &str) -> Response {
    let headers = [(header::WWW_AUTHENTICATE, challenge)];
    (status, Outcome::new(outcome), headers).into_response()
}
