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
    EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken,
    IdTokenClaims, IdTokenFields, IssuerUrl, LogoutProviderMetadata, ProviderMetadata, RedirectUrl,
    RefreshToken, RevocationUrl, StandardErrorResponse, StandardTokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::Duration;

// ANCHOR: claims
/// What Okta's ID tokens and userinfo say beyond OpenID Connect's standard
/// claims, that this app reads: nothing yet. (Stage 9 reads the user's
/// groups here; the types below carry this one, so that only it changes.)
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OktaClaims {}

impl AdditionalClaims for OktaClaims {}
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
    /// 10 seconds apart) until it succeeds.
    pub async fn run(self: Arc<Self>) {
        let mut pause = Duration::from_secs(1);
        loop {
            let found = self.read().await;
            let ready = found.is_ok();
            match &found {
                Ok(_) => tracing::info!("ready: discovered {}", self.issuer.as_str()),
                Err(why) => tracing::warn!("not ready: {why}; trying again in {pause:?}"),
            }
            *self.found.write().unwrap_or_else(|p| p.into_inner()) = found.map(Arc::new);
            if ready {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(10));
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
        let found = Metadata::discover_async(self.issuer.clone(), &self.http).await;
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
        Ok(Provider { client, end_session_url, revocation_url })
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
