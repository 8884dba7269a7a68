//! `refresh_token` (RFC 6749 §6): a live refresh token of this client, for
//! the scopes it was issued with or fewer.

use super::Grant;
use crate::clients::Client;
use crate::error::OAuthError;
use crate::org::AuthServer;
use crate::params::Params;
use crate::store::Kind;

pub(super) fn grant(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid or expired.");
    let refresh = params.require("refresh_token")?;
    let stored = server
        .tokens
        .get(refresh)
        .filter(|t| t.kind == Kind::Refresh && t.client_id == client.id)
        .ok_or_else(invalid)?;
    let user = stored
        .email
        .as_deref()
        .and_then(|e| server.org.user(e))
        .ok_or_else(invalid)?;
    // A narrower scope may be asked for, never a wider one (RFC 6749 §6).
    let scopes = match params.words("scope") {
        asked if asked.is_empty() => stored.scopes.clone(),
        asked if asked.iter().all(|s| stored.scopes.contains(s)) => asked,
        _ => {
            return Err(OAuthError::invalid_scope(
                "The requested scope is invalid, unknown, or malformed.",
            ));
        }
    };
    Ok(Grant {
        client,
        user: Some(user),
        scopes,
        nonce: None,
        auth_time: stored.auth_time,
        grant: stored.grant,
        kept_refresh: Some(refresh.to_string()),
    })
}
