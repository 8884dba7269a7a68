//! `client_credentials` (RFC 6749 §4.4): a service app's own token, for
//! custom scopes of a custom authorization server only.

use super::grant::{Grant, Refresh};
use crate::clients::Client;
use crate::error::OAuthError;
use crate::org::AuthServer;
use crate::params::Params;
use crate::scopes::OIDC_SCOPES;

pub(super) fn grant(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    if server.is_org {
        // Okta's org authorization server takes client credentials only for
        // its own APIs, and only with private_key_jwt.
        return Err(OAuthError::invalid_client(
            "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
        ));
    }
    // Okta: a service app asks for its API's custom scopes, and only those.
    let scopes: Vec<String> = params.words("scope");
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope(
            "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
        ));
    }
    if scopes.iter().any(|s| OIDC_SCOPES.contains(&s.as_str())) {
        return Err(OAuthError::invalid_scope(
            "The client_credentials grant cannot request OpenID Connect scopes.",
        ));
    }
    if !scopes.iter().all(|s| server.scopes.is_custom(s)) {
        return Err(OAuthError::invalid_scope(
            "One or more scopes are not configured for the authorization server resource.",
        ));
    }
    Ok(Grant {
        client,
        user: None,
        scopes,
        nonce: None,
        auth_time: server.org.clock.unix(),
        grant: None,
        refresh: Refresh::Mint,
    })
}
