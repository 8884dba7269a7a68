//! Every promise of DESIGN.md's "What a user of any stage from 2 on must be
//! able to rely on", checked in each stage where it applies, end to end:
//! a browser, the stage, and a mock Okta on 127.0.0.1.

use axum::http::StatusCode;
use mock_okta::{Browser, Fault, MockOkta, TokenRequest, User};
use stage_tests::{
    ACCESS_TOKEN_ENDS_LOGIN, ALICE, LOGGING_OUT, OAUTH, PROTECTING, REFRESHING, STAGES, Stage,
    TestApp, Timing, assert_logged_in_as, captured_logs, each_stage, okta_logout_form, router_for,
};
use std::time::{Duration, Instant};
use tower::ServiceExt;

// ANCHOR: story
#[tokio::test]
async fn alice_logs_in_and_sees_her_email() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.log_in_as_alice("/").await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(page.url.as_str(), app.at("/"), "{stage:?}");
        assert!(
            page.body.contains("You are logged in as alice@example.com"),
            "{stage:?}: {}",
            page.body
        );
    })
    .await;
}
// ANCHOR_END: story

// ANCHOR: state
#[tokio::test]
async fn a_wrong_or_missing_state_is_a_400_and_no_token_is_asked_for() {
    each_stage(&STAGES, |stage| async move {
        for tamper in ["forged", ""] {
            let app = TestApp::start(stage).await;
            let mut callback = app.callback_url().await;
            let pairs: Vec<(String, String)> =
                callback.query_pairs().into_owned().filter(|(n, _)| n != "state").collect();
            callback.query_pairs_mut().clear().extend_pairs(&pairs);
            if !tamper.is_empty() {
                callback.query_pairs_mut().append_pair("state", tamper);
            }
            let page = app.browser.get(callback.as_str()).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{stage:?} state={tamper:?}");
            assert!(
                page.body.contains("data-error=\"bad-callback\"")
                    && page.body.contains("does not answer a login started in this browser"),
                "{stage:?}: {}",
                page.body
            );
            assert!(
                app.okta.requests_to("/v1/token").is_empty(),
                "{stage:?}: a token was asked for"
            );
        }
    })
    .await;
}
// ANCHOR_END: state

#[tokio::test]
async fn a_callback_no_login_started_is_a_400() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let callback = app.callback_url().await;
        let stranger = Browser::new();
        let page = stranger.get(callback.as_str()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{stage:?}");
        assert!(page.body.contains("does not answer a login started in this browser"));
        assert!(app.okta.requests_to("/v1/token").is_empty(), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_state_works_once_even_when_its_login_failed() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.set_fault(Fault::Token500);
        let callback = app.callback_url().await;
        let first = app.browser.get(callback.as_str()).await;
        assert_eq!(first.status, StatusCode::BAD_GATEWAY, "{stage:?}");
        app.okta.clear_fault(&Fault::Token500);
        let replay = app.browser.get(callback.as_str()).await;
        assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{stage:?}: {}", replay.body);
        assert_eq!(app.okta.requests_to("/v1/token").len(), 1, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn every_login_uses_pkce_s256_and_a_fresh_state() {
    use base64::Engine;
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        app.browser.clear_cookies();
        app.log_in_as_alice("/").await;
        let authorize: Vec<_> = app
            .okta
            .requests_to("/v1/authorize")
            .into_iter()
            .filter(|r| r.method == "GET")
            .collect();
        let tokens = app.okta.requests_to("/v1/token");
        assert_eq!((authorize.len(), tokens.len()), (2, 2), "{stage:?}");
        assert_ne!(
            authorize[0].param("state"),
            authorize[1].param("state"),
            "{stage:?}: the state is reused"
        );
        for (asked, traded) in authorize.iter().zip(&tokens) {
            assert_eq!(asked.param("code_challenge_method"), Some("S256"), "{stage:?}");
            let verifier = traded.param("code_verifier").expect("a verifier");
            let hashed = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
            let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hashed);
            assert_eq!(asked.param("code_challenge"), Some(challenge.as_str()), "{stage:?}");
            assert!(asked.param("scope").is_some_and(|s| s.split(' ').any(|s| s == "openid")));
        }
    })
    .await;
}

#[tokio::test]
async fn the_session_id_changes_at_login_so_a_planted_one_is_worthless() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        // The attacker logs in as bob, and plants bob's session id in the
        // victim's browser, who then logs in as alice.
        let attacker = Browser::new();
        let bob_start = if stage == Stage::Two { "/login/okta" } else { "/" };
        attacker.log_in(&app.at(bob_start), "bob@example.com", "bob-password").await;
        let cookie = stage_tests::session_cookie(&app.url);
        let planted = attacker.cookie("127.0.0.1", &cookie).expect("bob's session");
        app.browser.set_cookie("127.0.0.1", &cookie, &planted);
        app.browser.log_in(&app.at("/login/okta"), ALICE.0, ALICE.1).await;
        let after = app.session_id().expect("a session cookie");
        assert_ne!(planted, after, "{stage:?}: the session id was not cycled");
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        let home = attacker.get(&app.at("/")).await;
        assert!(!home.body.contains(ALICE.0), "{stage:?}: the planted id is alice's");
    })
    .await;
}

/// Every cookie the stage sets on the way through a login, as `Set-Cookie`
/// headers: the login attempt's at `/login/okta`, the session's at the
/// callback.
pub async fn cookies_of_a_login(stage: Stage, app_url: &str, okta: &MockOkta) -> Vec<String> {
    let settings = [
        ("APP_URL", app_url),
        ("OKTA_BASE_URL", okta.issuer()),
        ("OAUTH_CLIENT_ID", stage_tests::CLIENT_ID),
        ("OAUTH_CLIENT_SECRET", stage_tests::CLIENT_SECRET),
    ];
    let router = router_for(stage, &settings).await;
    let get = |path: &str, cookie: &str| {
        let request = axum::http::Request::get(path).header("cookie", cookie);
        router.clone().oneshot(request.body(axum::body::Body::empty()).expect("a request"))
    };
    let set_cookies = |answer: &axum::response::Response| -> Vec<String> {
        let all = answer.headers().get_all("set-cookie");
        all.iter().map(|v| v.to_str().expect("ASCII").to_string()).collect()
    };
    let start = get("/login/okta", "").await.expect("infallible");
    let authorize = start.headers()["location"].to_str().expect("ASCII");
    let attempt = set_cookies(&start);
    let browser = Browser::new();
    let form = browser.get(authorize).await;
    let back = browser.post_login_form(&form, "login", ALICE.0, ALICE.1).await;
    let callback = back.location().expect("back to the app");
    let path = &callback.as_str()[app_url.len()..];
    let pair = attempt[0].split(';').next().expect("name=value");
    let answer = get(path, pair).await.expect("infallible");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{stage:?}");
    [attempt, set_cookies(&answer)].concat()
}

#[tokio::test]
async fn the_cookies_are_httponly_lax_and_secure_over_https() {
    each_stage(&STAGES, |stage| async move {
        for app_url in ["http://127.0.0.1:18080", "https://app.example.com"] {
            let okta = MockOkta::start().await.expect("start");
            okta.add_client(
                mock_okta::Client::web(stage_tests::CLIENT_ID, stage_tests::CLIENT_SECRET)
                    .redirect_uri(format!("{app_url}/login/okta/authorized")),
            );
            let cookies = cookies_of_a_login(stage, app_url, &okta).await;
            let session = stage_tests::session_cookie_of(stage, app_url);
            assert!(cookies.iter().any(|c| c.starts_with(&format!("{session}="))), "{cookies:?}");
            for cookie in &cookies {
                assert!(
                    cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                    "{stage:?}: {cookie}"
                );
                assert_eq!(
                    cookie.contains("Secure"),
                    app_url.starts_with("https"),
                    "{stage:?}: {cookie}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn tokens_stay_on_the_server_never_in_a_cookie_a_page_or_a_log() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let callback = app.callback_url().await;
        let state = callback.query_pairs().find(|(n, _)| n == "state").expect("a state").1;
        let attempt_cookie = format!("{}_login_{state}", stage_tests::session_cookie(&app.url));
        let attempt = app.browser.cookie("127.0.0.1", &attempt_cookie).expect("the attempt");
        let landing = app.browser.get(callback.as_str()).await;
        let home = app.browser.follow(landing.clone()).await;
        // The access token as the app sent it to userinfo; stages 5 on call
        // no userinfo, and then the start every token of this mock has (its
        // JWT header, 40 characters: not "eyJ" alone, which an encrypted
        // cookie's random base64 holds about once in a hundred).
        let minted = app.okta.mint(&TokenRequest::new(ALICE.0)).access_token;
        let jwt_start = minted.expect("an access token").token[..40].to_string();
        let userinfo = app.okta.requests_to("/v1/userinfo");
        let bearer = userinfo.first().map(|r| r.headers["authorization"].to_str().expect("ASCII"));
        let access_token = bearer
            .map_or(jwt_start.as_str(), |b| b.strip_prefix("Bearer ").expect("a bearer token"));
        assert!(access_token.starts_with(&jwt_start), "{stage:?}: the login's token starts so too");
        let cookie = app.session_id().expect("a cookie");
        assert!(
            cookie.len() < 100 && !cookie.contains(&jwt_start),
            "{stage:?}: the cookie carries a token: {cookie}"
        );
        // The attempt's cookie carried the PKCE verifier, encrypted.
        let token_request = &app.okta.requests_to("/v1/token")[0];
        let verifier = token_request.param("code_verifier").expect("a verifier");
        assert!(
            !attempt.contains(verifier) && !attempt.contains("return_to"),
            "{stage:?}: the attempt is readable: {attempt}"
        );
        for answer in [&landing, &home] {
            assert!(!answer.body.contains(access_token), "{stage:?}: a page shows the token");
            assert!(answer.set_cookies().iter().all(|c| !c.contains(access_token)));
            assert!(
                answer.location().is_none_or(|l| !l.as_str().contains("eyJ")),
                "{stage:?}: a token in a URL of ours"
            );
        }
    })
    .await;
    let logs = captured_logs();
    assert!(logs.contains("\"alice@example.com\" logged in"), "the logs are captured");
    assert!(!logs.contains("eyJ"), "a JWT was logged:\n{logs}");
    assert!(!logs.contains(stage_tests::CLIENT_SECRET), "the client secret was logged");
}

#[tokio::test]
async fn access_denied_shows_a_page_with_a_retry_and_never_loops() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.browser.deny(&app.at("/login/okta")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}: {}", page.body);
        assert!(
            page.body.contains("data-error=\"access-denied\"")
                && page.body.contains("href=\"/login/okta\"")
        );
        let authorizations = app.okta.requests_to("/v1/authorize");
        assert_eq!(authorizations.len(), 2, "{stage:?}: the login page and the Deny, nothing more");
        assert!(app.okta.requests_to("/v1/token").is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_user_not_assigned_is_told_what_to_ask_for() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.set_fault(Fault::UserNotAssigned);
        let page = app.log_in_as_alice("/").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}");
        assert!(page.body.contains("data-error=\"access-denied\""), "{}", page.body);
        assert!(
            page.body.contains("User is not assigned to the client application")
                && page.body.contains("Assignments")
        );
        assert_eq!(app.okta.requests_to("/v1/authorize").len(), 2, "{stage:?}: no second login");
    })
    .await;
}

#[tokio::test]
async fn okta_failing_at_the_token_endpoint_is_a_502_page() {
    each_stage(&STAGES, |stage| async move {
        for fault in [
            Fault::Token500,
            Fault::Token503,
            Fault::TokenMalformedJson,
            Fault::TokenRedirect,
            Fault::TokenConnectionClosed,
        ] {
            let app = TestApp::start(stage).await;
            app.okta.set_fault(fault.clone());
            let page = app.log_in_as_alice("/").await;
            assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?} {fault}: {}", page.body);
            assert!(page.body.contains("data-error=\"idp-failed\""), "{stage:?} {fault}");
            assert!(page.body.contains("Try logging in again"));
            assert_eq!(app.logged_in_email().await, None, "{stage:?} {fault}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_code_okta_refuses_is_a_400_page_that_offers_a_new_login() {
    // `invalid_grant` for a code: it expired, was used already, or was
    // forged. The browser's login is spent; Okta is fine, so no 5xx that a
    // stranger could raise at will with a cookie of their own.
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.set_fault(Fault::TokenInvalidGrant);
        let page = app.log_in_as_alice("/").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"code-refused\""), "{stage:?}");
        assert!(page.body.contains("invalid_grant") && page.body.contains("Log in again"));
        assert!(page.body.contains("Try logging in again"), "{stage:?}: a new login is offered");
        assert_eq!(app.logged_in_email().await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_permission_okta_did_not_grant_is_a_page_naming_who_can_grant_it() {
    // Stages 5 on ask userinfo only for what the ID token lacks: with the
    // email in the ID token, a userinfo 403 cannot happen to them.
    let cases =
        [(Fault::UserinfoInsufficientScope, &OAUTH[..]), (Fault::EmailNotGranted, &STAGES[..])];
    for (fault, stages) in cases {
        each_stage(stages, |stage| {
            let fault = fault.clone();
            async move {
                let app = TestApp::start(stage).await;
                app.okta.set_fault(fault.clone());
                let page = app.log_in_as_alice("/").await;
                assert_eq!(
                    page.status,
                    StatusCode::BAD_GATEWAY,
                    "{stage:?} {fault}: {}",
                    page.body
                );
                assert!(
                    page.body.contains("data-error=\"not-granted\""),
                    "{stage:?} {fault}: {}",
                    page.body
                );
                assert!(page.body.contains("Only an Okta admin can grant it"), "{stage:?} {fault}");
                assert!(!page.body.contains("Try again in a moment"), "{stage:?} {fault}");
                assert_eq!(app.logged_in_email().await, None, "{stage:?} {fault}");
            }
        })
        .await;
    }
}

#[tokio::test]
async fn alice_logs_in_through_the_org_authorization_server() {
    each_stage(&STAGES, |stage| async move {
        let okta = MockOkta::start().await.expect("start");
        let org = okta.org_issuer().to_string();
        let app =
            TestApp::start_with(stage, okta, Timing::default(), &[("OKTA_BASE_URL", &org)]).await;
        let page = app.log_in_as_alice("/").await;
        assert_logged_in_as(&page, "alice@example.com", stage);
        assert_eq!(
            app.okta.requests_to("/oauth2/v1/token").len(),
            1,
            "{stage:?}: the org server's token endpoint"
        );
        assert!(app.okta.requests_to("/oauth2/default/v1/token").is_empty(), "{stage:?}");
    })
    .await;
}

// ANCHOR: slow
#[tokio::test]
async fn a_slow_okta_is_a_504_page_after_the_timeout() {
    each_stage(&STAGES, |stage| async move {
        let okta = MockOkta::builder()
            .fault(Fault::TokenSlow(Duration::from_secs(30)))
            .start()
            .await
            .expect("start");
        let timing = Timing { idp_timeout: Duration::from_millis(300), ..Timing::default() };
        let app = TestApp::start_with(stage, okta, timing, &[]).await;
        let callback = app.callback_url().await;
        let started = Instant::now();
        let page = app.browser.get(callback.as_str()).await;
        assert_eq!(page.status, StatusCode::GATEWAY_TIMEOUT, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"idp-timeout\""));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{stage:?}: waited {:?}",
            started.elapsed()
        );
    })
    .await;
}
// ANCHOR_END: slow

#[tokio::test]
async fn okta_down_is_a_502_page() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let callback = app.callback_url().await;
        let TestApp { okta, browser, .. } = app;
        drop(okta);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let page = browser.get(callback.as_str()).await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
        assert!(page.body.contains("cannot be reached"), "{stage:?}: {}", page.body);
    })
    .await;
}

#[tokio::test]
async fn a_userinfo_failure_is_a_502_page() {
    each_stage(&OAUTH, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.set_fault(Fault::UserinfoUnauthorized);
        let page = app.log_in_as_alice("/").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}");
        assert!(page.body.contains("userinfo endpoint answered 401"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn an_expired_access_token_counts_as_logged_out() {
    // The stages keep the expiry in whole seconds, so a 2-second token is
    // valid for at least one: long enough to see the login, then wait it out.
    each_stage(&ACCESS_TOKEN_ENDS_LOGIN, |stage| async move {
        let lifetime = Fault::AccessTokenLifetime(Duration::from_secs(2));
        let okta = MockOkta::builder().fault(lifetime).start().await.expect("start");
        let app = TestApp::start_with(stage, okta, Timing::default(), &[]).await;
        app.log_in_as_alice("/").await;
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        tokio::time::sleep(Duration::from_millis(3100)).await;
        assert_eq!(app.logged_in_email().await, None, "{stage:?}: an expired token still counts");
        let home = app.browser.get(&app.at("/")).await;
        match stage {
            Stage::Two => assert!(home.body.contains("You are not logged in")),
            _ => assert!(
                home.location().is_some_and(|l| l.path() == "/login/okta"),
                "{stage:?}: not sent to log in"
            ),
        }
    })
    .await;
}

#[tokio::test]
async fn the_email_is_fetched_once_and_page_views_never_call_okta() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        // Stages 5 on read the email from the ID token: no userinfo at all.
        let userinfo = usize::from(OAUTH.contains(&stage));
        assert_eq!(app.okta.requests_to("/v1/userinfo").len(), userinfo, "{stage:?}");
        app.okta.clear_requests();
        let paths: &[&str] = if stage == Stage::Two { &["/"] } else { &["/", "/user", "/members"] };
        for _ in 0..3 {
            for path in paths {
                let page = app.browser.get(&app.at(path)).await;
                assert_eq!(page.status, StatusCode::OK, "{stage:?} {path}");
            }
        }
        assert!(
            app.okta.requests().is_empty(),
            "{stage:?}: page views called Okta: {:?}",
            app.okta.requests()
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_path_is_a_404_not_a_login() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        for path in ["/nope", "/login/okta/nope", "/user/1"] {
            let page = app.browser.get(&app.at(path)).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{stage:?} {path}");
            assert!(page.location().is_none());
        }
    })
    .await;
}

#[tokio::test]
async fn what_comes_from_okta_or_the_request_is_escaped() {
    each_stage(&STAGES, |stage| async move {
        let mallory = User::new(
            "mallory<script>x</script>@example.com",
            "<b>Mallory</b>",
            "mallory-password",
        );
        let okta = MockOkta::builder().user(mallory.clone()).start().await.expect("start");
        let app = TestApp::start_with(stage, okta, Timing::default(), &[]).await;
        let start = if stage == Stage::Two { "/login/okta" } else { "/" };
        let page = app.browser.log_in(&app.at(start), &mallory.email, &mallory.password).await;
        assert!(
            page.body.contains("mallory&lt;script&gt;x&lt;/script&gt;@example.com"),
            "{stage:?}: {}",
            page.body
        );
        assert!(!page.body.contains("<script>"), "{stage:?}");

        let other = TestApp::start(stage).await;
        let mut callback = other.callback_url().await;
        let state = callback
            .query_pairs()
            .find(|(n, _)| n == "state")
            .map(|(_, v)| v.into_owned())
            .expect("a state");
        callback
            .query_pairs_mut()
            .clear()
            .append_pair("state", &state)
            .append_pair("error", "access_denied")
            .append_pair("error_description", "<img src=x onerror=alert(1)>");
        let page = other.browser.get(callback.as_str()).await;
        assert!(
            page.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.body.contains("<img"),
            "{stage:?}: {}",
            page.body
        );
    })
    .await;
}

#[tokio::test]
async fn an_iss_from_another_issuer_is_refused_and_unknown_parameters_are_ignored() {
    each_stage(&STAGES, |stage| async move {
        let app = TestApp::start(stage).await;
        let mut callback = app.callback_url().await;
        callback.query_pairs_mut().append_pair("iss", "https://evil.example/oauth2/default");
        let page = app.browser.get(callback.as_str()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{stage:?}");
        assert!(page.body.contains("another issuer"));
        assert!(app.okta.requests_to("/v1/token").is_empty(), "{stage:?}");

        let mut callback = app.callback_url().await;
        callback
            .query_pairs_mut()
            .append_pair("iss", app.okta.issuer())
            .append_pair("session_state", "whatever");
        let page = app.browser.follow(app.browser.get(callback.as_str()).await).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
    })
    .await;
}

#[tokio::test]
async fn after_login_the_user_lands_on_the_page_first_asked_for() {
    each_stage(&PROTECTING, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.log_in_as_alice("/user?tab=1").await;
        assert_eq!(page.url.as_str(), app.at("/user?tab=1"), "{stage:?}");
        assert_logged_in_as(&page, "alice@example.com", stage);
    })
    .await;
}

#[tokio::test]
async fn a_next_too_long_for_a_cookie_still_logs_in_and_lands_home() {
    each_stage(&PROTECTING, |stage| async move {
        let app = TestApp::start(stage).await;
        let mut start = url::Url::parse(&app.at("/login/okta")).expect("a URL");
        let next = format!("/members?q={}", "a".repeat(3000));
        start.query_pairs_mut().append_pair("next", &next);
        // Browsers drop a cookie over 4096 bytes: the login attempt's must fit.
        for cookie in app.browser.get(start.as_str()).await.set_cookies() {
            assert!(cookie.len() <= 4096, "{stage:?}: a cookie of {} bytes", cookie.len());
        }
        let page = app.browser.log_in(start.as_str(), ALICE.0, ALICE.1).await;
        assert_eq!(page.url.as_str(), app.at("/"), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn after_login_another_host_is_never_the_destination() {
    each_stage(&PROTECTING, |stage| async move {
        for next in [
            "//evil.example",
            "https://evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\nx",
        ] {
            let app = TestApp::start(stage).await;
            let mut start = url::Url::parse(&app.at("/login/okta")).expect("a URL");
            start.query_pairs_mut().append_pair("next", next);
            let page = app.browser.log_in(start.as_str(), ALICE.0, ALICE.1).await;
            assert_eq!(page.url.as_str(), app.at("/"), "{stage:?}: next={next}");
        }
    })
    .await;
}

/// A logout, then a save of the session by a request that read it before:
/// whether the session is still in the memory store of `stage`.
macro_rules! saved_after_logout {
    ($krate:ident) => {{
        use tower_sessions::SessionStore;
        use tower_sessions::cookie::time::{Duration as Span, OffsetDateTime};
        use tower_sessions::session::{Id, Record};
        let store = stage_tests::$krate::session::MemorySessions::new(Duration::from_secs(3600));
        let data = [("logged_in_user".to_string(), serde_json::json!({"renewed": 1}))];
        let expiry_date = OffsetDateTime::now_utc() + Span::hours(1);
        let mut record = Record { id: Id::default(), data: data.into(), expiry_date };
        store.create(&mut record).await.expect("created");
        // The request in flight read `record`; the logout ends the session...
        store.delete(&record.id).await.expect("deleted");
        // ...and then the request saves what it read, with its renewal.
        store.save(&record).await.expect("saved");
        store.load(&record.id).await.expect("loaded").is_some()
    }};
}

#[tokio::test]
async fn a_request_that_read_the_session_before_a_logout_cannot_bring_it_back() {
    for stage in LOGGING_OUT {
        let back = match stage {
            Stage::Four => saved_after_logout!(stage_4),
            Stage::Five => saved_after_logout!(stage_5),
            Stage::Six => saved_after_logout!(stage_6),
            Stage::Seven => saved_after_logout!(stage_7),
            Stage::Eight => saved_after_logout!(stage_8),
            Stage::Nine => saved_after_logout!(stage_9),
            Stage::Ten => saved_after_logout!(stage_10),
            _ => unreachable!("{stage:?} has no logout"),
        };
        assert!(!back, "{stage:?}: the session came back after the logout");
    }
}

#[tokio::test]
async fn a_logout_posted_from_another_origin_of_the_same_site_is_refused() {
    each_stage(&LOGGING_OUT, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        let session = app.session_id().expect("a session");
        let cookie = format!("{}={session}", stage_tests::session_cookie(&app.url));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with no TLS settings to load always builds");
        let logout = |origin: &str, site: &str| {
            let request = http.post(app.at("/logout")).header("cookie", &cookie);
            request.header("origin", origin).header("sec-fetch-site", site).send()
        };
        // A page on another port of this host (the same site) posts the form.
        let refused = logout("http://127.0.0.1:1", "same-site").await.expect("an answer");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{stage:?}");
        let page = refused.text().await.expect("a page");
        assert!(page.contains("came from another site"), "{stage:?}: {page}");
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        // The app's own page posts it.
        let done = logout(&app.url, "same-origin").await.expect("an answer");
        assert_eq!(done.status(), StatusCode::OK, "{stage:?}: the page on to Okta's logout");
        assert_eq!(app.logged_in_email().await, None, "{stage:?}: still logged in");
    })
    .await;
}

#[tokio::test]
async fn a_logout_posts_the_id_token_to_okta_which_ends_its_session_and_sends_the_user_back() {
    each_stage(&LOGGING_OUT, |stage| async move {
        let app = TestApp::start(stage).await;
        app.log_in_as_alice("/").await;
        let page = app.browser.post_form(&app.at("/logout"), &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(page.headers["cache-control"], "no-store", "{stage:?}: it holds the ID token");
        assert_eq!(app.logged_in_email().await, None, "{stage:?}: logged out here already");
        let form = okta_logout_form(&page);
        assert_eq!(form.method, "post", "{stage:?}");
        assert_eq!(form.action.as_str(), format!("{}/v1/logout", app.okta.issuer()), "{stage:?}");
        let hint = form.field("id_token_hint").expect("id_token_hint");
        let claims = mock_okta::decode_claims(hint).expect("an ID token");
        assert_eq!(claims["aud"], stage_tests::CLIENT_ID, "{stage:?}");
        assert_eq!(form.field("post_logout_redirect_uri"), Some(app.url.as_str()), "{stage:?}");
        assert!(page.body.contains("Continue logging out at Okta"), "{stage:?}: {}", page.body);

        // A browser that runs no script presses the button.
        let back = form.submit(&app.browser).await;
        let logouts = app.okta.requests_to("/v1/logout");
        assert_eq!(logouts.len(), 1, "{stage:?}");
        assert_eq!(logouts[0].method, "POST", "{stage:?}");
        assert!(logouts[0].query.is_empty(), "{stage:?}: nothing in the URL");
        assert_eq!(logouts[0].status, Some(StatusCode::FOUND), "{stage:?}: accepted");
        // Back at the app, logged out; and the mock's own login ended, so
        // the login that follows asks for the password again.
        assert_eq!(
            back.trail.get(1).map(url::Url::as_str),
            Some(app.at("/").as_str()),
            "{stage:?}"
        );
        assert!(back.is_login_page(), "{stage:?}: {} {}", back.url, back.body);
    })
    .await;
}

/// Erin is in 100 groups (as many as an Okta groups claim lists) with
/// long names: her ID token is over 8 KB.
fn erin() -> User {
    (0..100).fold(User::new("erin@example.com", "Erin Example", "erin-password"), |erin, i| {
        erin.group(format!("okta-app-finance-emea-quarterly-reporting-dashboard-approvers-{i:03}"))
    })
}

#[tokio::test]
async fn a_logout_works_with_an_id_token_of_over_8_kb() {
    each_stage(&LOGGING_OUT, |stage| async move {
        let app = TestApp::start(stage).await;
        app.okta.add_user(erin());
        app.log_in_as("/", ("erin@example.com", "erin-password")).await;
        let page = app.browser.post_form(&app.at("/logout"), &[]).await;
        let form = okta_logout_form(&page);
        let hint = form.field("id_token_hint").expect("id_token_hint");
        assert!(hint.len() > 8192, "{stage:?}: an ID token of {} bytes", hint.len());
        let back = form.submit(&app.browser).await;
        let logouts = app.okta.requests_to("/v1/logout");
        assert_eq!(logouts[0].status, Some(StatusCode::FOUND), "{stage:?}: accepted");
        assert_eq!(app.logged_in_email().await, None, "{stage:?}");
        assert!(back.is_login_page(), "{stage:?}: Okta's login ended: {}", back.url);
    })
    .await;
}

#[tokio::test]
async fn a_logout_by_someone_not_logged_in_goes_home_and_warns_no_one() {
    // A stranger's `POST /logout` (a bot, a stale tab) is nothing to warn
    // an operator about.
    each_stage(&LOGGING_OUT, |stage| async move {
        let app = TestApp::start(stage).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with no TLS settings to load always builds");
        let answer = http.post(app.at("/logout")).send().await.expect("an answer");
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{stage:?}");
        assert_eq!(answer.headers()["location"], "/", "{stage:?}");
    })
    .await;
    let logs = captured_logs();
    assert!(!logs.contains("called delete with no session id"), "{logs}");
}

#[test]
fn the_debug_of_a_login_s_tokens_shows_none_of_them() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let part = |json: serde_json::Value| URL_SAFE_NO_PAD.encode(json.to_string());
    let claims = serde_json::json!({
        "iss": "https://example.okta.com/oauth2/default", "aud": ["0oa1"],
        "exp": 2_000_000_000, "iat": 1_000_000_000, "sub": "00u1",
    });
    let header = serde_json::json!({ "alg": "RS256", "kid": "k1" });
    let id_token = format!("{}.{}.c2lnbmF0dXJl", part(header), part(claims));
    let tokens = serde_json::json!({
        "access_token": "an-access-token-0123", "refresh_token": "a-refresh-token-4567",
        "id_token": id_token, "expires_at": 0, "refresh_at": 0,
        "identity": { "subject": "00u1", "email": "alice@example.com", "groups": ["admins"] },
    });
    for stage in REFRESHING {
        macro_rules! debug {
            ($krate:ident) => {{
                let kept: stage_tests::$krate::tokens::Tokens =
                    serde_json::from_value(tokens.clone()).expect("tokens");
                format!("{kept:?}")
            }};
        }
        let printed = match stage {
            Stage::Seven => debug!(stage_7),
            Stage::Eight => debug!(stage_8),
            Stage::Nine => debug!(stage_9),
            _ => debug!(stage_10),
        };
        for secret in ["an-access-token-0123", "a-refresh-token-4567", id_token.as_str()] {
            assert!(!printed.contains(secret), "{stage:?}: {printed}");
        }
        assert!(printed.contains("alice@example.com"), "{stage:?}: the rest is shown: {printed}");
    }
}
