//! `/v1/revoke`: ends a token (RFC 7009). An unknown token is not an error.

use super::client_and_token;
use crate::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(super) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, token) = match client_and_token(&shared, &headers, &body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    if shared
        .store
        .token(&token)
        .is_some_and(|t| t.client_id == client.id)
    {
        shared.store.remove_token(&token);
    }
    StatusCode::OK.into_response()
}
