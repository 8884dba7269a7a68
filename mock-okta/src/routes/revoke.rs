//! `/v1/revoke`: ends a token (RFC 7009). An unknown token is not an error.

use crate::client_auth::client_and_token;
use crate::org::AuthServer;
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
    if server
        .tokens
        .get(&token)
        .is_some_and(|t| t.client_id == client.id)
    {
        server.tokens.remove(&token);
    }
    StatusCode::OK.into_response()
}
