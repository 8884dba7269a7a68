//! Finding Okta: OpenID Connect discovery.
//!
//! Everything about the provider comes from its discovery document,
//! `{OKTA_BASE_URL}/.well-known/openid-configuration` (OpenID Connect
//! Discovery 1.0 §4): its endpoints, and its signing keys. Until the
//! document has been read the app runs, and answers a login with a 503 page
//! that says why; it keeps trying in the background.

use crate::config::Config;
use crate::error::AppError;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, Client, ClientId, ClientSecret, DiscoveryError,
    EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    HttpClientError, IdToken, IdTokenClaims, IdTokenFields, IssuerUrl, LogoutProviderMetadata,
    ProviderMetadata, RedirectUrl, RefreshToken, RevocationUrl, StandardErrorResponse,
    StandardTokenResponse, UserInfoClaims,
};
use reqwest::header::CACHE_CONTROL;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

// ANCHOR: claims
/// What Okta's ID tokens and userinfo say beyond OpenID Connect's standard
/// claims, that this app reads: the user's `groups`, when Okta is set up to
/// send them, in whatever shape they come.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OktaClaims {
    pub groups: Option<GroupsClaim>,
}

impl AdditionalClaims for OktaClaims {}

/// A `groups` claim as it may come: Okta's list of names; one name, from a
/// claim of type String; or another shape, which the app cannot read (and
/// which must not make the whole ID token unreadable).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GroupsClaim {
    List(Vec<String>),
    One(String),
    Other(serde_json::Value),
}
// ANCHOR_END: claims

/// An ID token of Okta's, with [`OktaClaims`].
pub type OktaIdToken = IdToken<
    OktaClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The claims of an [`OktaIdToken`].
pub type OktaIdTokenClaims = IdTokenClaims<OktaClaims, CoreGenderClaim>;

/// Okta's userinfo answer, with [`OktaClaims`].
pub type OktaUserInfoClaims = UserInfoClaims<OktaClaims, CoreGenderClaim>;

/// Okta's answer from its token endpoint, with an [`OktaIdToken`].
pub type OktaTokenResponse = StandardTokenResponse<
    IdTokenFields<
        OktaClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// An OpenID Connect client with Okta's authorization and token endpoints,
/// its signing keys, and its userinfo endpoint if it names one; its answers
/// carry [`OktaClaims`]. Of its seventeen type parameters, the first is
/// those claims and the last six say which endpoints are set; the rest are
/// openidconnect's `CoreClient`'s.
pub type OktaClient = Client<
    OktaClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    OktaTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointMaybeSet,
>;

/// What Okta's discovery document says beyond OpenID Connect's standard
/// metadata and its logout endpoint, that this app reads: its
/// `revocation_endpoint` (RFC 8414 §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OktaMetadata {
    revocation_endpoint: Option<RevocationUrl>,
}

impl AdditionalProviderMetadata for OktaMetadata {}

/// Okta's discovery document, with its logout endpoint and [`OktaMetadata`].
type Metadata = ProviderMetadata<
    LogoutProviderMetadata<OktaMetadata>,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

// ANCHOR: provider
/// What discovery found out about Okta.
#[derive(Debug)]
pub struct Provider {
    pub client: OktaClient,
    /// Okta's logout (OpenID Connect RP-Initiated Logout 1.0).
    pub end_session_url: Option<EndSessionUrl>,
    /// Whether discovery lists a `groups` scope: the org server's, or a
    /// custom server's whose groups claim comes with that scope only.
    pub groups_scope: bool,
    /// How long Okta's keys may be kept before they are read again: what
    /// its keys endpoint's `Cache-Control` says (`keys_kept`).
    pub keys_fresh_for: Duration,
    /// Where a token is revoked (RFC 7009).
    pub revocation_url: Option<RevocationUrl>,
}

/// Finds Okta, and keeps what it found.
#[derive(Debug)]
pub struct Discovery {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect_uri: RedirectUrl,
    http: reqwest::Client,
    /// The provider, or why there is none yet.
    found: RwLock<Result<Arc<Provider>, String>>,
}
// ANCHOR_END: provider

impl Discovery {
    /// Nothing found yet: [`Discovery::run`] finds it.
    pub fn new(config: &Config, redirect_uri: RedirectUrl, http: reqwest::Client) -> Discovery {
        Discovery {
            issuer: IssuerUrl::new(config.issuer.clone()).expect("the issuer is a checked URL"),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            redirect_uri,
            http,
            found: RwLock::new(Err("Okta's discovery document has not been read yet".into())),
        }
    }

    /// The provider, or a 503 page that says why there is none.
    pub fn provider(&self) -> Result<Arc<Provider>, AppError> {
        let found = self.found.read().unwrap_or_else(|p| p.into_inner());
        found.clone().map_err(AppError::NotReady)
    }

    // ANCHOR: run
    /// Reads Okta's discovery document, again and again (1, 2, 4 … up to
    /// 10 seconds apart) until it succeeds; then again each time its keys
    /// may no longer be kept, so a key Okta withdraws stops being trusted
    /// (a read that fails then keeps what was found, and is tried again).
    pub async fn run(self: Arc<Self>) {
        let mut pause = Duration::from_secs(1);
        loop {
            let wait = match self.read().await {
                Ok(provider) => {
                    let fresh_for = provider.keys_fresh_for;
                    match self.provider() {
                        Err(_) => tracing::info!("ready: discovered {}", self.issuer.as_str()),
                        Ok(_) => tracing::debug!("read Okta's keys again, kept {fresh_for:?}"),
                    }
                    *self.found.write().unwrap_or_else(|p| p.into_inner()) = Ok(Arc::new(provider));
                    pause = Duration::from_secs(1);
                    fresh_for
                }
                Err(why) => {
                    let mut found = self.found.write().unwrap_or_else(|p| p.into_inner());
                    if found.is_ok() {
                        tracing::warn!(
                            "Okta's keys could not be read again: {why}; the ones read before stay; trying again in {pause:?}"
                        );
                    } else {
                        tracing::warn!("not ready: {why}; trying again in {pause:?}");
                        *found = Err(why);
                    }
                    let wait = pause;
                    pause = (pause * 2).min(Duration::from_secs(10));
                    wait
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
    // ANCHOR_END: run

    /// Reads it once more, for its new keys (Okta rotated them). The
    /// provider found before stays if this fails.
    pub async fn again(&self) -> Result<Arc<Provider>, AppError> {
        let found = Arc::new(self.read().await.map_err(AppError::Idp)?);
        *self.found.write().unwrap_or_else(|p| p.into_inner()) = Ok(found.clone());
        Ok(found)
    }

    /// The discovery document and the keys it points to, read once.
    async fn read(&self) -> Result<Provider, String> {
        // The keys endpoint's `Cache-Control`, noted on the side (the crate
        // reads the keys, and shows only their body).
        let cache_control = Arc::new(Mutex::new(None::<String>));
        let http = |request: openidconnect::HttpRequest| {
            let (http, noted) = (self.http.clone(), cache_control.clone());
            let keys = !request.uri().path().ends_with("/.well-known/openid-configuration");
            async move {
                let answer = openidconnect::AsyncHttpClient::call(&http, request).await?;
                if keys {
                    let header = answer.headers().get(CACHE_CONTROL);
                    let header = header.and_then(|value| value.to_str().ok()).map(String::from);
                    *noted.lock().unwrap_or_else(|p| p.into_inner()) = header;
                }
                Ok::<_, HttpClientError<reqwest::Error>>(answer)
            }
        };
        let found = Metadata::discover_async(self.issuer.clone(), &http).await;
        let cache_control = cache_control.lock().unwrap_or_else(|p| p.into_inner()).take();
        let keys_fresh_for = keys_kept(cache_control.as_deref());
        let metadata = match found {
            Ok(metadata) => metadata,
            // The document names another issuer: Okta's changes when a custom
            // domain is switched on, say. Waiting will not help; a setting will.
            Err(DiscoveryError::Validation(_)) => {
                let named = self.named_issuer().await.unwrap_or_else(|| "another issuer".into());
                let ours = self.issuer.as_str();
                return Err(format!(
                    "Okta's discovery document names the issuer {named}, not OKTA_BASE_URL={ours}: set OKTA_BASE_URL={named}"
                ));
            }
            Err(e) => {
                return Err(format!("Okta's discovery document cannot be read: {}", reason(&e)));
            }
        };
        let groups_scope = metadata
            .scopes_supported()
            .is_some_and(|scopes| scopes.iter().any(|scope| scope.as_str() == "groups"));
        let token_url = metadata
            .token_endpoint()
            .cloned()
            .ok_or("Okta's discovery document has no token endpoint")?;
        let more = metadata.additional_metadata();
        let end_session_url = more.end_session_endpoint.clone();
        let revocation_url = more.additional_metadata.revocation_endpoint.clone();
        let client = Client::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_token_uri(token_url)
        .set_redirect_uri(self.redirect_uri.clone());
        Ok(Provider { client, end_session_url, revocation_url, groups_scope, keys_fresh_for })
    }
}

impl Discovery {
    /// The `issuer` the discovery document names, if it can be read.
    async fn named_issuer(&self) -> Option<String> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer.as_str());
        let document = self.http.get(url).send().await.ok()?;
        let document: serde_json::Value = document.json().await.ok()?;
        document["issuer"].as_str().map(String::from)
    }
}

/// How long Okta's keys are kept: at least this long, even when its keys
/// endpoint says `no-cache` (as it does shortly before a rotation), so
/// they are not read on every request.
const KEYS_KEPT_MIN: Duration = Duration::from_secs(5);
/// At most this long, whatever it says: a key Okta withdraws in an
/// emergency is trusted no longer than a day.
const KEYS_KEPT_MAX: Duration = Duration::from_secs(24 * 3600);
/// This long when it says nothing.
const KEYS_KEPT_DEFAULT: Duration = Duration::from_secs(3600);

/// How long keys answered with this `Cache-Control` may be kept: its
/// `max-age`, in seconds (RFC 9111 §5.2.2.1), the least for `no-cache` or
/// `no-store`, within [`KEYS_KEPT_MIN`] and [`KEYS_KEPT_MAX`]. Okta asks
/// apps to cache its keys by these headers ("Best Practices for Caching
/// the Okta JSON Web Keys Set", Okta support).
fn keys_kept(cache_control: Option<&str>) -> Duration {
    let mut kept = KEYS_KEPT_DEFAULT;
    for directive in cache_control.unwrap_or("").split(',') {
        let directive = directive.trim().to_ascii_lowercase();
        if directive == "no-cache" || directive == "no-store" {
            return KEYS_KEPT_MIN;
        }
        if let Some(Ok(age)) = directive.strip_prefix("max-age=").map(str::parse) {
            kept = Duration::from_secs(age);
        }
    }
    kept.clamp(KEYS_KEPT_MIN, KEYS_KEPT_MAX)
}

/// An error and its sources, on one line.
pub fn reason(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text = format!("{text}: {e}");
        source = e.source();
    }
    text
}

// ANCHOR: revoke
impl Discovery {
    /// Revokes `refresh_token` at Okta (RFC 7009 §2.1), so that it stops
    /// working once its user has logged out. A failure is logged, and the
    /// logout goes on. (By hand: the oauth2 crate refuses a revocation
    /// endpoint that is not https, such as the local mock's.)
    pub async fn revoke(&self, provider: &Provider, refresh_token: &RefreshToken) {
        let Some(url) = &provider.revocation_url else {
            return tracing::warn!(
                "Okta names no revocation endpoint: a refresh token stays valid"
            );
        };
        let form = [
            ("token", refresh_token.secret().as_str()),
            ("token_type_hint", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.secret().as_str()),
        ];
        let sent = self.http.post(url.url().clone()).form(&form).send().await;
        if let Err(e) = sent.and_then(|answer| answer.error_for_status()) {
            tracing::warn!("a refresh token could not be revoked at logout: {}", reason(&e));
        }
    }
}
// ANCHOR_END: revoke
