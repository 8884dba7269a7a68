//! Okta, through OpenID Connect: discovery, the routes of a login and the
//! logout, the ID token that says who logged in, and the refresh that keeps
//! the login alive.
//!
//! Everything about the provider comes from discovery of `OKTA_BASE_URL`:
//! its endpoints and its signing keys. Until discovery succeeds the app
//! runs, says it is not ready, and answers a login with a 503 page; it
//! keeps trying in the background.

use crate::config::Config;
use crate::pages::AppError;
use crate::session::{LOGGED_IN_USER, LoggedInUser, TOKENS, Tokens, cookie_name, now};
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::response::Redirect;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndSessionUrl,
    EndpointNotSet, EndpointSet, HttpClientError, IssuerUrl, JsonWebKeySetUrl, LogoutRequest,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, TokenResponse, core::CoreErrorResponseType,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::Duration as StdDuration;
use tower_cookies::cookie::{Key, SameSite, time::Duration};
use tower_cookies::{Cookie, Cookies};
use tower_sessions::Session;

// ANCHOR: routes
/// Starts a login.
pub const LOGIN_PATH: &str = "/login/okta";
/// Where Okta sends the browser back (the "Sign-in redirect URI").
pub const CALLBACK_PATH: &str = "/login/okta/authorized";
/// Ends the session, here and at Okta.
pub const LOGOUT_PATH: &str = "/logout";
/// The scopes besides `openid` (which openidconnect always sends).
/// `offline_access` asks for a refresh token, which keeps the login alive
/// past the access token's hour (the Okta app must allow the Refresh Token
/// grant).
const SCOPES: [&str; 3] = ["email", "profile", "offline_access"];
/// How long a login may take, from `/login/okta` to the callback.
const LOGIN_TIME_LIMIT: Duration = Duration::minutes(10);
/// How far the app's clock and Okta's may disagree: an ID token is taken
/// this long after it expires, or this long before it was issued.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
// ANCHOR_END: routes

// ANCHOR: client
/// An OpenID Connect client with Okta's authorization and token endpoints.
type OktaClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What discovery found out about Okta.
#[derive(Debug)]
pub struct Provider {
    client: OktaClient,
    jwks_uri: JsonWebKeySetUrl,
    /// Okta's signing keys, fetched again when an ID token names a key
    /// that is not among them (Okta rotated its keys).
    keys: RwLock<CoreJsonWebKeySet>,
    end_session_url: Option<EndSessionUrl>,
}

/// Everything the login routes need, shared by every request.
#[derive(Debug)]
pub struct Okta {
    /// The discovered provider, or why there is none yet.
    provider: RwLock<Result<Arc<Provider>, String>>,
    /// For discovery, the keys and the token endpoint: redirects off, and a
    /// timeout, so a slow Okta gives a 504 page and not a hang.
    http: reqwest::Client,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect_uri: RedirectUrl,
    post_logout_redirect_uri: PostLogoutRedirectUrl,
    /// Encrypts the login attempts' cookies, named `{prefix}{state}`.
    key: Key,
    attempt_cookie_prefix: String,
    https: bool,
}

impl Okta {
    /// The client for the configured Okta app; [`Okta::discover`] finds
    /// the provider.
    pub fn new(config: &Config) -> Okta {
        let checked = "the issuer and APP_URL are checked URLs";
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.idp_timeout)
            .build()
            .expect("a client with the built-in TLS roots always builds");
        let app_url = config.app_url.as_str().trim_end_matches('/');
        Okta {
            provider: RwLock::new(Err("Okta's discovery document has not been read yet".into())),
            http,
            issuer: IssuerUrl::new(config.issuer.clone()).expect(checked),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            redirect_uri: RedirectUrl::from_url(config.app_url.join(CALLBACK_PATH).expect(checked)),
            post_logout_redirect_uri: PostLogoutRedirectUrl::new(app_url.into()).expect(checked),
            key: config.session_key.clone(),
            attempt_cookie_prefix: format!("{}_login_", cookie_name(&config.app_url)),
            https: config.app_url.scheme() == "https",
        }
    }

    /// The discovered provider, or a 503 page that says why there is none.
    pub fn provider(&self) -> Result<Arc<Provider>, AppError> {
        let provider = self.provider.read().unwrap_or_else(|p| p.into_inner());
        provider.clone().map_err(AppError::NotReady)
    }

    /// Reads Okta's discovery document and keys, again and again (1, 2, 4
    /// … up to 10 seconds apart) until it succeeds.
    pub async fn discover(self: Arc<Self>) {
        let mut pause = StdDuration::from_secs(1);
        loop {
            let found = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
                .await
                .map_err(|e| format!("Okta's discovery document cannot be read: {}", reason(&e)))
                .and_then(|metadata| self.provider_from(metadata));
            let ready = found.is_ok();
            match &found {
                Ok(_) => tracing::info!("ready: discovered {}", self.issuer.as_str()),
                Err(why) => tracing::warn!("not ready: {why}; trying again in {pause:?}"),
            }
            *self.provider.write().unwrap_or_else(|p| p.into_inner()) = found.map(Arc::new);
            if ready {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(StdDuration::from_secs(10));
        }
    }

    fn provider_from(&self, metadata: ProviderMetadataWithLogout) -> Result<Provider, String> {
        let token_url = metadata
            .token_endpoint()
            .cloned()
            .ok_or("Okta's discovery document has no token endpoint")?;
        let client =
            CoreClient::new(self.client_id.clone(), self.issuer.clone(), metadata.jwks().clone())
                .set_client_secret(self.client_secret.clone())
                .set_auth_uri(metadata.authorization_endpoint().clone())
                .set_token_uri(token_url)
                .set_redirect_uri(self.redirect_uri.clone());
        Ok(Provider {
            client,
            jwks_uri: metadata.jwks_uri().clone(),
            keys: RwLock::new(metadata.jwks().clone()),
            end_session_url: metadata.additional_metadata().end_session_endpoint.clone(),
        })
    }
}

/// An error and its sources, on one line.
fn reason(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text = format!("{text}: {e}");
        source = e.source();
    }
    text
}
// ANCHOR_END: client

// ANCHOR: attempt
/// A login in progress, from `/login/okta` to its callback: in the browser,
/// in an encrypted cookie of its own named after the login's `state`.
#[derive(Serialize, Deserialize)]
struct LoginAttempt {
    /// Its hash went to Okta as the challenge. `None` once used.
    pkce_verifier: Option<PkceCodeVerifier>,
    /// Sent to Okta, which puts it in the ID token: that ID token was
    /// issued for this login, and is not one replayed from another.
    nonce: Nonce,
    /// The local page to land on after the login.
    return_to: String,
}

impl Okta {
    fn save_attempt(&self, cookies: &Cookies, state: &str, attempt: &LoginAttempt) {
        let value = serde_json::to_string(attempt).expect("strings serialize");
        let cookie = Cookie::build((format!("{}{state}", self.attempt_cookie_prefix), value))
            .path(CALLBACK_PATH)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .max_age(LOGIN_TIME_LIMIT);
        cookies.private(&self.key).add(cookie.build());
    }

    /// The attempt that `state` names, if this browser started it and the
    /// key opens it. Its verifier works once: the cookie is saved again
    /// without it, whatever happens next.
    fn use_attempt(&self, cookies: &Cookies, state: &str) -> Option<LoginAttempt> {
        let cookie =
            cookies.private(&self.key).get(&format!("{}{state}", self.attempt_cookie_prefix))?;
        let attempt: LoginAttempt = serde_json::from_str(cookie.value()).ok()?;
        let used = LoginAttempt {
            pkce_verifier: None,
            nonce: attempt.nonce.clone(),
            return_to: attempt.return_to.clone(),
        };
        self.save_attempt(cookies, state, &used);
        Some(attempt)
    }
}
// ANCHOR_END: attempt

// ANCHOR: login
/// What `/login/okta` may be given: the page to come back to.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    next: Option<String>,
}

/// `GET /login/okta`: a fresh `state`, PKCE verifier and nonce, kept in the
/// login attempt's cookie with the page to come back to, then off to Okta.
pub async fn login(
    State(okta): State<Arc<Okta>>,
    cookies: Cookies,
    params: Result<Query<LoginParams>, QueryRejection>,
) -> Result<Redirect, AppError> {
    let provider = okta.provider()?;
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
        .set_pkce_challenge(pkce_challenge)
        .url();
    let attempt = LoginAttempt { pkce_verifier: Some(pkce_verifier), nonce, return_to };
    okta.save_attempt(&cookies, state.secret(), &attempt);
    Ok(Redirect::to(authorize_url.as_str()))
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
    let attempt = okta.use_attempt(&cookies, &state);
    let Some(LoginAttempt { pkce_verifier: Some(verifier), nonce, return_to }) = attempt else {
        // A callback that arrives again (a double click, a reload) finds its
        // verifier used: a user it logged in goes on where they were going.
        if session.get::<LoggedInUser>(LOGGED_IN_USER).await?.is_some() {
            return Ok(Redirect::to(attempt.as_ref().map_or("/", |a| &a.return_to)));
        }
        return Err(AppError::BadCallback(
            "it does not answer a login started in this browser, or that login is over",
        ));
    };
    if params.iss.as_ref().is_some_and(|iss| iss != okta.issuer.as_str()) {
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

    let provider = okta.provider()?;
    let token = provider
        .client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&okta.http)
        .await
        .map_err(token_error)?;
    let id_token = token.id_token().ok_or(AppError::BadIdToken("Okta sent no ID token".into()))?;
    let (subject, email) = okta.identity(&provider, id_token, &nonce).await?;

    // A new session id for the logged-in user: an id planted before the
    // login (session fixation) is worth nothing after it.
    session.cycle_id().await?;
    tracing::info!("{email:?} logged in");
    let user = LoggedInUser { subject, email, expires_at: 0, refresh_at: 0, renewed_at: now() };
    keep(&session, user, &token, None).await?;
    Ok(Redirect::to(&return_to))
}

/// Keeps a login's tokens in the session, and when they are due. An answer
/// without a refresh token or an ID token (to a refresh) leaves the `kept`
/// ones in place: Okta *may* send new ones (RFC 6749 §6).
async fn keep(
    session: &Session,
    mut user: LoggedInUser,
    token: &CoreTokenResponse,
    kept: Option<Tokens>,
) -> Result<LoggedInUser, AppError> {
    // Okta leaves expires_in out only if misconfigured: assume its default hour.
    let lifetime = token.expires_in().map_or(3600, |d| d.as_secs());
    user.expires_at = now().saturating_add(lifetime);
    // Refresh once three quarters of the lifetime have passed: before the
    // token can expire between a page view's check and its use.
    user.refresh_at = now().saturating_add(lifetime.saturating_mul(3) / 4);
    let (kept_refresh, kept_id) = kept.map_or((None, None), |t| (t.refresh_token, t.id_token));
    let tokens = Tokens {
        access_token: token.access_token().clone(),
        refresh_token: token.refresh_token().cloned().or(kept_refresh),
        id_token: token.id_token().cloned().or(kept_id),
    };
    session.insert(LOGGED_IN_USER, &user).await?;
    session.insert(TOKENS, tokens).await?;
    Ok(user)
}
// ANCHOR_END: callback

// ANCHOR: id_token
impl Okta {
    /// Who the ID token names, once it is valid: signed by one of Okta's
    /// keys with RS256 (`alg` pinned: `none` or a key Okta does not publish
    /// is refused), issued by this issuer for this client (`iss`, `aud`),
    /// not expired and not issued in the future (`exp`, `iat`, within
    /// `CLOCK_SKEW`), and for this login (`nonce`).
    async fn identity(
        &self,
        provider: &Provider,
        id_token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<(String, String), AppError> {
        let verify = |keys: CoreJsonWebKeySet| {
            let verifier = CoreIdTokenVerifier::new_confidential_client(
                self.client_id.clone(),
                self.client_secret.clone(),
                self.issuer.clone(),
                keys,
            )
            .set_allowed_algs([openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
            .set_time_fn(|| chrono::Utc::now() - CLOCK_SKEW)
            .set_issue_time_verifier_fn(|iat| {
                match iat > chrono::Utc::now() + CLOCK_SKEW {
                    true => Err(format!("issued in the future, at {iat}")),
                    false => Ok(()),
                }
            });
            let claims = id_token.claims(&verifier, nonce)?;
            let email = claims.email().map(|e| e.to_string());
            Ok::<_, ClaimsVerificationError>((claims.subject().to_string(), email))
        };
        let keys = provider.keys.read().unwrap_or_else(|p| p.into_inner()).clone();
        let verified = match verify(keys) {
            // A key the app has not seen: Okta rotated its keys. Fetch them
            // once more (only then, never on every login), and try again.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let keys =
                    CoreJsonWebKeySet::fetch_async(&provider.jwks_uri, &self.http).await.map_err(
                        |e| AppError::Idp(format!("Okta's keys cannot be read: {}", reason(&e))),
                    )?;
                *provider.keys.write().unwrap_or_else(|p| p.into_inner()) = keys.clone();
                verify(keys)
            }
            verified => verified,
        };
        match verified {
            Ok((subject, Some(email))) => Ok((subject, email)),
            Ok((_, None)) => Err(AppError::NotGranted("Okta's ID token has no email".into())),
            Err(e) => Err(AppError::BadIdToken(reason(&e))),
        }
    }
}
// ANCHOR_END: id_token

// ANCHOR: refresh
/// The logged-in user with a good access token: refreshed first if it is
/// due. A refresh Okta refuses (`invalid_grant`: the login was ended at
/// Okta, or the refresh token expired) ends the login here too.
pub async fn refreshed(
    okta: &Okta,
    session: &Session,
    user: LoggedInUser,
) -> Result<Option<LoggedInUser>, AppError> {
    if now() < user.refresh_at {
        return Ok(Some(user));
    }
    let tokens: Option<Tokens> = session.get(TOKENS).await?;
    let Some(refresh_token) = tokens.as_ref().and_then(|t| t.refresh_token.clone()) else {
        // No refresh token: the login lasts as long as the access token.
        return Ok((now() < user.expires_at).then_some(user));
    };
    let provider = okta.provider()?;
    let answer =
        provider.client.exchange_refresh_token(&refresh_token).request_async(&okta.http).await;
    match answer {
        Ok(token) => Ok(Some(keep(session, user, &token, tokens).await?)),
        Err(RequestTokenError::ServerResponse(answer))
            if *answer.error() == CoreErrorResponseType::InvalidGrant =>
        {
            session.flush().await?;
            Err(AppError::LoginEnded(answer.to_string().trim_end_matches('.').into()))
        }
        // Okta failing for a moment does not end a login whose access token
        // is still good.
        Err(_) if now() < user.expires_at => Ok(Some(user)),
        Err(e) => Err(token_error(e)),
    }
}
// ANCHOR_END: refresh

// ANCHOR: logout
/// `POST /logout`: forget the session (the cookie is cleared too), then send
/// the browser to Okta's logout (its `end_session_endpoint`), which ends the
/// Okta session and sends it back to `APP_URL`.
pub async fn logout(State(okta): State<Arc<Okta>>, session: Session) -> Result<Redirect, AppError> {
    let tokens: Option<Tokens> = session.get(TOKENS).await?;
    session.flush().await?;
    let provider = okta.provider().ok();
    let end_session = provider.as_ref().and_then(|p| p.end_session_url.clone());
    let id_token = tokens.and_then(|t| t.id_token);
    let (Some(id_token), Some(end_session)) = (id_token, end_session) else {
        return Ok(Redirect::to("/"));
    };
    let url = LogoutRequest::from(end_session)
        .set_id_token_hint(&id_token)
        .set_post_logout_redirect_uri(okta.post_logout_redirect_uri.clone())
        .http_get_url();
    Ok(Redirect::to(url.as_str()))
}
// ANCHOR_END: logout

/// Whether a token answer has an ID token at all.
fn has_id_token(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v["id_token"].is_string())
}

/// What went wrong at the token endpoint, as a page.
fn token_error(
    error: RequestTokenError<
        HttpClientError<reqwest::Error>,
        StandardErrorResponse<CoreErrorResponseType>,
    >,
) -> AppError {
    match error {
        RequestTokenError::ServerResponse(answer) => AppError::Idp(format!(
            "Okta's token endpoint answered {}",
            answer.to_string().trim_end_matches('.')
        )),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => AppError::from_http("token", &e),
        // The ID token is read with the token answer: a claim it lacks
        // (`sub`, `aud`, `iat`) shows here.
        RequestTokenError::Parse(e, body) if has_id_token(&body) => {
            AppError::BadIdToken(format!("it cannot be read: {}", e.inner()))
        }
        e => AppError::Idp(format!(
            "Okta's token endpoint answered something that is not a token: {}",
            reason(&e)
        )),
    }
}
