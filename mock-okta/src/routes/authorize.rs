//! `/v1/authorize`: the login page, and the redirect back with a code.
//!
//! An unknown client or an unregistered redirect URI gets an error *page*:
//! sending an error to an unchecked URI would make the mock an open
//! redirector. Every other problem goes back to the app as
//! `redirect_uri?error=…&state=…`, as in Okta.

use super::{OIDC_SCOPES, cookie, error_page, escape, now, page};
use crate::params::{Params, is_pkce_value};
use crate::record::Outcome;
use crate::store::{CODE_LIFETIME, Challenge, Code};
use crate::tokens::random_id;
use crate::{Client, Fault, LOGIN_COOKIE, OAuthError, Shared};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use std::time::Instant;

pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => authorize(&shared, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// The login form posts here, with the authorize parameters as hidden fields.
pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match super::form(&headers, &body) {
        Ok(params) => authorize(&shared, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// Where errors and codes go: the checked redirect URI, with the state.
struct Back<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
}

impl Back<'_> {
    fn with(&self, pairs: &[(&str, &str)], outcome: String) -> Response {
        let mut url =
            url::Url::parse(self.redirect_uri).expect("registered redirect URIs are absolute URLs");
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in pairs {
                query.append_pair(name, value);
            }
            if let Some(state) = self.state {
                query.append_pair("state", state);
            }
        }
        let mut response = Redirect::to(url.as_str()).into_response();
        *response.status_mut() = StatusCode::FOUND;
        response.extensions_mut().insert(Outcome(outcome));
        response
    }

    fn error(&self, error: &str, description: &str) -> Response {
        self.with(
            &[("error", error), ("error_description", description)],
            format!("redirect with error={error}"),
        )
    }
}

/// A checked authorize request.
struct Authorize<'a> {
    client: Client,
    back: Back<'a>,
    scopes: Vec<String>,
    challenge: Option<Challenge>,
    nonce: Option<String>,
}

fn authorize(shared: &Shared, headers: &HeaderMap, params: &Params) -> Response {
    let request = match check(shared, params) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    let login_id = cookie(headers, LOGIN_COOKIE);
    let login = login_id.and_then(|id| shared.store.login(id));
    match params.get("action") {
        Some("deny") => request.back.error("access_denied", "User denied access."),
        Some("login") => {
            let username = params.get("username").unwrap_or("");
            let password = params.get("password").unwrap_or("");
            let user = shared.user(username).filter(|u| u.password == password);
            let Some(user) = user else {
                return login_page(
                    shared,
                    params,
                    StatusCode::UNAUTHORIZED,
                    Some("Unable to sign in: wrong username or password."),
                );
            };
            let id = random_id();
            let auth_time = now();
            shared
                .store
                .add_login(id.clone(), user.email.clone(), auth_time);
            let mut response = issue_code(shared, &request, &user.email, auth_time);
            let cookie = format!("{LOGIN_COOKIE}={id}; Path=/oauth2; HttpOnly; SameSite=Lax");
            response.headers_mut().append(
                header::SET_COOKIE,
                cookie.parse().expect("a valid cookie header"),
            );
            response
        }
        Some(_) => error_page(&OAuthError::invalid_request(
            "The 'action' parameter must be login or deny.",
        )),
        None => match (login, params.get("prompt")) {
            (Some(login), prompt) if prompt != Some("login") => {
                issue_code(shared, &request, &login.email, login.auth_time)
            }
            (None, Some("none")) => request.back.error(
                "login_required",
                "The client specified not to prompt, but the user is not logged in.",
            ),
            _ => login_page(shared, params, StatusCode::OK, None),
        },
    }
}

/// Checks the request: a page for what cannot go back, a redirect for the rest.
fn check<'a>(shared: &Shared, params: &'a Params) -> Result<Authorize<'a>, Box<Response>> {
    let page_error = |description: &str| {
        Err(Box::new(error_page(&OAuthError::invalid_request(
            description,
        ))))
    };
    let Some(client_id) = params.get("client_id") else {
        return page_error("The 'client_id' parameter is missing.");
    };
    let Some(client) = shared.client(client_id) else {
        return Err(Box::new(error_page(&OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Invalid value for 'client_id' parameter.",
        ))));
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return page_error("The 'redirect_uri' parameter is missing.");
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return page_error(
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        );
    }
    let back = Back {
        redirect_uri,
        state: params.get("state"),
    };
    let fail = |error: &str, description: &str| Err(Box::new(back.error(error, description)));

    if params.get("response_type") != Some("code") {
        return fail(
            "unsupported_response_type",
            "The response type is not supported by the authorization server. Configured response types: [code].",
        );
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return fail(
            "invalid_request",
            "The 'response_mode' parameter must be query.",
        );
    }
    if back.state.is_none() {
        return fail(
            "invalid_request",
            "The authorization request is missing the 'state' parameter.",
        );
    }
    let scopes = params.words("scope");
    if !scopes.iter().any(|s| s == "openid") {
        return fail("invalid_scope", "The 'openid' scope is required.");
    }
    if let Some(unknown) = scopes.iter().find(|s| !OIDC_SCOPES.contains(&s.as_str())) {
        let unknown = crate::params::shorten(unknown);
        return fail(
            "invalid_scope",
            &format!("The scope '{unknown}' is not configured for the authorization server."),
        );
    }
    let challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) => None,
        (None, Some(_)) => {
            return fail(
                "invalid_request",
                "The 'code_challenge_method' parameter was sent without a 'code_challenge'.",
            );
        }
        (Some(challenge), method) => {
            if !is_pkce_value(challenge) {
                return fail(
                    "invalid_request",
                    "PKCE code challenge must be 43 to 128 unreserved characters.",
                );
            }
            match method.unwrap_or("plain") {
                "S256" => Some(Challenge::S256(challenge.to_string())),
                "plain" => Some(Challenge::Plain(challenge.to_string())),
                _ => {
                    return fail(
                        "invalid_request",
                        "PKCE code challenge method must be S256 or plain.",
                    );
                }
            }
        }
    };
    if client.require_pkce && challenge.is_none() {
        return fail(
            "invalid_request",
            "PKCE code challenge is required by this client.",
        );
    }
    Ok(Authorize {
        client,
        back,
        scopes,
        challenge,
        nonce: params.get("nonce").map(String::from),
    })
}

fn issue_code(shared: &Shared, request: &Authorize<'_>, email: &str, auth_time: u64) -> Response {
    if shared.has_fault(&Fault::DenyConsent) {
        return request.back.error("access_denied", "User denied access.");
    }
    if shared.has_fault(&Fault::UserNotAssigned) {
        return request.back.error(
            "access_denied",
            "User is not assigned to the client application.",
        );
    }
    let code = random_id();
    shared.store.add_code(
        code.clone(),
        Code {
            client_id: request.client.id.clone(),
            redirect_uri: request.back.redirect_uri.to_string(),
            challenge: request.challenge.clone(),
            nonce: request.nonce.clone(),
            scopes: request.scopes.clone(),
            email: email.to_string(),
            auth_time,
            expires: Instant::now() + CODE_LIFETIME,
        },
    );
    request
        .back
        .with(&[("code", &code)], format!("code for {email}"))
}

fn login_page(
    shared: &Shared,
    params: &Params,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let hidden: String = params
        .iter()
        .filter(|(name, _)| !["username", "password", "action"].contains(name))
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" data-mock-okta=\"error\">{}</p>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let username = escape(
        params
            .get("username")
            .or(params.get("login_hint"))
            .unwrap_or(""),
    );
    let users: String = crate::read(&shared.users)
        .iter()
        .map(|u| {
            format!(
                "<li><code>{}</code> / <code>{}</code></li>",
                escape(&u.email),
                escape(&u.password)
            )
        })
        .collect();
    let body = format!(
        "{error}<form method=\"post\" action=\"authorize\" data-mock-okta=\"login-form\">\n{hidden}\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{username}\" autofocus>\n\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\n\
         <button type=\"submit\" name=\"action\" value=\"login\" data-mock-okta=\"sign-in\">Sign in</button>\n\
         <button type=\"submit\" name=\"action\" value=\"deny\" data-mock-okta=\"deny\">Deny</button>\n</form>\n\
         <p class=\"note\">Test users (username / password):</p><ul class=\"note\">{users}</ul>"
    );
    let mut response = page(status, "Sign In", &body);
    if error.is_empty() {
        response
            .extensions_mut()
            .insert(Outcome("login page".into()));
    } else {
        response
            .extensions_mut()
            .insert(Outcome("wrong username or password".into()));
    }
    response
}
