//! The token endpoint's grants, one file each: a grant checks a token
//! request and says what it grants (a [`grant::Grant`]); [`mint`] makes
//! the tokens, and [`minted`] makes them on a test's request, with no
//! grant behind them. RFC 6749 §4.1.3 (`authorization_code`), §6 (`refresh_token`),
//! §4.4 (`client_credentials`).

mod authorization_code;
mod client_credentials;
mod grant;
mod mint;
mod minted;
mod refresh_token;

pub(crate) use grant::INVALID_CODE;
pub(crate) use mint::Issued;
pub(crate) use minted::mint_on_request;

use crate::client_auth::authenticate;
use crate::clients::{Client, GRANT_TYPES};
use crate::error::OAuthError;
use crate::org::AuthServer;
use crate::params::{Params, form, shorten};
use axum::http::{HeaderMap, StatusCode};

/// A token request, checked and answered with tokens or with Okta's error.
pub(crate) fn exchange(
    server: &AuthServer,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Issued, OAuthError> {
    let params = form(headers, body)?;
    let client = authenticate(&server.org, headers, &params)?;
    let grant = match grant_type(&params, &client)? {
        "authorization_code" => authorization_code::grant(server, client, &params)?,
        "refresh_token" => refresh_token::grant(server, client, &params)?,
        _ => client_credentials::grant(server, client, &params)?,
    };
    Ok(mint::issue(server, &grant))
}

/// The `grant_type`, if the server knows it and the client may use it.
fn grant_type<'a>(params: &'a Params, client: &Client) -> Result<&'a str, OAuthError> {
    let grant_type = params.require("grant_type")?;
    if !GRANT_TYPES.contains(&grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The grant type '{}' is not supported.", shorten(grant_type)),
        ));
    }
    if !client.allows(grant_type) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The client is not authorized to use the provided grant type.",
        ));
    }
    Ok(grant_type)
}
