//! `/v1/keys`: the JSON Web Key Set that verifies this server's tokens,
//! with how long it may be kept.

use crate::org::AuthServer;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use jsonwebtoken::jwk::JwkSet;
use std::sync::Arc;

/// The keys published now, and `Cache-Control: max-age=N, must-revalidate`
/// (a day, or `keys-max-age`), or `no-cache, must-revalidate` for a zero
/// age: Okta's keys endpoint sends the standard caching headers, and asks
/// apps to follow them ("Best Practices for Caching the Okta JSON Web Keys
/// Set", Okta support; RFC 9111 §5.2.2.1).
pub(super) async fn keys(State(server): State<Arc<AuthServer>>) -> impl IntoResponse {
    let age = server.org.keys_max_age().as_secs();
    let cache = match age {
        0 => "no-cache, must-revalidate".to_string(),
        age => format!("max-age={age}, must-revalidate"),
    };
    let keys: JwkSet = server.keys.jwks(server.org.key_phase());
    ([(header::CACHE_CONTROL, cache)], Json(keys))
}
