//! The app's own record of its users, in SQLite: created at a user's first
//! login, updated at each later one (email, name, last login).
//!
//! A user is who Okta says they are for good: the issuer and the subject
//! (`iss` and `sub`), never the email, which a user can change at Okta and
//! which two issuers may both know (OpenID Connect Core §5.7). The table
//! is in `migrations/`, applied at the first use of the database.
//!
//! The database is `DATABASE_URL` (`sqlite://users.db` by default: a file
//! in the folder the app runs in, made when missing). When it cannot be
//! opened or stays locked by another writer for more than a second, a
//! login gets a 503 page ([`Unavailable`]) and nothing is written: the
//! user logs in again once it is back, and finds their record as it was.
//!
//! One [`Users`] serves the whole process ([`init`], [`users`]): the
//! workbook's `exercises new` adds this file to a stage with a small
//! change to its callback. In an app of your own, you may as well keep it
//! in your router's state.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Where the users are when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://users.db";

/// How long a write waits for another writer's lock before the login gets
/// a 503 page (SQLite's `busy_timeout`).
pub const LOCK_WAIT: Duration = Duration::from_secs(1);

/// One user of the app, as its own database keeps them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// The app's own id for the user, for its other tables to refer to.
    pub id: i64,
    /// Who vouches for the user: the ID token's `iss`.
    pub issuer: String,
    /// Who the user is at that issuer, for good: the ID token's `sub`.
    pub subject: String,
    /// The email at the last login.
    pub email: String,
    /// The name at the last login, if Okta sent one.
    pub name: Option<String>,
    /// The first login, in seconds since the Unix epoch.
    pub first_login: i64,
    /// The last login, in seconds since the Unix epoch.
    pub last_login: i64,
}

/// The database could not be used: missing, unreadable, or locked for
/// longer than [`LOCK_WAIT`]. A 503: try again in a moment. Its text is
/// the page's; the cause goes to the log, never to the page.
#[derive(Debug, thiserror::Error)]
#[error(
    "Your account could not be looked up right now: the app's user database is not answering. Try logging in again in a moment."
)]
pub struct Unavailable;

/// The app's users, in the SQLite database `DATABASE_URL` names.
#[derive(Debug)]
pub struct Users {
    pool: SqlitePool,
    /// Done once the migrations have run; tried again at the next use
    /// while they fail (the database missing at start, say).
    migrated: OnceCell<()>,
}

static USERS: OnceLock<Users> = OnceLock::new();

/// Reads `DATABASE_URL` once, at start, so that a wrong one stops the app
/// with one line. The database itself is opened at its first use: the app
/// starts, and serves its pages, while it is missing.
///
/// # Errors
/// One line naming `DATABASE_URL` and the fix.
pub fn init() -> Result<(), String> {
    let users = Users::from_env()?;
    let _ = USERS.set(users);
    Ok(())
}

/// The process's [`Users`], from `DATABASE_URL` if [`init`] did not run.
///
/// # Errors
/// [`Unavailable`] when `DATABASE_URL` is wrong (logged).
pub fn users() -> Result<&'static Users, Unavailable> {
    if let Some(users) = USERS.get() {
        return Ok(users);
    }
    let users = Users::from_env().map_err(|line| {
        tracing::error!("{line}");
        Unavailable
    })?;
    Ok(USERS.get_or_init(|| users))
}

/// Records a login of the user `subject` at `issuer`, in the process's
/// [`Users`]: see [`Users::record_login`].
///
/// # Errors
/// [`Unavailable`]: the login should not go on.
pub async fn record_login(
    issuer: &str,
    subject: &str,
    email: &str,
    name: Option<&str>,
) -> Result<User, Unavailable> {
    users()?.record_login(issuer, subject, email, name).await
}

impl Users {
    /// The users in the database `DATABASE_URL` names, or
    /// [`DEFAULT_DATABASE_URL`].
    ///
    /// # Errors
    /// One line naming `DATABASE_URL` and the fix.
    pub fn from_env() -> Result<Users, String> {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
        Users::open(&url)
    }

    /// The users in the SQLite database at `url` (`sqlite://FILE`, made
    /// when missing, or `sqlite::memory:`). Nothing is opened yet.
    ///
    /// # Errors
    /// `url` is not an SQLite URL: one line naming `DATABASE_URL`.
    // ANCHOR: open
    pub fn open(url: &str) -> Result<Users, String> {
        let options = SqliteConnectOptions::from_str(url)
            .ok()
            .filter(|_| url.starts_with("sqlite:"))
            .ok_or_else(|| {
                format!("DATABASE_URL={url:?} is not an SQLite URL: give sqlite://FILE, e.g. DATABASE_URL={DEFAULT_DATABASE_URL}")
            })?
            .create_if_missing(true)
            .busy_timeout(LOCK_WAIT);
        let pool = SqlitePoolOptions::new()
            .acquire_timeout(LOCK_WAIT * 2)
            .connect_lazy_with(options);
        Ok(Users {
            pool,
            migrated: OnceCell::new(),
        })
    }
    // ANCHOR_END: open

    // ANCHOR: record_login
    /// Creates the user `subject` at `issuer` at their first login, and
    /// updates their email, name and last login at every later one; the
    /// user as recorded now.
    ///
    /// # Errors
    /// [`Unavailable`], the cause logged: nothing was written.
    pub async fn record_login(
        &self,
        issuer: &str,
        subject: &str,
        email: &str,
        name: Option<&str>,
    ) -> Result<User, Unavailable> {
        self.migrate().await?;
        let now = unix_now();
        sqlx::query_as::<_, User>(
            "INSERT INTO users (issuer, subject, email, name, first_login, last_login)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (issuer, subject)
             DO UPDATE SET email = excluded.email, name = excluded.name, last_login = excluded.last_login
             RETURNING id, issuer, subject, email, name, first_login, last_login",
        )
        .bind(issuer)
        .bind(subject)
        .bind(email)
        .bind(name)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)
    }
    // ANCHOR_END: record_login

    /// The user `subject` at `issuer`, if they ever logged in.
    ///
    /// # Errors
    /// [`Unavailable`], the cause logged.
    pub async fn find(&self, issuer: &str, subject: &str) -> Result<Option<User>, Unavailable> {
        self.migrate().await?;
        sqlx::query_as::<_, User>(
            "SELECT id, issuer, subject, email, name, first_login, last_login
             FROM users WHERE issuer = ?1 AND subject = ?2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)
    }

    /// Applies `migrations/` once; tried again at the next use while it
    /// fails.
    async fn migrate(&self) -> Result<(), Unavailable> {
        self.migrated
            .get_or_try_init(|| async {
                sqlx::migrate!("./migrations")
                    .run(&self.pool)
                    .await
                    .map_err(|e| {
                        tracing::error!("users: the database's migrations failed: {e}");
                        Unavailable
                    })
            })
            .await
            .map(|_| ())
    }
}

/// Logs why the database failed (it names no secret: an SQLite error or a
/// file), and says only that it is unavailable.
fn unavailable(error: sqlx::Error) -> Unavailable {
    tracing::error!("users: the database is unavailable: {error}");
    Unavailable
}

fn unix_now() -> i64 {
    let since = std::time::UNIX_EPOCH.elapsed().unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}
