//! `refresh_token` (RFC 6749 §6): a live refresh token of this client, for
//! the scopes it was issued with or fewer. With the
//! `refresh-token-rotation` fault on, each use replaces it, as Okta's
//! "Rotate token after every use" does, reuse detection included; a
//! refresh refused (a wider scope, too many groups) replaces nothing.

use super::grant::{Grant, Refresh, check_groups};
use crate::clients::Client;
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::params::Params;
use crate::store::{Kind, Live, Rotated, Token};
use crate::tokens::random_id;
use crate::users::User;
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
    // What a token may be granted: its user, for the scopes asked (never
    // wider), unless the user's groups are refused. Checked before a
    // rotation is committed, so that a refused refresh replaces nothing.
    let granted = |stored: &Token| -> Result<Granted, OAuthError> {
        let user = stored
            .user_id
            .as_deref()
            .and_then(|id| server.org.user_by_id(id))
            .ok_or_else(invalid)?;
        let scopes = narrowed(params, &stored.scopes)?;
        check_groups(server, &user, &scopes)?;
        Ok(Granted { user, scopes })
    };
    let used = server
        .tokens
        .transaction(|live| use_token(live, presented, &client, rotation, now, &granted));
    let (stored, refresh, Granted { user, scopes }) = match used {
        Used::Kept(stored, granted) => (stored, Refresh::Keep(presented.to_string()), granted),
        Used::Replaced(stored, successor, granted) => {
            (stored, Refresh::Rotated(successor), granted)
        }
        Used::Refused(error) => return Err(error),
        Used::Reused(grant) => {
            // Okta's reuse detection: the grant is compromised; end all of it.
            if let Some(grant) = grant {
                server.revoke_grant(&grant);
            }
            return Err(invalid());
        }
        Used::Unknown => return Err(invalid()),
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

/// The scopes a refresh asks for: those of the token, or fewer; never a
/// wider one (RFC 6749 §6).
fn narrowed(params: &Params, stored: &[String]) -> Result<Vec<String>, OAuthError> {
    match params.words("scope") {
        asked if asked.is_empty() => Ok(stored.to_vec()),
        asked if asked.iter().all(|s| stored.contains(s)) => Ok(asked),
        _ => Err(OAuthError::invalid_scope(
            "The requested scope is invalid, unknown, or malformed.",
        )),
    }
}

/// What a refresh token is granted: the user, and the scopes.
struct Granted {
    user: User,
    scopes: Vec<String>,
}

/// What presenting a refresh token did.
enum Used {
    /// Not a live refresh token of this client.
    Unknown,
    /// It stays valid (no rotation).
    Kept(Token, Granted),
    /// It was replaced by the successor named, now or within its grace
    /// period.
    Replaced(Token, String, Granted),
    /// It is refused what it asks (a wider scope, a user in too many
    /// groups), and was not replaced.
    Refused(OAuthError),
    /// It was replaced, and its grace period is over (or its successor was
    /// replaced too): the grant it belongs to, to revoke.
    Reused(Option<String>),
}

/// Presents a refresh token, under the store's lock, so that two requests
/// with one token can never both rotate it; `granted` says what it gets,
/// or why not, before anything is replaced.
fn use_token(
    live: &mut Live<'_, Token>,
    presented: &str,
    client: &Client,
    rotation: Option<Duration>,
    now: u64,
    granted: &dyn Fn(&Token) -> Result<Granted, OAuthError>,
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
        if !live.presentable(&stored) {
            return Used::Reused(stored.grant);
        }
        return match granted(&stored) {
            Ok(granted) => Used::Replaced(stored, successor, granted),
            Err(refused) => Used::Refused(refused),
        };
    }
    let granted = match granted(&stored) {
        Ok(granted) => granted,
        Err(refused) => return Used::Refused(refused),
    };
    let Some(grace) = rotation else {
        return Used::Kept(stored, granted);
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
    Used::Replaced(stored, successor, granted)
}
