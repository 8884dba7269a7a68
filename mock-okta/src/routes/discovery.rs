//! `/.well-known/openid-configuration` and
//! `/.well-known/oauth-authorization-server`: what the server offers,
//! consistent with what it serves.

use crate::Shared;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::sync::Arc;

fn metadata(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/v1/authorize"),
        "token_endpoint": format!("{issuer}/v1/token"),
        "userinfo_endpoint": format!("{issuer}/v1/userinfo"),
        "jwks_uri": format!("{issuer}/v1/keys"),
        "end_session_endpoint": format!("{issuer}/v1/logout"),
        "introspection_endpoint": format!("{issuer}/v1/introspect"),
        "revocation_endpoint": format!("{issuer}/v1/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": [
            "iss", "sub", "aud", "iat", "exp", "auth_time", "nonce", "email",
            "email_verified", "name", "preferred_username", "given_name", "family_name"
        ],
        "code_challenge_methods_supported": ["S256", "plain"],
        "request_parameter_supported": false,
        "claims_parameter_supported": false,
    })
}

pub(super) async fn openid_configuration(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(metadata(&shared.issuer))
}

pub(super) async fn oauth_authorization_server(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut body = metadata(&shared.issuer);
    if let Some(map) = body.as_object_mut() {
        // OAuth metadata (RFC 8414) has no userinfo or subject types.
        map.remove("userinfo_endpoint");
        map.remove("subject_types_supported");
        map.remove("id_token_signing_alg_values_supported");
        map.remove("claims_supported");
    }
    Json(body)
}
