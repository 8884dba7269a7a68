//! `/v1/revoke`: ends a token (RFC 7009). An unknown token is not an error.

use super::authenticate;
use crate::{OAuthError, Shared};
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
    let answer = || -> Result<Response, OAuthError> {
        let params = super::form(&headers, &body)?;
        let client = authenticate(&shared, &headers, &params)?;
        let token = params.require("token")?;
        if shared
            .store
            .token(token)
            .is_some_and(|t| t.client_id == client.id)
        {
            shared.store.remove_token(token);
        }
        Ok(StatusCode::OK.into_response())
    };
    answer().unwrap_or_else(IntoResponse::into_response)
}
