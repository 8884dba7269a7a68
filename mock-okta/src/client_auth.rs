//! Who the client is: client authentication at the token, introspection
//! and revocation endpoints, by `client_secret_basic` or
//! `client_secret_post` (a public client by its id alone), as Okta does
//! (RFC 6749 §2.3.1).

use crate::clients::Client;
use crate::error::OAuthError;
use crate::org::Org;
use crate::params::{Params, basic_auth, form};
use axum::http::{HeaderMap, StatusCode, header};

/// The challenge sent with a `401 invalid_client` when the client
/// authenticated with an `Authorization` header (RFC 6749 §5.2).
const BASIC_CHALLENGE: &str = "Basic realm=\"mock-okta\"";

/// The client of a request, authenticated.
///
/// A `401 invalid_client` to a client that used the `Authorization` header
/// carries `WWW-Authenticate: Basic` (RFC 6749 §5.2).
pub(crate) fn authenticate(
    org: &Org,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, OAuthError> {
    let basic = headers
        .contains_key(header::AUTHORIZATION)
        .then(|| basic_auth(headers));
    let used_header = basic.is_some();
    identify(org, basic, params).map_err(|error| {
        if used_header && error.status == StatusCode::UNAUTHORIZED {
            error.with_challenge(BASIC_CHALLENGE)
        } else {
            error
        }
    })
}

/// The client and the `token` parameter of an introspect or revoke request.
pub(crate) fn client_and_token(
    org: &Org,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Client, String), OAuthError> {
    let params = form(headers, body)?;
    let client = authenticate(org, headers, &params)?;
    let token = params.require("token")?.to_string();
    Ok((client, token))
}

/// The client a request names, checked against its secret. `basic` is
/// `None` without an `Authorization` header, `Some(None)` with one that is
/// not Basic authentication.
fn identify(
    org: &Org,
    basic: Option<Option<(String, String)>>,
    params: &Params,
) -> Result<Client, OAuthError> {
    let (id, secret) = match (basic, params.get("client_id"), params.get("client_secret")) {
        (Some(None), _, _) => {
            return Err(OAuthError::invalid_client(
                "The Authorization header is not valid Basic authentication.",
            ));
        }
        (Some(Some(_)), _, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
            ));
        }
        (Some(Some((id, secret))), form_id, None) => {
            if form_id.is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_client(
                    "The client_id does not match the Authorization header.",
                ));
            }
            (id, Some(secret))
        }
        (None, Some(id), secret) => (id.to_string(), secret.map(str::to_string)),
        (None, None, _) => {
            return Err(OAuthError::invalid_client("No client credentials found."));
        }
    };
    let client = org
        .client(&id)
        .ok_or_else(|| OAuthError::invalid_client("The client_id is not valid."))?;
    match (&client.secret, secret) {
        (None, _) => Ok(client),
        (Some(expected), Some(given)) if constant_time_eq(expected, &given) => Ok(client),
        (Some(_), Some(_)) => Err(OAuthError::invalid_client(
            "The client secret supplied for a confidential client is invalid.",
        )),
        (Some(_), None) => Err(OAuthError::invalid_client(
            "Client authentication failed: a confidential client must send its secret.",
        )),
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}
