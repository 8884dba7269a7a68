//! The app's own record of its users (`src/users.rs`), through real logins
//! against a mock Okta: one row per issuer and subject; an email changed at
//! Okta is the same user; a locked database is a 503 page, and loses
//! nothing.

#[path = "support/app.rs"]
mod app;

use mock_okta::{Browser, MockOkta};
use sqlx::{Connection, Row, SqliteConnection};

/// The users table: `(id, issuer, subject, email)` of each row.
async fn rows(url: &str) -> Vec<(i64, String, String, String)> {
    let mut db = SqliteConnection::connect(url).await.expect("the database");
    let rows = sqlx::query("SELECT id, issuer, subject, email FROM users ORDER BY id")
        .fetch_all(&mut db)
        .await
        .expect("the users");
    rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()
}

#[tokio::test]
async fn a_user_is_their_issuer_and_subject_and_a_locked_database_is_a_503() {
    let dir = std::env::temp_dir().join(format!("users-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let url = format!("sqlite://{}", dir.join("users.db").display());
    let okta = MockOkta::start().await.expect("a mock Okta");
    let app = app::start(&okta, &[("DATABASE_URL", &url)]).await;
    let home = format!("{}/", app.url);

    // The first login makes the user's row: Okta's issuer and subject.
    let page = Browser::new().log_in(&home, "alice@example.com", "alice-password").await;
    assert!(page.body.contains("logged in as alice@example.com"), "{}", page.body);
    let first = rows(&url).await;
    assert_eq!(first.len(), 1, "{first:?}");
    let (id, issuer, subject, _) = first[0].clone();
    assert_eq!(issuer, okta.issuer());

    // Alice's email changes at Okta (her Okta user id, `sub`, does not):
    // her next login is the same user, with the new email.
    let control = okta.control_url().expect("the control API");
    let changed = reqwest::Client::new()
        .patch(format!("{control}/users/alice@example.com"))
        .body(r#"{"email": "alice@new.example"}"#)
        .send()
        .await
        .expect("an answer");
    assert!(changed.status().is_success(), "{}", changed.text().await.unwrap_or_default());
    let page = Browser::new().log_in(&home, "alice@new.example", "alice-password").await;
    assert!(page.body.contains("logged in as alice@new.example"), "{}", page.body);
    assert_eq!(rows(&url).await, vec![(id, issuer.clone(), subject.clone(), "alice@new.example".into())]);

    // Another writer holds the database: the login is a 503 page, and no
    // session starts.
    let mut holder = SqliteConnection::connect(&url).await.expect("a second connection");
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut holder).await.expect("the lock");
    let browser = Browser::new();
    let refused = browser.log_in(&home, "bob@example.com", "bob-password").await;
    assert_eq!(refused.status.as_u16(), 503, "{}", refused.body);
    assert!(refused.body.contains("user database is not answering"), "{}", refused.body);
    holder.close().await.expect("the lock let go");
    let home_page = browser.get(&home).await;
    assert!(home_page.is_redirect(), "no session from the refused login: {}", home_page.body);

    // Free again: bob logs in, and alice's record is as it was.
    let page = Browser::new().log_in(&home, "bob@example.com", "bob-password").await;
    assert!(page.body.contains("logged in as bob@example.com"), "{}", page.body);
    let now = rows(&url).await;
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0], (id, issuer, subject, "alice@new.example".into()));
    let _ = std::fs::remove_dir_all(dir);
}
