//! Logins in progress: where a login waits between `/login/okta` and its
//! callback.
//!
//! A login waits in the browser, in a cookie of its own named after the
//! login's `state`: two logins at once (two tabs) do not disturb each other,
//! and a stranger's visit costs the server no memory at all. The cookie is
//! encrypted and authenticated with the app's key, so the browser carries
//! the PKCE verifier but cannot read or change it.

use crate::config::Config;
use crate::session::cookie_name;
use openidconnect::{Nonce, PkceCodeVerifier};
use serde::{Deserialize, Serialize};
use tower_cookies::cookie::{Key, SameSite, time::Duration};
use tower_cookies::{Cookie, Cookies};

// ANCHOR: attempt
/// How long a login may take, from `/login/okta` to the callback.
const LOGIN_TIME_LIMIT: Duration = Duration::minutes(10);
/// How many logins may wait in one browser at once (tabs, retries); one
/// more pushes out the oldest. Each waits in a cookie of up to about
/// 1.6 KB that goes to the callback, and proxies refuse a request whose
/// headers pass 8 KB.
const WAITING_LOGINS: usize = 3;

/// A login in progress, from `/login/okta` to its callback.
#[derive(Debug, Serialize, Deserialize)]
pub struct LoginAttempt {
    /// Its hash went to Okta as the challenge. `None` once used.
    pub pkce_verifier: Option<PkceCodeVerifier>,
    /// Sent to Okta, which copies it into the ID token: that ID token was
    /// issued for this login, and is not one replayed from another.
    pub nonce: Nonce,
    /// The local page to land on after the login.
    pub return_to: String,
    /// When it started, in seconds since the Unix epoch: the oldest goes
    /// first when too many wait.
    pub started: u64,
}

/// The login attempts' cookies: named `{prefix}{state}`, sent back only to
/// the login routes (`path`), encrypted with the app's key.
#[derive(Debug)]
pub struct LoginAttempts {
    key: Key,
    prefix: String,
    path: &'static str,
    https: bool,
}

impl LoginAttempts {
    /// The cookies of this app's login attempts, sent back to `path` and
    /// the paths under it.
    pub fn new(config: &Config, path: &'static str) -> LoginAttempts {
        LoginAttempts {
            key: config.session_key.clone(),
            prefix: format!("{}_login_", cookie_name(&config.app_url)),
            path,
            https: config.app_url.scheme() == "https",
        }
    }

    /// Keeps `attempt` in the browser, under its `state`.
    pub fn save(&self, cookies: &Cookies, state: &str, attempt: &LoginAttempt) {
        let value = serde_json::to_string(attempt).expect("strings serialize");
        let cookie = Cookie::build((format!("{}{state}", self.prefix), value))
            .path(self.path)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .max_age(LOGIN_TIME_LIMIT);
        cookies.private(&self.key).add(cookie.build());
    }

    /// The attempt that `state` names, if this browser started it and the
    /// key opens it. Its verifier works once: the cookie is saved again
    /// without it, whatever happens next.
    pub fn take(&self, cookies: &Cookies, state: &str) -> Option<LoginAttempt> {
        let cookie = cookies.private(&self.key).get(&format!("{}{state}", self.prefix))?;
        let mut attempt: LoginAttempt = serde_json::from_str(cookie.value()).ok()?;
        let verifier = attempt.pkce_verifier.take();
        self.save(cookies, state, &attempt);
        attempt.pkce_verifier = verifier;
        Some(attempt)
    }

    /// Forgets the oldest logins this browser has waiting, to leave room
    /// for one more.
    pub fn make_room(&self, cookies: &Cookies) {
        let private = cookies.private(&self.key);
        let mut waiting: Vec<(u64, String)> = cookies
            .list()
            .into_iter()
            .filter(|c| c.name().starts_with(&self.prefix))
            .map(|c| {
                let opened = private.get(c.name());
                let attempt =
                    opened.and_then(|c| serde_json::from_str::<LoginAttempt>(c.value()).ok());
                (attempt.map_or(0, |a| a.started), c.name().to_string())
            })
            .collect();
        waiting.sort_unstable();
        let over = waiting.len().saturating_sub(WAITING_LOGINS - 1);
        for (_, name) in waiting.into_iter().take(over) {
            cookies.remove(Cookie::build(name).path(self.path).build());
        }
    }
}
// ANCHOR_END: attempt
