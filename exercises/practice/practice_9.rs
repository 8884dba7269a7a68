//! Tests of exercise 9.4, whose answer is not in the book: `/editor`, a
//! page of stage 9 for the members of the Okta group `editors`. Run only
//! by the exercises' checks, against a learner's stage 9 (and by
//! `verify`, against stage 9 with the exercise's solution).

use axum::http::StatusCode;
use mock_okta::User;
use stage_tests::{ALICE, BOB, Stage, TestApp};

/// Carol, a user of the mock in the Okta group `editors` (and no other).
const CAROL: (&str, &str) = ("carol@example.com", "carol-password");

/// Stage 9 against a fresh mock that knows carol.
async fn start() -> TestApp {
    let app = TestApp::start(Stage::Nine).await;
    app.okta.add_user(User::new(CAROL.0, "Carol Example", CAROL.1).group("editors"));
    app
}

#[tokio::test]
async fn a_member_of_editors_opens_the_editor_page() {
    let app = start().await;
    let page = app.log_in_as("/editor", CAROL).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.url.path(), "/editor");
    assert!(page.body.contains("<title>Editor"), "{}", page.body);
}

#[tokio::test]
async fn someone_outside_editors_gets_a_page_naming_it_even_an_admin() {
    for who in [ALICE, BOB] {
        let app = start().await;
        let page = app.log_in_as("/editor", who).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}: {}", who.0, page.body);
        assert!(page.body.contains("data-error=\"not-in-group\""), "{}", page.body);
        assert!(page.body.contains("<strong>editors</strong>"), "{}", page.body);
    }
}

#[tokio::test]
async fn a_member_of_editors_is_still_refused_the_admin_page() {
    let app = start().await;
    let page = app.log_in_as("/admin", CAROL).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
}
