//! `/v1/authorize`: the login page, and the redirect back with a code
//! (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2). The request is checked
//! first ([`crate::authorize_request`]); the page is in [`crate::pages`].

use crate::authorize_request::{Authorize, check};
use crate::error::{OAuthError, Outcome};
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::pages::{error_page, login_page};
use crate::params::{Params, cookie, form};
use crate::store::{CODE_LIFETIME, Code, LOGIN_LIFETIME, Login};
use crate::tokens::random_id;
use crate::users::User;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The mock's login cookie. Its own name, and `Path=/oauth2`, so it never
/// collides with an app's cookies on another port of the same host; both
/// authorization servers read it, as an Okta session is org-wide.
pub const LOGIN_COOKIE: &str = "mock_okta_sid";

pub(super) async fn get(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => authorize(&server, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// The login form posts here, with the authorize parameters as hidden fields.
pub(super) async fn post(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match form(&headers, &body) {
        Ok(params) => authorize(&server, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// Checks the request, then answers it: a denial, a sign-in, a code for
/// the login the mock's cookie names, or the login page.
fn authorize(server: &AuthServer, headers: &HeaderMap, params: &Params) -> Response {
    let request = match check(server, params) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    match params.get("action") {
        Some("deny") => request.back.error("access_denied", "User denied access."),
        Some("login") => sign_in(server, &request, params),
        Some(_) => error_page(&OAuthError::invalid_request(
            "The 'action' parameter must be login or deny.",
        )),
        None => {
            // A login whose user was removed or deactivated since is no login.
            let login = cookie(headers, LOGIN_COOKIE)
                .and_then(|id| server.org.logins.get(id))
                .filter(|login| server.org.is_active(&login.user_id))
                .and_then(|login| Some((server.org.user_by_id(&login.user_id)?, login)));
            match (login, params.get("prompt")) {
                (Some((user, login)), prompt) if prompt != Some("login") => {
                    issue_code(server, &request, &user, login.auth_time)
                }
                (None, Some("none")) => request.back.error(
                    "login_required",
                    "The client specified not to prompt, but the user is not logged in.",
                ),
                _ => login_page(params, &server.org.users(), StatusCode::OK, None),
            }
        }
    }
}

/// What the login form says when it refuses a sign-in.
const UNABLE_TO_SIGN_IN: &str = "Unable to sign in: wrong username or password.";

/// The login form was submitted: the form again on a wrong password or for
/// a deactivated user, or a new login to the mock (its cookie) and a code.
fn sign_in(server: &AuthServer, request: &Authorize<'_>, params: &Params) -> Response {
    let username = params.get("username").unwrap_or("");
    let password = params.get("password").unwrap_or("");
    let refused = || {
        login_page(
            params,
            &server.org.users(),
            StatusCode::UNAUTHORIZED,
            Some(UNABLE_TO_SIGN_IN),
        )
    };
    let Some(user) = server.org.user(username).filter(|u| u.password == password) else {
        return refused();
    };
    if !server.org.is_active(&user.id()) {
        // Okta answers a deactivated user as a wrong password ("Unable to
        // sign in", its sign-in widget's words for E0000004), so a sign-in
        // page never tells whether an account exists or is active; the log
        // line says why.
        let why = Outcome::new(format!(
            "user {:?} is deactivated: POST /__mock/users/KEY/lifecycle/activate lets it sign in",
            user.email
        ));
        return (why, refused()).into_response();
    }
    let id = random_id();
    let clock = &server.org.clock;
    let auth_time = clock.unix();
    let lifetime = server
        .org
        .fault(|f| match f {
            Fault::SessionLifetime(d) => Some(*d),
            _ => None,
        })
        .unwrap_or(LOGIN_LIFETIME);
    let login = Login {
        user_id: user.id(),
        auth_time,
        expires: clock.now() + lifetime,
    };
    server.org.logins.insert(id.clone(), login);
    let cookie = format!("{LOGIN_COOKIE}={id}; Path=/oauth2; HttpOnly; SameSite=Lax");
    let code = issue_code(server, request, &user, auth_time);
    ([(header::SET_COOKIE, cookie)], code).into_response()
}

/// Redirects back with a new code, unless a consent fault is on. The code
/// grants the scopes asked for, less `email` under `EmailNotGranted`.
fn issue_code(
    server: &AuthServer,
    request: &Authorize<'_>,
    user: &User,
    auth_time: u64,
) -> Response {
    let org = &server.org;
    if org.has_fault(&Fault::DenyConsent) {
        return request.back.error("access_denied", "User denied access.");
    }
    if org.has_fault(&Fault::UserNotAssigned) {
        return request.back.error(
            "access_denied",
            "User is not assigned to the client application.",
        );
    }
    let mut scopes = request.scopes.clone();
    if org.has_fault(&Fault::EmailNotGranted) {
        scopes.retain(|s| s != "email");
    }
    let code = random_id();
    let entry = Code {
        client_id: request.client.id.clone(),
        redirect_uri: request.back.redirect_uri.to_string(),
        challenge: request.challenge.clone(),
        nonce: request.nonce.clone(),
        scopes,
        user_id: user.id(),
        auth_time,
        grant: random_id(),
        redeemed: false,
        expires: org.clock.now() + CODE_LIFETIME,
    };
    server.codes.insert(code.clone(), entry);
    request
        .back
        .with(&[("code", &code)], format!("code for {}", user.email))
}
