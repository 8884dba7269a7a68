//! `/v1/logout`: ends the mock's own login and sends the browser back.

use super::{cookie, error_page, page};
use crate::params::Params;
use crate::record::Outcome;
use crate::{Fault, LOGIN_COOKIE, OAuthError, Shared};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

pub(super) async fn logout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(error) => return error_page(&error),
    };
    // Okta accepts an expired id_token_hint, but not a forged one.
    let rotated = shared.has_fault(&Fault::RotateKeys);
    let hint = params
        .get("id_token_hint")
        .and_then(|t| shared.keys.verify(t, rotated));
    let client_id = match (&hint, params.get("client_id")) {
        (Some(claims), _) if claims["iss"] == shared.issuer.as_str() => {
            claims["aud"].as_str().map(String::from)
        }
        (Some(_), _) => None,
        (None, Some(_)) if params.get("id_token_hint").is_some() => None,
        (None, client_id) => client_id.map(String::from),
    };
    let Some(client) = client_id.and_then(|id| shared.client(&id)) else {
        return error_page(&OAuthError::invalid_request(
            "The 'id_token_hint' parameter is missing or not a valid ID token of this server.",
        ));
    };
    if let Some(id) = cookie(&headers, LOGIN_COOKIE) {
        shared.store.remove_login(id);
    }
    let clear = format!("{LOGIN_COOKIE}=; Path=/oauth2; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut response = match params.get("post_logout_redirect_uri") {
        Some(uri) if client.post_logout_redirect_uris.iter().any(|u| u == uri) => {
            let mut url = url::Url::parse(uri).expect("registered URIs are absolute URLs");
            if let Some(state) = params.get("state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            let mut response = Redirect::to(url.as_str()).into_response();
            *response.status_mut() = StatusCode::FOUND;
            response
        }
        Some(_) => {
            return error_page(&OAuthError::invalid_request(
                "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
            ));
        }
        None => page(
            StatusCode::OK,
            "Signed out",
            "<p data-mock-okta=\"signed-out\">You are signed out of mock-okta.</p>",
        ),
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        clear.parse().expect("a valid cookie header"),
    );
    response
        .extensions_mut()
        .insert(Outcome(format!("signed out of {}", client.id)));
    response
}
