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
use crate::identity::Identity;
use crate::okta::{Okta, token_error};
use crate::provider::{Discovery, Provider, reason};
use crate::session::{LOGGED_IN_USER, LoggedInUser, now};
use crate::tokens::Tokens;
use backon::{ConstantBuilder, Retryable};
use openidconnect::core::{CoreErrorResponseType, CoreTokenResponse};
use openidconnect::{
    HttpClientError, HttpResponse, OAuth2TokenResponse, RefreshToken, RequestTokenError,
    TokenResponse,
};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
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
    let tokens = match okta.refresh(&provider, &refresh_token).await {
        Ok(answer) => {
            let identity = okta.same_user(provider, &answer, &user, session).await?;
            Tokens::from_answer(&answer, identity, Some(kept))
        }
        Err(Refresh::Refused(why)) => {
            okta.end(&user, session).await?;
            return Err(AppError::LoginEnded(why));
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
    okta.tokens.put(&user.tokens, &tokens).await?;
    follow(session, user, &tokens).await
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
impl Okta {
    /// Who a refresh's answer says the user is: the user as they were, or,
    /// when the answer carries a new ID token, as that says once it is
    /// valid (OpenID Connect Core §12.2: checked as at login, with no
    /// nonce) and names the same user. Any other ID token ends the login.
    async fn same_user(
        &self,
        provider: Arc<Provider>,
        answer: &CoreTokenResponse,
        user: &LoggedInUser,
        session: &Session,
    ) -> Result<Identity, AppError> {
        if answer.id_token().is_none() {
            return Ok(user.identity.clone());
        }
        match self.identity(provider, answer, None).await {
            Ok(identity) if identity.subject == user.identity.subject => Ok(identity),
            refused => {
                self.end(user, session).await?;
                Err(refused.err().unwrap_or(AppError::BadIdToken("it names another user".into())))
            }
        }
    }

    /// Ends `user`'s login here: their tokens, and their session.
    async fn end(&self, user: &LoggedInUser, session: &Session) -> Result<(), AppError> {
        self.tokens.take(&user.tokens).await?;
        Ok(session.flush().await?)
    }
}
// ANCHOR_END: same_user

// ANCHOR: from_answer
impl Tokens {
    /// What a token answer gives, and when it is due. An answer to a
    /// refresh may leave out the refresh token or the ID token: the `kept`
    /// ones stay then (RFC 6749 §6).
    pub fn from_answer(
        answer: &CoreTokenResponse,
        identity: Identity,
        kept: Option<Tokens>,
    ) -> Tokens {
        // Okta leaves expires_in out only if misconfigured: assume its default hour.
        let lifetime = answer.expires_in().map_or(3600, |d| d.as_secs());
        let (kept_refresh, kept_id) = kept.map_or((None, None), |t| (t.refresh_token, t.id_token));
        Tokens {
            access_token: answer.access_token().clone(),
            refresh_token: answer.refresh_token().cloned().or(kept_refresh),
            id_token: answer.id_token().cloned().or(kept_id),
            expires_at: now().saturating_add(lifetime),
            // Three quarters of the lifetime on: before the token can expire
            // between a page view's check and its use.
            refresh_at: now().saturating_add(lifetime.saturating_mul(3) / 4),
            identity,
        }
    }

    /// The same tokens, to be refreshed again after `wait`, Okta's
    /// `Retry-After` (asked before, it refuses again), or else after 30 s,
    /// but no later than the access token's end while it still serves.
    /// Every tab and instance reads the tokens before a refresh, so all of
    /// them wait.
    pub fn later(self, wait: Option<Duration>) -> Tokens {
        let refresh_at = match wait {
            Some(wait) => now().saturating_add(wait.as_secs()),
            None if now() < self.expires_at => now().saturating_add(30).min(self.expires_at),
            None => now().saturating_add(30),
        };
        Tokens { refresh_at, ..self }
    }
}
// ANCHOR_END: from_answer

// ANCHOR: refresh
/// Why a refresh brought no new tokens.
#[derive(Debug, thiserror::Error)]
pub enum Refresh {
    /// Okta refused the refresh token: the login is over.
    #[error("{0}")]
    Refused(String),
    /// Okta answered 429, and said when to ask again (`Retry-After`).
    #[error("Okta is limiting how often it is asked: the app asks again in {} s", .0.as_secs())]
    RateLimited(Duration),
    /// Anything else: Okta down, slow, or answering nonsense.
    #[error("{0}")]
    Failed(AppError),
}

impl Okta {
    /// Trades `refresh_token` at Okta's token endpoint. An answer lost on
    /// the way back (the connection closed before it all came) is asked for
    /// again at once: Okta may have replaced the refresh token already, and
    /// takes the old one again only for a short grace period (0 to 60 s).
    async fn refresh(
        &self,
        provider: &Provider,
        refresh_token: &RefreshToken,
    ) -> Result<CoreTokenResponse, Refresh> {
        // Set when Okta answers 429: how long it asked the app to wait (the
        // oauth2 crate shows only an answer's body, not its headers).
        let limited = Arc::new(Mutex::new(None));
        let http = |request| {
            let (http, limited) = (self.http.clone(), limited.clone());
            async move {
                let answer = openidconnect::AsyncHttpClient::call(&http, request).await?;
                if answer.status() == StatusCode::TOO_MANY_REQUESTS {
                    *limited.lock().unwrap_or_else(|p| p.into_inner()) = Some(retry_after(&answer));
                }
                Ok::<_, HttpClientError<reqwest::Error>>(answer)
            }
        };
        let ask = || provider.client.exchange_refresh_token(refresh_token).request_async(&http);
        let lost = |e: &RequestTokenError<_, _>| matches!(e, RequestTokenError::Request(_));
        let once_more = ConstantBuilder::default().with_delay(Duration::from_millis(100));
        let answer = ask.retry(once_more.with_max_times(1)).when(lost).await;
        if let Some(wait) = *limited.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(Refresh::RateLimited(wait));
        }
        answer.map_err(|e| match e {
            RequestTokenError::ServerResponse(answer)
                if *answer.error() == CoreErrorResponseType::InvalidGrant =>
            {
                Refresh::Refused(answer.to_string().trim_end_matches('.').into())
            }
            e => Refresh::Failed(token_error(e)),
        })
    }
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

// ANCHOR: revoke
impl Discovery {
    /// Revokes `refresh_token` at Okta (RFC 7009 §2.1), so that it stops
    /// working once its user has logged out. A failure is logged, and the
    /// logout goes on. (By hand: the oauth2 crate refuses a revocation
    /// endpoint that is not https, such as the local mock's.)
    pub async fn revoke(&self, provider: &Provider, refresh_token: &RefreshToken) {
        let Some(url) = &provider.revocation_url else {
            return tracing::warn!(
                "Okta names no revocation endpoint: a refresh token stays valid"
            );
        };
        let form = [
            ("token", refresh_token.secret().as_str()),
            ("token_type_hint", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.secret().as_str()),
        ];
        let sent = self.http.post(url.url().clone()).form(&form).send().await;
        if let Err(e) = sent.and_then(|answer| answer.error_for_status()) {
            tracing::warn!("a refresh token could not be revoked at logout: {}", reason(&e));
        }
    }
}
// ANCHOR_END: revoke

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
            Refresh::Refused(why) => AppError::LoginEnded(why),
            Refresh::RateLimited(_) => AppError::Idp(failed.to_string()),
            Refresh::Failed(page) => page,
        }
    }
}
