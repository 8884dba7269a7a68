//! The user record's promises: a user is their issuer and subject, never
//! their email; a database that is missing or locked is [`Unavailable`],
//! at once or within [`LOCK_WAIT`], and loses nothing.

use own_app::users::{LOCK_WAIT, Unavailable, Users};
use sqlx::{Connection, SqliteConnection};
use std::path::PathBuf;
use std::time::Instant;

const OKTA: &str = "https://dev-1.okta.com/oauth2/default";

/// A database file of the test's own, in a fresh folder.
fn database(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("own-app-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let file = dir.join("users.db");
    let url = format!("sqlite://{}", file.display());
    (dir, url)
}

#[tokio::test]
async fn a_user_whose_email_changes_at_okta_is_the_same_user() {
    let (dir, url) = database("email-changes");
    let users = Users::open(&url).expect("an SQLite URL");
    let first = users
        .record_login(OKTA, "00u-alice", "alice@example.com", None)
        .await
        .expect("recorded");
    let again = users
        .record_login(
            OKTA,
            "00u-alice",
            "alice@new.example",
            Some("Alice Liddell"),
        )
        .await
        .expect("recorded");
    assert_eq!(again.id, first.id, "one user");
    assert_eq!(again.email, "alice@new.example");
    assert_eq!(again.name.as_deref(), Some("Alice Liddell"));
    assert_eq!(again.first_login, first.first_login);
    assert!(again.last_login >= first.last_login);
    // Someone else who takes alice's old email is someone else.
    let bob = users
        .record_login(OKTA, "00u-bob", "alice@example.com", None)
        .await
        .expect("recorded");
    assert_ne!(bob.id, first.id);
    // And the record is in the file, for the next process to find.
    let reopened = Users::open(&url).expect("an SQLite URL");
    let found = reopened
        .find(OKTA, "00u-alice")
        .await
        .expect("read")
        .expect("alice");
    assert_eq!(found, again);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn two_users_with_one_email_at_two_issuers_are_two_users() {
    let (dir, url) = database("two-issuers");
    let users = Users::open(&url).expect("an SQLite URL");
    let one = users
        .record_login(OKTA, "00u-same", "sam@example.com", None)
        .await
        .expect("recorded");
    let other = "https://other.okta.com";
    let two = users
        .record_login(other, "00u-same", "sam@example.com", None)
        .await
        .expect("recorded");
    assert_ne!(
        one.id, two.id,
        "the same sub at another issuer is another user"
    );
    assert_eq!(
        users
            .find(other, "00u-same")
            .await
            .expect("read")
            .map(|u| u.id),
        Some(two.id)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_unavailable_and_is_used_once_it_can_be() {
    let (dir, _) = database("missing");
    let missing = dir.join("not-yet");
    let url = format!("sqlite://{}", missing.join("users.db").display());
    let users = Users::open(&url).expect("opening waits for the first use");
    let refused = users
        .record_login(OKTA, "00u-alice", "alice@example.com", None)
        .await;
    assert!(matches!(refused, Err(Unavailable)), "{refused:?}");
    assert!(
        Unavailable
            .to_string()
            .contains("Try logging in again in a moment")
    );
    // The folder appears: the next login is recorded, migrations and all.
    std::fs::create_dir_all(&missing).expect("the folder");
    let user = users
        .record_login(OKTA, "00u-alice", "alice@example.com", None)
        .await
        .expect("recorded");
    assert_eq!(user.email, "alice@example.com");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_locked_database_is_unavailable_within_the_wait_and_loses_nothing() {
    let (dir, url) = database("locked");
    let users = Users::open(&url).expect("an SQLite URL");
    let alice = users
        .record_login(OKTA, "00u-alice", "alice@example.com", None)
        .await
        .expect("recorded");

    // Another process's writer holds the database's write lock.
    let mut holder = SqliteConnection::connect(&url)
        .await
        .expect("a second connection");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .expect("the lock");
    let started = Instant::now();
    let refused = users
        .record_login(OKTA, "00u-alice", "alice@changed.example", None)
        .await;
    let waited = started.elapsed();
    assert!(matches!(refused, Err(Unavailable)), "{refused:?}");
    assert!(
        waited >= LOCK_WAIT / 2,
        "it waits for the lock a while first: {waited:?}"
    );
    assert!(waited < LOCK_WAIT * 5, "and not for ever: {waited:?}");
    holder.close().await.expect("closed, and the lock let go");

    // Free again: alice is as she was, and her next login is recorded.
    assert_eq!(
        users.find(OKTA, "00u-alice").await.expect("read"),
        Some(alice.clone())
    );
    let again = users
        .record_login(OKTA, "00u-alice", "alice@changed.example", None)
        .await
        .expect("recorded");
    assert_eq!(
        (again.id, again.email.as_str()),
        (alice.id, "alice@changed.example")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_database_url_that_is_not_sqlite_is_one_line_naming_the_variable() {
    for url in ["postgres://localhost/app", "users.db", ""] {
        let line = Users::open(url).expect_err(url);
        assert!(
            line.starts_with(&format!(
                "DATABASE_URL={url:?} is not an SQLite URL: give sqlite://FILE"
            )),
            "{line}"
        );
        assert_eq!(line.lines().count(), 1);
    }
}
