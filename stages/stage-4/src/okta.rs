//! Okta: the two routes of a login, and the OAuth 2.0 client they use.
//!
//! `GET /login/okta` sends the browser to Okta; Okta sends it back to
//! `GET /login/okta/authorized` with a one-time code, which the app trades
//! for tokens. These are the routes Flask-Dance's blueprint made in the
//! tutorial, so the Okta app settings carry over. Between the two, the
//! login waits in a cookie (`attempt.rs`). `POST /logout` ends the
//! session here, then at Okta.

use crate::attempt::{LoginAttempt, LoginAttempts};
use crate::config::Config;
use crate::error::{AppError, page};
use crate::session::{ID_TOKEN, LOGGED_IN_USER, LoggedInUser, logged_in_user, now};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Redirect, Response};
use html_escape::encode_double_quoted_attribute;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, AuthUrl, AuthorizationCode, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, HttpClientError, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_cookies::Cookies;
use tower_sessions::Session;

/// Starts a login.
pub const LOGIN_PATH: &str = "/login/okta";
/// Where Okta sends the browser back (the "Sign-in redirect URI").
pub const CALLBACK_PATH: &str = "/login/okta/authorized";
/// Ends the session, here and at Okta.
pub const LOGOUT_PATH: &str = "/logout";
/// `openid` makes it an OpenID Connect login; `email` and `profile` release
/// the user's email and name.
const SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// `GET /login/okta`: a fresh `state` and PKCE verifier, kept in the login
/// attempt's cookie with the page to come back to, then off to Okta.
pub async fn login(
    State(okta): State<Arc<Okta>>,
    cookies: Cookies,
    params: Result<Query<LoginParams>, QueryRejection>,
) -> Redirect {
    let next = params.ok().and_then(|Query(p)| p.next);
    let return_to = next.as_deref().and_then(local_path).unwrap_or("/").to_string();
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, state) = okta
        .client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(pkce_challenge)
        .url();
    let attempt = LoginAttempt { pkce_verifier: Some(pkce_verifier), return_to, started: now() };
    okta.attempts.make_room(&cookies);
    okta.attempts.save(&cookies, state.secret(), &attempt);
    Redirect::to(authorize_url.as_str())
}

/// What `/login/okta` may be given: the page to come back to.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    next: Option<String>,
}

/// `next` if it is a path on this site; `None` for anything that would
/// leave it (`//evil.example`, `https://…`, `/\evil.example`), or too long
/// for the login attempt's cookie (browsers drop one over 4096 bytes).
pub fn local_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && next.len() <= 1024
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    local.then_some(next)
}

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

/// `GET /login/okta/authorized`: find the login this answers by its state,
/// trade the code for tokens, fetch the email once, and start a fresh
/// session.
pub async fn callback(
    State(okta): State<Arc<Okta>>,
    cookies: Cookies,
    session: Session,
    params: Result<Query<CallbackParams>, QueryRejection>,
) -> Result<Redirect, AppError> {
    let Query(params) =
        params.map_err(|_| AppError::BadCallback("its parameters could not be read"))?;
    let state = params.state.unwrap_or_default();
    let attempt = okta.attempts.take(&cookies, &state);
    let Some(LoginAttempt { pkce_verifier: Some(verifier), return_to, .. }) = attempt else {
        // A callback that arrives again (a double click, a reload) finds its
        // verifier used: a user it logged in goes on where they were going.
        if logged_in_user(&session).await?.is_some() {
            return Ok(Redirect::to(attempt.as_ref().map_or("/", |a| &a.return_to)));
        }
        return Err(AppError::BadCallback(
            "it does not answer a login started in this browser, or that login is over",
        ));
    };
    if params.iss.as_ref().is_some_and(|iss| *iss != okta.issuer) {
        return Err(AppError::BadCallback("the answer came from another issuer"));
    }
    if let Some(error) = params.error {
        let description = params.error_description.unwrap_or(error.clone());
        return Err(match error.as_str() {
            "access_denied" => AppError::Denied(description.trim_end_matches('.').into()),
            _ => AppError::Okta(format!("{error}: {description}")),
        });
    }
    let code = params.code.ok_or(AppError::BadCallback("Okta sent no code"))?;

    let token = okta
        .client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&okta.http)
        .await
        .map_err(token_error)?;
    let email = fetch_email(&okta, token.access_token()).await?;
    // Okta leaves expires_in out only if misconfigured: assume its default hour.
    let expires_at = now().saturating_add(token.expires_in().map_or(3600, |d| d.as_secs()));

    // A new session id for the logged-in user: an id planted before the
    // login (session fixation) is worth nothing after it.
    session.cycle_id().await?;
    tracing::info!("{email:?} logged in");
    let user = LoggedInUser { email, expires_at, renewed_at: now() };
    session.insert(LOGGED_IN_USER, user).await?;
    // Apart from the user, which every page view reads: this is read only
    // at logout.
    if let Some(id_token) = &token.extra_fields().id_token {
        session.insert(ID_TOKEN, id_token).await?;
    }
    Ok(Redirect::to(&return_to))
}

// ANCHOR: logout
/// `POST /logout`: forget the session (the cookie is cleared too), then
/// send the browser on to Okta's logout, which ends the Okta session and
/// sends it back to `APP_URL`. Without an ID token (no login, or a session
/// from before a restart) there is nothing to end at Okta: back home.
pub async fn logout(State(okta): State<Arc<Okta>>, session: Session) -> Result<Response, AppError> {
    let id_token: Option<String> = session.get(ID_TOKEN).await?;
    // A stranger has no session to end (and flushing none logs a warning).
    if session.id().is_some() {
        session.flush().await?;
    }
    let Some(id_token) = id_token else {
        return Ok(Redirect::to("/").into_response());
    };
    Ok(to_okta_logout(&okta.logout_url, &id_token, &okta.post_logout_redirect_uri))
}
// ANCHOR_END: logout

// ANCHOR: logout_page
/// The logout page's one line of script: it submits the form at once. It
/// is the same in every answer, so a Content-Security-Policy can allow it
/// by its hash.
pub const SUBMIT_LOGOUT: &str = "document.getElementById('okta-logout').submit()";

/// The page that takes the browser on to Okta's logout: a form that posts
/// the ID token (`id_token_hint`) and `post_logout_redirect_uri` there. A
/// `POST`, as Okta recommends, and not a redirect with them in its URL: an
/// ID token with many groups makes that URL over 8 KB, which Okta answers
/// with a 414 and many proxies refuse. The script submits the form at
/// once; the button is for a browser that runs no script. It is always
/// shown: a `<noscript>` would hide it where scripts are on but this one
/// was blocked.
fn to_okta_logout(logout_url: &str, id_token: &str, back: &str) -> Response {
    let [action, id_token, back] = [logout_url, id_token, back].map(encode_double_quoted_attribute);
    let body = format!(
        "<form method=\"post\" action=\"{action}\" id=\"okta-logout\">\n\
         <input type=\"hidden\" name=\"id_token_hint\" value=\"{id_token}\">\n\
         <input type=\"hidden\" name=\"post_logout_redirect_uri\" value=\"{back}\">\n\
         <p>You are logged out of this site. Your Okta session ends next.</p>\n\
         <button type=\"submit\" data-action=\"okta-logout\">Continue logging out at Okta</button>\n\
         </form>\n<script>{SUBMIT_LOGOUT}</script>"
    );
    // It holds the ID token: no cache may keep it.
    ([(CACHE_CONTROL, "no-store")], page("Logging out", &body)).into_response()
}
// ANCHOR_END: logout_page

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
/// `Arc`, so that handing it to a request copies a pointer).
#[derive(Debug)]
pub struct Okta {
    client: OktaClient,
    /// For every call to Okta: redirects off (following one would hand the
    /// code to wherever it points), and a timeout, so a slow Okta gives a
    /// 504 page and not a hang.
    http: reqwest::Client,
    issuer: String,
    userinfo_url: String,
    logout_url: String,
    /// `APP_URL`, where Okta sends the browser after a logout.
    post_logout_redirect_uri: String,
    /// Where each login waits for its callback: a cookie of its own.
    attempts: LoginAttempts,
}

impl Okta {
    /// The client for the configured Okta app.
    pub fn new(config: &Config) -> Okta {
        let checked = "the issuer and APP_URL are checked URLs";
        let redirect_uri = config.app_url.join(CALLBACK_PATH).expect(checked);
        let client: OktaClient = oauth2::Client::new(config.client_id.clone())
            .set_client_secret(config.client_secret.clone())
            .set_auth_uri(AuthUrl::new(config.endpoint("authorize")).expect(checked))
            .set_token_uri(TokenUrl::new(config.endpoint("token")).expect(checked))
            .set_redirect_uri(RedirectUrl::from_url(redirect_uri));
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
            post_logout_redirect_uri: config.app_url.as_str().trim_end_matches('/').into(),
            attempts: LoginAttempts::new(config, LOGIN_PATH),
        }
    }
}
// ANCHOR_END: client

/// The user's email from Okta's userinfo endpoint: once, at login.
async fn fetch_email(okta: &Okta, token: &AccessToken) -> Result<String, AppError> {
    #[derive(Deserialize)]
    struct UserInfo {
        email: Option<String>,
    }
    let failed = |e: reqwest::Error| AppError::from_http("userinfo", &e);
    let request = okta.http.get(&okta.userinfo_url).bearer_auth(token.secret());
    let response = request.send().await.and_then(|r| r.error_for_status()).map_err(failed)?;
    let info: UserInfo = response.json().await.map_err(failed)?;
    info.email.ok_or_else(|| AppError::NotGranted("Okta's userinfo has no email".into()))
}

/// What went wrong at the token endpoint, as a page.
fn token_error(
    error: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
) -> AppError {
    match error {
        // The code expired, was used already, or is forged: that login is
        // spent, and Okta is fine.
        RequestTokenError::ServerResponse(answer)
            if *answer.error() == BasicErrorResponseType::InvalidGrant =>
        {
            AppError::CodeRefused(answer.to_string().trim_end_matches('.').into())
        }
        RequestTokenError::ServerResponse(answer) => AppError::Idp(format!(
            "Okta's token endpoint answered {}",
            answer.to_string().trim_end_matches('.')
        )),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => AppError::from_http("token", &e),
        _ => AppError::Idp("Okta's token endpoint answered something that is not a token".into()),
    }
}
