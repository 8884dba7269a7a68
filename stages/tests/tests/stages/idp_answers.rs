//! Answers that real authorization servers send and mock-okta does not
//! model, played by wiremock, against every stage that trades the code
//! with plain OAuth 2.0 and reads userinfo (stages 5 on need a signed ID
//! token: mock-okta's faults cover them). Each test is named for what the
//! user sees.

use axum::http::StatusCode;
use mock_okta::{Browser, Page};
use serde_json::{Value, json};
use stage_tests::{ALICE, OAUTH, Stage, Timing, assert_logged_in_as, serve};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "/oauth2/default/v1/token";
const USERINFO_PATH: &str = "/oauth2/default/v1/userinfo";

/// A token response as Okta sends it, changed by `edit`.
fn tokens(edit: impl FnOnce(&mut Value)) -> ResponseTemplate {
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": 3600,
        "access_token": "an-opaque-access-token",
        "scope": "openid email profile",
        "id_token": "not.read.here",
    });
    edit(&mut body);
    ResponseTemplate::new(200).set_body_json(body)
}

/// A userinfo answer with alice's claims.
fn alice() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"sub": "00u1", "email": ALICE.0}))
}

/// `stage` logging in against an IdP played by `idp`: what the browser sees
/// at the end of the callback (redirects followed), and the browser.
async fn log_in(stage: Stage, idp: &MockServer) -> (Page, Browser) {
    let issuer = format!("{}/oauth2/default", idp.uri());
    let settings = [("OKTA_BASE_URL", issuer.as_str())];
    let app = serve(stage, &settings, Timing::default()).await;
    let browser = Browser::new();
    let to_idp = browser.get(&format!("{app}/login/okta")).await;
    let authorize = to_idp.location().expect("a redirect to the IdP");
    let state = authorize.query_pairs().find(|(n, _)| n == "state").expect("a state").1;
    let callback = format!("{app}/login/okta/authorized?code=a-code&state={state}");
    let page = browser.follow(browser.get(&callback).await).await;
    (page, browser)
}

/// Every stage logs alice in against `token` and `userinfo` answers.
async fn logs_in_with(token: ResponseTemplate, userinfo: ResponseTemplate) {
    for stage in OAUTH {
        let idp = MockServer::start().await;
        Mock::given(path(TOKEN)).respond_with(token.clone()).mount(&idp).await;
        Mock::given(path(USERINFO_PATH)).respond_with(userinfo.clone()).mount(&idp).await;
        let (page, _) = log_in(stage, &idp).await;
        assert_logged_in_as(&page, "alice@example.com", stage);
    }
}

/// Every stage refuses the login with the page `kind`; returns its text.
async fn refused_with(
    token: ResponseTemplate,
    userinfo: ResponseTemplate,
    status: StatusCode,
    kind: &str,
) -> String {
    let mut text = String::new();
    for stage in OAUTH {
        let idp = MockServer::start().await;
        Mock::given(path(TOKEN)).respond_with(token.clone()).mount(&idp).await;
        Mock::given(path(USERINFO_PATH)).respond_with(userinfo.clone()).mount(&idp).await;
        let (page, browser) = log_in(stage, &idp).await;
        assert_eq!(page.status, status, "{stage:?}: {}", page.body);
        assert!(page.body.contains(&format!("data-error=\"{kind}\"")), "{stage:?}: {}", page.body);
        let home = browser.get(page.url.join("/").expect("a URL").as_str()).await;
        assert!(!home.body.contains("You are logged in"), "{stage:?}");
        text = page.body;
    }
    text
}

#[tokio::test]
async fn a_token_endpoint_that_redirects_is_a_502_page_and_the_redirect_is_not_followed() {
    for stage in OAUTH {
        let idp = MockServer::start().await;
        let elsewhere = format!("{}/elsewhere", idp.uri());
        let redirect = ResponseTemplate::new(307).insert_header("location", elsewhere.as_str());
        Mock::given(path(TOKEN)).respond_with(redirect).mount(&idp).await;
        Mock::given(path("/elsewhere")).respond_with(tokens(|_| ())).expect(0).mount(&idp).await;
        let (page, _) = log_in(stage, &idp).await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{stage:?}: {}", page.body);
        assert!(page.body.contains("data-error=\"idp-failed\""), "{stage:?}: {}", page.body);
        idp.verify().await;
        let sent: Vec<_> = idp.received_requests().await.expect("recorded");
        assert!(sent.iter().all(|r| r.url.path() != "/elsewhere"), "{stage:?}: the code went on");
        assert!(sent.iter().any(|r| r.method.as_str() == "POST" && r.url.path() == TOKEN));
    }
}

#[tokio::test]
async fn a_lowercase_token_type_still_logs_the_user_in() {
    logs_in_with(tokens(|t| t["token_type"] = json!("bearer")), alice()).await;
}

#[tokio::test]
async fn a_scope_other_than_the_one_asked_for_still_logs_the_user_in() {
    logs_in_with(tokens(|t| t["scope"] = json!("openid email")), alice()).await;
}

#[tokio::test]
async fn unknown_extra_fields_in_the_token_answer_still_log_the_user_in() {
    let extra = |t: &mut Value| {
        t["refresh_token_expires_in"] = json!(7200);
        t["okta_extension"] = json!({"nested": [1, 2]});
    };
    logs_in_with(tokens(extra), alice()).await;
}

#[tokio::test]
async fn a_token_answer_without_expires_in_still_logs_the_user_in() {
    let no_expiry = |t: &mut Value| {
        t.as_object_mut().expect("an object").remove("expires_in");
    };
    logs_in_with(tokens(no_expiry), alice()).await;
}

#[tokio::test]
async fn a_userinfo_401_with_only_www_authenticate_is_a_502_page_naming_it() {
    let unauthorized = ResponseTemplate::new(401)
        .insert_header("www-authenticate", "Bearer error=\"invalid_token\"");
    let text =
        refused_with(tokens(|_| ()), unauthorized, StatusCode::BAD_GATEWAY, "idp-failed").await;
    assert!(text.contains("userinfo endpoint answered 401"), "{text}");
}

#[tokio::test]
async fn a_userinfo_403_insufficient_scope_says_an_okta_admin_must_grant_a_permission() {
    let forbidden = ResponseTemplate::new(403).insert_header(
        "www-authenticate",
        "Bearer error=\"insufficient_scope\", error_description=\"The access token must provide access to at least one of these scopes - profile, email, address or phone\"",
    );
    let text =
        refused_with(tokens(|_| ()), forbidden, StatusCode::BAD_GATEWAY, "not-granted").await;
    assert!(text.contains("lacks a permission") && text.contains("Okta admin"), "{text}");
    assert!(!text.contains("Try again in a moment"), "{text}");
}

#[tokio::test]
async fn a_userinfo_without_email_says_the_email_scope_was_not_granted() {
    let no_email = ResponseTemplate::new(200).set_body_json(json!({"sub": "00u1"}));
    let text = refused_with(tokens(|_| ()), no_email, StatusCode::BAD_GATEWAY, "not-granted").await;
    assert!(text.contains("no email") && text.contains("Okta admin"), "{text}");
}
