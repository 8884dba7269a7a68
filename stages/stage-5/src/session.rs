//! Server-side sessions, for logged-in users only. The browser's cookie
//! holds a signed session id and nothing else; who is logged in, and until
//! when, stays here on the server.

use crate::config::Config;
use crate::identity::Identity;
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::{SameSite, time::Duration};
use tower_sessions::service::SignedCookie;
use tower_sessions::session::{Error, Id, Record};
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore, session_store};
use tower_sessions_moka_store::MokaStore;
use url::Url;

// ANCHOR: records
/// Where the session keeps the [`LoggedInUser`].
pub const LOGGED_IN_USER: &str = "logged_in_user";
/// Where it keeps the ID token, which Okta's logout asks for.
pub const ID_TOKEN: &str = "id_token";

/// Who is logged in, read on every page view. The app calls no API after
/// the login, so the access token itself is not kept, only when it expires
/// (an app that calls APIs keeps it here, on the server, never in a cookie).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedInUser {
    /// From the validated ID token, at login.
    pub identity: Identity,
    /// When the access token expires, in seconds since the Unix epoch: the
    /// login ends then.
    pub expires_at: u64,
    /// When the session was last saved, which restarted its idle limit.
    pub renewed_at: u64,
}
// ANCHOR_END: records

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    let since_epoch = std::time::UNIX_EPOCH.elapsed();
    since_epoch.map_or(0, |d| d.as_secs())
}

/// The logged-in user, if there is one whose access token has not expired.
/// An expired login is removed: it counts as logged out.
pub async fn logged_in_user(session: &Session) -> Result<Option<LoggedInUser>, Error> {
    let Some(mut user) = session.get::<LoggedInUser>(LOGGED_IN_USER).await? else {
        return Ok(None);
    };
    if user.expires_at <= now() {
        session.remove_value(LOGGED_IN_USER).await?;
        return Ok(None);
    }
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

/// The name of the app's cookies, after its port: browsers keep cookies per
/// host, not per port, so two apps on `localhost` that used one name would
/// overwrite each other's cookie and log each other's users out.
pub fn cookie_name(app_url: &Url) -> String {
    format!("workbook_{}", app_url.port_or_known_default().unwrap_or(80))
}

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

/// The session layer, over [`MemorySessions`]. The cookie is signed,
/// `HttpOnly` (no JavaScript reads it), `Secure` when the app is https, and
/// `SameSite=Lax`: `Strict` would leave it behind on the way back from Okta.
pub fn layer(config: &Config) -> SessionManagerLayer<MemorySessions, SignedCookie> {
    let idle_limit = Duration::try_from(config.idle_limit).expect("hours, not centuries");
    SessionManagerLayer::new(MemorySessions::new(config.idle_limit))
        .with_name(cookie_name(&config.app_url))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.app_url.scheme() == "https")
        .with_expiry(Expiry::OnInactivity(idle_limit))
        .with_signed(config.session_key.clone())
}
