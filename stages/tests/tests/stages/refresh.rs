//! Stage 7 on: a refresh token keeps a login alive past its access token,
//! and a refresh Okta refuses ends the login with a page.

use axum::http::StatusCode;
use mock_okta::{Client, Fault, MockOkta};
use stage_tests::{
    ALICE, CLIENT_ID, CLIENT_SECRET, REFRESHING, Stage, TestApp, Timing, a_second_begins,
    each_stage,
};
use std::time::Duration;

/// `stage` against a mock whose access tokens live `lifetime`, with alice
/// logged in just after a second began (the stages' times are whole
/// seconds: see [`a_second_begins`]).
async fn short_tokens(stage: Stage, lifetime: Duration) -> TestApp {
    rotating(stage, lifetime, None).await
}

/// [`short_tokens`], with refresh tokens that rotate at every refresh, the
/// old one still taken for `grace`, when `grace` is given.
async fn rotating(stage: Stage, lifetime: Duration, grace: Option<Duration>) -> TestApp {
    let mut okta = MockOkta::builder().fault(Fault::AccessTokenLifetime(lifetime));
    if let Some(grace) = grace {
        okta = okta.fault(Fault::RefreshTokenRotation(grace));
    }
    let okta = okta.start().await.expect("start");
    let app = TestApp::start_with(stage, okta, Timing::default(), &[]).await;
    a_second_begins().await;
    app.log_in_as_alice("/").await;
    app
}

/// How many refreshes reached the mock.
fn refreshes(app: &TestApp) -> usize {
    let tokens = app.okta.requests_to("/v1/token");
    tokens.iter().filter(|r| r.param("grant_type") == Some("refresh_token")).count()
}

#[tokio::test]
async fn the_login_asks_for_a_refresh_token() {
    each_stage(&REFRESHING, |stage| async move {
        let app = TestApp::start(stage).await;
        let start = app.browser.get(&app.at("/login/okta")).await;
        let to_okta = start.location().expect("/login/okta redirects to Okta");
        let scope = to_okta.query_pairs().find(|(n, _)| n == "scope").map(|(_, v)| v.into_owned());
        let scope = scope.unwrap_or_default();
        assert!(scope.split(' ').any(|s| s == "offline_access"), "{stage:?}: {scope}");
    })
    .await;
}

#[tokio::test]
async fn a_page_view_shortly_before_the_access_token_expires_refreshes_it() {
    each_stage(&REFRESHING, |stage| async move {
        let app = short_tokens(stage, Duration::from_secs(4)).await;
        assert_eq!(refreshes(&app), 0, "{stage:?}");
        // Three quarters of the lifetime on, the token is due.
        tokio::time::sleep(Duration::from_millis(3300)).await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        assert_eq!(refreshes(&app), 1, "{stage:?}");
        // Past the first token's end, the login goes on with the new one.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_refresh_answer_without_a_new_refresh_token_keeps_the_login_going() {
    each_stage(&REFRESHING, |stage| async move {
        let app = short_tokens(stage, Duration::from_secs(2)).await;
        app.okta.set_fault(Fault::RefreshTokenNotSent);
        tokio::time::sleep(Duration::from_millis(1600)).await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        assert_eq!(refreshes(&app), 1, "{stage:?}");
        // Past the refreshed token's end: the refresh token kept from the
        // login refreshes it again.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        assert_eq!(refreshes(&app), 2, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn five_tabs_at_once_when_the_token_is_due_make_one_refresh_and_stay_logged_in() {
    each_stage(&REFRESHING, |stage| async move {
        // Okta rotates refresh tokens, with no grace: a refresh token sent
        // twice ends the login there. 4 s: each refresh's new token is due
        // 3 s later, long after every tab has been answered (the times are
        // in whole seconds).
        let app = rotating(stage, Duration::from_secs(4), Some(Duration::ZERO)).await;
        let (home, user, members) = (app.at("/"), app.at("/user"), app.at("/members"));
        let tab = |url| app.browser.get(url);
        for due in 1..=2 {
            tokio::time::sleep(Duration::from_millis(3200)).await;
            let pages = tokio::join!(tab(&home), tab(&user), tab(&members), tab(&home), tab(&user));
            for page in [pages.0, pages.1, pages.2, pages.3, pages.4] {
                assert_eq!(page.status, StatusCode::OK, "{stage:?}, {due}: {}", page.body);
            }
            assert_eq!(refreshes(&app), due, "{stage:?}: one refresh for all the tabs");
        }
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_refresh_answer_lost_on_the_way_back_then_a_quiet_minute_does_not_end_the_login() {
    each_stage(&REFRESHING, |stage| async move {
        // Okta's grace period for a replaced refresh token: 30 s.
        let app = rotating(stage, Duration::from_secs(4), Some(Duration::from_secs(30))).await;
        tokio::time::sleep(Duration::from_millis(3200)).await;
        // The next refresh's answer is lost once: Okta has replaced the
        // refresh token, and the app never hears of the new one.
        app.okta.set_fault(Fault::TokenConnectionClosed);
        let okta = &app.okta;
        let lose_one = async {
            while refreshes(&app) == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            okta.clear_fault(&Fault::TokenConnectionClosed);
        };
        let home = app.at("/");
        let (page, ()) = tokio::join!(app.browser.get(&home), lose_one);
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(refreshes(&app), 2, "{stage:?}: asked once more, at once");
        // A quiet minute at Okta: the old refresh token is past its grace,
        // and would now end the login there.
        app.okta.advance(Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(3200)).await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        assert_eq!(refreshes(&app), 3, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_rate_limited_refresh_waits_as_okta_says_and_an_expired_login_is_told_why() {
    each_stage(&REFRESHING, |stage| async move {
        // 6 s: due after 4, expired after 6.
        let app = short_tokens(stage, Duration::from_secs(6)).await;
        // Times from the login, not from the step before: a slow step on a
        // busy machine does not push the next one past the token's end.
        let login = tokio::time::Instant::now();
        let at = |ms| tokio::time::sleep_until(login + Duration::from_millis(ms));
        at(4200).await;
        app.okta.set_fault(Fault::Token429(Duration::from_secs(1)));
        // Due: Okta says wait a second; the access token, still good, serves.
        for _ in 0..3 {
            let page = app.browser.get(&app.at("/")).await;
            assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        }
        assert_eq!(refreshes(&app), 1, "{stage:?}: asked again before Retry-After");
        at(5200).await;
        app.okta.set_fault(Fault::Token429(Duration::from_secs(60)));
        let page = app.browser.get(&app.at("/")).await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(refreshes(&app), 2, "{stage:?}: not asked again after Retry-After");
        // Past the access token's end, still limited: a page that says so,
        // and the pages after it too, without asking Okta before its time.
        at(6300).await;
        for _ in 0..2 {
            let page = app.browser.get(&app.at("/")).await;
            assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
            assert!(page.body.contains("the app asks again in"), "{stage:?}: {}", page.body);
        }
        assert_eq!(refreshes(&app), 2, "{stage:?}: asked again before Retry-After");
    })
    .await;
}

#[tokio::test]
async fn a_refresh_that_fails_for_a_moment_is_not_tried_again_on_every_page_view() {
    each_stage(&REFRESHING, |stage| async move {
        // 6 s: due after 4 (times are whole seconds), expired after 6.
        let app = short_tokens(stage, Duration::from_secs(6)).await;
        app.okta.set_fault(Fault::Token500);
        tokio::time::sleep(Duration::from_millis(4300)).await;
        // Due: the refresh fails, and the access token, still good, serves.
        for _ in 0..4 {
            let page = app.browser.get(&app.at("/")).await;
            assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        }
        assert_eq!(refreshes(&app), 1, "{stage:?}: tried again before its time");
    })
    .await;
}

#[tokio::test]
async fn a_refreshed_id_token_that_is_not_valid_ends_the_login() {
    each_stage(&REFRESHING, |stage| async move {
        // Another audience; or a nonce that is not the login's, which a
        // refreshed ID token may leave out but not change (OpenID Connect
        // Core §12.2).
        for fault in [Fault::IdTokenWrongAudience, Fault::IdTokenWrongNonce] {
            let app = short_tokens(stage, Duration::from_secs(2)).await;
            app.okta.set_fault(fault.clone());
            tokio::time::sleep(Duration::from_millis(1600)).await;
            let page = app.browser.get(&app.at("/")).await;
            assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?} {fault}: {}", page.body);
            let said = page.body.contains("data-error=\"bad-id-token\"");
            assert!(said, "{stage:?} {fault}: {}", page.body);
            assert_eq!(app.logged_in_email().await, None, "{stage:?} {fault}: still logged in");
        }
    })
    .await;
}

#[tokio::test]
async fn a_logout_revokes_the_refresh_token_at_okta() {
    each_stage(&REFRESHING, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        let out = app.browser.post_form(&app.at("/logout"), &[]).await;
        assert_eq!(out.status, StatusCode::OK, "{stage:?}: {}", out.body);
        let revoked = app.okta.requests_to("/v1/revoke");
        assert_eq!(revoked.len(), 1, "{stage:?}: no revocation");
        assert_eq!(revoked[0].param("token_type_hint"), Some("refresh_token"), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_refresh_okta_refuses_ends_the_login_with_a_page() {
    each_stage(&REFRESHING, |stage| async move {
        let app = short_tokens(stage, Duration::from_secs(2)).await;
        app.okta.set_fault(Fault::TokenInvalidGrant);
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let page = app.browser.get(&app.at("/")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{stage:?}: {}", page.body);
        assert!(
            page.body.contains("data-error=\"login-ended\"") && page.body.contains("invalid_grant"),
            "{stage:?}: {}",
            page.body
        );
        let home = app.browser.get(&app.at("/")).await;
        let to = home.location().map(|l| l.path().to_string());
        assert_eq!(to.as_deref(), Some("/login/okta"), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_refresh_okta_refuses_for_the_app_itself_ends_at_once_with_a_page_for_its_admin() {
    each_stage(&REFRESHING, |stage| async move {
        // The secret rotated at Okta (invalid_client, a 401), and the
        // refresh grant taken away from the app (unauthorized_client, a 400).
        let changes = [
            (Client::web(CLIENT_ID, "a-rotated-secret"), "invalid_client"),
            (Client::service(CLIENT_ID, CLIENT_SECRET), "unauthorized_client"),
        ];
        for (registration, code) in changes {
            let app = short_tokens(stage, Duration::from_secs(2)).await;
            app.okta.add_client(registration);
            tokio::time::sleep(Duration::from_millis(1600)).await;
            let page = app.browser.get(&app.at("/")).await;
            assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?} {code}: {}", page.body);
            assert!(
                page.body.contains("data-error=\"app-refused\"")
                    && page.body.contains(code)
                    && page.body.contains("administrator")
                    && !page.body.contains("Try again"),
                "{stage:?} {code}: {}",
                page.body
            );
            // Final: the login ended, and Okta is not asked again.
            let home = app.browser.get(&app.at("/")).await;
            let to = home.location().map(|l| l.path().to_string());
            assert_eq!(to.as_deref(), Some("/login/okta"), "{stage:?} {code}");
            tokio::time::sleep(Duration::from_millis(500)).await;
            app.browser.get(&app.at("/")).await;
            assert_eq!(refreshes(&app), 1, "{stage:?} {code}: asked again");
        }
    })
    .await;
}

#[tokio::test]
async fn a_user_deactivated_at_okta_is_logged_out_at_the_next_refresh() {
    each_stage(&REFRESHING, |stage| async move {
        let app = short_tokens(stage, Duration::from_secs(2)).await;
        assert!(app.okta.deactivate_user(ALICE.0), "{stage:?}: alice is known");
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let page = app.browser.get(&app.at("/")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"login-ended\""), "{stage:?}: {}", page.body);
        assert_eq!(refreshes(&app), 1, "{stage:?}");
        assert_eq!(app.logged_in_email().await, None, "{stage:?}");
    })
    .await;
}
