//! Tests of exercise 3.4, whose answer is not in the book: `/settings`,
//! a page of stage 3 protected by hand, as `/` and `/user` are. Run only
//! by the exercises' checks, against a learner's stage 3 (and by
//! `verify`, against stage 3 with the exercise's solution).

use axum::http::StatusCode;
use stage_tests::{Stage, TestApp, assert_logged_in_as};

#[tokio::test]
async fn settings_sends_a_stranger_to_the_login_and_back_to_settings() {
    let app = TestApp::start(Stage::Three).await;
    let page = app.browser.get(&app.at("/settings")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location().map(String::from), Some(app.at("/login/okta?next=%2Fsettings")));
}

#[tokio::test]
async fn settings_shows_the_logged_in_users_email() {
    let app = TestApp::start(Stage::Three).await;
    let page = app.log_in_as_alice("/settings").await;
    assert_eq!(page.url.as_str(), app.at("/settings"));
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<title>Settings"), "{}", page.body);
    assert_logged_in_as(&page, "alice@example.com", Stage::Three);
}
