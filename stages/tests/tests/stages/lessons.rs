//! The lesson of each stage, shown by what a visitor can and cannot reach.

use axum::http::StatusCode;
use mock_okta::Browser;
use stage_tests::{ALICE, Stage, TestApp, assert_logged_in_as, okta_logout_form, session_cookie};

#[tokio::test]
async fn stage_2_protects_nothing_yet() {
    let app = TestApp::start(Stage::Two).await;
    let home = app.browser.get(&app.at("/")).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Hello, World!") && home.body.contains("href=\"/login/okta\""));
    assert_eq!(
        app.browser.get(&app.at("/user")).await.status,
        StatusCode::NOT_FOUND,
        "no /user before stage 3"
    );
}

#[tokio::test]
async fn stage_3_sends_a_stranger_to_the_login_from_each_checked_page() {
    let app = TestApp::start(Stage::Three).await;
    for path in ["/", "/user"] {
        let page = app.browser.get(&app.at(path)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let next = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
        assert_eq!(
            page.location().map(String::from),
            Some(app.at(&format!("/login/okta?next={next}")))
        );
    }
}

#[tokio::test]
async fn stage_3_a_page_whose_check_was_forgotten_is_open_to_anyone() {
    let app = TestApp::start(Stage::Three).await;
    let page = Browser::new().get(&app.at("/members")).await;
    assert_eq!(page.status, StatusCode::OK, "the reason for stage 4");
    assert!(page.body.contains("data-members"));
}

#[tokio::test]
async fn stage_4_guards_every_page_even_one_with_no_check_of_its_own() {
    let app = TestApp::start(Stage::Four).await;
    for path in ["/", "/user", "/members"] {
        let page = Browser::new().get(&app.at(path)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            page.location().map(|l| l.path().to_string()).as_deref(),
            Some("/login/okta"),
            "{path}"
        );
    }
    let members = app.log_in_as_alice("/members").await;
    assert!(members.body.contains("data-members"), "{}", members.body);
}

#[tokio::test]
async fn stage_4_leaves_the_login_routes_open_so_the_login_does_not_loop() {
    let app = TestApp::start(Stage::Four).await;
    let start = Browser::new().get(&app.at("/login/okta")).await;
    let location = start.location().expect("a redirect");
    assert!(location.as_str().starts_with(app.okta.issuer()), "sent to {location}, not to Okta");
    let callback = Browser::new().get(&app.at("/login/okta/authorized?code=x&state=y")).await;
    assert_eq!(callback.status, StatusCode::BAD_REQUEST, "the callback answers itself, unguarded");
    let page = app.log_in_as_alice("/").await;
    assert!(page.trail.len() < 8, "{:?}", page.trail);
    assert_logged_in_as(&page, "alice@example.com", Stage::Four);
}

#[tokio::test]
async fn stage_4_logout_ends_the_session_here_and_at_okta() {
    let app = TestApp::start(Stage::Four).await;
    app.log_in_as_alice("/").await;
    let planted = app.session_id().expect("a session");

    let out = app.browser.post_form(&app.at("/logout"), &[]).await;
    assert_eq!(out.status, StatusCode::OK, "a page that goes on to Okta: {}", out.body);
    let form = okta_logout_form(&out);
    assert_eq!(form.method, "post");
    assert_eq!(form.action.as_str(), format!("{}/v1/logout", app.okta.issuer()));
    let hint = form.field("id_token_hint").expect("id_token_hint");
    assert_eq!(mock_okta::decode_claims(hint).expect("an ID token")["aud"], stage_tests::CLIENT_ID);
    assert_eq!(form.field("post_logout_redirect_uri"), Some(app.url.as_str()));
    assert!(out.body.contains("Continue logging out at Okta"), "{}", out.body);

    let back = form.submit(&app.browser).await;
    assert_eq!(back.trail.get(1).map(url::Url::as_str), Some(app.at("/").as_str()));
    assert!(
        back.is_login_page(),
        "Okta's session ended too, so its login form shows: {}",
        back.url
    );

    let replay = Browser::new();
    replay.set_cookie("127.0.0.1", &session_cookie(&app.url), &planted);
    assert_eq!(
        replay.get(&app.at("/")).await.status,
        StatusCode::SEE_OTHER,
        "the old session is gone"
    );
    let again = app.browser.submit_login(&back, "login", ALICE.0, ALICE.1).await;
    assert_logged_in_as(&again, "alice@example.com", Stage::Four);
}

#[tokio::test]
async fn stage_4_logout_without_a_login_goes_home() {
    let app = TestApp::start(Stage::Four).await;
    let out = Browser::new().post_form(&app.at("/logout"), &[]).await;
    assert_eq!(out.location().map(|l| l.path().to_string()).as_deref(), Some("/"));
    assert!(app.okta.requests().is_empty());
    assert_eq!(Browser::new().get(&app.at("/logout")).await.status, StatusCode::METHOD_NOT_ALLOWED);
}
