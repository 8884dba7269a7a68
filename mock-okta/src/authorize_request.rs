//! The authorization request (RFC 6749 §4.1.1, OpenID Connect Core
//! §3.1.2), checked before `/v1/authorize` answers it: the client and its
//! exactly registered redirect URI first, then the response type, the
//! state, the scopes and PKCE.
//!
//! An unknown client or an unregistered redirect URI gets an error *page*:
//! sending an error to an unchecked URI would make the mock an open
//! redirector. Every other problem goes back to the app as
//! `redirect_uri?error=…&state=…`, as in Okta.

use crate::clients::Client;
use crate::error::{OAuthError, Outcome};
use crate::org::AuthServer;
use crate::pages::error_page;
use crate::params::{Params, is_pkce_value};
use crate::store::Challenge;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Where errors and codes go: the checked redirect URI, with the state.
pub(crate) struct Back<'a> {
    pub(crate) redirect_uri: &'a str,
    state: Option<&'a str>,
}

impl Back<'_> {
    /// A redirect to the app with `pairs` and the state; `outcome` is
    /// what the mock's log says of it.
    pub(crate) fn with(&self, pairs: &[(&str, &str)], outcome: String) -> Response {
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

    /// A redirect to the app with an OAuth error.
    pub(crate) fn error(&self, error: &str, description: &str) -> Response {
        self.with(
            &[("error", error), ("error_description", description)],
            format!("redirect with error={error}"),
        )
    }
}

/// A checked authorize request.
pub(crate) struct Authorize<'a> {
    pub(crate) client: Client,
    pub(crate) back: Back<'a>,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<Challenge>,
    pub(crate) nonce: Option<String>,
}

/// Why a request goes back to the app: an error code and its description.
type Refusal = (&'static str, String);

fn refuse(error: &'static str, description: &str) -> Refusal {
    (error, description.to_string())
}

/// Checks the request: a page for what cannot go back, a redirect for the rest.
pub(crate) fn check<'a>(
    server: &AuthServer,
    params: &'a Params,
) -> Result<Authorize<'a>, Box<Response>> {
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
        let error = OAuthError::invalid_request(
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        );
        return Err(error.logged(format!(
            "redirect_uri {redirect_uri:?} is not one of {:?}, registered for {client_id:?} (matched exactly, a trailing / included)",
            client.redirect_uris
        )));
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
    if let Some(description) = server
        .scopes
        .unknown(&scopes, server.declares_groups_scope())
    {
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
