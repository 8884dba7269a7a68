//! Staying logged in: the refresh token.
//!
//! With the `offline_access` scope, Okta's answer to the code carries a
//! refresh token next to the access token. Once three quarters of the
//! access token's lifetime have passed, the next page view trades the
//! refresh token for new tokens (RFC 6749 §6) before it goes on, so a login
//! outlives its access token's hour. One refresh at a time for a login,
//! whatever the tabs and instances: Okta may rotate refresh tokens, and a
//! refresh token it has replaced, presented again, ends the login there.

use crate::error::AppError;
use crate::identity::{ExpectedNonce, Identity, identity};
use crate::okta::{Okta, token_error};
use crate::provider::{OktaTokenResponse, Provider};
use crate::session::{LOGGED_IN_USER, LoggedInUser, now};
use crate::tokens::Tokens;
use backon::{ConstantBuilder, Retryable};
use openidconnect::core::CoreErrorResponseType;
use openidconnect::{
    HttpClientError, HttpResponse, RefreshToken, RequestTokenError, TokenResponse,
};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_sessions::Session;

// ANCHOR: refreshed
/// The logged-in user with a good access token: refreshed first if it is
/// due. A refresh Okta refuses (`invalid_grant`: the login was ended at
/// Okta, or the refresh token expired; or the app itself refused) ends the
/// login here too.
pub async fn refreshed(
    okta: &Okta,
    session: &Session,
    user: LoggedInUser,
) -> Result<Option<LoggedInUser>, AppError> {
    // Not due (nor expired, when a failed refresh waits past the end).
    if now() < user.refresh_at.min(user.expires_at) {
        return Ok(Some(user));
    }
    // One at a time: other tabs, and other instances, wait here.
    let _lock = okta.tokens.lock(&user.tokens).await?;
    let Some(kept) = okta.tokens.get(&user.tokens).await? else {
        // Logged out in another tab, or forgotten: the login is over.
        session.flush().await?;
        return Ok(None);
    };
    let Some(refresh_token) = kept.refresh_token.clone().filter(|_| now() >= kept.refresh_at)
    else {
        // Refreshed by another tab while this one waited (or there is no
        // refresh token, and the login lasts as long as the access token).
        return follow(session, user, &kept).await;
    };
    let provider = okta.discovery.provider()?;
    let tokens = match refresh(&okta.http, &provider, &refresh_token).await {
        Ok(answer) => {
            let identity = same_user(okta, provider, &answer, &user, &kept, session).await?;
            Tokens::from_answer(&answer, identity, Some(kept))
        }
        Err(Refresh::Refused(why)) => {
            end(okta, &user, session).await?;
            return Err(why);
        }
        // Okta failing for a moment does not end a login whose access token
        // is still good: the page is served, and the refresh tried later.
        Err(failed) if now() < kept.expires_at => kept.later(failed.retry_after()),
        // Expired too: this page says why, and so do the next ones, without
        // asking Okta again before it is time to (`follow`).
        Err(failed) => {
            okta.tokens.put(&user.tokens, &kept.later(failed.retry_after())).await?;
            return Err(failed.into());
        }
    };
    keep(okta, session, user, tokens).await
}

/// Keeps the refreshed `tokens` and follows them; unless a logout took the
/// login's tokens while Okta answered: then these go too, at Okta as well,
/// so nothing of the login outlives it (RFC 9700 §4.14.2, RFC 7009 §2.1).
async fn keep(
    okta: &Okta,
    session: &Session,
    user: LoggedInUser,
    tokens: Tokens,
) -> Result<Option<LoggedInUser>, AppError> {
    if okta.tokens.put(&user.tokens, &tokens).await? {
        return follow(session, user, &tokens).await;
    }
    if let (Ok(provider), Some(refresh_token)) = (okta.discovery.provider(), &tokens.refresh_token)
    {
        okta.discovery.revoke(&provider, refresh_token).await;
    }
    session.flush().await?;
    Ok(None)
}

/// The user as `tokens` has them (another tab or instance may have
/// refreshed them since this session was read): who the user is, and the
/// access token's times, saved in the session when they changed; `None`
/// once the access token expired.
async fn follow(
    session: &Session,
    mut user: LoggedInUser,
    tokens: &Tokens,
) -> Result<Option<LoggedInUser>, AppError> {
    if now() >= tokens.expires_at {
        return match tokens.refresh_token.is_some() && now() < tokens.refresh_at {
            // A refresh failed, and waits until `refresh_at`.
            true => Err(AppError::Idp(format!(
                "Okta could not refresh your login, and the app asks again in {} s",
                tokens.refresh_at - now()
            ))),
            false => Ok(None),
        };
    }
    let now_known = (&tokens.identity, tokens.expires_at, tokens.refresh_at);
    if (&user.identity, user.expires_at, user.refresh_at) != now_known {
        user.identity = tokens.identity.clone();
        (user.expires_at, user.refresh_at) = (tokens.expires_at, tokens.refresh_at);
        session.insert(LOGGED_IN_USER, &user).await?;
    }
    Ok(Some(user))
}
// ANCHOR_END: refreshed

// ANCHOR: same_user
/// Who a refresh's answer says the user is: the user as they were, or,
/// when the answer carries a new ID token, as that says once it is
/// valid (OpenID Connect Core §12.2: checked as at login, with no
/// nonce) and names the same user. Any other ID token ends the login.
async fn same_user(
    okta: &Okta,
    provider: Arc<Provider>,
    answer: &OktaTokenResponse,
    user: &LoggedInUser,
    kept: &Tokens,
    session: &Session,
) -> Result<Identity, AppError> {
    if answer.id_token().is_none() {
        return Ok(user.identity.clone());
    }
    let nonce = ExpectedNonce::Refresh(kept.nonce.as_ref());
    match identity(&okta.discovery, &okta.http, provider, answer, nonce).await {
        Ok(identity) if identity.subject == user.identity.subject => Ok(identity),
        refused => {
            end(okta, user, session).await?;
            Err(refused.err().unwrap_or(AppError::BadIdToken("it names another user".into())))
        }
    }
}

/// Ends `user`'s login here: their tokens, and their session.
async fn end(okta: &Okta, user: &LoggedInUser, session: &Session) -> Result<(), AppError> {
    okta.tokens.take(&user.tokens).await?;
    Ok(session.flush().await?)
}
// ANCHOR_END: same_user

// ANCHOR: refresh
/// Why a refresh brought no new tokens.
#[derive(Debug, thiserror::Error)]
pub enum Refresh {
    /// Okta refused: the login is over, and asking again will not help.
    /// [`AppError::LoginEnded`] for the refresh token
    /// (`invalid_grant`), [`AppError::AppRefused`] for the app itself.
    #[error("{0}")]
    Refused(AppError),
    /// Okta answered 429, and said when to ask again (`Retry-After`).
    #[error("Okta is limiting how often it is asked: the app asks again in {} s", .0.as_secs())]
    RateLimited(Duration),
    /// Anything else: Okta down, slow, or answering nonsense.
    #[error("{0}")]
    Failed(AppError),
}

/// Trades `refresh_token` at Okta's token endpoint. An answer lost on
/// the way back (the connection closed before it all came) is asked for
/// again at once: Okta may have replaced the refresh token already, and
/// takes the old one again only for a short grace period (0 to 60 s).
async fn refresh(
    http: &reqwest::Client,
    provider: &Provider,
    refresh_token: &RefreshToken,
) -> Result<OktaTokenResponse, Refresh> {
    // Okta's last answer's status and, for a 429, how long it asked the
    // app to wait (the oauth2 crate shows only an answer's body).
    let answered = Arc::new(Mutex::new(None::<(StatusCode, Option<Duration>)>));
    let http = |request| {
        let (http, answered) = (http.clone(), answered.clone());
        async move {
            let answer = openidconnect::AsyncHttpClient::call(&http, request).await?;
            let status = answer.status();
            let wait = (status == StatusCode::TOO_MANY_REQUESTS).then(|| retry_after(&answer));
            *answered.lock().unwrap_or_else(|p| p.into_inner()) = Some((status, wait));
            Ok::<_, HttpClientError<reqwest::Error>>(answer)
        }
    };
    let ask = || provider.client.exchange_refresh_token(refresh_token).request_async(&http);
    let lost = |e: &RequestTokenError<_, _>| matches!(e, RequestTokenError::Request(_));
    let once_more = ConstantBuilder::default().with_delay(Duration::from_millis(100));
    let answer = ask.retry(once_more.with_max_times(1)).when(lost).await;
    let answered = *answered.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, Some(wait))) = answered {
        return Err(Refresh::RateLimited(wait));
    }
    answer.map_err(|e| match e {
        RequestTokenError::ServerResponse(answer)
            if *answer.error() == CoreErrorResponseType::InvalidGrant =>
        {
            Refresh::Refused(AppError::LoginEnded(answer.to_string().trim_end_matches('.').into()))
        }
        // Any other 4xx, whatever its code, does not pass by itself
        // (RFC 6749 §5.2): the app is refused, not Okta failing.
        RequestTokenError::ServerResponse(answer)
            if answered.is_some_and(|(status, _)| status.is_client_error()) =>
        {
            Refresh::Refused(AppError::AppRefused(answer.to_string().trim_end_matches('.').into()))
        }
        e => Refresh::Failed(token_error(e)),
    })
}

/// How long a 429 asks to wait: its `Retry-After`, or else until its
/// `X-Rate-Limit-Reset` (Okta's: when its limit starts again, in seconds
/// since the Unix epoch), or else a minute.
fn retry_after(answer: &HttpResponse) -> Duration {
    let header = |name| answer.headers().get(name)?.to_str().ok()?.parse::<u64>().ok();
    let wait = header("retry-after")
        .or_else(|| header("x-rate-limit-reset").map(|at| at.saturating_sub(now())))
        .unwrap_or(60);
    Duration::from_secs(wait)
}
// ANCHOR_END: refresh

impl Refresh {
    /// How long Okta asked the app to wait, if it did.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Refresh::RateLimited(wait) => Some(*wait),
            _ => None,
        }
    }
}

impl From<Refresh> for AppError {
    fn from(failed: Refresh) -> AppError {
        match failed {
            Refresh::Refused(page) => page,
            Refresh::RateLimited(_) => AppError::Idp(failed.to_string()),
            Refresh::Failed(page) => page,
        }
    }
}
