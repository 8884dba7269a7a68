//! Tests of the exercises of stage 4 whose answer is not in the book:
//! 4.4, `/about`, a page the global guard leaves open to anyone; and w.1,
//! Okta's `invalid_scope` on the callback, a page that says who can fix
//! it. Run only by the exercises' checks, against a learner's stage 4
//! (and by `verify`, against stage 4 with the exercises' solutions).

use axum::http::StatusCode;
use mock_okta::Browser;
use stage_tests::{Stage, TestApp};

#[tokio::test]
async fn about_is_open_to_a_stranger() {
    let app = TestApp::start(Stage::Four).await;
    let page = Browser::new().get(&app.at("/about")).await;
    assert_eq!(page.status, StatusCode::OK, "{:?} {}", page.location(), page.body);
    assert!(page.body.contains("<title>About"), "{}", page.body);
}

#[tokio::test]
async fn the_other_pages_still_send_a_stranger_to_the_login() {
    let app = TestApp::start(Stage::Four).await;
    for path in ["/", "/user", "/members"] {
        let page = Browser::new().get(&app.at(path)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}: {}", page.body);
        let to = page.location().map(|l| l.path().to_string());
        assert_eq!(to.as_deref(), Some("/login/okta"), "{path}");
    }
}

#[tokio::test]
async fn invalid_scope_on_the_callback_is_a_page_saying_an_okta_admin_must_allow_it() {
    let app = TestApp::start(Stage::Four).await;
    let page = app.callback_with_error("invalid_scope", "One or more scopes are not configured.").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    assert!(page.body.contains("data-error=\"not-granted\""), "{}", page.body);
    assert!(page.body.contains("Only an Okta admin can grant it"), "{}", page.body);
    assert!(page.body.contains("One or more scopes are not configured"), "{}", page.body);
    assert_eq!(page.location(), None, "a page, never the login again");
    assert!(app.okta.requests_to("/v1/token").is_empty(), "no token is asked for");
}
