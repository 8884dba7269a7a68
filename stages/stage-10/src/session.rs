//! Server-side sessions, for logged-in users only, in Redis: every
//! instance of the app shares them, and a restart keeps them. The
//! browser's cookie holds a signed session id and nothing else; who is
//! logged in, and until when, stays on the server.

use crate::config::Config;
use crate::identity::Identity;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::COOKIE;
use axum::middleware::Next;
use axum::response::Response;
use fred::prelude::{
    Builder, ClientLike, Config as RedisConfig, EventInterface, KeysInterface, Pool,
    ReconnectPolicy,
};
use fred::types::config::UnresponsiveConfig;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::time::Duration as StdDuration;
use tower::util::Either;
use tower_cookies::Key;
use tower_cookies::cookie::{Cookie, CookieJar};
use tower_sessions::cookie::{SameSite, time::Duration};
use tower_sessions::service::SignedCookie;
use tower_sessions::session::{Error, Id, Record};
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore, session_store};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_redis_store::RedisStore;
use url::Url;

// ANCHOR: sessions
/// Where the sessions live: a Redis that every instance shares, or, without
/// `REDIS_URL`, this process's memory.
#[derive(Debug, Clone)]
pub struct Sessions {
    /// The connections to Redis, if there is one.
    pub redis: Option<Pool>,
}

impl Sessions {
    /// Connects to `REDIS_URL`, if set. The connections are made in the
    /// background and made again whenever Redis comes back: an app started
    /// while Redis is down starts anyway.
    pub fn connect(config: &Config) -> Sessions {
        let Some(url) = &config.redis_url else {
            tracing::warn!(
                "REDIS_URL is not set: sessions live in this process's memory, so a restart logs everyone out and a second instance knows none of them"
            );
            return Sessions { redis: None };
        };
        let mut redis = RedisConfig::from_url(url.expose_secret()).expect("checked by Config");
        // Not there at start? Keep trying, as when it goes away later.
        redis.fail_fast = false;
        let pool = Builder::from_config(redis)
            // A request waits at most this long for Redis, then gets a 503 page.
            .with_performance_config(|p| p.default_command_timeout = StdDuration::from_secs(2))
            .with_connection_config(|c| {
                c.connection_timeout = StdDuration::from_secs(2);
                c.max_command_attempts = 1;
                // A connection that stops answering without closing (a
                // failover, a NAT that forgot it) is closed after 2 s and
                // made again, instead of failing every request sent on it
                // until the kernel gives up, a quarter of an hour later.
                c.unresponsive = UnresponsiveConfig {
                    max_timeout: Some(StdDuration::from_secs(2)),
                    interval: StdDuration::from_millis(500),
                };
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build_pool(2)
            .expect("a pool of two connections");
        pool.connect();
        // Say why, while Redis cannot be reached (one connection speaks for all).
        pool.next().on_error(|(error, _)| async move {
            tracing::warn!("Redis: {error}");
            Ok(())
        });
        // Not the URL itself: it may hold a password.
        tracing::info!("sessions live in Redis (REDIS_URL), shared by every instance that uses it");
        Sessions { redis: Some(pool) }
    }

    /// The session layer, over Redis or memory.
    pub fn layer(
        &self,
        config: &Config,
    ) -> Either<
        SessionManagerLayer<RedisSessions, SignedCookie>,
        SessionManagerLayer<MemorySessions, SignedCookie>,
    > {
        match &self.redis {
            Some(pool) => Either::Left(layer(RedisSessions::new(pool.clone()), config)),
            None => Either::Right(layer(MemorySessions::new(config.idle_limit), config)),
        }
    }
}
// ANCHOR_END: sessions

// ANCHOR: records
/// Where the session keeps the [`LoggedInUser`].
pub const LOGGED_IN_USER: &str = "logged_in_user";
/// Who is logged in, read on every page view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedInUser {
    /// From the validated ID token, at login (and at each refresh).
    pub identity: Identity,
    /// Where this login's tokens are kept, apart from the session
    /// (`tokens.rs`).
    pub tokens: String,
    /// When the access token expires, and when to refresh it, in seconds
    /// since the Unix epoch, as this session last saw them (another tab
    /// may have refreshed since: the tokens' own times are the truth).
    pub expires_at: u64,
    pub refresh_at: u64,
    /// When the session was last saved, which restarted its idle limit.
    pub renewed_at: u64,
}
// ANCHOR_END: records

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    let since_epoch = std::time::UNIX_EPOCH.elapsed();
    since_epoch.map_or(0, |d| d.as_secs())
}

// ANCHOR: logged_in_user
/// The logged-in user, if there is one. Whether the access token is still
/// good is for the guard to decide: it refreshes it.
pub async fn logged_in_user(session: &Session) -> Result<Option<LoggedInUser>, Error> {
    let user = match session.get::<LoggedInUser>(LOGGED_IN_USER).await {
        // A session saved by another version of the app, which kept it in
        // another shape, is no session: its user logs in again (rather
        // than every page answering 503 until it expires).
        Err(e) if undecodable(&e) => {
            tracing::warn!("a session that does not decode is ended: {e}");
            session.flush().await?;
            return Ok(None);
        }
        user => user?,
    };
    let Some(mut user) = user else {
        return Ok(None);
    };
    // Saving the session restarts its idle limit, at the cost of a store
    // write and a new cookie: once a tenth of the limit has passed, not on
    // every page view.
    if let Some(Expiry::OnInactivity(limit)) = session.expiry()
        && now() >= user.renewed_at + limit.whole_seconds().unsigned_abs() / 10
    {
        user.renewed_at = now();
        session.insert(LOGGED_IN_USER, &user).await?;
    }
    Ok(Some(user))
}
// ANCHOR_END: logged_in_user

/// Whether `error` says the session's record, or a value in it, does not
/// decode: a store that does not answer is another error.
pub fn undecodable(error: &Error) -> bool {
    matches!(error, Error::SerdeJson(_) | Error::Store(session_store::Error::Decode(_)))
}

/// The name of the app's cookies, after `APP_URL`'s port: browsers keep
/// cookies per host, not per port, so two apps on `localhost` that used one
/// name would overwrite each other's cookie and log each other's users out.
/// Every instance behind one `APP_URL` uses the same name, so a browser's
/// cookie works on each of them.
pub fn cookie_name(app_url: &Url) -> String {
    format!("workbook_{}", app_url.port_or_known_default().unwrap_or(80))
}

// ANCHOR: redis_sessions
/// Sessions in Redis: tower-sessions' `RedisStore`, with one change: a
/// logout wins without an error. A request that read the session just
/// before a logout, and changed it, saves it just after: `RedisStore`
/// saves only a session that is still there (`SET … XX`), but then takes
/// Redis's empty answer for an error, and the page would be a 500. A save
/// that fails and finds the session gone has nothing to save.
#[derive(Debug, Clone)]
pub struct RedisSessions {
    store: RedisStore<Pool>,
    pool: Pool,
}

impl RedisSessions {
    pub fn new(pool: Pool) -> RedisSessions {
        RedisSessions { store: RedisStore::new(pool.clone()), pool }
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let saved = self.store.save(record).await;
        if saved.is_err() {
            let there = self.pool.exists::<i64, _>(record.id.to_string()).await;
            if there.is_ok_and(|count| count == 0) {
                return Ok(());
            }
        }
        saved
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}
// ANCHOR_END: redis_sessions

// ANCHOR: memory_sessions
/// Sessions in this process's memory: tower-sessions' `MokaStore`, which
/// forgets each one when it expires and holds at most 100,000, with one
/// change: a logout wins. A request that read the session just before a
/// logout, and changed it (the idle limit's renewal, say), saves it just
/// after; `MokaStore` would put the session back. So a session ended here
/// is remembered, for as long as a session could live, and not saved again.
#[derive(Debug, Clone)]
pub struct MemorySessions {
    sessions: MokaStore,
    ended: moka::future::Cache<Id, ()>,
}

impl MemorySessions {
    pub fn new(idle_limit: std::time::Duration) -> MemorySessions {
        let ended = moka::future::Cache::builder().max_capacity(100_000);
        MemorySessions {
            sessions: MokaStore::new(Some(100_000)),
            ended: ended.time_to_live(idle_limit).build(),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.sessions.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.sessions.save(record).await?;
        // Ended while this request ran: it stays ended.
        if self.ended.contains_key(&record.id) {
            self.sessions.delete(&record.id).await?;
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.sessions.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.ended.insert(*id, ()).await;
        self.sessions.delete(id).await
    }
}
// ANCHOR_END: memory_sessions

// ANCHOR: layer
/// The session layer over `store`. The cookie is signed, `HttpOnly` (no
/// JavaScript reads it), `Secure` when the app is https, and
/// `SameSite=Lax`: `Strict` would leave it behind on the way back from Okta.
fn layer<S: SessionStore>(store: S, config: &Config) -> SessionManagerLayer<S, SignedCookie> {
    let idle_limit = Duration::try_from(config.idle_limit).expect("hours, not centuries");
    // Over https, the `__Host-` prefix: browsers keep such a cookie only if
    // it is `Secure`, for `Path=/` and for this host alone (no `Domain`),
    // so a sibling subdomain cannot set one in its place.
    let https = config.app_url.scheme() == "https";
    let name = cookie_name(&config.app_url);
    SessionManagerLayer::new(store)
        .with_name(if https { format!("__Host-{name}") } else { name })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle_limit))
        .with_signed(config.session_key.clone())
}
// ANCHOR_END: layer

// ANCHOR: older_keys
/// The app's cookie keys: the one that makes every cookie
/// (`SESSION_SECRET`), and older ones whose cookies are still read
/// (`SESSION_SECRET_FALLBACKS`).
#[derive(Clone)]
pub struct CookieKeys {
    current: Key,
    fallbacks: Vec<Key>,
}

/// Says how many keys there are; never a key.
impl std::fmt::Debug for CookieKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CookieKeys {{ current, {} fallbacks }}", self.fallbacks.len())
    }
}

impl CookieKeys {
    pub fn new(config: &Config) -> CookieKeys {
        CookieKeys {
            current: config.session_key.clone(),
            fallbacks: config.session_fallback_keys.clone(),
        }
    }

    /// `cookie` as the current key would have made it, if an older key
    /// made it: signed again (the session's), or encrypted again (a login
    /// attempt's). Any other cookie comes back as it was.
    fn remade(&self, cookie: Cookie<'static>) -> Cookie<'static> {
        let mut jar = CookieJar::new();
        let current = jar.signed(&self.current).verify(cookie.clone()).is_some()
            || jar.private(&self.current).decrypt(cookie.clone()).is_some();
        if current {
            return cookie;
        }
        for key in &self.fallbacks {
            if let Some(plain) = jar.signed(key).verify(cookie.clone()) {
                jar.signed_mut(&self.current).add(plain);
            } else if let Some(plain) = jar.private(key).decrypt(cookie.clone()) {
                jar.private_mut(&self.current).add(plain);
            }
            if let Some(remade) = jar.get(cookie.name()) {
                return remade.clone();
            }
        }
        cookie
    }
}

/// Cookies made under an older key, made again under the current one
/// before the session layer and the login attempts read them, so that
/// `SESSION_SECRET` can change without logging anyone out or breaking a
/// login on its way: the browser's copy is replaced the next time the app
/// sets it. Without fallbacks, the request passes untouched.
pub async fn older_keys(
    State(keys): State<CookieKeys>,
    mut request: Request,
    next: Next,
) -> Response {
    if !keys.fallbacks.is_empty() {
        let sent: Vec<String> = request
            .headers()
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|header| Cookie::split_parse(header.to_string()))
            .filter_map(Result::ok)
            .map(|cookie| keys.remade(cookie))
            .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
            .collect();
        if let Ok(value) = HeaderValue::try_from(sent.join("; ")) {
            request.headers_mut().insert(COOKIE, value);
        }
    }
    next.run(request).await
}
// ANCHOR_END: older_keys
