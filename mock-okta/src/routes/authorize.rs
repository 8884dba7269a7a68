//! `/v1/authorize`: the login page, and the redirect back with a code
//! (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2).
//!
//! An unknown client or an unregistered redirect URI gets an error *page*:
//! sending an error to an unchecked URI would make the mock an open
//! redirector. Every other problem goes back to the app as
//! `redirect_uri?error=…&state=…`, as in Okta.

use crate::clients::Client;
use crate::error::{OAuthError, Outcome};
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::pages::{error_page, escape, page};
use crate::params::{Params, cookie, form, is_pkce_value};
use crate::store::{CODE_LIFETIME, Challenge, Code, LOGIN_LIFETIME, Login};
use crate::tokens::random_id;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
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
        (
            StatusCode::FOUND,
            Outcome::new(outcome),
            Redirect::to(url.as_str()),
        )
            .into_response()
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
            let login = cookie(headers, LOGIN_COOKIE).and_then(|id| server.org.logins.get(id));
            match (login, params.get("prompt")) {
                (Some(login), prompt) if prompt != Some("login") => {
                    issue_code(server, &request, &login.email, login.auth_time)
                }
                (None, Some("none")) => request.back.error(
                    "login_required",
                    "The client specified not to prompt, but the user is not logged in.",
                ),
                _ => login_page(server, params, StatusCode::OK, None),
            }
        }
    }
}

/// The login form was submitted: the form again on a wrong password, or a
/// new login to the mock (its cookie) and a code.
fn sign_in(server: &AuthServer, request: &Authorize<'_>, params: &Params) -> Response {
    let username = params.get("username").unwrap_or("");
    let password = params.get("password").unwrap_or("");
    let Some(user) = server.org.user(username).filter(|u| u.password == password) else {
        return login_page(
            server,
            params,
            StatusCode::UNAUTHORIZED,
            Some("Unable to sign in: wrong username or password."),
        );
    };
    let id = random_id();
    let clock = &server.org.clock;
    let auth_time = clock.unix();
    let login = Login {
        email: user.email.clone(),
        auth_time,
        expires: clock.now() + LOGIN_LIFETIME,
    };
    server.org.logins.insert(id.clone(), login);
    let cookie = format!("{LOGIN_COOKIE}={id}; Path=/oauth2; HttpOnly; SameSite=Lax");
    let code = issue_code(server, request, &user.email, auth_time);
    ([(header::SET_COOKIE, cookie)], code).into_response()
}

/// Why a request goes back to the app: an error code and its description.
type Refusal = (&'static str, String);

fn refuse(error: &'static str, description: &str) -> Refusal {
    (error, description.to_string())
}

/// Checks the request: a page for what cannot go back, a redirect for the rest.
fn check<'a>(server: &AuthServer, params: &'a Params) -> Result<Authorize<'a>, Box<Response>> {
    let (client, redirect_uri) =
        registered(server, params).map_err(|error| Box::new(error_page(&error)))?;
    let back = Back {
        redirect_uri,
        state: params.get("state"),
    };
    let checked =
        shape(params).and_then(|()| Ok((scopes(server, params)?, pkce(params, &client)?)));
    match checked {
        Ok((scopes, challenge)) => Ok(Authorize {
            client,
            back,
            scopes,
            challenge,
            nonce: params.get("nonce").map(String::from),
        }),
        Err((error, description)) => Err(Box::new(back.error(error, &description))),
    }
}

/// The client and its exactly registered redirect URI: what must hold
/// before anything may be sent back.
fn registered<'a>(
    server: &AuthServer,
    params: &'a Params,
) -> Result<(Client, &'a str), OAuthError> {
    let client_id = params
        .get("client_id")
        .ok_or_else(|| OAuthError::invalid_request("The 'client_id' parameter is missing."))?;
    let client = server.org.client(client_id).ok_or_else(|| {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Invalid value for 'client_id' parameter.",
        )
    })?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("The 'redirect_uri' parameter is missing."))?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(OAuthError::invalid_request(
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        ));
    }
    Ok((client, redirect_uri))
}

/// `response_type=code`, the query response mode, and a `state`.
fn shape(params: &Params) -> Result<(), Refusal> {
    if params.get("response_type") != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "The response type is not supported by the authorization server. Configured response types: [code].",
        ));
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return Err(refuse(
            "invalid_request",
            "The 'response_mode' parameter must be query.",
        ));
    }
    if params.get("state").is_none() {
        return Err(refuse(
            "invalid_request",
            "The authorization request is missing the 'state' parameter.",
        ));
    }
    Ok(())
}

/// The scopes asked for: `openid` among them, none the server does not
/// know.
fn scopes(server: &AuthServer, params: &Params) -> Result<Vec<String>, Refusal> {
    let scopes = params.words("scope");
    if !scopes.iter().any(|s| s == "openid") {
        return Err(refuse("invalid_scope", "The 'openid' scope is required."));
    }
    if let Some(description) = server.scopes.unknown(&scopes) {
        return Err(refuse("invalid_scope", description));
    }
    Ok(scopes)
}

/// The PKCE challenge (RFC 7636 §4.3), required for a public client.
fn pkce(params: &Params, client: &Client) -> Result<Option<Challenge>, Refusal> {
    let challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "The 'code_challenge_method' parameter was sent without a 'code_challenge'.",
            ));
        }
        (Some(challenge), _) if !is_pkce_value(challenge) => {
            return Err(refuse(
                "invalid_request",
                "PKCE code challenge must be 43 to 128 unreserved characters.",
            ));
        }
        (Some(challenge), method) => match method.unwrap_or("plain") {
            "S256" => Some(Challenge::S256(challenge.to_string())),
            "plain" => Some(Challenge::Plain(challenge.to_string())),
            _ => {
                return Err(refuse(
                    "invalid_request",
                    "PKCE code challenge method must be S256 or plain.",
                ));
            }
        },
    };
    if client.require_pkce && challenge.is_none() {
        return Err(refuse(
            "invalid_request",
            "PKCE code challenge is required by this client.",
        ));
    }
    Ok(challenge)
}

/// Redirects back with a new code, unless a consent fault is on. The code
/// grants the scopes asked for, less `email` under `EmailNotGranted`.
fn issue_code(
    server: &AuthServer,
    request: &Authorize<'_>,
    email: &str,
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
        email: email.to_string(),
        auth_time,
        grant: random_id(),
        redeemed: false,
        expires: org.clock.now() + CODE_LIFETIME,
    };
    server.codes.insert(code.clone(), entry);
    request
        .back
        .with(&[("code", &code)], format!("code for {email}"))
}

fn login_page(
    server: &AuthServer,
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
    let users: String = server
        .org
        .users()
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
    let outcome = if error.is_empty() {
        "login page"
    } else {
        "wrong username or password"
    };
    (Outcome::new(outcome), page(status, "Sign In", &body)).into_response()
}
