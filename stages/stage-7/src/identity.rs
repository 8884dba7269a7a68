//! Who logged in: the ID token, once it is valid.
//!
//! Okta answers the code with an ID token next to the access token: a JWT,
//! signed by Okta, that says who logged in (`sub`), for which app (`aud`),
//! from which server (`iss`), when (`iat`, `exp`), and for which login
//! (`nonce`). The app believes it only once each of those is checked
//! (OpenID Connect Core §3.1.3.7). What it lacks, such as an email that the
//! server keeps for userinfo, is asked of userinfo once, for the same `sub`.

use crate::error::AppError;
use crate::provider::{
    Discovery, OktaIdToken, OktaIdTokenClaims, OktaTokenResponse, OktaUserInfoClaims, Provider,
    reason,
};
use openidconnect::core::{CoreIdTokenVerifier, CoreJwsSigningAlgorithm};
use openidconnect::{
    AccessToken, ClaimsVerificationError, HttpClientError, Nonce, OAuth2TokenResponse,
    SignatureVerificationError, SubjectIdentifier, TokenResponse, UserInfoError,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How far the app's clock and Okta's may disagree: an ID token is taken
/// this long after it expires, or this long before it was issued.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

// ANCHOR: identity
/// Who logged in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The ID token's `sub`: who this is, for good (an email can change).
    pub subject: String,
    /// The user's email: the ID token's, or else userinfo's.
    pub email: String,
}

/// Who the token endpoint's answer says logged in, once its ID token is
/// valid, and issued for the login that sent the `nonce` expected (a
/// refreshed ID token may leave it out: OpenID Connect Core §12.2).
pub async fn identity(
    discovery: &Discovery,
    http: &reqwest::Client,
    provider: Arc<Provider>,
    token: &OktaTokenResponse,
    nonce: ExpectedNonce<'_>,
) -> Result<Identity, AppError> {
    let id_token = token.id_token().ok_or(AppError::BadIdToken("Okta sent no ID token".into()))?;
    let (provider, claims) = validate(discovery, provider, id_token, nonce).await?;
    let subject = claims.subject();
    let email = match claims.email() {
        Some(email) => email.to_string(),
        // Okta's ID token is thin, and a server may keep the email for
        // userinfo (OpenID Connect Core §5.4): ask it once, and only
        // about this `sub` (§5.3.2).
        None => userinfo_email(http, &provider, token.access_token(), subject).await?,
    };
    Ok(Identity { subject: subject.to_string(), email })
}
// ANCHOR_END: identity

// ANCHOR: validate
/// The ID token's claims, once it is valid: signed with RS256 (`alg`
/// pinned: `none` is refused) by a key Okta publishes, issued by this
/// issuer for this client (`iss`, `aud`), not expired and not issued in
/// the future (`exp`, `iat`, within `CLOCK_SKEW`), for this login
/// (`nonce`). With the provider whose keys checked it.
async fn validate<'t>(
    discovery: &Discovery,
    provider: Arc<Provider>,
    id_token: &'t OktaIdToken,
    nonce: ExpectedNonce<'_>,
) -> Result<(Arc<Provider>, &'t OktaIdTokenClaims), AppError> {
    let checked = check(id_token, &verifier(&provider), nonce);
    let (provider, checked) = match checked {
        // A key the app has not seen: Okta rotated its keys. Read them
        // once more (only then, never on every login), and try again.
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let provider = discovery.again().await?;
            let checked = check(id_token, &verifier(&provider), nonce);
            (provider, checked)
        }
        checked => (provider, checked),
    };
    Ok((provider, checked.map_err(|e| AppError::BadIdToken(reason(&e)))?))
}
// ANCHOR_END: validate

// ANCHOR: userinfo
/// The email from Okta's userinfo endpoint, whose answer must be about
/// `subject`, the user the ID token names (OpenID Connect Core §5.3.2).
async fn userinfo_email(
    http: &reqwest::Client,
    provider: &Provider,
    access_token: &AccessToken,
    subject: &SubjectIdentifier,
) -> Result<String, AppError> {
    let no_endpoint = |_| AppError::Idp("Okta names no userinfo endpoint".into());
    let request = provider.client.user_info(access_token.clone(), Some(subject.clone()));
    let request = request.map_err(no_endpoint)?;
    let claims: OktaUserInfoClaims = request.request_async(http).await.map_err(userinfo_error)?;
    let email = claims.email().map(|e| e.to_string());
    email.ok_or_else(|| AppError::NotGranted("Okta's userinfo has no email".into()))
}
// ANCHOR_END: userinfo

/// Checks an ID token with the keys, client and issuer of `provider`.
fn verifier(provider: &Provider) -> CoreIdTokenVerifier<'_> {
    let verifier = provider.client.id_token_verifier();
    verifier
        .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
        .set_time_fn(|| chrono::Utc::now() - CLOCK_SKEW)
        .set_issue_time_verifier_fn(|iat| match iat > chrono::Utc::now() + CLOCK_SKEW {
            true => Err(format!("issued in the future, at {iat}")),
            false => Ok(()),
        })
}

// ANCHOR: check
/// The nonce an ID token must carry.
#[derive(Debug, Clone, Copy)]
pub enum ExpectedNonce<'n> {
    /// At login: the login's own (OpenID Connect Core §3.1.3.7).
    Login(&'n Nonce),
    /// From a refresh: none, or else the login's, when it is known
    /// (OpenID Connect Core §12.2).
    Refresh(Option<&'n Nonce>),
}

/// The claims of `id_token`, checked by `verifier`, with its `nonce` as
/// expected.
fn check<'t>(
    id_token: &'t OktaIdToken,
    verifier: &CoreIdTokenVerifier,
    nonce: ExpectedNonce<'_>,
) -> Result<&'t OktaIdTokenClaims, ClaimsVerificationError> {
    match nonce {
        ExpectedNonce::Login(nonce) => id_token.claims(verifier, nonce),
        ExpectedNonce::Refresh(login) => {
            id_token.claims(verifier, |sent: Option<&Nonce>| match (sent, login) {
                (None, _) => Ok(()),
                (Some(sent), Some(login)) if sent.secret() == login.secret() => Ok(()),
                (Some(_), _) => Err("its nonce is not the login's".to_string()),
            })
        }
    }
}
// ANCHOR_END: check

/// What went wrong at the userinfo endpoint, as a page.
fn userinfo_error(error: UserInfoError<HttpClientError<reqwest::Error>>) -> AppError {
    match error {
        UserInfoError::Request(HttpClientError::Reqwest(e)) => AppError::from_http("userinfo", &e),
        UserInfoError::Response(status, ..) => AppError::from_status("userinfo", status),
        UserInfoError::ClaimsVerification(_) => {
            AppError::Idp("Okta's userinfo endpoint answered about another user".into())
        }
        _ => AppError::Idp("Okta's userinfo endpoint answered something that is not claims".into()),
    }
}
