//! What the server remembers: authorization codes, tokens and logins, each
//! with an expiry. Expired entries are swept as new ones arrive, so a
//! long-running mock (or a benchmark) does not grow without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an authorization code lives, as in Okta.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long the mock's own login (its cookie) lasts.
pub(crate) const LOGIN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);
/// Sweep expired entries after this many insertions.
const SWEEP_EVERY: u32 = 512;

/// The PKCE challenge an authorize request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    S256(String),
    Plain(String),
}

/// An authorization code, bound to what it was issued for.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<Challenge>,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub email: String,
    pub auth_time: u64,
    pub expires: Instant,
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
    /// The user's email; `None` for a `client_credentials` token.
    pub email: Option<String>,
    pub scopes: Vec<String>,
    pub issued_at: u64,
    pub expires_at: u64,
    pub expires: Instant,
}

/// A login to the mock itself (its session cookie).
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub email: String,
    pub auth_time: u64,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    logins: HashMap<String, Login>,
    since_sweep: u32,
}

impl Inner {
    fn inserted(&mut self) {
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            let now = Instant::now();
            self.codes.retain(|_, c| c.expires > now);
            self.tokens.retain(|_, t| t.expires > now);
            self.logins.retain(|_, l| l.expires > now);
        }
    }
}

/// The server's memory.
#[derive(Debug, Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-written
        // (each operation is one insert or remove), so a poisoned lock is safe.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn add_code(&self, code: String, entry: Code) {
        let mut inner = self.lock();
        inner.codes.insert(code, entry);
        inner.inserted();
    }

    /// Takes a code out: a code works once, whatever the outcome.
    pub(crate) fn take_code(&self, code: &str) -> Option<Code> {
        let entry = self.lock().codes.remove(code)?;
        (entry.expires > Instant::now()).then_some(entry)
    }

    pub(crate) fn add_token(&self, token: String, entry: Token) {
        let mut inner = self.lock();
        inner.tokens.insert(token, entry);
        inner.inserted();
    }

    /// A token that is known and not expired.
    pub(crate) fn token(&self, token: &str) -> Option<Token> {
        let entry = self.lock().tokens.get(token).cloned()?;
        (entry.expires > Instant::now()).then_some(entry)
    }

    pub(crate) fn remove_token(&self, token: &str) -> Option<Token> {
        self.lock().tokens.remove(token)
    }

    pub(crate) fn add_login(&self, id: String, email: String, auth_time: u64) {
        let mut inner = self.lock();
        let expires = Instant::now() + LOGIN_LIFETIME;
        inner.logins.insert(
            id,
            Login {
                email,
                auth_time,
                expires,
            },
        );
        inner.inserted();
    }

    pub(crate) fn login(&self, id: &str) -> Option<Login> {
        let entry = self.lock().logins.get(id).cloned()?;
        (entry.expires > Instant::now()).then_some(entry)
    }

    pub(crate) fn remove_login(&self, id: &str) {
        self.lock().logins.remove(id);
    }

    /// How many entries are held (codes, tokens, logins).
    #[cfg(test)]
    fn len(&self) -> usize {
        let inner = self.lock();
        inner.codes.len() + inner.tokens.len() + inner.logins.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires: Instant) -> Token {
        Token {
            kind: Kind::Access,
            client_id: "c".into(),
            email: None,
            scopes: vec![],
            issued_at: 0,
            expires_at: 0,
            expires,
        }
    }

    #[test]
    fn a_code_works_once() {
        let store = Store::default();
        let code = Code {
            client_id: "c".into(),
            redirect_uri: "r".into(),
            challenge: None,
            nonce: None,
            scopes: vec![],
            email: "e".into(),
            auth_time: 0,
            expires: Instant::now() + CODE_LIFETIME,
        };
        store.add_code("x".into(), code);
        assert!(store.take_code("x").is_some());
        assert!(store.take_code("x").is_none());
    }

    #[test]
    fn expired_entries_are_not_returned_and_are_swept() {
        let store = Store::default();
        let past = Instant::now() - Duration::from_secs(1);
        store.add_token("old".into(), token(past));
        assert!(store.token("old").is_none());
        for i in 0..SWEEP_EVERY {
            store.add_token(format!("t{i}"), token(past));
        }
        assert!(
            store.len() < SWEEP_EVERY as usize,
            "expired tokens were swept"
        );
    }
}
