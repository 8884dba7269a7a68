//! Minting: the tokens a [`Grant`] gets, made, remembered and answered.
//! Access tokens as Okta makes them; ID tokens as OpenID Connect Core §2
//! and §3.1.3 describe them, bent by whichever ID-token fault is on.

use super::grant::{Grant, Refresh};
use crate::claims::{self, GroupsClaim};
use crate::faults::{Fault, LONGEST_DURATION};
use crate::org::{AuthServer, Org};
use crate::store::{Kind, Token};
use crate::tokens::{self, KeyName, random_id};
use crate::users::User;
use serde::Serialize;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// Access and ID tokens live an hour, as Okta's default policy says.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh tokens live 90 days.
pub(super) const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

/// The successful answer of the token endpoint (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub(crate) struct TokenResponse {
    token_type: &'static str,
    expires_in: u64,
    access_token: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// Tokens minted for someone.
#[derive(Debug)]
pub(crate) struct Issued {
    /// The answer's body.
    pub response: TokenResponse,
    /// Whom they are for: the user's email, or the client's id.
    pub subject: String,
}

/// How long access tokens live now: the fault's lifetime, kept within
/// what Okta allows (at most a day).
pub(super) fn access_lifetime(org: &Org) -> Duration {
    org.fault(|f| match f {
        Fault::AccessTokenLifetime(d) => Some((*d).min(LONGEST_DURATION)),
        _ => None,
    })
    .unwrap_or(TOKEN_LIFETIME)
}

/// When tokens issued now are issued and expire.
pub(super) struct Times {
    /// `iat`, seconds since the Unix epoch.
    pub(super) iat: u64,
    /// `exp` of access and ID tokens.
    pub(super) exp: u64,
    /// When the store forgets them, on the mock's clock.
    pub(super) expires: SystemTime,
}

/// Mints and remembers the tokens of a grant.
pub(super) fn issue(server: &AuthServer, grant: &Grant) -> Issued {
    let lifetime = access_lifetime(&server.org).max(Duration::from_secs(1));
    let clock = &server.org.clock;
    let iat = clock.unix();
    let times = Times {
        iat,
        exp: iat + lifetime.as_secs(),
        expires: clock.now() + lifetime,
    };
    let key = server.keys.active(server.org.key_phase());
    let access_token = access_token(server, grant, &times, key);
    remember(server, &access_token, Kind::Access, grant, &times);
    let response = TokenResponse {
        token_type: "Bearer",
        expires_in: times.exp - times.iat,
        scope: grant.scopes.join(" "),
        id_token: grant
            .gets_id_token()
            .then(|| id_token(server, grant, &times, key, &access_token)),
        refresh_token: match &grant.refresh {
            Refresh::Mint => grant
                .gets_refresh_token()
                .then(|| refresh_token(server, grant, iat)),
            Refresh::Keep(kept) => (grant.gets_refresh_token()
                && !server.org.has_fault(&Fault::RefreshTokenNotSent))
            .then(|| kept.clone()),
            Refresh::Rotated(successor) => Some(successor.clone()),
        },
        access_token,
    };
    let subject = grant
        .user
        .as_ref()
        .map_or(&grant.client.id, |u| &u.email)
        .clone();
    Issued { response, subject }
}

/// Stores an issued token, so userinfo, introspection and revocation know it.
pub(super) fn remember(server: &AuthServer, token: &str, kind: Kind, grant: &Grant, times: &Times) {
    let entry = Token {
        kind,
        client_id: grant.client.id.clone(),
        user_id: grant.user.as_ref().map(User::id),
        scopes: grant.scopes.clone(),
        grant: grant.grant.clone(),
        auth_time: grant.auth_time,
        issued_at: times.iat,
        expires_at: times.exp,
        expires: times.expires,
        rotated: None,
    };
    server.tokens.insert(token.to_string(), entry);
}

/// A new refresh token, remembered.
fn refresh_token(server: &AuthServer, grant: &Grant, iat: u64) -> String {
    let refresh = random_id();
    let times = Times {
        iat,
        exp: iat + REFRESH_LIFETIME.as_secs(),
        expires: server.org.clock.now() + REFRESH_LIFETIME,
    };
    remember(server, &refresh, Kind::Refresh, grant, &times);
    refresh
}

/// An Okta access token: a JWT for the server's audience, with Okta's
/// claims ([`access_claims`]), bent by the `access-token-expired` fault.
fn access_token(server: &AuthServer, grant: &Grant, times: &Times, key: KeyName) -> String {
    let mut claims = access_claims(server, grant, times);
    if server.org.has_fault(&Fault::AccessTokenExpired) {
        claims["iat"] = json!(times.iat.saturating_sub(7200));
        claims["exp"] = json!(times.iat.saturating_sub(3600));
    }
    tokens::sign(key, tokens::kid(key), &claims)
}

/// An Okta access token's claims: `sub` is the user's login (or the
/// client's id), `uid` the user's id, and `auth_time` their login, for a
/// user's token only; `scp` the scopes granted; `cid` the client.
pub(super) fn access_claims(server: &AuthServer, grant: &Grant, times: &Times) -> Value {
    let mut claims = json!({
        "ver": 1, "jti": format!("AT.{}", random_id()), "iss": server.issuer,
        "aud": server.audience, "iat": times.iat, "exp": times.exp, "cid": grant.client.id,
        "scp": grant.scopes, "sub": grant.client.id,
    });
    if let Some(user) = &grant.user {
        claims["uid"] = json!(user.id());
        claims["sub"] = json!(user.email);
        claims["auth_time"] = json!(grant.auth_time);
    }
    claims
}

/// The ID token, thin as Okta's is beside an access token, bent by
/// whichever ID-token fault is on.
fn id_token(
    server: &AuthServer,
    grant: &Grant,
    times: &Times,
    key: KeyName,
    access_token: &str,
) -> String {
    let groups = server.groups_claim();
    let mut claims = id_claims(server, grant, times, Some(access_token), groups);
    let faults = server.org.faults();
    let mut kid = tokens::kid(key).to_string();
    let mut signer = key;
    for fault in &faults {
        match fault {
            Fault::IdTokenWrongIssuer => {
                claims["iss"] = json!("https://wrong-issuer.example.com/oauth2/default")
            }
            Fault::IdTokenWrongAudience => claims["aud"] = json!("0oa-some-other-client"),
            Fault::IdTokenMissingAudience => remove(&mut claims, "aud"),
            Fault::IdTokenMissingSubject => remove(&mut claims, "sub"),
            Fault::IdTokenMissingIssuedAt => remove(&mut claims, "iat"),
            Fault::IdTokenWithoutEmail => {
                remove(&mut claims, "email");
                remove(&mut claims, "email_verified");
            }
            Fault::IdTokenWrongNonce => claims["nonce"] = json!(format!("not-{}", random_id())),
            Fault::IdTokenExpired => {
                claims["iat"] = json!(times.iat.saturating_sub(7200));
                claims["exp"] = json!(times.iat.saturating_sub(3600));
            }
            Fault::IdTokenBadSignature => signer = KeyName::Unpublished,
            Fault::IdTokenUnknownKid => kid = "unknown-kid".into(),
            _ => {}
        }
    }
    if faults.contains(&Fault::IdTokenAlgNone) {
        return tokens::unsigned(&claims);
    }
    tokens::sign(signer, &kid, &claims)
}

/// A thin ID token's claims (OpenID Connect Core §2), as Okta makes them:
/// the base claims, `at_hash` beside an access token, the nonce the
/// authorize request sent, and the user's claims ([`claims::id_token`]),
/// their groups as `groups` says. Without a user, `sub` is left for the
/// caller to set.
pub(super) fn id_claims(
    server: &AuthServer,
    grant: &Grant,
    times: &Times,
    access_token: Option<&str>,
    groups: GroupsClaim,
) -> Value {
    let mut claims = json!({
        "ver": 1, "jti": format!("ID.{}", random_id()), "iss": server.issuer,
        "aud": grant.client.id, "iat": times.iat, "exp": times.exp,
        "auth_time": grant.auth_time, "amr": ["pwd"], "idp": "00o-mock-okta",
    });
    if let Some(access_token) = access_token {
        claims["at_hash"] = json!(tokens::at_hash(access_token));
    }
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(user) = &grant.user {
        claims["sub"] = json!(user.id());
        if let Some(base) = claims.as_object_mut() {
            base.extend(claims::id_token(user, &grant.scopes, groups));
        }
    }
    claims
}

fn remove(claims: &mut Value, name: &str) {
    if let Some(map) = claims.as_object_mut() {
        map.remove(name);
    }
}
