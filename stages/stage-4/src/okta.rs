//! Okta: the OAuth 2.0 client, the two routes of a login, and the logout.
//!
//! `GET /login/okta` sends the browser to Okta; Okta sends it back to
//! `GET /login/okta/authorized` with a one-time code, which the app trades
//! for tokens. These are the routes Flask-Dance's blueprint made in the
//! tutorial, so the Okta app settings carry over. `POST /logout` ends the
//! session here, then at Okta.

use crate::config::Config;
use crate::pages::AppError;
use crate::session::{ID_TOKEN, LOGGED_IN_USER, LOGIN_ATTEMPT, LoggedInUser, LoginAttempt, now};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::response::Redirect;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpClientError, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

// ANCHOR: routes
/// Starts a login.
pub const LOGIN_PATH: &str = "/login/okta";
/// Where Okta sends the browser back (the "Sign-in redirect URI").
pub const CALLBACK_PATH: &str = "/login/okta/authorized";
/// Ends the session, here and at Okta.
pub const LOGOUT_PATH: &str = "/logout";
/// `openid` makes it an OpenID Connect login; `email` and `profile` release
/// the user's email and name.
const SCOPES: [&str; 3] = ["openid", "email", "profile"];
// ANCHOR_END: routes

// ANCHOR: client
/// The one field of Okta's token response that plain OAuth 2.0 lacks: the
/// OpenID Connect ID token, which the logout hands back to Okta.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdToken {
    id_token: Option<String>,
}

impl ExtraTokenFields for IdToken {}

/// An OAuth 2.0 client with Okta's authorization and token endpoints set,
/// whose token responses keep the ID token.
type OktaClient = oauth2::Client<
    BasicErrorResponse,
    StandardTokenResponse<IdToken, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

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
    logout_url: String,
    /// Where Okta sends the browser after a logout: `APP_URL`, as it is
    /// registered ("Sign-out redirect URI"), without a trailing `/`.
    post_logout_redirect_uri: String,
}

impl Okta {
    /// The client for the configured Okta app.
    pub fn new(config: &Config) -> Okta {
        let client: OktaClient = oauth2::Client::new(ClientId::new(config.client_id.clone()))
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
            logout_url: config.endpoint("logout"),
            post_logout_redirect_uri: config.app_url.as_str().trim_end_matches('/').to_string(),
        }
    }
}
// ANCHOR_END: client

// ANCHOR: login
/// What `/login/okta` may be given: the page to come back to.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    next: Option<String>,
}

/// `GET /login/okta`: remember a fresh `state` and PKCE verifier in the
/// session, then send the browser to Okta's authorize endpoint.
pub async fn login(
    State(okta): State<Arc<Okta>>,
    session: Session,
    params: Result<Query<LoginParams>, QueryRejection>,
) -> Result<Redirect, AppError> {
    let next = params.ok().and_then(|Query(p)| p.next);
    let return_to = next
        .as_deref()
        .and_then(local_path)
        .unwrap_or("/")
        .to_string();
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
        return_to,
    };
    session.insert(LOGIN_ATTEMPT, attempt).await?;
    Ok(Redirect::to(authorize_url.as_str()))
}

/// `next` if it is a path on this site; `None` for anything that would
/// leave it (`//evil.example`, `https://…`, `/\evil.example`).
pub fn local_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    local.then_some(next)
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
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
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
    if let Some(id_token) = &token.extra_fields().id_token {
        session.insert(ID_TOKEN, id_token).await?;
    }
    Ok(Redirect::to(&attempt.return_to))
}
// ANCHOR_END: callback

// ANCHOR: logout
/// `POST /logout`: forget the session (the cookie is cleared too), then send
/// the browser to Okta's logout, which ends the Okta session and sends it
/// back to `APP_URL`. Without an ID token (no login, or a session from
/// before a restart) there is nothing to end at Okta: back home.
pub async fn logout(State(okta): State<Arc<Okta>>, session: Session) -> Result<Redirect, AppError> {
    let id_token: Option<String> = session.get(ID_TOKEN).await?;
    session.flush().await?;
    let Some(id_token) = id_token else {
        return Ok(Redirect::to("/"));
    };
    let mut url = url::Url::parse(&okta.logout_url).expect("the issuer is a checked URL");
    url.query_pairs_mut()
        .append_pair("id_token_hint", &id_token)
        .append_pair("post_logout_redirect_uri", &okta.post_logout_redirect_uri);
    Ok(Redirect::to(url.as_str()))
}
// ANCHOR_END: logout

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

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        for local in ["/", "/user", "/user?tab=1#top", "/a/b"] {
            assert_eq!(local_path(local), Some(local));
        }
        for away in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/\nx",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(away), None, "{away:?}");
        }
    }
}
