//! Where a login's tokens live, and the lock that lets one refresh at a
//! time use them.
//!
//! The tokens are not in the session's record. A request that changes the
//! session (the idle limit's renewal, say) saves the whole record as it
//! read it; if the tokens were in it, it could put back a refresh token that
//! a refresh in another tab or instance had just replaced, and Okta, which
//! may rotate refresh tokens, refuses a replaced one. So they live beside
//! the sessions, in the same store (Redis, or this process's memory), under
//! a key of their own that the session names, and only a login, a refresh
//! (holding the lock) and a logout write them.

use crate::error::AppError;
use crate::identity::Identity;
use crate::provider::{OktaIdToken, OktaTokenResponse};
use crate::session::{Sessions, now};
use fred::prelude::{Expiration, KeysInterface, LuaInterface, Pool, SetOptions};
use moka::future::Cache;
use moka::ops::compute::{CompResult, Op};
use openidconnect::{
    AccessToken, CsrfToken, Nonce, OAuth2TokenResponse, RefreshToken, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard};

// ANCHOR: tokens
/// The tokens of a login, kept on the server: never in a cookie, a page or
/// a log line (`Debug` prints them redacted).
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    /// For the APIs the app calls on the user's behalf.
    pub access_token: AccessToken,
    /// Trades for a new access token (scope `offline_access`).
    pub refresh_token: Option<RefreshToken>,
    /// The ID token, which Okta's logout asks for (as `id_token_hint`).
    pub id_token: Option<OktaIdToken>,
    /// When the access token expires, in seconds since the Unix epoch.
    pub expires_at: u64,
    /// When to refresh it (or, after a refresh failed, try again).
    pub refresh_at: u64,
    /// Who the user is, as the latest ID token says: a refresh may change
    /// it (an email, the groups). A request that finds the tokens refreshed
    /// takes it from here, not from the session it read before.
    pub identity: Identity,
    /// The login's nonce, which a refreshed ID token must carry, if it
    /// carries one (OpenID Connect Core §12.2).
    #[serde(default)]
    pub nonce: Option<Nonce>,
}
// ANCHOR_END: tokens

/// Says which tokens there are, never what they hold: the access and
/// refresh tokens' own `Debug` redacts them, but an ID token's prints the
/// whole JWT, a bearer of who the user is.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("identity", &self.identity)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// How long a refresh may hold the lock: longer than a refresh can take
/// (Okta's timeout, and one more try), short enough that an instance that
/// stopped while holding it does not hold up its users for long.
const LOCK_TIME: Duration = Duration::from_secs(30);

/// The tokens of every login, in Redis or in this process's memory. Each
/// is kept until its access token has expired and the session's idle limit
/// has passed after that, or until the logout.
#[derive(Debug, Clone)]
pub struct TokenStore {
    idle_limit: Duration,
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Redis(Pool),
    Memory { tokens: Cache<String, Tokens>, locks: Cache<String, Arc<Mutex<()>>> },
}

/// A refresh's hold on a login's tokens; let go when dropped.
#[derive(Debug)]
pub enum Lock {
    Redis { pool: Pool, key: String, holder: String },
    Memory(#[allow(dead_code)] OwnedMutexGuard<()>),
}

impl TokenStore {
    /// Where `sessions` live.
    pub fn new(sessions: &Sessions, idle_limit: Duration) -> TokenStore {
        let backend = match &sessions.redis {
            Some(pool) => Backend::Redis(pool.clone()),
            None => Backend::Memory {
                tokens: Cache::builder()
                    .max_capacity(100_000)
                    .expire_after(Lasts(idle_limit))
                    .build(),
                locks: Cache::builder().max_capacity(100_000).time_to_idle(LOCK_TIME).build(),
            },
        };
        TokenStore { idle_limit, backend }
    }

    /// Keeps the tokens of a new login: the key they are kept under.
    pub async fn create(&self, tokens: &Tokens) -> Result<String, AppError> {
        let key = CsrfToken::new_random().into_secret();
        self.write(&key, tokens, None).await?;
        Ok(key)
    }

    /// The tokens kept under `key`, if any.
    pub async fn get(&self, key: &str) -> Result<Option<Tokens>, AppError> {
        match &self.backend {
            Backend::Memory { tokens, .. } => Ok(tokens.get(key).await),
            Backend::Redis(pool) => {
                let json: Option<String> =
                    pool.get(redis_key("tokens", key)).await.map_err(store)?;
                Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
            }
        }
    }

    /// Keeps `tokens` under `key` in place of those there, in one step:
    /// whether there were any. None means a logout took them since they
    /// were read, and these are not kept either.
    pub async fn put(&self, key: &str, value: &Tokens) -> Result<bool, AppError> {
        self.write(key, value, Some(SetOptions::XX)).await
    }

    /// Writes `value` under `key`: always, or (`XX`) only in place of a
    /// record that is there. Whether it was written.
    async fn write(
        &self,
        key: &str,
        value: &Tokens,
        only: Option<SetOptions>,
    ) -> Result<bool, AppError> {
        match &self.backend {
            Backend::Memory { tokens, .. } => {
                let replace = only.is_some();
                let written = tokens.entry(key.into()).and_compute_with(|there| {
                    let op = match (there, replace) {
                        (None, true) => Op::Nop,
                        _ => Op::Put(value.clone()),
                    };
                    std::future::ready(op)
                });
                Ok(!matches!(written.await, CompResult::StillNone(_)))
            }
            Backend::Redis(pool) => {
                let json = serde_json::to_string(value).expect("tokens serialize");
                let lasts = Lasts(self.idle_limit).of(value).as_secs();
                let expire = Some(Expiration::EX(i64::try_from(lasts).unwrap_or(i64::MAX)));
                let key = redis_key("tokens", key);
                let set = pool.set::<Option<String>, _, _>(key, json, expire, only, false);
                Ok(set.await.map_err(store)?.is_some())
            }
        }
    }

    /// Forgets the tokens under `key` (a logout): the ones it had, if any.
    pub async fn take(&self, key: &str) -> Result<Option<Tokens>, AppError> {
        let tokens = self.get(key).await?;
        match &self.backend {
            Backend::Memory { tokens, .. } => tokens.invalidate(key).await,
            Backend::Redis(pool) => {
                pool.del::<(), _>(redis_key("tokens", key)).await.map_err(store)?
            }
        }
        Ok(tokens)
    }

    // ANCHOR: lock
    /// Waits until no other request, in this instance or another, holds
    /// the lock on the tokens under `key`, and takes it.
    pub async fn lock(&self, key: &str) -> Result<Lock, AppError> {
        match &self.backend {
            Backend::Memory { locks, .. } => {
                let lock = locks.get_with(key.into(), async { Arc::new(Mutex::new(())) }).await;
                Ok(Lock::Memory(lock.lock_owned().await))
            }
            Backend::Redis(pool) => {
                let (key, holder) =
                    (redis_key("refreshing", key), CsrfToken::new_random().into_secret());
                let deadline = tokio::time::Instant::now() + LOCK_TIME;
                loop {
                    let expire = Some(Expiration::PX(LOCK_TIME.as_millis() as i64));
                    let set = pool.set::<Option<String>, _, _>(
                        &key,
                        &holder,
                        expire,
                        Some(SetOptions::NX),
                        false,
                    );
                    if set.await.map_err(store)?.is_some() {
                        return Ok(Lock::Redis { pool: pool.clone(), key, holder });
                    }
                    if tokio::time::Instant::now() > deadline {
                        return Err(AppError::Idp(
                            "A refresh of this login is taking too long".into(),
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    // ANCHOR_END: lock
}

// ANCHOR: release
impl Drop for Lock {
    fn drop(&mut self) {
        // Let go of it only if it is still ours (it may have timed out, and
        // been taken by another), in one step: a script.
        if let Lock::Redis { pool, key, holder } = self {
            let (pool, key, holder) = (pool.clone(), key.clone(), holder.clone());
            tokio::spawn(async move {
                // The key is named as the script's key, not hidden in its
                // arguments: a Redis Cluster client sends it to the node
                // that holds that key.
                let done: Result<i64, _> = pool.eval(RELEASE, key, holder).await;
                if let Err(e) = done {
                    tracing::warn!("a refresh lock in Redis stays until it times out: {e}");
                }
            });
        }
    }
}

/// Deletes the lock `KEYS[1]` if it still holds `ARGV[1]` (ours): 1 if
/// it did, 0 if not (it timed out, and may be another's now).
const RELEASE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

// ANCHOR_END: release

/// The Redis key of a login's `kind` of record.
fn redis_key(kind: &str, key: &str) -> String {
    format!("workbook:{kind}:{key}")
}

/// How long a login's tokens are kept: until its access token has expired
/// and the idle limit has passed after that.
#[derive(Debug, Clone, Copy)]
struct Lasts(Duration);

impl Lasts {
    fn of(&self, tokens: &Tokens) -> Duration {
        Duration::from_secs(tokens.expires_at.saturating_sub(now())) + self.0
    }
}

impl moka::Expiry<String, Tokens> for Lasts {
    fn expire_after_create(&self, _: &String, tokens: &Tokens, _: Instant) -> Option<Duration> {
        Some(self.of(tokens))
    }

    fn expire_after_update(
        &self,
        _: &String,
        tokens: &Tokens,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.of(tokens))
    }
}

/// Redis failing, as a page: the session store is not answering.
fn store(e: fred::error::Error) -> AppError {
    AppError::Session(tower_sessions::session::Error::Store(
        tower_sessions::session_store::Error::Backend(e.to_string()),
    ))
}

// ANCHOR: from_answer
impl Tokens {
    /// What a token answer gives, and when it is due. An answer to a
    /// refresh may leave out the refresh token or the ID token: the `kept`
    /// ones stay then (RFC 6749 §6).
    pub fn from_answer(
        answer: &OktaTokenResponse,
        identity: Identity,
        kept: Option<Tokens>,
    ) -> Tokens {
        // Okta leaves expires_in out only if misconfigured: assume its default hour.
        let lifetime = answer.expires_in().map_or(3600, |d| d.as_secs());
        let (kept_refresh, kept_id, nonce) =
            kept.map_or((None, None, None), |t| (t.refresh_token, t.id_token, t.nonce));
        Tokens {
            access_token: answer.access_token().clone(),
            refresh_token: answer.refresh_token().cloned().or(kept_refresh),
            id_token: answer.id_token().cloned().or(kept_id),
            expires_at: now().saturating_add(lifetime),
            // Three quarters of the lifetime on: before the token can expire
            // between a page view's check and its use.
            refresh_at: now().saturating_add(lifetime.saturating_mul(3) / 4),
            identity,
            nonce,
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
