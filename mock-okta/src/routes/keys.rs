//! `/v1/keys`: the JSON Web Key Set that verifies this server's tokens.

use crate::org::AuthServer;
use axum::Json;
use axum::extract::State;
use jsonwebtoken::jwk::JwkSet;
use std::sync::Arc;

pub(super) async fn keys(State(server): State<Arc<AuthServer>>) -> Json<JwkSet> {
    Json(server.keys.jwks(server.org.rotated()))
}
