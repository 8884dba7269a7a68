//! alice logs in to this app, started as its binary, against a mock Okta
//! of the test's own (the workbook's `mock-okta`, a dev-dependency).
//! `cargo test` runs it offline, in a second or two.

#[path = "support/app.rs"]
mod app;

use mock_okta::{Browser, MockOkta};

#[tokio::test]
async fn alice_logs_in() {
    let okta = MockOkta::start().await.expect("a mock Okta");
    // From stage 5 on, the app records its users: in a file of this test's.
    let db = std::env::temp_dir().join(format!("login-test-{}.db", std::process::id()));
    let app = app::start(&okta, &[("DATABASE_URL", &format!("sqlite://{}", db.display()))]).await;
    let browser = Browser::new();
    let page = browser.log_in(&format!("{}/", app.url), "alice@example.com", "alice-password").await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    assert_eq!(okta.requests_to("/v1/token").len(), 1, "one code traded for tokens");
    let _ = std::fs::remove_file(db);
}
