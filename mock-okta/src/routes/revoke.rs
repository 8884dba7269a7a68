//! `/v1/revoke`: ends a token (RFC 7009). An unknown token is not an error.
//!
//! A refresh token takes its grant with it: every token issued from the
//! same authorization code, the access tokens issued beside it and those
//! refreshed from it included (RFC 7009 §2.1: "If the particular token is
//! a refresh token and the authorization server supports the revocation
//! of access tokens, then the authorization server SHOULD also invalidate
//! all access tokens based on the same authorization grant"). An access
//! token goes alone: its refresh token stays good, as at Okta.

use crate::client_auth::client_and_token;
use crate::error::Outcome;
use crate::org::AuthServer;
use crate::store::Kind;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(super) async fn revoke(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, token) = match client_and_token(&server.org, &headers, &body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    // RFC 7009 §2.1: a client may revoke only its own tokens.
    let Some(stored) = server
        .tokens
        .get(&token)
        .filter(|t| t.client_id == client.id)
    else {
        return (
            StatusCode::OK,
            Outcome::new("not a token of the client"),
            (),
        )
            .into_response();
    };
    server.tokens.remove(&token);
    let outcome = match (stored.kind, &stored.grant) {
        (Kind::Refresh, Some(grant)) => {
            server.revoke_grant(grant);
            "refresh token revoked, with its grant's access tokens"
        }
        (Kind::Refresh, None) => "refresh token revoked",
        (Kind::Access, _) => "access token revoked",
    };
    (StatusCode::OK, Outcome::new(outcome), ()).into_response()
}
