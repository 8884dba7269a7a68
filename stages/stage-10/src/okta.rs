//! Okta, through OpenID Connect: the two routes of a login, and the logout.
//!
//! `GET /login/okta` sends the browser to Okta; Okta sends it back to
//! `GET /login/okta/authorized` with a one-time code, which the app trades
//! for tokens. These are the routes Flask-Dance's blueprint made in the
//! tutorial, so the Okta app settings carry over. Between the two, the
//! login waits in a cookie (`attempt.rs`). `POST /logout` ends the
//! session here, then at Okta. The ID token, among the tokens, says who
//! logged in (`identity.rs`); Okta's endpoints come from its discovery
//! document (`provider.rs`).

use crate::api::READ_MESSAGES;
use crate::attempt::{LoginAttempt, LoginAttempts};
use crate::config::Config;
use crate::error::{AppError, page};
use crate::identity::{ExpectedNonce, identity};
use crate::provider::Discovery;
use crate::session::{LOGGED_IN_USER, LoggedInUser, logged_in_user, now};
use crate::tokens::{TokenStore, Tokens};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Redirect, Response};
use html_escape::encode_double_quoted_attribute;
use openidconnect::core::{CoreAuthenticationFlow, CoreErrorResponseType};
use openidconnect::{
    AuthorizationCode, CsrfToken, HttpClientError, Nonce, PkceCodeChallenge, RedirectUrl,
    RequestTokenError, Scope, StandardErrorResponse,
};
use serde::Deserialize;
use std::sync::Arc;
use tower_cookies::Cookies;
use tower_sessions::Session;

// ANCHOR: routes
/// Starts a login.
pub const LOGIN_PATH: &str = "/login/okta";
/// Where Okta sends the browser back (the "Sign-in redirect URI").
pub const CALLBACK_PATH: &str = "/login/okta/authorized";
/// Ends the session, here and at Okta.
pub const LOGOUT_PATH: &str = "/logout";
/// `email` and `profile` release the user's email and name; with
/// `offline_access`, Okta sends a refresh token too (the Okta app must
/// allow the Refresh Token grant). (`openid`, which makes it an OpenID
/// Connect login, openidconnect always sends.)
const SCOPES: [&str; 3] = ["email", "profile", "offline_access"];
/// The scope that asks for the user's groups, asked for when discovery
/// lists it: the org authorization server answers them in userinfo; a
/// custom authorization server lists it when its `groups` claim is
/// included with that scope only. Otherwise a custom server refuses a
/// scope it does not declare, and sends a `groups` claim its admin added.
/// On a custom server, the login also asks for the API's scope, so that
/// its access token can call the API (`api.rs`).
const GROUPS_SCOPE: &str = "groups";
// ANCHOR_END: routes

// ANCHOR: login
/// `GET /login/okta`: a fresh `state`, PKCE verifier and nonce, kept in the
/// login attempt's cookie with the page to come back to, then off to Okta.
pub async fn login(
    State(okta): State<Arc<Okta>>,
    cookies: Cookies,
    params: Result<Query<LoginParams>, QueryRejection>,
) -> Result<Redirect, AppError> {
    let provider = okta.discovery.provider()?;
    let next = params.ok().and_then(|Query(p)| p.next);
    let return_to = next.as_deref().and_then(local_path).unwrap_or("/").to_string();
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, state, nonce) = provider
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scopes(SCOPES.map(|s| Scope::new(s.to_string())))
        .add_scopes(provider.groups_scope.then(|| Scope::new(GROUPS_SCOPE.into())))
        .add_scopes((!okta.org_server).then(|| Scope::new(READ_MESSAGES.into())))
        .set_pkce_challenge(pkce_challenge)
        .url();
    let attempt =
        LoginAttempt { pkce_verifier: Some(pkce_verifier), nonce, return_to, started: now() };
    okta.attempts.make_room(&cookies);
    okta.attempts.save(&cookies, state.secret(), &attempt);
    Ok(Redirect::to(authorize_url.as_str()))
}
// ANCHOR_END: login

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

/// `GET /login/okta/authorized`: find the login this answers by its state,
/// trade the code for tokens, validate the ID token, and start a fresh
/// session for the user it names.
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
    let Some(LoginAttempt { pkce_verifier: Some(verifier), nonce, return_to, .. }) = attempt else {
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

    let provider = okta.discovery.provider()?;
    let token = provider
        .client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&okta.http)
        .await
        .map_err(token_error)?;
    let identity =
        identity(&okta.discovery, &okta.http, provider, &token, ExpectedNonce::Login(&nonce));
    let identity = identity.await?;
    let tokens =
        Tokens { nonce: Some(nonce), ..Tokens::from_answer(&token, identity.clone(), None) };

    // A new session id for the logged-in user: an id planted before the
    // login (session fixation) is worth nothing after it.
    session.cycle_id().await?;
    tracing::info!("{:?} logged in", identity.email);
    let (expires_at, refresh_at) = (tokens.expires_at, tokens.refresh_at);
    let tokens = okta.tokens.create(&tokens).await?;
    let user = LoggedInUser { identity, tokens, expires_at, refresh_at, renewed_at: now() };
    session.insert(LOGGED_IN_USER, user).await?;
    Ok(Redirect::to(&return_to))
}
// ANCHOR_END: callback

// ANCHOR: logout
/// `POST /logout`: forget the session (the cookie is cleared too), then
/// send the browser on to Okta's logout (the discovered
/// `end_session_endpoint`), which ends the Okta session and sends it back
/// to `APP_URL`. Without an ID token (no login, or a session from before a
/// restart) there is nothing to end at Okta: back home.
pub async fn logout(State(okta): State<Arc<Okta>>, session: Session) -> Result<Response, AppError> {
    // Even a session that no longer decodes can be logged out of.
    let user: Option<LoggedInUser> = session.get(LOGGED_IN_USER).await.ok().flatten();
    // A stranger has no session to end (and flushing none logs a warning).
    if session.id().is_some() {
        session.flush().await?;
    }
    let tokens = match user {
        Some(user) => okta.tokens.take(&user.tokens).await?,
        None => None,
    };
    let provider = okta.discovery.provider().ok();
    // A refresh token would go on working at Okta: revoke it (RFC 7009).
    let refresh_token = tokens.as_ref().and_then(|t| t.refresh_token.clone());
    if let (Some(provider), Some(refresh_token)) = (&provider, refresh_token) {
        okta.discovery.revoke(provider, &refresh_token).await;
    }
    let end_session = provider.and_then(|p| p.end_session_url.clone());
    let (Some(id_token), Some(end_session)) = (tokens.and_then(|t| t.id_token), end_session) else {
        return Ok(Redirect::to("/").into_response());
    };
    let id_token = id_token.to_string();
    Ok(to_okta_logout(&end_session, &id_token, &okta.post_logout_redirect_uri))
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
/// Everything the login routes need, shared by every request (behind an
/// `Arc`, so that handing it to a request copies a pointer).
#[derive(Debug)]
pub struct Okta {
    /// Finds Okta, and keeps what it found: its endpoints and keys.
    pub discovery: Arc<Discovery>,
    /// Where the tokens of every login are kept.
    pub tokens: TokenStore,
    /// For every call to Okta: redirects off (following one would hand the
    /// code to wherever it points), and a timeout, so a slow Okta gives a
    /// 504 page and not a hang.
    pub http: reqwest::Client,
    issuer: String,
    /// Whether `OKTA_BASE_URL` is the org authorization server.
    org_server: bool,
    /// `APP_URL`, without its trailing `/`: where this app's API is.
    pub app_url: String,
    /// `APP_URL`, where Okta sends the browser after a logout.
    post_logout_redirect_uri: String,
    /// Where each login waits for its callback: a cookie of its own.
    attempts: LoginAttempts,
}

// ANCHOR: attempt
impl Okta {
    /// The client for the configured Okta app, before Okta is found
    /// ([`Discovery::run`]).
    pub fn new(config: &Config, tokens: TokenStore) -> Okta {
        let checked = "the issuer and APP_URL are checked URLs";
        let redirect_uri = config.app_url.join(CALLBACK_PATH).expect(checked);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.idp_timeout)
            .build()
            .expect("a client with the built-in TLS roots always builds");
        let redirect_uri = RedirectUrl::from_url(redirect_uri);
        Okta {
            discovery: Arc::new(Discovery::new(config, redirect_uri, http.clone())),
            tokens,
            http,
            issuer: config.issuer.clone(),
            org_server: !config.issuer.contains("/oauth2/"),
            app_url: config.app_url.as_str().trim_end_matches('/').into(),
            post_logout_redirect_uri: config.app_url.as_str().trim_end_matches('/').into(),
            attempts: LoginAttempts::new(config, LOGIN_PATH),
        }
    }
}
// ANCHOR_END: client
// ANCHOR_END: attempt

/// What went wrong at the token endpoint, as a page.
pub fn token_error(
    error: RequestTokenError<
        HttpClientError<reqwest::Error>,
        StandardErrorResponse<CoreErrorResponseType>,
    >,
) -> AppError {
    match error {
        // The code expired, was used already, or is forged: that login is
        // spent, and Okta is fine.
        RequestTokenError::ServerResponse(answer)
            if *answer.error() == CoreErrorResponseType::InvalidGrant =>
        {
            AppError::CodeRefused(answer.to_string().trim_end_matches('.').into())
        }
        // Okta would not list the user's groups: more than the claim may.
        RequestTokenError::ServerResponse(answer)
            if answer.error_description().is_some_and(|d| d.contains("too many groups")) =>
        {
            AppError::TooManyGroups(answer.to_string().trim_end_matches('.').into())
        }
        // Okta refused the app itself: its registration, or its settings
        // here, need its admin; asking again will not help.
        RequestTokenError::ServerResponse(answer) if refuses_the_app(answer.error()) => {
            AppError::AppRefused(answer.to_string().trim_end_matches('.').into())
        }
        RequestTokenError::ServerResponse(answer) => AppError::Idp(format!(
            "Okta's token endpoint answered {}",
            answer.to_string().trim_end_matches('.')
        )),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => AppError::from_http("token", &e),
        // The ID token is read with the answer: one that lacks a claim
        // every ID token has (`sub`, `aud`, `iat`) fails here.
        RequestTokenError::Parse(e, body) if has_id_token(&body) => {
            AppError::BadIdToken(format!("it cannot be read: {}", e.inner()))
        }
        _ => AppError::Idp("Okta's token endpoint answered something that is not a token".into()),
    }
}

/// Whether a token endpoint's error code is about the app, not the
/// request or Okta's health (RFC 6749 §5.2): only its admin can fix it.
fn refuses_the_app(code: &CoreErrorResponseType) -> bool {
    use CoreErrorResponseType::*;
    matches!(
        code,
        InvalidClient | UnauthorizedClient | InvalidScope | InvalidRequest | UnsupportedGrantType
    )
}

/// Whether a token answer has an ID token at all.
fn has_id_token(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v["id_token"].is_string())
}
