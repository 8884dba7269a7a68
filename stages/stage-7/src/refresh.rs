//! Staying logged in: the refresh token.
//!
//! With the `offline_access` scope, Okta's answer to the code carries a
//! refresh token next to the access token. Once three quarters of the
//! access token's lifetime have passed, the next page view trades the
//! refresh token for new tokens (RFC 6749 §6) before it goes on, so a
//! login outlives its access token's hour. A refresh that Okta refuses
//! ends the login here too.

use crate::okta::{Okta, token_error};
use crate::pages::AppError;
use crate::session::{LOGGED_IN_USER, LoggedInUser, TOKENS, Tokens, now};
use openidconnect::core::{CoreErrorResponseType, CoreTokenResponse};
use openidconnect::{OAuth2TokenResponse, RequestTokenError, TokenResponse};
use tower_sessions::Session;

// ANCHOR: refreshed
/// The logged-in user with a good access token: refreshed first if it is
/// due. A refresh Okta refuses (`invalid_grant`: the login was ended at
/// Okta, or the refresh token expired) ends the login here too.
pub async fn refreshed(
    okta: &Okta,
    session: &Session,
    user: LoggedInUser,
) -> Result<Option<LoggedInUser>, AppError> {
    if now() < user.refresh_at {
        return Ok(Some(user));
    }
    let tokens: Option<Tokens> = session.get(TOKENS).await?;
    let Some(refresh_token) = tokens.as_ref().and_then(|t| t.refresh_token.clone()) else {
        // No refresh token: the login lasts as long as the access token.
        return Ok((now() < user.expires_at).then_some(user));
    };
    let provider = okta.discovery.provider()?;
    let answer =
        provider.client.exchange_refresh_token(&refresh_token).request_async(&okta.http).await;
    match answer {
        Ok(token) => Ok(Some(keep(session, user, &token, tokens).await?)),
        Err(RequestTokenError::ServerResponse(answer))
            if *answer.error() == CoreErrorResponseType::InvalidGrant =>
        {
            session.flush().await?;
            Err(AppError::LoginEnded(answer.to_string().trim_end_matches('.').into()))
        }
        // Okta failing for a moment does not end a login whose access token
        // is still good.
        Err(_) if now() < user.expires_at => Ok(Some(user)),
        Err(e) => Err(token_error(e)),
    }
}
// ANCHOR_END: refreshed

// ANCHOR: keep
/// Keeps a login's tokens in the session, and when they are due. An answer
/// to a refresh without a refresh token or an ID token leaves the `kept`
/// ones in place: Okta *may* send new ones (RFC 6749 §6).
pub async fn keep(
    session: &Session,
    mut user: LoggedInUser,
    token: &CoreTokenResponse,
    kept: Option<Tokens>,
) -> Result<LoggedInUser, AppError> {
    // Okta leaves expires_in out only if misconfigured: assume its default hour.
    let lifetime = token.expires_in().map_or(3600, |d| d.as_secs());
    user.expires_at = now().saturating_add(lifetime);
    // Refresh once three quarters of the lifetime have passed: before the
    // token can expire between a page view's check and its use.
    user.refresh_at = now().saturating_add(lifetime.saturating_mul(3) / 4);
    let (kept_refresh, kept_id) = kept.map_or((None, None), |t| (t.refresh_token, t.id_token));
    let tokens = Tokens {
        access_token: token.access_token().clone(),
        refresh_token: token.refresh_token().cloned().or(kept_refresh),
        id_token: token.id_token().cloned().or(kept_id),
    };
    session.insert(LOGGED_IN_USER, &user).await?;
    session.insert(TOKENS, tokens).await?;
    Ok(user)
}
// ANCHOR_END: keep
