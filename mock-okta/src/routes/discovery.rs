//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4)
//! and `/.well-known/oauth-authorization-server` (RFC 8414 §3): what the
//! server offers, consistent with what it serves.

use crate::faults::Fault;
use crate::org::AuthServer;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use std::sync::Arc;

fn metadata(server: &AuthServer) -> Value {
    let endpoint = |name| server.endpoint(name);
    // Okta switched on a custom domain: the issuer moved, the app did not.
    let issuer = server
        .org
        .fault(|f| match f {
            Fault::CustomDomainIssuer(origin) => Some(format!("{origin}{}", server.metadata_path)),
            _ => None,
        })
        .unwrap_or_else(|| server.issuer.clone());
    json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "userinfo_endpoint": endpoint("userinfo"),
        "jwks_uri": endpoint("keys"),
        "end_session_endpoint": endpoint("logout"),
        "introspection_endpoint": endpoint("introspect"),
        "revocation_endpoint": endpoint("revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": server.scopes.supported(server.declares_groups_scope()),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": [
            "iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp",
            "nonce", "at_hash", "name", "preferred_username", "given_name", "family_name",
            "locale", "zoneinfo", "email", "email_verified", "groups"
        ],
        "code_challenge_methods_supported": ["S256", "plain"],
        "request_parameter_supported": false,
        "claims_parameter_supported": false,
    })
}

pub(super) async fn openid_configuration(State(server): State<Arc<AuthServer>>) -> Json<Value> {
    Json(metadata(&server))
}

pub(super) async fn oauth_authorization_server(
    State(server): State<Arc<AuthServer>>,
) -> Json<Value> {
    let mut body = metadata(&server);
    if let Some(map) = body.as_object_mut() {
        // OAuth metadata (RFC 8414) has no userinfo or subject types.
        map.remove("userinfo_endpoint");
        map.remove("subject_types_supported");
        map.remove("id_token_signing_alg_values_supported");
        map.remove("claims_supported");
    }
    Json(body)
}
