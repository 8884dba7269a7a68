//! `/v1/logout` as Okta serves it: by `GET` and by `POST` (OpenID
//! RP-Initiated Logout 1.0 §2), with a required `id_token_hint`, ending the
//! mock's login only when the hint names its user.

use crate::helpers::*;
use mock_okta::{Browser, Fault, LOGIN_COOKIE, MockOkta, Page, User};
use reqwest::StatusCode;
use serde_json::json;

const BACK: &str = "http://localhost:8080";

/// A user whose ID tokens are over 8 KB: a claim always in the ID token
/// (on both servers) listing 300 entitlements.
fn dana() -> User {
    let entitlements: Vec<String> = (0..300)
        .map(|i| format!("entitlement-of-the-finance-team-{i:03}"))
        .collect();
    User::new("dana@example.com", "Dana Example", "dana-password")
        .id_token_claim("entitlements", json!(entitlements))
}

/// Signs `browser` in as `who` at `at` (the mock's login cookie is set)
/// and returns the ID token of the login.
async fn log_in(browser: &Browser, at: At<'_>, who: (&str, &str)) -> String {
    let back = sign_in(browser, &authorize_url(at, &[]), who).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let (status, tokens) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    field(&tokens, "id_token").to_string()
}

/// Whether the browser's login to the mock is still there: an authorize
/// request skips the form.
async fn still_logged_in(browser: &Browser, at: At<'_>) -> bool {
    let page = browser.get(&authorize_url(at, &[])).await;
    !page.is_login_page()
}

fn logout_url(at: At<'_>, form: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&at.url("/v1/logout")).expect("a URL");
    url.query_pairs_mut().extend_pairs(form);
    url.into()
}

/// A refused logout's page: its status, and whether it stays (no redirect).
fn refused(page: &Page) -> (StatusCode, bool) {
    (page.status, page.location().is_none())
}

#[tokio::test]
async fn a_logout_by_post_takes_an_id_token_of_over_8_kb_on_both_servers() {
    let okta = MockOkta::start().await.expect("start");
    okta.add_user(dana());
    for at in [At::from(&okta), At::org(&okta)] {
        let browser = Browser::new();
        let id_token = log_in(&browser, at, ("dana@example.com", "dana-password")).await;
        assert!(id_token.len() > 8 * 1024, "{} bytes", id_token.len());
        let form = [
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", BACK),
            ("state", "bye"),
        ];
        let out = browser.post_form(&at.url("/v1/logout"), &form).await;
        assert_eq!(out.status, StatusCode::FOUND, "{}", out.body);
        assert_eq!(
            out.location().map(String::from).as_deref(),
            Some("http://localhost:8080/?state=bye")
        );
        let cleared = out.set_cookie(LOGIN_COOKIE).expect("the cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(!still_logged_in(&browser, at).await, "the login ended");
        let sent = okta.requests_to("/v1/logout");
        let last = sent.last().expect("recorded");
        assert_eq!(last.method, reqwest::Method::POST);
        assert_eq!(last.param("state"), Some("bye"), "read from the form");
    }
}

#[tokio::test]
async fn a_logout_by_get_still_works_as_before() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    let id_token = log_in(&browser, At::from(&okta), ALICE).await;
    let url = logout_url(
        At::from(&okta),
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BACK),
        ],
    );
    let out = browser.get(&url).await;
    assert_eq!(
        out.location().map(String::from).as_deref(),
        Some("http://localhost:8080/")
    );
    assert!(!still_logged_in(&browser, At::from(&okta)).await);
}

#[tokio::test]
async fn a_logout_without_an_id_token_hint_is_refused_as_at_okta_and_changes_nothing() {
    let okta = MockOkta::start().await.expect("start");
    let at = At::from(&okta);
    let browser = Browser::new();
    log_in(&browser, at, ALICE).await;
    let form = [
        ("client_id", mock_okta::DEFAULT_CLIENT_ID),
        ("post_logout_redirect_uri", BACK),
    ];
    for page in [
        browser.get(&logout_url(at, &form)).await,
        browser.post_form(&at.url("/v1/logout"), &form).await,
    ] {
        assert_eq!(
            refused(&page),
            (StatusCode::BAD_REQUEST, true),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("The &#39;id_token_hint&#39; parameter is missing or empty."),
            "{}",
            page.body
        );
        assert!(
            page.set_cookie(LOGIN_COOKIE).is_none(),
            "the cookie is kept"
        );
    }
    assert!(still_logged_in(&browser, at).await, "still logged in");
}

#[tokio::test]
async fn a_logout_posted_as_json_is_refused() {
    let okta = MockOkta::start().await.expect("start");
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/logout", okta.issuer()))
        .json(&json!({ "id_token_hint": "x" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body = answer.text().await.expect("a page");
    assert!(body.contains("application/x-www-form-urlencoded"), "{body}");
}

/// Okta ends its session for the user the hint names: a hint of another
/// user (an app holding a stale ID token, say) sends the browser back and
/// leaves this browser's login alone.
#[tokio::test]
async fn a_hint_of_another_user_sends_the_browser_back_and_keeps_the_login() {
    let okta = MockOkta::start().await.expect("start");
    let at = At::from(&okta);
    let alices = Browser::new();
    log_in(&alices, at, ALICE).await;
    let bobs_id_token = log_in(&Browser::new(), at, ("bob@example.com", "bob-password")).await;
    let form = [
        ("id_token_hint", bobs_id_token.as_str()),
        ("post_logout_redirect_uri", BACK),
        ("state", "s"),
    ];
    let out = alices.post_form(&at.url("/v1/logout"), &form).await;
    assert_eq!(
        out.location().map(String::from).as_deref(),
        Some("http://localhost:8080/?state=s"),
        "back to the app"
    );
    assert!(out.set_cookie(LOGIN_COOKIE).is_none(), "the cookie is kept");
    let again = alices.get(&authorize_url(at, &[])).await;
    let code = param(&redirect_params(&again), "code").expect("still logged in");
    let (_, tokens) = exchange(at, &code, Some(VERIFIER)).await;
    let claims = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
    assert_eq!(claims["email"], ALICE.0, "as alice still");
}

/// An expired ID token is still a hint, as at Okta (and as RP-Initiated
/// Logout §2 advises): an app that logs out after an hour must not be
/// refused.
#[tokio::test]
async fn an_expired_id_token_is_still_a_hint() {
    let okta = MockOkta::builder()
        .fault(Fault::IdTokenExpired)
        .start()
        .await
        .expect("start");
    let at = At::from(&okta);
    let browser = Browser::new();
    let id_token = log_in(&browser, at, ALICE).await;
    let exp = mock_okta::decode_claims(&id_token).expect("claims")["exp"]
        .as_u64()
        .expect("exp");
    let now = okta
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(exp < now, "expired");
    let form = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", BACK),
    ];
    let out = browser.post_form(&at.url("/v1/logout"), &form).await;
    assert_eq!(out.status, StatusCode::FOUND, "{}", out.body);
    assert!(!still_logged_in(&browser, at).await);
}
