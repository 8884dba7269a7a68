//! `/v1/logout`: ends the mock's own login and sends the browser back
//! (OpenID Connect RP-Initiated Logout 1.0, as Okta implements it).
//!
//! The request is checked whole before anything changes: a refused logout
//! (a forged hint, an unregistered `post_logout_redirect_uri`) shows an
//! error page and leaves the user logged in.

use super::authorize::LOGIN_COOKIE;
use crate::clients::Client;
use crate::error::{OAuthError, Outcome};
use crate::org::AuthServer;
use crate::pages::{error_page, page};
use crate::params::{Params, cookie};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

pub(super) async fn logout(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let checked = Params::parse(query.unwrap_or_default().as_bytes()).and_then(|params| {
        let client = client(&server, &params)?;
        let back = back(&client, &params)?;
        Ok((client, back))
    });
    let (client, back) = match checked {
        Ok(checked) => checked,
        Err(error) => return error_page(&error),
    };
    if let Some(id) = cookie(&headers, LOGIN_COOKIE) {
        server.org.logins.remove(id);
    }
    let clear = format!("{LOGIN_COOKIE}=; Path=/oauth2; HttpOnly; SameSite=Lax; Max-Age=0");
    let outcome = Outcome::new(format!("signed out of {}", client.id));
    (outcome, [(header::SET_COOKIE, clear)], back).into_response()
}

/// The client the logout is for: the audience of an `id_token_hint` this
/// server issued (Okta accepts an expired one, not a forged one or one of
/// the other authorization server), or else the `client_id`.
fn client(server: &AuthServer, params: &Params) -> Result<Client, OAuthError> {
    let client_id = match params.get("id_token_hint") {
        Some(hint) => server
            .keys
            .verify(hint, server.org.key_phase(), &server.issuer)
            .and_then(|claims| claims["aud"].as_str().map(String::from)),
        None => params.get("client_id").map(String::from),
    };
    client_id
        .and_then(|id| server.org.client(&id))
        .ok_or_else(|| {
            OAuthError::invalid_request(
                "The 'id_token_hint' parameter is missing or not a valid ID token of this server.",
            )
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
