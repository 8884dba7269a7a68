//! What the server remembers: authorization codes, tokens and logins, each
//! with an expiry on the mock's [`Clock`], in one kind of map ([`Memory`]).
//! Expired entries are swept as new ones arrive, so a long-running mock (or
//! a benchmark) does not grow without bound.

use crate::clock::Clock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// How long an authorization code lives: five minutes, as Okta documents.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// How long the mock's own login (its cookie) lasts, as an Okta session
/// does by default.
pub(crate) const LOGIN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);
/// Sweep expired entries after this many insertions.
const SWEEP_EVERY: u32 = 512;

/// Something remembered until a moment.
pub(crate) trait Expiring {
    /// When it is forgotten, on the mock's clock.
    fn expires(&self) -> SystemTime;
}

/// Entries by key, each forgotten once it expires on the clock.
#[derive(Debug)]
pub(crate) struct Memory<T> {
    inner: Mutex<Inner<T>>,
    clock: Arc<Clock>,
}

#[derive(Debug)]
struct Inner<T> {
    entries: HashMap<String, T>,
    since_sweep: u32,
}

impl<T: Expiring + Clone> Memory<T> {
    pub(crate) fn new(clock: Arc<Clock>) -> Self {
        Memory {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                since_sweep: 0,
            }),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // Each operation is one map call, so a panic while the lock is held
        // cannot leave the map half-written: a poisoned lock is safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn insert(&self, key: String, entry: T) {
        let mut inner = self.lock();
        inner.entries.insert(key, entry);
        inner.since_sweep += 1;
        if inner.since_sweep >= SWEEP_EVERY {
            inner.since_sweep = 0;
            let now = self.clock.now();
            inner.entries.retain(|_, e| e.expires() > now);
        }
    }

    /// A live entry.
    pub(crate) fn get(&self, key: &str) -> Option<T> {
        let entry = self.lock().entries.get(key).cloned()?;
        (entry.expires() > self.clock.now()).then_some(entry)
    }

    /// Changes a live entry in place, under the lock, and returns what
    /// `change` returns: a read and a write no other request can come between.
    pub(crate) fn update<R>(&self, key: &str, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.transaction(|live| live.get_mut(key).map(change))
    }

    /// Runs `change` on the live entries, under the lock: reads and writes
    /// of several entries that no other request can come between.
    pub(crate) fn transaction<R>(&self, change: impl FnOnce(&mut Live<'_, T>) -> R) -> R {
        let now = self.clock.now();
        let mut inner = self.lock();
        change(&mut Live {
            entries: &mut inner.entries,
            now,
        })
    }

    pub(crate) fn remove(&self, key: &str) -> Option<T> {
        self.lock().entries.remove(key)
    }

    /// Forgets every entry that `forget` selects.
    pub(crate) fn forget(&self, forget: impl Fn(&T) -> bool) {
        self.lock().entries.retain(|_, e| !forget(e));
    }

    /// How many entries are held, live or not yet swept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

/// The live entries of a [`Memory`], during a
/// [`transaction`](Memory::transaction).
#[derive(Debug)]
pub(crate) struct Live<'a, T> {
    entries: &'a mut HashMap<String, T>,
    /// The moment of the transaction, on the mock's clock.
    pub now: SystemTime,
}

impl<T: Expiring> Live<'_, T> {
    /// A live entry.
    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        self.entries.get(key).filter(|e| e.expires() > self.now)
    }

    /// A live entry, to change.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        let now = self.now;
        self.entries.get_mut(key).filter(|e| e.expires() > now)
    }

    pub(crate) fn insert(&mut self, key: String, entry: T) {
        self.entries.insert(key, entry);
    }

    /// How many entries, live now, `pick` selects.
    pub(crate) fn count(&self, pick: impl Fn(&T) -> bool) -> usize {
        self.entries
            .values()
            .filter(|e| e.expires() > self.now && pick(e))
            .count()
    }
}

impl Live<'_, Token> {
    /// Whether a token may still be presented: any token that was not
    /// rotated; a rotated refresh token only during its grace period, and
    /// only while its successor is the current one (not replaced in turn):
    /// Okta's "the previous token remains valid for the configured amount
    /// of time" (its guide "Refresh token rotation").
    pub(crate) fn presentable(&self, token: &Token) -> bool {
        match &token.rotated {
            None => true,
            Some(Rotated { successor, until }) => {
                self.now <= *until && self.get(successor).is_some_and(|s| s.rotated.is_none())
            }
        }
    }
}

/// The PKCE challenge an authorize request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    S256(String),
    Plain(String),
}

/// An authorization code, bound to what it was issued for. It stays in
/// memory once redeemed, so that a second redemption can revoke what the
/// first one issued (RFC 6749 §4.1.2).
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<Challenge>,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    /// The user's Okta user id (`sub`): a user whose email changes is
    /// the same user.
    pub user_id: String,
    pub auth_time: u64,
    /// The grant: every token issued from this code, or refreshed from
    /// those, carries it.
    pub grant: String,
    pub redeemed: bool,
    pub expires: SystemTime,
}

impl Expiring for Code {
    fn expires(&self) -> SystemTime {
        self.expires
    }
}

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Access,
    Refresh,
}

/// An issued token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    pub client_id: String,
    /// The user's Okta user id; `None` for a `client_credentials` token.
    pub user_id: Option<String>,
    pub scopes: Vec<String>,
    /// The authorization code it descends from, if any.
    pub grant: Option<String>,
    /// When the user logged in, in seconds since the Unix epoch (the
    /// `auth_time` of ID tokens refreshed from it).
    pub auth_time: u64,
    /// `iat` and `exp`, in seconds since the Unix epoch.
    pub issued_at: u64,
    pub expires_at: u64,
    pub expires: SystemTime,
    /// For a refresh token that was rotated: what replaced it.
    pub rotated: Option<Rotated>,
}

/// A rotated refresh token's successor, and until when the rotated one may
/// still be presented (its grace period).
#[derive(Debug, Clone)]
pub(crate) struct Rotated {
    pub successor: String,
    pub until: SystemTime,
}

impl Expiring for Token {
    fn expires(&self) -> SystemTime {
        self.expires
    }
}

/// A login to the mock itself (its session cookie), shared by both
/// authorization servers, as an Okta session is org-wide.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    /// The user's Okta user id.
    pub user_id: String,
    pub auth_time: u64,
    pub expires: SystemTime,
}

impl Expiring for Login {
    fn expires(&self) -> SystemTime {
        self.expires
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(expires: SystemTime) -> Login {
        Login {
            user_id: "e".into(),
            auth_time: 0,
            expires,
        }
    }

    fn memory() -> (Memory<Login>, Arc<Clock>) {
        let clock = Arc::new(Clock::default());
        (Memory::new(clock.clone()), clock)
    }

    #[test]
    fn an_update_changes_the_live_entry_and_skips_an_expired_one() {
        let (memory, clock) = memory();
        memory.insert("live".into(), login(clock.now() + Duration::from_secs(60)));
        assert_eq!(memory.update("live", |l| l.auth_time = 7), Some(()));
        assert_eq!(memory.get("live").map(|l| l.auth_time), Some(7));
        memory.insert("old".into(), login(clock.now() - Duration::from_secs(1)));
        assert_eq!(memory.update("old", |l| l.auth_time = 7), None);
    }

    #[test]
    fn expired_entries_are_not_returned_and_are_swept() {
        let (memory, clock) = memory();
        let past = clock.now() - Duration::from_secs(1);
        memory.insert("old".into(), login(past));
        assert!(memory.get("old").is_none());
        for i in 0..SWEEP_EVERY {
            memory.insert(format!("l{i}"), login(past));
        }
        assert!(
            memory.len() < SWEEP_EVERY as usize,
            "expired entries were swept"
        );
    }

    #[test]
    fn an_entry_expires_when_the_clock_is_moved_past_it() {
        let (memory, clock) = memory();
        memory.insert("a".into(), login(clock.now() + Duration::from_secs(300)));
        clock.advance(Duration::from_secs(299));
        assert!(memory.get("a").is_some());
        clock.advance(Duration::from_secs(2));
        assert!(memory.get("a").is_none());
    }

    #[test]
    fn forget_removes_what_it_selects() {
        let (memory, clock) = memory();
        let soon = clock.now() + Duration::from_secs(60);
        memory.insert("a".into(), login(soon));
        memory.insert(
            "b".into(),
            Login {
                user_id: "x".into(),
                ..login(soon)
            },
        );
        memory.forget(|l| l.user_id == "x");
        assert!(memory.get("a").is_some() && memory.get("b").is_none());
    }
}
