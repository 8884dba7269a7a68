//! `/v1/introspect`: whether a token is active, and what it is (RFC 7662).
//! A refresh token replaced by a rotation is active during its grace
//! period, while it can still be presented (Okta: "the previous token
//! remains valid for the configured amount of time"), and inactive after.

use crate::client_auth::client_and_token;
use crate::org::AuthServer;
use crate::store::Kind;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

pub(super) async fn introspect(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, token) = match client_and_token(&server.org, &headers, &body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    // A token of another client, of the other authorization server,
    // unknown, or a refresh token rotated past its grace period is simply
    // inactive (RFC 7662 §2.2).
    let stored = server.tokens.transaction(|live| {
        live.get(&token)
            .filter(|t| t.client_id == client.id && live.presentable(t))
            .cloned()
    });
    let Some(stored) = stored else {
        return Json(json!({ "active": false })).into_response();
    };
    let token_type = match stored.kind {
        Kind::Access => "Bearer",
        Kind::Refresh => "refresh_token",
    };
    let mut answer = json!({
        "active": true, "scope": stored.scopes.join(" "), "client_id": client.id,
        "sub": client.id, "iat": stored.issued_at, "exp": stored.expires_at,
        "iss": server.issuer, "aud": server.audience, "token_type": token_type,
    });
    // A user's token names the user; a service's names no one else.
    if let Some(user) = stored
        .user_id
        .as_deref()
        .and_then(|id| server.org.user_by_id(id))
    {
        answer["sub"] = json!(user.email);
        answer["username"] = json!(user.email);
        answer["uid"] = json!(user.id());
    }
    Json(answer).into_response()
}
