//! Tests of exercise 5.5, whose answer is not in the book: the user's
//! name, from the ID token's `name` claim, on `/user` of stage 5. Run
//! only by the exercises' checks, against a learner's stage 5 (and by
//! `verify`, against stage 5 with the exercise's solution).

use axum::http::StatusCode;
use mock_okta::User;
use stage_tests::{Stage, TestApp};

#[tokio::test]
async fn the_account_page_shows_the_name_from_the_id_token() {
    let app = TestApp::start(Stage::Five).await;
    let page = app.log_in_as_alice("/user").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<p data-user-name>Alice Example</p>"), "{}", page.body);
}

#[tokio::test]
async fn a_name_is_shown_escaped() {
    let app = TestApp::start(Stage::Five).await;
    app.okta.add_user(User::new("eve@example.com", "<b>Eve</b>", "eve-password"));
    let page = app.log_in_as("/user", ("eve@example.com", "eve-password")).await;
    assert!(page.body.contains("<p data-user-name>&lt;b&gt;Eve&lt;/b&gt;</p>"), "{}", page.body);
}
