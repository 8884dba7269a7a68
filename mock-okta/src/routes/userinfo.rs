//! `/v1/userinfo`: the user's claims, by the access token's scopes.

use super::token::user_claims;
use crate::record::Outcome;
use crate::store::Kind;
use crate::{Fault, Shared};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(super) async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(bearer) = bearer else {
        // RFC 6750 §3.1: no credentials, no error code.
        return unauthorized("Bearer authentication_scheme=\"Bearer\"", "no bearer token");
    };
    if shared.has_fault(&Fault::UserinfoUnauthorized) {
        return invalid_token("userinfo-401 (fault)");
    }
    let token = shared
        .store
        .token(bearer)
        .filter(|t| t.kind == Kind::Access);
    let Some(user) = token
        .as_ref()
        .and_then(|t| shared.user(t.email.as_deref()?))
    else {
        return invalid_token("invalid_token");
    };
    let scopes = token.map(|t| t.scopes).unwrap_or_default();
    if !scopes.iter().any(|s| s == "openid") {
        return (
            StatusCode::FORBIDDEN,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\", error_description=\"The access token must provide access to at least one of these scopes - openid\"")],
        )
            .into_response();
    }
    let mut response = Json(user_claims(&user, &scopes)).into_response();
    response
        .extensions_mut()
        .insert(Outcome(format!("claims of {}", user.email)));
    response
}

fn invalid_token(outcome: &str) -> Response {
    unauthorized(
        "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\"",
        outcome,
    )
}

fn unauthorized(challenge: &'static str, outcome: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
    )
        .into_response();
    response
        .extensions_mut()
        .insert(Outcome(outcome.to_string()));
    response
}
