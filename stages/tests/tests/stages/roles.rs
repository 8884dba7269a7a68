//! Stage 9 on: roles from Okta groups. A member of `admins` opens `/admin`;
//! anyone else logged in gets a 403 page that names the group, never the
//! login again; a change of groups at Okta reaches the app at the refresh.

use axum::http::StatusCode;
use mock_okta::{Fault, MockOkta, User};
use stage_tests::{
    ALICE, BOB, ROLES, Stage, TestApp, Timing, a_second_begins, captured_logs, each_stage,
};
use std::time::Duration;

/// `stage` against a fresh mock, through its custom authorization server,
/// or through its org authorization server when `org`.
async fn start(stage: Stage, okta: MockOkta, org: bool) -> TestApp {
    let org_issuer = okta.org_issuer().to_string();
    let settings: &[(&str, &str)] = if org { &[("OKTA_BASE_URL", &org_issuer)] } else { &[] };
    TestApp::start_with(stage, okta, Timing::default(), settings).await
}

#[tokio::test]
async fn a_member_of_admins_opens_the_admin_page() {
    each_stage(&ROLES, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.log_in_as("/admin", BOB).await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert_eq!(page.url.path(), "/admin", "{stage:?}");
        assert!(page.body.contains("data-admin"), "{stage:?}: {}", page.body);
    })
    .await;
}

#[tokio::test]
async fn someone_outside_the_group_gets_a_page_naming_it_and_never_the_login_again() {
    each_stage(&ROLES, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.log_in_as("/admin", ALICE).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}: {}", page.body);
        let says = ["data-error=\"not-in-group\"", "<strong>admins</strong>", ALICE.0];
        for said in says {
            assert!(page.body.contains(said), "{stage:?}: no {said}: {}", page.body);
        }
        // Asked again: the same page, and still logged in; one login in all.
        let again = app.browser.get(&app.at("/admin")).await;
        assert_eq!(again.status, StatusCode::FORBIDDEN, "{stage:?}: {}", again.body);
        assert_eq!(app.logged_in_email().await.as_deref(), Some(ALICE.0), "{stage:?}");
        let logins = app.okta.requests_to("/v1/authorize");
        let logins = logins.iter().filter(|r| r.method == "GET").count();
        assert_eq!(logins, 1, "{stage:?}: a login loop");
        // A path the app does not have is a 404, under /admin too.
        let below = app.browser.get(&app.at("/admin/users")).await;
        assert_eq!(below.status, StatusCode::NOT_FOUND, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_stranger_at_the_admin_page_logs_in_first() {
    each_stage(&ROLES, |stage| async move {
        let app = TestApp::start(stage).await;
        let page = app.browser.get(&app.at("/admin")).await;
        let to = page.location().expect("a redirect");
        assert_eq!(to.path(), "/login/okta", "{stage:?}");
        assert_eq!(to.query(), Some("next=%2Fadmin"), "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn the_org_authorization_server_sends_the_groups_in_userinfo_asked_once() {
    each_stage(&ROLES, |stage| async move {
        let app = start(stage, MockOkta::start().await.expect("start"), true).await;
        let page = app.log_in_as("/admin", BOB).await;
        assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-admin"), "{stage:?}: {}", page.body);
        let authorize = app.okta.requests_to("/oauth2/v1/authorize");
        let scope = authorize[0].param("scope").unwrap_or_default();
        assert!(scope.split(' ').any(|s| s == "groups"), "{stage:?}: {scope}");
        assert_eq!(app.okta.requests_to("/oauth2/v1/userinfo").len(), 1, "{stage:?}");
        for _ in 0..3 {
            let page = app.browser.get(&app.at("/admin")).await;
            assert_eq!(page.status, StatusCode::OK, "{stage:?}: {}", page.body);
        }
        assert_eq!(app.okta.requests_to("/v1/userinfo").len(), 1, "{stage:?}: per page view");
    })
    .await;
}

/// The admin page as `user` sees it after logging in to `stage` against
/// `okta` (through its custom authorization server), with `settings`.
async fn admin_page(
    stage: Stage,
    okta: MockOkta,
    user: (&str, &str),
    settings: &[(&str, &str)],
) -> (TestApp, mock_okta::Page) {
    let app = TestApp::start_with(stage, okta, Timing::default(), settings).await;
    let page = app.log_in_as("/admin", user).await;
    (app, page)
}

#[tokio::test]
async fn when_okta_sends_no_groups_the_admin_page_says_so_and_the_log_warns_once() {
    for okta in [
        MockOkta::builder().groups_claim(false),
        MockOkta::builder().fault(Fault::GroupsClaimMissing),
    ] {
        each_stage(&ROLES, |stage| {
            let okta = okta.clone();
            async move {
                let okta = okta.start().await.expect("start");
                let (app, page) = admin_page(stage, okta, BOB, &[]).await;
                assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}: {}", page.body);
                let says =
                    ["data-error=\"no-groups-claim\"", "<strong>admins</strong>", "groups claim"];
                for said in says {
                    assert!(page.body.contains(said), "{stage:?}: no {said}: {}", page.body);
                }
                assert_eq!(app.logged_in_email().await.as_deref(), Some(BOB.0), "{stage:?}");
                app.browser.get(&app.at("/admin")).await;
                let krate = if stage == Stage::Nine { "stage_9" } else { "stage_10" };
                let warned = format!("{krate}::roles: Okta sent no groups claim");
                let lines = captured_logs().matches(&warned).count();
                assert_eq!(lines, 1, "{stage:?}: warned {lines} times");
            }
        })
        .await;
    }
}

#[tokio::test]
async fn a_server_that_lists_a_groups_scope_is_asked_for_it_and_sends_the_groups() {
    each_stage(&ROLES, |stage| async move {
        let okta = MockOkta::builder().fault(Fault::GroupsClaimNeedsScope);
        let (app, page) = admin_page(stage, okta.start().await.expect("start"), BOB, &[]).await;
        assert!(page.body.contains("data-admin"), "{stage:?}: {}", page.body);
        let asked = app.okta.requests_to("/v1/authorize");
        let scope = asked[0].param("scope").unwrap_or_default();
        assert!(scope.split(' ').any(|s| s == "groups"), "{stage:?}: {scope}");
    })
    .await;
}

#[tokio::test]
async fn a_groups_list_as_long_as_okta_sends_may_be_cut_and_the_page_says_so() {
    each_stage(&ROLES, |stage| async move {
        // Okta lists 100 groups at most: carol is in 120, `admins` last.
        let carol = (0..120)
            .fold(User::new("carol@example.com", "Carol", "carol-password"), |u, i| {
                u.group(format!("team-{i:03}"))
            });
        let okta = MockOkta::builder().user(carol.group("admins")).fault(Fault::GroupsLimit(100));
        let okta = okta.start().await.expect("start");
        let (_, page) = admin_page(stage, okta, ("carol@example.com", "carol-password"), &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}: {}", page.body);
        assert!(page.body.contains("may have been cut"), "{stage:?}: {}", page.body);
        // Bob's two groups are a whole list: no such words.
        let (_, bob) = admin_page(stage, MockOkta::start().await.expect("start"), ALICE, &[]).await;
        assert!(!bob.body.contains("may have been cut"), "{stage:?}: {}", bob.body);
    })
    .await;
}

#[tokio::test]
async fn okta_refusing_a_login_for_too_many_groups_is_a_page_naming_the_fix() {
    each_stage(&ROLES, |stage| async move {
        let okta = MockOkta::builder().fault(Fault::GroupsLimitRefuse(1));
        let (app, page) = admin_page(stage, okta.start().await.expect("start"), BOB, &[]).await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
        let says = ["data-error=\"too-many-groups\"", "match fewer groups"];
        for said in says {
            assert!(page.body.contains(said), "{stage:?}: no {said}: {}", page.body);
        }
        assert!(!page.body.contains("Try again"), "{stage:?}: {}", page.body);
        assert_eq!(app.logged_in_email().await, None, "{stage:?}");
    })
    .await;
}

#[tokio::test]
async fn a_groups_claim_of_one_string_is_one_group_and_another_shape_is_ignored() {
    each_stage(&ROLES, |stage| async move {
        let okta = MockOkta::builder().fault(Fault::GroupsClaimString);
        let (_, page) = admin_page(stage, okta.start().await.expect("start"), BOB, &[]).await;
        assert!(page.body.contains("data-admin"), "{stage:?}: \"admins\" alone: {}", page.body);
        let okta = MockOkta::builder().fault(Fault::GroupsClaimObjects);
        let (app, page) = admin_page(stage, okta.start().await.expect("start"), BOB, &[]).await;
        assert_eq!(
            app.logged_in_email().await.as_deref(),
            Some(BOB.0),
            "{stage:?}: the login goes on"
        );
        assert!(page.body.contains("data-error=\"no-groups-claim\""), "{stage:?}: {}", page.body);
    })
    .await;
}

#[tokio::test]
async fn the_admin_group_is_a_setting() {
    each_stage(&ROLES, |stage| async move {
        let settings = [("ADMIN_GROUP", "finance")];
        let carol = User::new("carol@example.com", "Carol", "carol-password").group("finance");
        let okta = || MockOkta::builder().user(carol.clone()).start();
        let carol = ("carol@example.com", "carol-password");
        let (_, page) = admin_page(stage, okta().await.expect("start"), carol, &settings).await;
        assert!(page.body.contains("data-admin"), "{stage:?}: {}", page.body);
        let (_, page) = admin_page(stage, okta().await.expect("start"), BOB, &settings).await;
        assert!(page.body.contains("<strong>finance</strong>"), "{stage:?}: {}", page.body);
    })
    .await;
}

#[tokio::test]
async fn leaving_the_group_at_okta_closes_the_admin_page_at_the_next_refresh() {
    each_stage(&ROLES, |stage| async move {
        let leaves = |org| async move {
            // 4 s: the refresh is due after 3 (times are whole seconds).
            let lifetime = Fault::AccessTokenLifetime(Duration::from_secs(4));
            let okta = MockOkta::builder().fault(lifetime).start().await.expect("start");
            let app = start(stage, okta, org).await;
            assert_eq!(app.log_in_as("/admin", BOB).await.status, StatusCode::OK);
            // An Okta admin takes bob out of `admins`.
            app.okta.add_user(User::new(BOB.0, "Bob Example", BOB.1));
            // Until the refresh, the login's groups stand (at most the
            // access token's lifetime: an hour at Okta).
            let before = app.browser.get(&app.at("/admin")).await;
            assert_eq!(before.status, StatusCode::OK, "{stage:?}, org {org}");
            tokio::time::sleep(Duration::from_millis(3300)).await;
            let after = app.browser.get(&app.at("/admin")).await;
            assert_eq!(after.status, StatusCode::FORBIDDEN, "{stage:?}, org {org}: {}", after.body);
            let refreshes = app.okta.requests_to("/v1/token");
            let refreshes =
                refreshes.iter().filter(|r| r.param("grant_type") == Some("refresh_token"));
            assert_eq!(refreshes.count(), 1, "{stage:?}, org {org}");
        };
        tokio::join!(leaves(false), leaves(true));
    })
    .await;
}

#[tokio::test]
async fn tabs_open_at_the_refresh_all_take_the_groups_it_brought() {
    each_stage(&ROLES, |stage| async move {
        // 4 s: the refresh is due after 3.
        let lifetime = Fault::AccessTokenLifetime(Duration::from_secs(4));
        let okta = MockOkta::builder().fault(lifetime).start().await.expect("start");
        let app = start(stage, okta, false).await;
        a_second_begins().await;
        assert_eq!(app.log_in_as("/admin", BOB).await.status, StatusCode::OK, "{stage:?}");
        app.okta.add_user(User::new(BOB.0, "Bob Example", BOB.1));
        tokio::time::sleep(Duration::from_millis(3200)).await;
        // Five tabs at the refresh: one refreshes, four wait for it, each
        // holding the session as it was before. None may keep, or save
        // back, the groups of before.
        let (admin, tab) = (app.at("/admin"), |url| app.browser.get(url));
        let tabs = tokio::join!(tab(&admin), tab(&admin), tab(&admin), tab(&admin), tab(&admin));
        let later = [app.browser.get(&admin).await, app.browser.get(&admin).await];
        for page in [tabs.0, tabs.1, tabs.2, tabs.3, tabs.4].iter().chain(&later) {
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{stage:?}: {}", page.body);
        }
    })
    .await;
}
