//! Okta: the OAuth 2.0 client, and the two routes of a login.
//!
//! `GET /login/okta` sends the browser to Okta; Okta sends it back to
//! `GET /login/okta/authorized` with a one-time code, which the app trades
//! for tokens. These are the routes Flask-Dance's blueprint made in the
//! tutorial, so the Okta app settings carry over.

use crate::config::Config;
use crate::pages::AppError;
use crate::session::{LOGGED_IN_USER, LOGIN_ATTEMPT, LoggedInUser, LoginAttempt, now};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::response::Redirect;
use oauth2::basic::{BasicClient, BasicErrorResponse};
use oauth2::{
    AccessToken, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpClientError, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

// ANCHOR: routes
/// Starts a login.
pub const LOGIN_PATH: &str = "/login/okta";
/// Where Okta sends the browser back (the "Sign-in redirect URI").
pub const CALLBACK_PATH: &str = "/login/okta/authorized";
/// `openid` makes it an OpenID Connect login; `email` and `profile` release
/// the user's email and name.
const SCOPES: [&str; 3] = ["openid", "email", "profile"];
// ANCHOR_END: routes

// ANCHOR: client
/// An OAuth 2.0 client with Okta's authorization and token endpoints set.
type OktaClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Everything the login routes need, shared by every request (behind an
/// `Arc`, so that handing it to a request copies a pointer, not the URLs).
#[derive(Debug)]
pub struct Okta {
    client: OktaClient,
    /// For the token exchange and userinfo: redirects off (a token endpoint
    /// that redirects is misconfigured, and following would leak the code),
    /// and a timeout, so a slow Okta gives a 504 page and not a hang.
    http: reqwest::Client,
    issuer: String,
    userinfo_url: String,
}

impl Okta {
    /// The client for the configured Okta app.
    pub fn new(config: &Config) -> Okta {
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.clone()))
            .set_auth_uri(
                AuthUrl::new(config.endpoint("authorize")).expect("the issuer is a checked URL"),
            )
            .set_token_uri(
                TokenUrl::new(config.endpoint("token")).expect("the issuer is a checked URL"),
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_uri()).expect("APP_URL is a checked URL"),
            );
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.idp_timeout)
            .build()
            .expect("a client with the built-in TLS roots always builds");
        Okta {
            client,
            http,
            issuer: config.issuer.clone(),
            userinfo_url: config.endpoint("userinfo"),
        }
    }
}
// ANCHOR_END: client

// ANCHOR: login
/// `GET /login/okta`: remember a fresh `state` and PKCE verifier in the
/// session, then send the browser to Okta's authorize endpoint.
pub async fn login(State(okta): State<Arc<Okta>>, session: Session) -> Result<Redirect, AppError> {
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, state) = okta
        .client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(pkce_challenge)
        .url();
    let attempt = LoginAttempt {
        state: state.secret().clone(),
        pkce_verifier: pkce_verifier.secret().clone(),
    };
    session.insert(LOGIN_ATTEMPT, attempt).await?;
    Ok(Redirect::to(authorize_url.as_str()))
}
// ANCHOR_END: login

// ANCHOR: callback
/// What Okta puts on the callback URL. Anything else is ignored.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    /// RFC 9207: the issuer that answered, sent by some servers.
    iss: Option<String>,
}

/// `GET /login/okta/authorized`: check the answer, trade the code for
/// tokens, fetch the email once, and start a fresh session.
pub async fn callback(
    State(okta): State<Arc<Okta>>,
    session: Session,
    params: Result<Query<CallbackParams>, QueryRejection>,
) -> Result<Redirect, AppError> {
    let Query(params) =
        params.map_err(|_| AppError::BadCallback("its parameters could not be read"))?;

    // The state and verifier work once, whatever happens next. Save now:
    // a session is not saved when the answer is an error page (5xx).
    let attempt: Option<LoginAttempt> = session.remove(LOGIN_ATTEMPT).await?;
    session.save().await?;
    let Some(attempt) = attempt else {
        return Err(AppError::BadCallback(
            "no login was started in this browser, or it expired",
        ));
    };
    if params.state.as_deref() != Some(attempt.state.as_str()) {
        return Err(AppError::BadCallback(
            "the state does not match the login this browser started",
        ));
    }
    if params.iss.as_ref().is_some_and(|iss| *iss != okta.issuer) {
        return Err(AppError::BadCallback("the answer came from another issuer"));
    }
    if let Some(error) = params.error {
        return Err(AppError::Okta {
            error,
            description: params.error_description.unwrap_or_default(),
        });
    }
    let Some(code) = params.code else {
        return Err(AppError::BadCallback("Okta sent no code"));
    };

    let token = okta
        .client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
        .request_async(&okta.http)
        .await
        .map_err(token_error)?;
    let email = fetch_email(&okta, token.access_token()).await?;
    // Okta leaves expires_in out only if misconfigured: assume its default hour.
    let lifetime = token.expires_in().map_or(3600, |d| d.as_secs());

    // A new session id for the logged-in user: an id planted before the
    // login (session fixation) is worth nothing after it.
    session.cycle_id().await?;
    let user = LoggedInUser {
        email,
        expires_at: now() + lifetime,
    };
    tracing::info!("{} logged in", user.email);
    session.insert(LOGGED_IN_USER, user).await?;
    Ok(Redirect::to("/"))
}
// ANCHOR_END: callback

// ANCHOR: fetch_email
/// The user's email from Okta's userinfo endpoint: once, at login.
async fn fetch_email(okta: &Okta, token: &AccessToken) -> Result<String, AppError> {
    #[derive(Deserialize)]
    struct UserInfo {
        email: Option<String>,
    }
    let response = okta
        .http
        .get(&okta.userinfo_url)
        .bearer_auth(token.secret())
        .send()
        .await
        .map_err(|e| AppError::from_http("userinfo", &e))?;
    if !response.status().is_success() {
        return Err(AppError::Idp(format!(
            "Okta's userinfo endpoint answered {}",
            response.status()
        )));
    }
    let info: UserInfo = response
        .json()
        .await
        .map_err(|e| AppError::from_http("userinfo", &e))?;
    info.email.ok_or_else(|| {
        AppError::Idp(
            "Okta's userinfo has no email (is the email scope granted to the app?)".into(),
        )
    })
}
// ANCHOR_END: fetch_email

// ANCHOR: token_error
/// What went wrong at the token endpoint, as a page.
fn token_error(
    error: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
) -> AppError {
    match error {
        RequestTokenError::ServerResponse(answer) => {
            let description = answer.error_description().cloned().unwrap_or_default();
            AppError::Idp(format!(
                "Okta refused the code: {} {description}",
                answer.error()
            ))
        }
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => AppError::from_http("token", &e),
        RequestTokenError::Request(e) => AppError::Idp(format!("the token request failed: {e}")),
        RequestTokenError::Parse(..) => {
            AppError::Idp("Okta's token endpoint answered something that is not a token".into())
        }
        RequestTokenError::Other(e) => {
            AppError::Idp(format!("Okta's token endpoint answered: {e}"))
        }
    }
}
// ANCHOR_END: token_error
