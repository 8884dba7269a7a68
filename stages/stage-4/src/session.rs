//! Server-side sessions. The browser's cookie holds a signed session id and
//! nothing else; what the app knows about a login (the state, the PKCE
//! verifier, the email, when the token expires, the ID token) stays here,
//! on the server.

use crate::config::Config;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::{Duration, OffsetDateTime};
use tower_sessions::service::SignedCookie;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, Session, SessionManagerLayer};

// ANCHOR: keys
/// The session cookie's name: its own, so it never collides with another
/// app's cookie on `localhost` (browsers share cookies across ports).
pub const SESSION_COOKIE: &str = "workbook_session";
/// A login in progress: what the callback checks.
pub const LOGIN_ATTEMPT: &str = "login_attempt";
/// A finished login.
pub const LOGGED_IN_USER: &str = "logged_in_user";
/// The ID token, which Okta's logout asks for as `id_token_hint`. Kept
/// apart from the user, which every page view reads: this is read only at
/// logout.
pub const ID_TOKEN: &str = "id_token";
// ANCHOR_END: keys

// ANCHOR: records
/// What `/login/okta` remembers for the callback. Both values are secrets
/// that must never reach the browser except as Okta's `state` parameter.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginAttempt {
    /// The `state` sent to Okta, which must come back unchanged.
    pub state: String,
    /// The PKCE verifier, whose hash was sent to Okta as the challenge.
    pub pkce_verifier: String,
    /// The local page to land on after the login.
    pub return_to: String,
}

/// Who is logged in, kept on the server. Only what the app uses: it calls
/// no API after the login, so the access token itself is not kept, only
/// when it expires (an app that calls APIs would keep it here, server-side).
/// This record is read on every page view, so it stays small.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoggedInUser {
    /// From Okta's userinfo, fetched once at login.
    pub email: String,
    /// When the access token expires (seconds since the Unix epoch): the
    /// login ends then.
    pub expires_at: u64,
}
// ANCHOR_END: records

impl std::fmt::Debug for LoginAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginAttempt { .. }")
    }
}

impl std::fmt::Debug for LoggedInUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoggedInUser")
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

// ANCHOR: logged_in_user
/// The logged-in user, if there is one whose access token has not expired.
/// An expired login is removed: it counts as logged out.
pub async fn logged_in_user(
    session: &Session,
) -> Result<Option<LoggedInUser>, tower_sessions::session::Error> {
    match session.get::<LoggedInUser>(LOGGED_IN_USER).await? {
        Some(user) if user.expires_at > now() => Ok(Some(user)),
        Some(_expired) => {
            session.remove_value(LOGGED_IN_USER).await?;
            Ok(None)
        }
        None => Ok(None),
    }
}
// ANCHOR_END: logged_in_user

// ANCHOR: layer
/// The session layer: a signed cookie named [`SESSION_COOKIE`] that
/// JavaScript cannot read (`HttpOnly`), sent only over https when the app is
/// (`Secure`), and `SameSite=Lax`, because `Strict` would leave the cookie
/// behind on the redirect back from Okta (another site) and every login
/// would fail with a state mismatch.
pub fn layer(config: &Config) -> SessionManagerLayer<MemoryStore, SignedCookie> {
    SessionManagerLayer::new(MemoryStore::default())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.app_url.scheme() == "https")
        .with_expiry(Expiry::OnInactivity(Duration::hours(8)))
        .with_signed(config.session_key.clone())
}
// ANCHOR_END: layer

/// Sessions in memory, swept of expired ones as new ones arrive (the
/// `MemoryStore` of tower-sessions never forgets one, so its memory grows
/// forever). Sessions do not survive a restart: see "Going to production".
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(Arc<Mutex<Records>>);

#[derive(Debug, Default)]
struct Records {
    map: HashMap<Id, Record>,
    /// Sweep when the map reaches this size: twice what was live at the
    /// last sweep, so sweeping costs O(1) per session on average.
    sweep_at: usize,
}

const MIN_SWEEP_AT: usize = 1024;

impl MemoryStore {
    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        // Every change is one insert or remove: a panic elsewhere cannot
        // leave the map half-written, so a poisoned lock is still sound.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Records {
    fn insert(&mut self, record: Record) {
        self.map.insert(record.id, record);
        if self.map.len() >= self.sweep_at.max(MIN_SWEEP_AT) {
            let now = OffsetDateTime::now_utc();
            self.map.retain(|_, r| r.expiry_date > now);
            self.sweep_at = self.map.len() * 2;
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut records = self.records();
        while records.map.contains_key(&record.id) {
            record.id = Id::default();
        }
        records.insert(record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.records().insert(record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let records = self.records();
        let record = records
            .map
            .get(id)
            .filter(|r| r.expiry_date > OffsetDateTime::now_utc());
        Ok(record.cloned())
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.records().map.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(expiry_date: OffsetDateTime) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::new(),
            expiry_date,
        }
    }

    #[tokio::test]
    async fn an_expired_session_is_not_loaded() {
        let store = MemoryStore::default();
        let old = record(OffsetDateTime::now_utc() - Duration::seconds(1));
        store.save(&old).await.expect("saved");
        assert!(store.load(&old.id).await.expect("loaded").is_none());
    }

    fn held(store: &MemoryStore) -> usize {
        store.records().map.len()
    }

    #[tokio::test]
    async fn expired_sessions_are_swept_so_memory_stays_bounded() {
        let store = MemoryStore::default();
        let live = record(OffsetDateTime::now_utc() + Duration::hours(1));
        store.save(&live).await.expect("saved");
        for _ in 0..10 * MIN_SWEEP_AT {
            store
                .save(&record(OffsetDateTime::now_utc() - Duration::seconds(1)))
                .await
                .expect("saved");
        }
        assert!(
            held(&store) <= MIN_SWEEP_AT,
            "{} sessions held",
            held(&store)
        );
        assert!(
            store.load(&live.id).await.expect("loaded").is_some(),
            "a live session survives a sweep"
        );
    }
}
