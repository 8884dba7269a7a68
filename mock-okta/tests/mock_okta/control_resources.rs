//! The control API's resources: users and clients added, read, replaced,
//! changed and removed; scopes declared; the faults' catalogue; a reset
//! back to the start; and the API's own edges (its index, 404, 405, and
//! errors in JSON's words).

use crate::helpers::*;
use mock_okta::{Browser, MockOkta};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The `sub` of an ID token got by logging in as `login` with the default
/// client.
async fn sub_after_login(okta: &MockOkta, login: (&str, &str)) -> Value {
    let back = sign_in(&Browser::new(), &authorize_url(okta, &[]), login).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let (status, tokens) = exchange(okta, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let claims = mock_okta::decode_claims(field(&tokens, "id_token")).expect("claims");
    claims["sub"].clone()
}

#[tokio::test]
async fn a_user_is_added_read_changed_and_keeps_its_id_through_a_new_email() {
    let okta = MockOkta::start().await.expect("start");
    let (status, listed) = control(&okta, Method::GET, "/users", "").await;
    assert_eq!(status, StatusCode::OK);
    let emails: Vec<&str> = listed["users"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|u| u["email"].as_str().expect("an email"))
        .collect();
    assert_eq!(emails, ["alice@example.com", "bob@example.com"]);
    assert!(
        !listed.to_string().contains("alice-password"),
        "no password"
    );

    // Added with no name: the email is its name.
    let carol =
        r#"{"email": "carol@example.com", "password": "carol-password", "groups": ["finance"]}"#;
    let (status, added) = control(&okta, Method::POST, "/users", carol).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], "carol@example.com");
    let id = added["id"].as_str().expect("an id").to_string();
    assert!(id.starts_with("00u"), "{id}");
    let (status, again) = control(&okta, Method::POST, "/users", carol).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_line(&again).contains("PUT /__mock/users/"), "{again}");

    let (_, by_email) = control(&okta, Method::GET, "/users/Carol@Example.com", "").await;
    let (_, by_id) = control(&okta, Method::GET, &format!("/users/{id}"), "").await;
    assert_eq!(by_email, by_id);
    assert_eq!(by_id, added);
    let sub = sub_after_login(&okta, ("carol@example.com", "carol-password")).await;
    assert_eq!(sub, json!(id), "the id is the sub");

    // A new email at Okta: the same user (OpenID Connect Core §5.7).
    let change = r#"{"email": "carol@example.org", "name": "Carol Example"}"#;
    let (status, changed) = control(&okta, Method::PATCH, &format!("/users/{id}"), change).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["id"], json!(id));
    assert_eq!(changed["groups"], json!(["finance"]), "kept");
    let sub = sub_after_login(&okta, ("carol@example.org", "carol-password")).await;
    assert_eq!(sub, json!(id));
    let (status, _) = control(&okta, Method::GET, "/users/carol@example.com", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old email names nobody");

    // Replaced whole: what is left out takes its default; the id stays.
    let whole = r#"{"email": "carol@example.org", "password": "new-password"}"#;
    let (status, replaced) = control(&okta, Method::PUT, &format!("/users/{id}"), whole).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        (&replaced["id"], &replaced["groups"]),
        (&json!(id), &json!([]))
    );
    let moved = r#"{"id": "00uother", "email": "carol@example.org", "password": "p"}"#;
    let (status, refused) = control(&okta, Method::PUT, &format!("/users/{id}"), moved).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_line(&refused).starts_with("id: a user's id does not change"));
    let taken = r#"{"email": "alice@example.com"}"#;
    let (status, refused) = control(&okta, Method::PATCH, &format!("/users/{id}"), taken).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_line(&refused).contains("is the email of another user"));
    let (status, refused) = control(&okta, Method::PUT, "/users/dan@example.com", whole).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the body names another user"
    );
    assert!(
        error_line(&refused).contains("send the same email"),
        "{refused}"
    );
    let dan = r#"{"email": "dan@example.com", "password": "dan-password"}"#;
    let (status, _) = control(&okta, Method::PUT, "/users/dan@example.com", dan).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "PUT adds a user that is not there"
    );
    let (status, _) = control(&okta, Method::PUT, "/users/dan@example.com", dan).await;
    assert_eq!(status, StatusCode::OK, "and replaces it the next time");
}

#[tokio::test]
async fn a_user_removed_loses_every_token_and_login() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    let tokens = tokens(&okta).await;
    let (status, _) = control(&okta, Method::DELETE, "/users/alice@example.com", "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, body) = refresh(&okta, field(&tokens, "refresh_token")).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
    let access = field(&tokens, "access_token");
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, introspected) = post(&okta, "/v1/introspect", &[("token", access)]).await;
    assert_eq!(introspected["active"], false);
    // The mock's own login ended too: the next authorize shows the form.
    let page = browser.get(&authorize_url(&okta, &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("password"), "the login form");

    let (status, gone) = control(&okta, Method::DELETE, "/users/alice@example.com", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_line(&gone).contains("GET /__mock/users lists them"));
    assert!(!okta.remove_user("alice@example.com"), "the library agrees");
}

/// Signs in at the custom server's login form as `login`, in a new
/// browser: the answer, not followed.
async fn sign_in_answer(okta: &MockOkta, (username, password): (&str, &str)) -> mock_okta::Page {
    let browser = Browser::new();
    let form = browser.get(&authorize_url(okta, &[])).await;
    browser
        .post_login_form(&form, "login", username, password)
        .await
}

/// Okta's lifecycle operations over HTTP: a deactivated user's logins and
/// tokens end and its sign-ins are refused, as a wrong password is; once
/// activated, it signs in again.
#[tokio::test]
async fn a_user_deactivated_over_http_loses_every_login_and_token_until_activated() {
    let okta = MockOkta::start().await.expect("start");
    let browser = Browser::new();
    sign_in(&browser, &authorize_url(&okta, &[]), ALICE).await;
    let tokens = tokens(&okta).await;
    let bobs = tokens_of(&okta, ("bob@example.com", "bob-password")).await;

    let (status, user) = control(
        &okta,
        Method::POST,
        "/users/alice@example.com/lifecycle/deactivate",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["status"], "DEPROVISIONED");
    let (_, read) = control(&okta, Method::GET, "/users/alice@example.com", "").await;
    assert_eq!(read["status"], "DEPROVISIONED");

    let (status, body) = refresh(&okta, field(&tokens, "refresh_token")).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
    let access = field(&tokens, "access_token");
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, introspected) = post(&okta, "/v1/introspect", &[("token", access)]).await;
    assert_eq!(introspected, json!({ "active": false }));
    assert!(
        browser
            .get(&authorize_url(&okta, &[]))
            .await
            .is_login_page(),
        "the mock's login ended"
    );
    let refused = sign_in_answer(&okta, ALICE).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused.is_login_page()
            && refused
                .body
                .contains("Unable to sign in: wrong username or password."),
        "refused as a wrong password is, as at Okta: {}",
        refused.body
    );
    let bobs_access = field(&bobs, "access_token");
    assert_eq!(
        userinfo(&okta, bobs_access).await.status(),
        StatusCode::OK,
        "bob's stay"
    );

    let (status, again) = control(
        &okta,
        Method::POST,
        "/users/alice@example.com/lifecycle/deactivate",
        "",
    )
    .await;
    assert_eq!(
        (status, &again["status"]),
        (StatusCode::OK, &json!("DEPROVISIONED"))
    );
    let (status, user) = control(
        &okta,
        Method::POST,
        "/users/alice@example.com/lifecycle/activate",
        "",
    )
    .await;
    assert_eq!(
        (status, &user["status"]),
        (StatusCode::OK, &json!("ACTIVE"))
    );
    let back = sign_in_answer(&okta, ALICE).await;
    assert!(
        param(&redirect_params(&back), "code").is_some(),
        "signs in again"
    );
    assert_eq!(
        userinfo(&okta, access).await.status(),
        StatusCode::UNAUTHORIZED,
        "what ended stays ended"
    );

    let (status, nobody) = control(
        &okta,
        Method::POST,
        "/users/nobody@example.com/lifecycle/deactivate",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_line(&nobody).contains("GET /__mock/users lists them"));
}

/// A full login with the default client as `login`: the token response.
async fn tokens_of(okta: &MockOkta, login: (&str, &str)) -> Value {
    let back = sign_in(&Browser::new(), &authorize_url(okta, &[]), login).await;
    let code = param(&redirect_params(&back), "code").expect("a code");
    let (status, tokens) = exchange(okta, &code, Some(VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

/// `status` is read-only, as in Okta's Users API: a user read and sent back
/// whole goes through; another status is refused with the line naming the
/// lifecycle operation. From Rust, `deactivate_user` and `activate_user`;
/// a reset brings every user back active.
#[tokio::test]
async fn a_users_status_changes_by_its_lifecycle_only_and_from_rust_too() {
    let okta = MockOkta::start().await.expect("start");
    let (_, alice) = control(&okta, Method::GET, "/users/alice@example.com", "").await;
    assert_eq!(alice["status"], "ACTIVE");
    let mut sent = alice.clone();
    sent["password"] = json!("alice-password");
    let (status, put) = control(
        &okta,
        Method::PUT,
        "/users/alice@example.com",
        &sent.to_string(),
    )
    .await;
    assert_eq!((status, &put), (StatusCode::OK, &alice), "a round trip");
    for (method, body) in [
        (Method::PATCH, r#"{"status": "DEPROVISIONED"}"#),
        (
            Method::PUT,
            r#"{"email": "alice@example.com", "password": "p", "status": "SUSPENDED"}"#,
        ),
        (
            Method::POST,
            r#"{"email": "erin@example.com", "password": "p", "status": "DEPROVISIONED"}"#,
        ),
    ] {
        let path = if method == Method::POST {
            "/users"
        } else {
            "/users/alice@example.com"
        };
        let (status, refused) = control(&okta, method.clone(), path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {body}");
        let line = error_line(&refused);
        assert!(
            line.starts_with("status: \"") && line.contains("/lifecycle/deactivate"),
            "{line}"
        );
    }

    assert!(okta.deactivate_user("alice@example.com"));
    assert_eq!(
        sign_in_answer(&okta, ALICE).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (status, patched) = control(
        &okta,
        Method::PATCH,
        "/users/alice@example.com",
        r#"{"name": "Alice", "status": "DEPROVISIONED"}"#,
    )
    .await;
    assert_eq!(
        (status, &patched["status"]),
        (StatusCode::OK, &json!("DEPROVISIONED"))
    );
    okta.reset();
    let (_, alice) = control(&okta, Method::GET, "/users/alice@example.com", "").await;
    assert_eq!(alice["status"], "ACTIVE", "a reset: every user active");
    assert!(okta.deactivate_user("alice@example.com"));
    assert!(okta.activate_user("alice@example.com"));
    let back = sign_in_answer(&okta, ALICE).await;
    assert!(param(&redirect_params(&back), "code").is_some());
    assert!(!okta.deactivate_user("nobody@example.com"));
    assert!(!okta.activate_user("nobody@example.com"));
}

#[tokio::test]
async fn a_client_is_echoed_as_understood_changed_in_part_and_removed() {
    let okta = MockOkta::start().await.expect("start");
    let spa = r#"{"id": "spa", "redirect_uris": ["http://localhost:5173/cb"]}"#;
    let (status, added) = control(&okta, Method::POST, "/clients", spa).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        added,
        json!({
            "id": "spa",
            "public": true,
            "token_endpoint_auth_methods": ["none"],
            "redirect_uris": ["http://localhost:5173/cb"],
            "post_logout_redirect_uris": [],
            "grant_types": ["authorization_code", "refresh_token"],
            "require_pkce": true,
        })
    );
    assert_eq!(
        control(&okta, Method::POST, "/clients", spa).await.0,
        StatusCode::CONFLICT
    );

    // A secret given: confidential, and PKCE follows the secret again.
    let (status, changed) = control(
        &okta,
        Method::PATCH,
        "/clients/spa",
        r#"{"secret": "s3cret"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["public"], &changed["require_pkce"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        changed["redirect_uris"],
        json!(["http://localhost:5173/cb"]),
        "kept"
    );
    let (_, listed) = control(&okta, Method::GET, "/clients", "").await;
    assert!(!listed.to_string().contains("s3cret"), "no secret shown");
    // Made public again: it must use PKCE.
    let (_, public) = control(&okta, Method::PATCH, "/clients/spa", r#"{"secret": null}"#).await;
    assert_eq!(
        (&public["public"], &public["require_pkce"]),
        (&json!(true), &json!(true))
    );
    let (status, replaced) =
        control(&okta, Method::PUT, "/clients/spa", r#"{"secret": "x"}"#).await;
    assert_eq!(status, StatusCode::OK, "the path gives the id");
    assert_eq!(replaced["redirect_uris"], json!([]), "replaced whole");
    let (status, refused) = control(&okta, Method::PUT, "/clients/spa", r#"{"id": "other"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_line(&refused).starts_with("id: the path names the client \"spa\""));
    let (status, _) = control(&okta, Method::PUT, "/clients/cli", r#"{"secret": "x"}"#).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "PUT registers a client that is not there"
    );

    // Removed: its tokens go with it.
    let tokens = tokens(&okta).await;
    let (status, _) = control(
        &okta,
        Method::DELETE,
        &format!("/clients/{}", mock_okta::DEFAULT_CLIENT_ID),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        userinfo(&okta, field(&tokens, "access_token"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = control(&okta, Method::GET, "/clients/nope", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_scope_declared_over_http_is_served_until_withdrawn() {
    let okta = MockOkta::start().await.expect("start");
    let discovery = format!("{}/.well-known/openid-configuration", okta.issuer());
    let body = r#"{"scope": "messages:write"}"#;
    let (status, server) = control(&okta, Method::POST, "/auth-servers/default/scopes", body).await;
    assert_eq!(status, StatusCode::CREATED, "{server}");
    assert_eq!(server["scopes"], json!(["messages:read", "messages:write"]));
    assert!(
        get_json(&discovery).await["scopes_supported"]
            .as_array()
            .expect("scopes")
            .contains(&json!("messages:write"))
    );
    let (status, _) = control(&okta, Method::POST, "/auth-servers/default/scopes", body).await;
    assert_eq!(status, StatusCode::OK, "declared already");

    let granted = |scope: &'static str| {
        let okta = &okta;
        async move {
            let client = (
                mock_okta::DEFAULT_SERVICE_CLIENT_ID,
                mock_okta::DEFAULT_CLIENT_SECRET,
            );
            let form = [
                ("client_id", client.0),
                ("client_secret", client.1),
                ("grant_type", "client_credentials"),
                ("scope", scope),
            ];
            post_raw(okta, "/v1/token", &form).await.0
        }
    };
    assert_eq!(granted("messages:write").await, StatusCode::OK);

    let (status, _) = control(
        &okta,
        Method::DELETE,
        "/auth-servers/default/scopes/messages:write",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        granted("messages:write").await,
        StatusCode::BAD_REQUEST,
        "invalid_scope"
    );
    let cases = [
        (
            "/auth-servers/default/scopes",
            r#"{"scope": "a b"}"#,
            StatusCode::BAD_REQUEST,
            "scope: \"a b\" is not a scope",
        ),
        (
            "/auth-servers/nope/scopes",
            body,
            StatusCode::NOT_FOUND,
            "no custom authorization server is named \"nope\": they are default",
        ),
    ];
    for (path, body, status, line) in cases {
        let (got, answer) = control(&okta, Method::POST, path, body).await;
        assert_eq!(got, status, "{path}");
        assert!(error_line(&answer).starts_with(line), "{answer}");
    }
    let (status, _) = control(
        &okta,
        Method::DELETE,
        "/auth-servers/default/scopes/messages:write",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "withdrawn already");
}

#[tokio::test]
async fn the_faults_catalogue_says_what_each_does_how_to_write_it_and_if_it_is_on() {
    let okta = MockOkta::start().await.expect("start");
    control(
        &okta,
        Method::POST,
        "/faults",
        r#"{"fault": "token-slow=2s"}"#,
    )
    .await;
    let (_, listed) = control(&okta, Method::GET, "/faults", "").await;
    let catalogue = listed["catalogue"].as_array().expect("a catalogue");
    assert_eq!(catalogue.len(), mock_okta::FAULTS.len(), "every fault");
    let slow = catalogue
        .iter()
        .find(|f| f["name"] == "token-slow")
        .expect("token-slow");
    assert_eq!(slow["syntax"], "token-slow=DURATION");
    assert_eq!(
        (&slow["on"], &slow["set"]),
        (&json!(true), &json!("token-slow=2000ms"))
    );
    assert!(
        !slow["description"]
            .as_str()
            .expect("a description")
            .is_empty()
    );
    let off = catalogue
        .iter()
        .find(|f| f["name"] == "token-503")
        .expect("token-503");
    assert_eq!((&off["on"], &off["set"]), (&json!(false), &Value::Null));

    let (status, answer) = control(&okta, Method::DELETE, "/faults/token-503", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "it was not on");
    assert!(error_line(&answer).starts_with("the fault token-503 is not on"));
}

#[tokio::test]
async fn a_reset_brings_the_mock_back_to_its_start() {
    let okta = MockOkta::start().await.expect("start");
    let tokens = tokens(&okta).await;
    let changes = [
        (
            "/users",
            r#"{"email": "carol@example.com", "password": "p"}"#,
        ),
        (
            "/clients",
            r#"{"id": "spa", "redirect_uris": ["http://localhost/cb"]}"#,
        ),
        ("/faults", r#"{"fault": "token-503"}"#),
        ("/clock", r#"{"advance": "1h"}"#),
        (
            "/auth-servers/default/scopes",
            r#"{"scope": "messages:write"}"#,
        ),
    ];
    for (path, body) in changes {
        let (status, answer) = control(&okta, Method::POST, path, body).await;
        assert!(status.is_success(), "{path}: {answer}");
    }
    control(&okta, Method::DELETE, "/users/bob@example.com", "").await;

    let (status, answer) = control(&okta, Method::POST, "/reset", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        json!({
            "users": ["alice@example.com", "bob@example.com"],
            "clients": [mock_okta::DEFAULT_CLIENT_ID, mock_okta::DEFAULT_SERVICE_CLIENT_ID],
            "faults": [],
        })
    );
    let (_, clock) = control(&okta, Method::GET, "/clock", "").await;
    assert_eq!(clock["ahead_seconds"], 0);
    let (_, servers) = control(&okta, Method::GET, "/auth-servers", "").await;
    assert_eq!(
        servers["auth_servers"][0]["scopes"],
        json!(["messages:read"])
    );
    let (_, requests) = control(&okta, Method::GET, "/requests", "").await;
    assert_eq!(requests["requests"], json!([]));
    assert_eq!(
        userinfo(&okta, field(&tokens, "access_token"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "tokens are forgotten"
    );
    // And it works as new.
    let code = code(&okta, &[]).await;
    assert_eq!(
        exchange(&okta, &code, Some(VERIFIER)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_api_lists_itself_and_answers_405_for_a_method_a_path_lacks() {
    let okta = MockOkta::start().await.expect("start");
    let (status, bare) = control(&okta, Method::GET, "", "").await;
    assert_eq!(status, StatusCode::OK);
    let (_, slash) = control(&okta, Method::GET, "/", "").await;
    assert_eq!(bare, slash, "/__mock and /__mock/ alike");
    let routes = bare["endpoints"].as_array().expect("a list");
    assert!(routes.contains(&json!({
        "method": "POST",
        "path": "/__mock/reset",
        "does": routes.iter().find(|r| r["path"] == "/__mock/reset").expect("reset")["does"],
    })));

    let answer = reqwest::Client::new()
        .put(format!("{}/faults", okta.control_url().expect("on")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = answer.headers()["allow"]
        .to_str()
        .expect("ASCII")
        .to_string();
    assert_eq!(allow, "GET,HEAD,POST,DELETE");
    let body: Value = answer.json().await.expect("JSON");
    assert!(error_line(&body).starts_with("PUT is not a method of /__mock/faults"));

    let cases = [
        (
            "/users",
            "[]",
            "expected a JSON object, not an array: send {",
        ),
        ("/users", "{\"email\": ", "the body is not JSON: send {"),
        (
            "/users",
            r#"{"email": "c@example.com", "password": 5}"#,
            "password: expected a string, not number 5",
        ),
        (
            "/clients",
            r#"{"id": "a", "grant_types": "authorization_code"}"#,
            "grant_types: expected an array, not string",
        ),
    ];
    for (path, body, line) in cases {
        let (status, answer) = control(&okta, Method::POST, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let said = error_line(&answer);
        assert!(said.starts_with(line), "{body}: {said}");
        for internal in ["line 1", "column", "struct", "ident", "`"] {
            assert!(!said.contains(internal), "{body}: {said}");
        }
    }
}
