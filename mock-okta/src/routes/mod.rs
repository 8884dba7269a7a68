//! The route table: Okta's endpoints, one thin file each, served by each
//! authorization server under its own paths.

mod authorize;
mod discovery;
mod introspect;
mod keys;
mod logout;
mod revoke;
mod token;
mod userinfo;

pub use authorize::LOGIN_COOKIE;

use crate::error::OAuthError;
use crate::org::AuthServer;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use std::sync::Arc;

/// One authorization server's routes: its discovery documents under its
/// metadata path, its endpoints under its endpoint path. One line a route,
/// so the table reads as a list.
#[rustfmt::skip]
pub(crate) fn auth_server(server: Arc<AuthServer>) -> Router {
    let well_known = |name: &str| format!("{}/.well-known/{name}", server.metadata_path);
    let endpoint = |name: &str| format!("{}/{name}", server.endpoint_path);
    Router::new()
        .route(&well_known("openid-configuration"), get(discovery::openid_configuration))
        .route(&well_known("oauth-authorization-server"), get(discovery::oauth_authorization_server))
        .route(&endpoint("authorize"), get(authorize::get).post(authorize::post))
        .route(&endpoint("token"), post(token::token))
        .route(&endpoint("userinfo"), get(userinfo::userinfo).post(userinfo::userinfo))
        .route(&endpoint("keys"), get(keys::keys))
        .route(&endpoint("logout"), get(logout::get).post(logout::post))
        .route(&endpoint("introspect"), post(introspect::introspect))
        .route(&endpoint("revoke"), post(revoke::revoke))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(server)
}

/// Any other path: Okta's 404.
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
