//! `/v1/logout`: ends the mock's own login and sends the browser back
//! (OpenID Connect RP-Initiated Logout 1.0, as Okta implements it).
//!
//! Both methods, as §2 says an OP must: `GET` with the parameters in the
//! query, `POST` with them in an `application/x-www-form-urlencoded`
//! body (an ID token of many groups or claims makes a URL of over 8 KB,
//! which proxies, and Okta, may refuse with a `414`). The parameters are
//! Okta's: `id_token_hint` (required at Okta: an ID token this server
//! issued, expired or not), `post_logout_redirect_uri` (one registered
//! for the hint's client) and `state`.
//!
//! The request is checked whole before anything changes: a refused logout
//! (no hint, a forged one, an unregistered `post_logout_redirect_uri`)
//! shows an error page and leaves the user logged in. An accepted one ends
//! the mock's login only if it is the hint's user's (its `sub`): a hint of
//! another user sends the browser back and leaves the login alone.

use super::authorize::LOGIN_COOKIE;
use crate::clients::Client;
use crate::error::{OAuthError, Outcome};
use crate::org::AuthServer;
use crate::pages::{error_page, page};
use crate::params::{Params, cookie, form};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// `GET /v1/logout?id_token_hint=…&post_logout_redirect_uri=…&state=…`.
pub(super) async fn get(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => logout(&server, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// `POST /v1/logout` with the same parameters in a form body (RFC 9110's
/// media type rules: `application/x-www-form-urlencoded`, in any case).
pub(super) async fn post(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match form(&headers, &body) {
        Ok(params) => logout(&server, &headers, &params),
        Err(error) => error_page(&error),
    }
}

/// Checks the request, then ends the mock's login if it is the hint's
/// user's, and sends the browser back.
fn logout(server: &AuthServer, headers: &HeaderMap, params: &Params) -> Response {
    let checked = hint(server, params).and_then(|hint| {
        let back = back(&hint.client, params)?;
        Ok((hint, back))
    });
    let (hint, back) = match checked {
        Ok(checked) => checked,
        Err(error) => return error_page(&error),
    };
    let login = cookie(headers, LOGIN_COOKIE).and_then(|id| Some((id, server.org.logins.get(id)?)));
    match login {
        // Okta ends the session only for the user the hint names; another
        // user's session in the same browser stays.
        Some((_, login)) if hint.subject.as_deref() != Some(login.user_id.as_str()) => {
            let outcome = Outcome::new(format!(
                "signed out of {}; the mock's login of another user kept",
                hint.client.id
            ));
            (outcome, back).into_response()
        }
        login => {
            if let Some((id, _)) = login {
                server.org.logins.remove(id);
            }
            let clear = format!("{LOGIN_COOKIE}=; Path=/oauth2; HttpOnly; SameSite=Lax; Max-Age=0");
            let outcome = Outcome::new(format!("signed out of {}", hint.client.id));
            (outcome, [(header::SET_COOKIE, clear)], back).into_response()
        }
    }
}

/// What an accepted `id_token_hint` says: the client it was issued to
/// (its `aud`) and the user (its `sub`, if it has one).
struct Hint {
    client: Client,
    subject: Option<String>,
}

/// The `id_token_hint`, required as at Okta ("The Purpose of
/// id_token_hint in the /logout API", Okta's support article): an ID token
/// this server signed with a key it publishes, naming its issuer and a
/// client it knows. An expired one is accepted, as at Okta and as OpenID
/// RP-Initiated Logout 1.0 §2 advises; a forged one, or one of another
/// authorization server, is not.
///
/// # Errors
/// `invalid_request` (400): the hint is missing, or is not such a token.
fn hint(server: &AuthServer, params: &Params) -> Result<Hint, OAuthError> {
    let hint = params.require("id_token_hint")?;
    let invalid = || {
        OAuthError::invalid_request(
            "The 'id_token_hint' parameter is not a valid ID token of this authorization server.",
        )
    };
    let claims = server
        .keys
        .verify(hint, server.org.key_phase(), &server.issuer)
        .ok_or_else(invalid)?;
    let client = claims["aud"]
        .as_str()
        .and_then(|id| server.org.client(id))
        .ok_or_else(invalid)?;
    Ok(Hint {
        client,
        subject: claims["sub"].as_str().map(String::from),
    })
}

/// Where the browser goes after the logout: a registered
/// `post_logout_redirect_uri` with the `state`, or the mock's own page.
fn back(client: &Client, params: &Params) -> Result<Response, OAuthError> {
    let Some(uri) = params.get("post_logout_redirect_uri") else {
        return Ok(page(
            StatusCode::OK,
            "Signed out",
            "<p data-mock-okta=\"signed-out\">You are signed out of mock-okta.</p>",
        ));
    };
    if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
        let error = OAuthError::invalid_request(
            "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
        );
        return Err(error.logged(format!(
            "post_logout_redirect_uri {uri:?} is not one of {:?}, registered for {:?} (matched exactly, a trailing / included)",
            client.post_logout_redirect_uris, client.id
        )));
    }
    let mut url = url::Url::parse(uri).expect("registered URIs are absolute URLs");
    if let Some(state) = params.get("state") {
        url.query_pairs_mut().append_pair("state", state);
    }
    Ok((StatusCode::FOUND, Redirect::to(url.as_str())).into_response())
}
