//! Tests of exercises 2.5 and 2.6, whose answers are not in the book:
//! `GET /login/okta/again`, a login that has Okta ask for the password
//! again (`prompt=login`); and, when Okta
//! answers a login with `error=temporarily_unavailable` (RFC 6749
//! §4.1.2.1), stage 2 shows a 503 page that says to try again, not the
//! 502 of any other error. Run only by the exercises' checks, against a
//! learner's stage 2 (and by `verify`, against stage 2 with the
//! exercise's solution).

use axum::http::StatusCode;
use stage_tests::{Stage, TestApp};

#[tokio::test]
async fn okta_temporarily_unavailable_is_a_503_page_that_says_to_try_again() {
    let app = TestApp::start(Stage::Two).await;
    let page = app.callback_with_error("temporarily_unavailable", "Okta says so.").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("data-error=\"okta-busy\""), "{}", page.body);
    assert!(page.body.contains("Try again in a moment"), "{}", page.body);
    assert!(app.okta.requests_to("/v1/token").is_empty(), "no token is asked for");
}

#[tokio::test]
async fn another_error_from_okta_is_still_a_502() {
    let app = TestApp::start(Stage::Two).await;
    let page = app.callback_with_error("invalid_request", "Okta says so.").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    assert!(page.body.contains("data-error=\"okta-error\""), "{}", page.body);
}

#[tokio::test]
async fn a_login_again_asks_for_the_password_even_while_okta_remembers_the_user() {
    let app = TestApp::start(Stage::Two).await;
    // alice signs in at the mock, which remembers her, as Okta does (the
    // app's callback is not needed: it is the next chapter's).
    app.callback_url().await;
    let plain = app.browser.get(&app.at("/login/okta")).await;
    let to_okta = plain.location().expect("/login/okta redirects to Okta");
    let through = app.browser.get(to_okta.as_str()).await;
    assert!(through.is_redirect(), "a plain login skips the form: {}", through.body);

    let again = app.browser.get(&app.at("/login/okta/again")).await;
    let authorize = again.location().unwrap_or_else(|| panic!("to Okta: {} {}", again.status, again.body));
    let param = |name: &str| authorize.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned());
    assert_eq!(param("prompt").as_deref(), Some("login"), "{authorize}");
    assert!(param("state").is_some() && param("code_challenge").is_some(), "{authorize}");
    let state = param("state").unwrap_or_default();
    assert!(
        again.set_cookies().iter().any(|c| c.contains(&format!("_login_{state}="))),
        "the login waits in its cookie: {:?}",
        again.set_cookies()
    );
    let page = app.browser.get(authorize.as_str()).await;
    assert!(page.is_login_page(), "asked for the password again: {} {}", page.status, page.body);
}
