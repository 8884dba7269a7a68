//! `authorization_code` (RFC 6749 §4.1.3): a code works once, for the
//! client and redirect URI it was issued to, with the PKCE verifier of its
//! challenge (RFC 7636 §4.6).

use super::grant::{Grant, INVALID_CODE, Refresh, check_groups};
use super::mint::{REFRESH_LIFETIME, access_lifetime};
use crate::clients::Client;
use crate::error::OAuthError;
use crate::org::AuthServer;
use crate::params::{Params, is_pkce_value};
use crate::store::{Challenge, Code};
use crate::tokens::s256;

/// Redeems a code. A second redemption is refused and revokes every token
/// issued from the first (RFC 6749 §4.1.2).
pub(super) fn grant(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    let invalid = || OAuthError::invalid_grant(INVALID_CODE);
    let value = params.require("code")?;
    let redeemed = server.codes.update(value, |code| {
        if code.redeemed {
            Err(code.grant.clone())
        } else {
            code.redeemed = true;
            Ok(code.clone())
        }
    });
    let code = match redeemed {
        Some(Ok(code)) => code,
        Some(Err(grant)) => {
            server.revoke_grant(&grant);
            return Err(invalid());
        }
        None => return Err(invalid()),
    };
    if code.client_id != client.id {
        return Err(invalid());
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    verify_pkce(&code, params.get("code_verifier"))?;
    let user = server.org.user_by_id(&code.user_id).ok_or_else(invalid)?;
    check_groups(server, &user, &code.scopes)?;
    let grant = Grant {
        client,
        user: Some(user),
        scopes: code.scopes,
        nonce: code.nonce,
        auth_time: code.auth_time,
        grant: Some(code.grant),
        refresh: Refresh::Mint,
    };
    // Remember the redeemed code as long as its tokens may live, so that a
    // replay can still revoke them.
    let lives = if grant.gets_refresh_token() {
        REFRESH_LIFETIME
    } else {
        access_lifetime(&server.org)
    };
    server
        .codes
        .update(value, |code| code.expires = server.org.clock.now() + lives);
    Ok(grant)
}

/// RFC 7636 §4.6: the verifier matches the challenge the code was bound to.
fn verify_pkce(code: &Code, verifier: Option<&str>) -> Result<(), OAuthError> {
    let matches = match (&code.challenge, verifier) {
        (None, None) => return Ok(()),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "A 'code_verifier' was sent, but the authorization request had no 'code_challenge'.",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "PKCE verification failed: the 'code_verifier' is missing.",
            ));
        }
        (Some(_), Some(verifier)) if !is_pkce_value(verifier) => {
            return Err(OAuthError::invalid_request(
                "The 'code_verifier' must be 43 to 128 unreserved characters.",
            ));
        }
        (Some(Challenge::S256(challenge)), Some(verifier)) => s256(verifier) == *challenge,
        (Some(Challenge::Plain(challenge)), Some(verifier)) => verifier == challenge,
    };
    if matches {
        Ok(())
    } else {
        Err(OAuthError::invalid_grant("PKCE verification failed."))
    }
}
