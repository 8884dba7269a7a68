//! Groups, custom scopes and access tokens as each kind of Okta
//! authorization server answers them.

use crate::helpers::*;
use mock_okta::{Browser, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, Fault, MockOkta, User};
use reqwest::StatusCode;
use serde_json::{Value, json};

const BOB: (&str, &str) = ("bob@example.com", "bob-password");

/// A login as `who` through one server with these scopes: the tokens.
async fn tokens_for<'a>(at: impl Into<At<'a>>, who: (&str, &str), scope: &str) -> Value {
    let at = at.into();
    let back = sign_in(
        &Browser::new(),
        &authorize_url(at, &[("scope", scope)]),
        who,
    )
    .await;
    let code = param(&redirect_params(&back), "code")
        .unwrap_or_else(|| panic!("no code: {:?}", redirect_params(&back)));
    let (status, tokens) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

async fn userinfo_json(at: At<'_>, tokens: &Value) -> Value {
    userinfo(at, field(tokens, "access_token"))
        .await
        .json()
        .await
        .expect("JSON")
}

fn claims(tokens: &Value, name: &str) -> Value {
    mock_okta::decode_claims(field(tokens, name)).expect("a JWT")
}

/// The error an authorize request goes back with.
async fn authorize_error<'a>(at: impl Into<At<'a>>, scope: &str) -> (String, String) {
    let browser = Browser::new();
    let back = browser.get(&authorize_url(at, &[("scope", scope)])).await;
    let params = redirect_params(&back);
    (
        param(&params, "error").expect("an error"),
        param(&params, "error_description").expect("a description"),
    )
}

#[tokio::test]
async fn the_custom_server_has_a_groups_claim_in_the_id_token_bob_is_an_admin_alice_is_not() {
    let okta = MockOkta::start().await.expect("start");
    let bob = tokens_for(&okta, BOB, "openid email").await;
    assert_eq!(
        claims(&bob, "id_token")["groups"],
        json!(["Everyone", "admins"])
    );
    assert_eq!(
        userinfo_json((&okta).into(), &bob).await["groups"],
        json!(["Everyone", "admins"])
    );
    let alice = tokens_for(&okta, ALICE, "openid email").await;
    assert_eq!(claims(&alice, "id_token")["groups"], json!(["Everyone"]));
    assert!(
        claims(&bob, "access_token").get("groups").is_none(),
        "the claim is for ID tokens"
    );
}

#[tokio::test]
async fn the_custom_server_declares_no_groups_scope() {
    let okta = MockOkta::start().await.expect("start");
    let (error, description) = authorize_error(&okta, "openid groups").await;
    assert_eq!(error, "invalid_scope");
    assert_eq!(
        description,
        "One or more scopes are not configured for the authorization server resource."
    );
}

#[tokio::test]
async fn without_its_groups_claim_the_custom_server_answers_no_groups() {
    let okta = MockOkta::builder()
        .groups_claim(false)
        .start()
        .await
        .expect("start");
    let bob = tokens_for(&okta, BOB, "openid profile").await;
    assert!(claims(&bob, "id_token").get("groups").is_none());
    assert!(
        userinfo_json((&okta).into(), &bob)
            .await
            .get("groups")
            .is_none()
    );
}

#[tokio::test]
async fn the_org_server_answers_the_groups_scope_in_userinfo_not_in_the_thin_id_token() {
    let okta = MockOkta::start().await.expect("start");
    let org = At::org(&okta);
    let bob = tokens_for(org, BOB, "openid email groups").await;
    assert!(claims(&bob, "id_token").get("groups").is_none(), "thin");
    assert_eq!(
        userinfo_json(org, &bob).await["groups"],
        json!(["Everyone", "admins"])
    );
    let without = tokens_for(org, BOB, "openid email").await;
    assert!(userinfo_json(org, &without).await.get("groups").is_none());
}

#[tokio::test]
async fn a_custom_scope_is_the_custom_servers_and_refused_by_the_org_server() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens_for(&okta, ALICE, "openid offline_access messages:read").await;
    assert_eq!(tokens["scope"], "openid offline_access messages:read");
    assert_eq!(
        claims(&tokens, "access_token")["scp"],
        json!(["openid", "offline_access", "messages:read"])
    );
    let (error, description) = authorize_error(At::org(&okta), "openid messages:read").await;
    assert_eq!(
        (error.as_str(), description.as_str()),
        (
            "invalid_scope",
            "Custom scopes are not allowed for this request."
        )
    );
    let (error, _) = authorize_error(&okta, "openid messages:write").await;
    assert_eq!(
        error, "invalid_scope",
        "a scope the server does not declare"
    );
}

#[tokio::test]
async fn discovery_lists_each_servers_scopes() {
    let okta = MockOkta::builder()
        .scope("messages:write")
        .start()
        .await
        .expect("start");
    let discovery = |issuer: &str| format!("{issuer}/.well-known/openid-configuration");
    let custom = get_json(&discovery(okta.issuer())).await["scopes_supported"].clone();
    let org = get_json(&discovery(okta.org_issuer())).await["scopes_supported"].clone();
    let standard = [
        "openid",
        "profile",
        "email",
        "address",
        "phone",
        "offline_access",
    ];
    let with = |more: &[&str]| json!(standard.iter().chain(more).collect::<Vec<_>>());
    assert_eq!(custom, with(&["messages:read", "messages:write"]));
    assert_eq!(org, with(&["groups"]));
}

/// A `client_credentials` request of the built-in service client.
async fn service_token(okta: &MockOkta, scope: Option<&str>) -> (StatusCode, Value) {
    let mut form = vec![
        ("client_id", DEFAULT_SERVICE_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("grant_type", "client_credentials"),
    ];
    form.extend(scope.map(|scope| ("scope", scope)));
    post_raw(okta, "/v1/token", &form).await
}

#[tokio::test]
async fn client_credentials_take_the_custom_servers_scopes_only() {
    let okta = MockOkta::builder()
        .scope("messages:write")
        .start()
        .await
        .expect("start");
    let (status, body) = service_token(&okta, Some("messages:read messages:write")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "messages:read messages:write");
    let cases = [
        (
            None,
            "does not have any configured default scopes, 'scope' must be provided",
        ),
        (Some("openid"), "cannot request OpenID Connect scopes"),
        (
            Some("messages:read reports:read"),
            "not configured for the authorization server resource",
        ),
    ];
    for (scope, expected) in cases {
        let (status, body) = service_token(&okta, scope).await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_scope"))
        );
        let description = body["error_description"].as_str().expect("a description");
        assert!(description.contains(expected), "{scope:?}: {description}");
    }
}

#[tokio::test]
async fn access_tokens_carry_oktas_claims_uid_and_auth_time_for_users_only() {
    let okta = MockOkta::start().await.expect("start");
    let user = tokens_for(&okta, ALICE, "openid email messages:read").await;
    let access = verify_with_jwks(&okta, field(&user, "access_token"))
        .await
        .expect("signed");
    let id = claims(&user, "id_token");
    assert_eq!(
        names(&access),
        [
            "aud",
            "auth_time",
            "cid",
            "exp",
            "iat",
            "iss",
            "jti",
            "scp",
            "sub",
            "uid",
            "ver"
        ]
    );
    assert_eq!(access["aud"], "api://default");
    assert_eq!(access["uid"], id["sub"], "uid is the user's id");
    assert_eq!(access["sub"], "alice@example.com", "sub is the login");
    assert_eq!(access["auth_time"], id["auth_time"]);
    assert!(access["jti"].as_str().is_some_and(|j| j.starts_with("AT.")));

    let (_, service) = service_token(&okta, Some("messages:read")).await;
    let access = claims(&service, "access_token");
    for absent in ["uid", "auth_time"] {
        assert!(
            access.get(absent).is_none(),
            "{absent} in a service's token: {access}"
        );
    }
    let (_, info) = post(
        &okta,
        "/v1/introspect",
        &[("token", field(&user, "access_token"))],
    )
    .await;
    assert_eq!(
        (&info["uid"], &info["aud"]),
        (&id["sub"], &json!("api://default"))
    );
}

#[tokio::test]
async fn the_custom_servers_audience_is_settable_the_org_servers_is_the_org() {
    let okta = MockOkta::builder()
        .audience("api://messages")
        .start()
        .await
        .expect("start");
    assert_eq!(okta.audience(), "api://messages");
    let (_, service) = service_token(&okta, Some("messages:read")).await;
    assert_eq!(claims(&service, "access_token")["aud"], "api://messages");
    let org = tokens_for(At::org(&okta), ALICE, "openid").await;
    assert_eq!(claims(&org, "access_token")["aud"], okta.org_issuer());
}

#[tokio::test]
async fn a_user_added_with_groups_has_them_in_the_claim() {
    let okta = MockOkta::start().await.expect("start");
    okta.add_user(User::new("carol@example.com", "Carol", "carol-password").group("finance"));
    let carol = tokens_for(&okta, ("carol@example.com", "carol-password"), "openid").await;
    assert_eq!(
        claims(&carol, "id_token")["groups"],
        json!(["Everyone", "finance"])
    );
}

const CAROL: (&str, &str) = ("carol@example.com", "carol-password");

/// Carol, in `Everyone` and three groups of her own: four in all.
fn carol() -> User {
    User::new(CAROL.0, "Carol Example", CAROL.1)
        .group("admins")
        .group("finance")
        .group("sales")
}

/// Okta's two answers to a user in more groups than a claim may list, set
/// over HTTP as a suite in any language sets them: the list cut to N, or
/// the token request refused with Okta's words.
#[tokio::test]
async fn the_groups_claim_is_cut_to_n_or_the_token_request_refused_past_n() {
    let okta = MockOkta::start().await.expect("start");
    okta.add_user(carol());
    let set = |fault: &'static str| {
        let okta = &okta;
        async move {
            control(okta, reqwest::Method::DELETE, "/faults", "").await;
            let body = json!({ "fault": fault }).to_string();
            let (status, on) = control(okta, reqwest::Method::POST, "/faults", &body).await;
            assert_eq!(status, StatusCode::OK, "{on}");
        }
    };

    set("groups-limit=3").await;
    let cut = tokens_for(&okta, CAROL, "openid").await;
    let three = json!(["Everyone", "admins", "finance"]);
    assert_eq!(claims(&cut, "id_token")["groups"], three);
    assert_eq!(userinfo_json((&okta).into(), &cut).await["groups"], three);

    set("groups-limit-refuse=3").await;
    let code = code_for(&okta, CAROL, "openid").await;
    let (status, body) = exchange(&okta, &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, &body["error"], &body["error_description"]),
        (
            StatusCode::BAD_REQUEST,
            &json!("invalid_request"),
            &json!(
                "The groups claim matched too many groups and must be configured to match fewer groups."
            )
        )
    );
    set("groups-limit-refuse=4").await;
    let four = tokens_for(&okta, CAROL, "openid").await;
    assert_eq!(
        claims(&four, "id_token")["groups"].as_array().map(Vec::len),
        Some(4),
        "four groups are not more than 4"
    );
}

/// A code got by logging in as `who` with these scopes.
async fn code_for(okta: &MockOkta, who: (&str, &str), scope: &str) -> String {
    let back = sign_in(
        &Browser::new(),
        &authorize_url(okta, &[("scope", scope)]),
        who,
    )
    .await;
    param(&redirect_params(&back), "code").expect("a code")
}

/// A refresh refused for the user's groups, or for a wider scope, replaces
/// nothing, even with rotation on: the app's refresh token still works.
#[tokio::test]
async fn a_refused_refresh_rotates_nothing() {
    let okta = MockOkta::builder()
        .user(carol())
        .fault(Fault::RefreshTokenRotation(std::time::Duration::ZERO))
        .start()
        .await
        .expect("start");
    let first = tokens_for(&okta, CAROL, "openid offline_access").await;
    let held = field(&first, "refresh_token");

    okta.set_fault(Fault::GroupsLimitRefuse(3));
    let (status, body) = refresh(&okta, held).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );
    okta.clear_fault(&Fault::GroupsLimitRefuse(3));
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", held),
        ("scope", "openid offline_access email"),
    ];
    let (status, body) = post(&okta, "/v1/token", &form).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_scope"))
    );

    let (status, body) = refresh(&okta, held).await;
    assert_eq!(status, StatusCode::OK, "not rotated, so no reuse: {body}");
}

/// `groups-claim-needs-scope`: the custom server declares `groups`, and
/// puts the claim in only when an app asks for it.
#[tokio::test]
async fn a_groups_claim_that_needs_its_scope_is_declared_and_answered_with_it_only() {
    let okta = MockOkta::builder()
        .fault(Fault::GroupsClaimNeedsScope)
        .start()
        .await
        .expect("start");
    let meta = get_json(&format!(
        "{}/.well-known/openid-configuration",
        okta.issuer()
    ))
    .await;
    assert!(
        meta["scopes_supported"]
            .as_array()
            .expect("a list")
            .contains(&json!("groups")),
        "{meta}"
    );
    let without = tokens_for(&okta, BOB, "openid").await;
    assert!(claims(&without, "id_token").get("groups").is_none());
    let with = tokens_for(&okta, BOB, "openid groups").await;
    assert_eq!(
        claims(&with, "id_token")["groups"],
        json!(["Everyone", "admins"])
    );
    okta.clear_faults();
    let (error, _) = authorize_error(&okta, "openid groups").await;
    assert_eq!(
        error, "invalid_scope",
        "declared only while the fault is on"
    );
}
