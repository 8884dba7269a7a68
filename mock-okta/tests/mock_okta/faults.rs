//! Every fault of the table bites where its documentation says, on both
//! authorization servers, and only while it is on.

use crate::helpers::*;
use mock_okta::{Browser, DEFAULT_CLIENT_ID, FAULTS, Fault, MockOkta};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The duration the timed faults get: `token-slow=1s`, `access-token-lifetime=1s`.
const DURATION: Duration = Duration::from_secs(1);

#[tokio::test]
async fn every_fault_bites_where_its_documentation_says_and_only_while_on() {
    let mut checks = Vec::new();
    for spec in FAULTS {
        for org in [false, true] {
            checks.push(tokio::spawn(check(spec.fault(DURATION), org)));
        }
    }
    for check in checks {
        if let Err(failed) = check.await {
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}

/// Starts a mock with `fault` on, checks that it bites on one server, then
/// that a normal login works there once it is off.
async fn check(fault: Fault, org: bool) {
    let okta = MockOkta::builder()
        .fault(fault.clone())
        .start()
        .await
        .expect("start");
    let at = if org { At::org(&okta) } else { At::from(&okta) };
    bites(at, &fault).await;
    okta.clear_faults();
    let tokens = tokens(at).await;
    let id = verify_with_jwks(at, field(&tokens, "id_token"))
        .await
        .unwrap_or_else(|| panic!("{fault}: once off, ID tokens verify again"));
    assert_eq!(id["iss"], at.issuer(), "{fault}");
}

/// What each fault does, as its documentation says.
async fn bites(at: At<'_>, fault: &Fault) {
    match fault {
        Fault::DenyConsent => login_ends_in_access_denied(at, "User denied access.").await,
        Fault::UserNotAssigned => {
            login_ends_in_access_denied(at, "User is not assigned to the client application.").await
        }
        Fault::EmailNotGranted => email_is_not_granted(at).await,
        Fault::TokenInvalidGrant => {
            token_endpoint_answers(at, StatusCode::BAD_REQUEST, Some("invalid_grant")).await
        }
        Fault::Token500 => {
            token_endpoint_answers(at, StatusCode::INTERNAL_SERVER_ERROR, Some("server_error"))
                .await
        }
        Fault::Token503 => {
            let error = Some("temporarily_unavailable");
            token_endpoint_answers(at, StatusCode::SERVICE_UNAVAILABLE, error).await
        }
        Fault::TokenMalformedJson => token_endpoint_answers(at, StatusCode::OK, None).await,
        Fault::Token429(retry_after) => token_endpoint_is_rate_limited(at, *retry_after).await,
        Fault::TokenSlow(delay) => {
            let code = code(at, &[]).await;
            let started = Instant::now();
            assert_eq!(exchange(at, &code, Some(VERIFIER)).await.0, StatusCode::OK);
            assert!(started.elapsed() >= *delay, "token-slow answered early");
        }
        Fault::TokenSlowAfterIssue(delay) => {
            let code = code(at, &[]).await;
            let started = Instant::now();
            assert_eq!(exchange(at, &code, Some(VERIFIER)).await.0, StatusCode::OK);
            assert!(
                started.elapsed() >= *delay,
                "token-slow-after-issue answered early"
            );
        }
        Fault::TokenRedirect => token_endpoint_redirects_to_the_sign_in_page(at).await,
        Fault::TokenConnectionClosed => token_connection_closes_mid_answer(at).await,
        Fault::RefreshTokenNotSent => {
            let first = tokens(at).await;
            let refresh = field(&first, "refresh_token");
            // The kept refresh token works again and again, and no new one comes.
            for _ in 0..2 {
                let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
                let (status, refreshed) = post(at, "/v1/token", &form).await;
                assert_eq!(status, StatusCode::OK, "{refreshed}");
                assert!(refreshed.get("refresh_token").is_none(), "{refreshed}");
            }
        }
        Fault::RefreshTokenRotation(grace) => refresh_tokens_rotate(at, *grace).await,
        Fault::CustomDomainIssuer(origin) => {
            let served = format!("{}/.well-known/openid-configuration", at.issuer());
            let meta = get_json(&served).await;
            let path = if at.org { "" } else { "/oauth2/default" };
            assert_eq!(meta["issuer"], format!("{origin}{path}"));
            let id = id_token_claims(at).await;
            assert_eq!(id["iss"], at.issuer(), "tokens keep their issuer");
        }
        Fault::AccessTokenLifetime(lifetime) => {
            let tokens = tokens(at).await;
            assert_eq!(tokens["expires_in"], lifetime.as_secs());
            let access = field(&tokens, "access_token");
            assert_eq!(userinfo(at, access).await.status(), StatusCode::OK);
            tokio::time::sleep(*lifetime + Duration::from_millis(100)).await;
            assert_eq!(
                userinfo(at, access).await.status(),
                StatusCode::UNAUTHORIZED,
                "an expired access token"
            );
        }
        Fault::SessionLifetime(lifetime) => {
            let browser = Browser::new();
            sign_in(&browser, &authorize_url(at, &[]), ALICE).await;
            let again = browser.get(&authorize_url(at, &[])).await;
            assert!(
                param(&redirect_params(&again), "code").is_some(),
                "within its lifetime, the sign-in is kept"
            );
            tokio::time::sleep(*lifetime + Duration::from_millis(100)).await;
            let after = browser.get(&authorize_url(at, &[])).await;
            assert!(after.is_login_page(), "then the form again: {}", after.body);
        }
        Fault::UserinfoUnauthorized => {
            let challenge = userinfo_refuses(at, StatusCode::UNAUTHORIZED).await;
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        }
        Fault::UserinfoInsufficientScope => {
            let challenge = userinfo_refuses(at, StatusCode::FORBIDDEN).await;
            assert!(
                challenge.starts_with("Bearer error=\"insufficient_scope\""),
                "{challenge}"
            );
        }
        Fault::IdTokenWrongIssuer => {
            let claims = id_token_claims(at).await;
            assert!(claims["iss"].is_string() && claims["iss"] != at.issuer());
        }
        Fault::IdTokenWrongAudience => {
            let claims = id_token_claims(at).await;
            assert!(claims["aud"].is_string() && claims["aud"] != DEFAULT_CLIENT_ID);
        }
        Fault::IdTokenMissingAudience => assert_lacks(at, "aud").await,
        Fault::IdTokenMissingSubject => assert_lacks(at, "sub").await,
        Fault::IdTokenMissingIssuedAt => assert_lacks(at, "iat").await,
        Fault::IdTokenWithoutEmail => {
            let tokens = tokens(at).await;
            let claims = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
            assert!(claims.get("email").is_none(), "email in {claims}");
            let answer = userinfo(at, field(&tokens, "access_token")).await;
            let info: Value = answer.json().await.expect("userinfo's claims");
            assert_eq!(info["email"], ALICE.0, "userinfo still has it: {info}");
            assert_eq!(info["sub"], claims["sub"], "about the same user");
        }
        Fault::IdTokenWrongNonce => {
            let claims = id_token_claims(at).await;
            assert!(claims["nonce"].is_string() && claims["nonce"] != "nonce-456");
        }
        Fault::IdTokenExpired => {
            let exp = id_token_claims(at).await["exp"].as_u64().expect("an exp");
            assert!(exp + 3000 < unix_now(), "exp {exp} is not an hour back");
        }
        Fault::AccessTokenExpired => {
            let tokens = tokens(at).await;
            let access = mock_okta::decode_claims(field(&tokens, "access_token")).expect("claims");
            let exp = access["exp"].as_u64().expect("an exp");
            assert!(exp + 3000 < unix_now(), "exp {exp} is not an hour back");
            let id = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
            assert!(
                id["exp"].as_u64() > Some(unix_now()),
                "the ID token is still good"
            );
        }
        Fault::IdTokenBadSignature => {
            let (id_token, kid) = id_token_and_kid(at).await;
            assert!(published_kids(at).await.contains(&kid), "a published kid");
            assert_eq!(
                verify_with_jwks(at, &id_token).await,
                None,
                "a bad signature"
            );
        }
        Fault::IdTokenAlgNone => {
            let id_token = field(&tokens(at).await, "id_token").to_string();
            let header = mock_okta::decode_header(&id_token).expect("a header");
            assert_eq!(header["alg"], "none");
            assert!(id_token.ends_with('.'), "no signature");
        }
        Fault::IdTokenUnknownKid => {
            let (_, kid) = id_token_and_kid(at).await;
            assert!(
                !published_kids(at).await.contains(&kid),
                "{kid} is published"
            );
        }
        Fault::RotateKeys => {
            let (rotated, kid) = id_token_and_kid(at).await;
            let published = published_kids(at).await;
            assert_eq!(published.len(), 2, "the new key beside the old one");
            assert_eq!(published[0], kid, "signed with the new key");
            assert!(verify_with_jwks(at, &rotated).await.is_some());
        }
        Fault::NextKeyPublished => {
            let (_, kid) = id_token_and_kid(at).await;
            let published = published_kids(at).await;
            assert_eq!(published.len(), 2, "the next key beside the current one");
            assert_eq!(published[0], kid, "still signed with the current key");
        }
        Fault::KeyWithdrawn => {
            let (token, kid) = id_token_and_kid(at).await;
            assert_eq!(published_kids(at).await, [kid], "the key that signs, alone");
            assert!(verify_with_jwks(at, &token).await.is_some());
        }
        Fault::KeysMaxAge(age) => {
            let answer = reqwest::get(at.url("/v1/keys")).await.expect("an answer");
            let said = answer.headers()["cache-control"].to_str().expect("ASCII");
            let expected = match age.as_secs() {
                0 => "no-cache, must-revalidate".to_string(),
                secs => format!("max-age={secs}, must-revalidate"),
            };
            assert_eq!(said, expected);
        }
        Fault::GroupsClaimString => {
            // Alice is in no group but Everyone: the string is that one.
            let login = groups_login(at, groups_scope(at)).await;
            let place = if at.org {
                &login.userinfo
            } else {
                &login.id_token
            };
            assert_eq!(place["groups"], json!("Everyone"), "{fault}");
        }
        Fault::GroupsClaimObjects => {
            let login = groups_login(at, groups_scope(at)).await;
            let place = if at.org {
                &login.userinfo
            } else {
                &login.id_token
            };
            assert_eq!(place["groups"], json!([{ "name": "Everyone" }]), "{fault}");
        }
        Fault::GroupsClaimMissing => {
            let with_groups = groups_login(at, groups_scope(at)).await;
            assert!(with_groups.id_token.get("groups").is_none(), "{fault}");
            assert!(with_groups.userinfo.get("groups").is_none(), "{fault}");
        }
        Fault::GroupsClaimNeedsScope => {
            let served = format!("{}/.well-known/openid-configuration", at.issuer());
            let scopes = get_json(&served).await["scopes_supported"].clone();
            assert!(
                scopes
                    .as_array()
                    .expect("a list")
                    .contains(&"groups".into()),
                "{scopes}"
            );
            let without = groups_login(at, "openid").await;
            assert!(without.id_token.get("groups").is_none(), "not asked for");
            assert!(without.userinfo.get("groups").is_none(), "not asked for");
            let with = groups_login(at, "openid groups").await;
            let in_id_token = with.id_token.get("groups");
            assert_eq!(in_id_token.is_some(), !at.org, "thin on the org server");
            assert_eq!(with.userinfo["groups"][0], "Everyone");
        }
        Fault::GroupsLimit(most) => {
            in_groups(at, most + 20);
            let with = groups_login(at, groups_scope(at)).await;
            let listed = with.userinfo["groups"].as_array().expect("groups").clone();
            assert_eq!(listed.len(), *most);
            assert_eq!(listed[0], "Everyone");
            if !at.org {
                assert_eq!(
                    with.id_token["groups"].as_array().map(Vec::len),
                    Some(*most)
                );
            }
        }
        Fault::GroupsLimitRefuse(most) => {
            in_groups(at, most + 1);
            let refused = code(at, &[("scope", groups_scope(at))]).await;
            let (status, body) = exchange(at, &refused, Some(VERIFIER)).await;
            assert_eq!(
                (status, &body["error"], &body["error_description"]),
                (
                    StatusCode::BAD_REQUEST,
                    &"invalid_request".into(),
                    &"The groups claim matched too many groups and must be configured to match fewer groups.".into()
                )
            );
            if at.org {
                // The org server answers groups for the groups scope only.
                let without = code(at, &[("scope", "openid email")]).await;
                assert_eq!(
                    exchange(at, &without, Some(VERIFIER)).await.0,
                    StatusCode::OK
                );
            }
        }
        _ => panic!("no check for the fault {fault}: add one to `bites`"),
    }
}

/// The scopes that bring groups where the server answers them without a
/// fault: the org server's `groups` scope; a custom server's claim, always
/// (it declares no `groups` scope).
fn groups_scope(at: At<'_>) -> &'static str {
    if at.org { "openid groups" } else { "openid" }
}

/// Alice again, in `Everyone` and `n - 1` groups of her own: `n` in all.
fn in_groups(at: At<'_>, n: usize) {
    let mut alice = mock_okta::User::new(ALICE.0, "Alice Example", ALICE.1);
    for i in 1..n {
        alice = alice.group(format!("group-{i:03}"));
    }
    at.okta.add_user(alice);
}

/// The claims of a login's ID token and of its userinfo.
struct GroupsLogin {
    id_token: Value,
    userinfo: Value,
}

/// A login as alice with these scopes.
async fn groups_login(at: At<'_>, scope: &str) -> GroupsLogin {
    let code = code(at, &[("scope", scope)]).await;
    let (status, tokens) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let answer = userinfo(at, field(&tokens, "access_token")).await;
    GroupsLogin {
        id_token: mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims"),
        userinfo: answer.json().await.expect("userinfo's claims"),
    }
}

async fn login_ends_in_access_denied(at: At<'_>, description: &str) {
    let back = sign_in(&Browser::new(), &authorize_url(at, &[]), ALICE).await;
    let params = redirect_params(&back);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(&params, "error_description").as_deref(),
        Some(description)
    );
    assert_eq!(param(&params, "state").as_deref(), Some("state-123"));
    assert_eq!(param(&params, "code"), None);
}

async fn email_is_not_granted(at: At<'_>) {
    let tokens = tokens(at).await;
    assert_eq!(tokens["scope"], "openid profile offline_access");
    let id = verify_with_jwks(at, field(&tokens, "id_token"))
        .await
        .expect("a valid ID token");
    assert!(id.get("email").is_none(), "{id}");
    let answer = userinfo(at, field(&tokens, "access_token")).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let claims: Value = answer.json().await.expect("JSON");
    assert!(claims["sub"].is_string(), "{claims}");
    assert!(
        claims.get("email").is_none() && claims.get("email_verified").is_none(),
        "{claims}"
    );
}

async fn token_endpoint_answers(at: At<'_>, status: StatusCode, error: Option<&str>) {
    let code = code(at, &[]).await;
    let (got, body) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(got, status, "{body}");
    match error {
        Some(error) => assert_eq!(body["error"], error),
        None => assert!(body.is_string(), "the body must not be JSON: {body}"),
    }
}

async fn token_endpoint_is_rate_limited(at: At<'_>, retry_after: Duration) {
    let code = code(at, &[]).await;
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let answer = raw_exchange(at, &code).await;
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    let header = |name: &str| {
        answer.headers()[name]
            .to_str()
            .expect("ASCII")
            .parse::<u64>()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert_eq!(header("retry-after"), retry_after.as_secs().max(1));
    assert_eq!(header("x-rate-limit-remaining"), 0);
    assert!(header("x-rate-limit-limit") > 0);
    assert!(
        header("x-rate-limit-reset") > before,
        "the window resets after the request"
    );
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["errorCode"], "E0000047");
    assert_eq!(
        body["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
}

/// Each refresh answers a new refresh token; the old one answers the same
/// new one within the grace period, and after it ends the whole grant.
async fn refresh_tokens_rotate(at: At<'_>, grace: Duration) {
    let first = tokens(at).await;
    let old = field(&first, "refresh_token");
    let (status, refreshed) = refresh(at, old).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let new = field(&refreshed, "refresh_token");
    assert_ne!(new, old, "a new refresh token");
    let (status, again) = refresh(at, old).await;
    assert_eq!(status, StatusCode::OK, "within the grace period: {again}");
    assert_eq!(field(&again, "refresh_token"), new, "the same new one");
    at.okta.advance(grace + Duration::from_secs(1));
    let (status, reused) = refresh(at, old).await;
    assert_eq!(
        (status, &reused["error"]),
        (StatusCode::BAD_REQUEST, &Value::from("invalid_grant"))
    );
    for access in [&first, &refreshed, &again].map(|t| field(t, "access_token")) {
        assert_eq!(
            userinfo(at, access).await.status(),
            StatusCode::UNAUTHORIZED,
            "every access token of the grant is revoked"
        );
    }
    assert_eq!(
        refresh(at, new).await.0,
        StatusCode::BAD_REQUEST,
        "and the new refresh token"
    );
}

async fn token_endpoint_redirects_to_the_sign_in_page(at: At<'_>) {
    let answer = raw_exchange(at, &code(at, &[]).await).await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    assert_eq!(
        answer.headers()["location"],
        format!("{}/login/login.htm", at.okta.org_issuer()).as_str()
    );
}

/// The answer to trading `code` as it comes: redirects not followed, the
/// body not read yet.
async fn raw_exchange(at: At<'_>, code: &str) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build();
    client
        .expect("a client")
        .post(at.url("/v1/token"))
        .basic_auth(DEFAULT_CLIENT_ID, Some(mock_okta::DEFAULT_CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("the status and headers arrive")
}

/// The status and headers arrive, the body does not complete; the code is
/// spent all the same.
async fn token_connection_closes_mid_answer(at: At<'_>) {
    let code = code(at, &[]).await;
    let answer = raw_exchange(at, &code).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.text().await.is_err(), "the body must not complete");
    at.okta.clear_faults();
    let (status, body) = exchange(at, &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &Value::from("invalid_grant")),
        "a retry with the spent code"
    );
}

/// The `WWW-Authenticate` challenge userinfo answers a good token with.
async fn userinfo_refuses(at: At<'_>, status: StatusCode) -> String {
    let access = field(&tokens(at).await, "access_token").to_string();
    let answer = userinfo(at, &access).await;
    assert_eq!(answer.status(), status);
    answer.headers()["www-authenticate"]
        .to_str()
        .expect("ASCII")
        .to_string()
}

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    now.expect("after 1970").as_secs()
}

async fn id_token_claims(at: At<'_>) -> Value {
    let tokens = tokens(at).await;
    mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims")
}

async fn assert_lacks(at: At<'_>, claim: &str) {
    let claims = id_token_claims(at).await;
    assert!(claims.get(claim).is_none(), "{claim} in {claims}");
}

async fn id_token_and_kid(at: At<'_>) -> (String, String) {
    let id_token = field(&tokens(at).await, "id_token").to_string();
    let header = mock_okta::decode_header(&id_token).expect("a header");
    let kid = header["kid"].as_str().expect("a kid").to_string();
    (id_token, kid)
}

async fn published_kids(at: At<'_>) -> Vec<String> {
    let jwks = get_json(&at.url("/v1/keys")).await;
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn rotated_keys_still_publish_the_old_key_for_tokens_issued_before() {
    let okta = MockOkta::start().await.expect("start");
    let before = field(&tokens(&okta).await, "id_token").to_string();
    okta.set_fault(Fault::RotateKeys);
    let after = field(&tokens(&okta).await, "id_token").to_string();
    let kid = |t: &str| mock_okta::decode_header(t).expect("a header")["kid"].clone();
    assert_ne!(kid(&before), kid(&after));
    assert!(verify_with_jwks(&okta, &before).await.is_some());
}

#[tokio::test]
async fn faults_are_switched_at_run_time_and_replace_their_kind() {
    let okta = MockOkta::start().await.expect("start");
    okta.set_fault(Fault::TokenSlow(Duration::from_secs(5)));
    okta.set_fault(Fault::TokenSlow(Duration::from_millis(1)));
    okta.set_fault(Fault::Token500);
    assert_eq!(
        okta.faults(),
        [Fault::TokenSlow(Duration::from_millis(1)), Fault::Token500]
    );
    okta.clear_fault(&Fault::Token500);
    assert_eq!(okta.faults(), [Fault::TokenSlow(Duration::from_millis(1))]);
    let code = code(&okta, &[]).await;
    assert_eq!(
        exchange(&okta, &code, Some(VERIFIER)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_access_token_lifetime_past_oktas_limit_is_held_to_a_day() {
    let okta = MockOkta::builder()
        .fault(Fault::AccessTokenLifetime(Duration::MAX))
        .start()
        .await
        .expect("start");
    let tokens = tokens(&okta).await;
    assert_eq!(tokens["expires_in"], mock_okta::LONGEST_DURATION.as_secs());
    let access = field(&tokens, "access_token");
    assert_eq!(userinfo(&okta, access).await.status(), StatusCode::OK);
}
