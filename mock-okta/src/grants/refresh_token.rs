//! `refresh_token` (RFC 6749 §6): a live refresh token of this client, for
//! the scopes it was issued with or fewer. With the
//! `refresh-token-rotation` fault on, each use replaces it, as Okta's
//! "Rotate token after every use" does, reuse detection included.

use super::grant::{Grant, Refresh};
use crate::clients::Client;
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::params::Params;
use crate::store::{Kind, Live, Rotated, Token};
use crate::tokens::random_id;
use std::time::Duration;

pub(super) fn grant(
    server: &AuthServer,
    client: Client,
    params: &Params,
) -> Result<Grant, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid or expired.");
    let presented = params.require("refresh_token")?;
    let rotation = server.org.fault(|f| match f {
        Fault::RefreshTokenRotation(grace) => Some(*grace),
        _ => None,
    });
    let now = server.org.clock.unix();
    let used = server
        .tokens
        .transaction(|live| use_token(live, presented, &client, rotation, now));
    let (stored, refresh) = match used {
        Used::Kept(stored) => (stored, Refresh::Keep(presented.to_string())),
        Used::Replaced(stored, successor) => (stored, Refresh::Rotated(successor)),
        Used::Reused(grant) => {
            // Okta's reuse detection: the grant is compromised; end all of it.
            if let Some(grant) = grant {
                server.revoke_grant(&grant);
            }
            return Err(invalid());
        }
        Used::Unknown => return Err(invalid()),
    };
    let user = stored
        .user_id
        .as_deref()
        .and_then(|id| server.org.user_by_id(id))
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
        refresh,
    })
}

/// What presenting a refresh token did.
enum Used {
    /// Not a live refresh token of this client.
    Unknown,
    /// It stays valid (no rotation).
    Kept(Token),
    /// It was replaced by the successor named, now or within its grace
    /// period.
    Replaced(Token, String),
    /// It was replaced, and its grace period is over (or its successor was
    /// replaced too): the grant it belongs to, to revoke.
    Reused(Option<String>),
}

/// Presents a refresh token, under the store's lock, so that two requests
/// with one token can never both rotate it.
fn use_token(
    live: &mut Live<'_, Token>,
    presented: &str,
    client: &Client,
    rotation: Option<Duration>,
    now: u64,
) -> Used {
    let at = live.now;
    let Some(token) = live
        .get_mut(presented)
        .filter(|t| t.kind == Kind::Refresh && t.client_id == client.id)
    else {
        return Used::Unknown;
    };
    let stored = token.clone();
    if let Some(Rotated { successor, .. }) = stored.rotated.clone() {
        // Within the grace period, the old token answers the successor
        // again, as long as the successor was not replaced in turn: only
        // the token just before the current one gets a grace period.
        return if live.presentable(&stored) {
            Used::Replaced(stored, successor)
        } else {
            Used::Reused(stored.grant)
        };
    }
    let Some(grace) = rotation else {
        return Used::Kept(stored);
    };
    let successor = random_id();
    token.rotated = Some(Rotated {
        successor: successor.clone(),
        until: at + grace,
    });
    // Okta: the new refresh token expires when the old one would have.
    let next = Token {
        issued_at: now,
        rotated: None,
        ..stored.clone()
    };
    live.insert(successor.clone(), next);
    Used::Replaced(stored, successor)
}
