//! Tokens minted on request ([`TokenRequest`]), with no login or grant
//! behind them, made by [`mint`](super::mint)'s own claim builders so they
//! are shaped as the mock's: a known user's token as a login's, anyone
//! else's as a service's.

use super::grant::{Grant, Refresh};
use super::mint::{Times, access_claims, id_claims, remember};
use crate::clients::Client;
use crate::org::AuthServer;
use crate::params::shorten;
use crate::store::Kind;
use crate::token_request::{Key, Minted, MintedToken, Server, TokenRequest, Tokens};
use crate::tokens::{self, KeyName};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// How long before its `exp` an expired token was issued: an hour, Okta's
/// default lifetime.
const EXPIRED_LIFETIME: u64 = 3600;

/// Mints the tokens `request` asks for, from the server it names among
/// `servers` (none named: the first custom server, the one
/// [`MockOkta::issuer`](crate::MockOkta::issuer) names).
///
/// # Errors
/// One line saying what is wrong: what [`TokenRequest::check`] says, or
/// the server named is not one of `servers` (the line lists them).
pub(crate) fn mint_on_request(
    servers: &[Arc<AuthServer>],
    request: &TokenRequest,
) -> Result<Minted, String> {
    request.check()?;
    let wanted = match &request.server {
        None => servers.iter().find(|s| !s.is_org),
        Some(Server::Org) => servers.iter().find(|s| s.is_org),
        Some(Server::Custom(wanted)) => servers.iter().find(|s| !s.is_org && name(s) == wanted),
    };
    let server = wanted.ok_or_else(|| {
        let names: Vec<String> = servers.iter().map(|s| format!("{:?}", name(s))).collect();
        let asked = match &request.server {
            Some(Server::Custom(asked)) => format!("named {:?}", shorten(asked)),
            Some(Server::Org) => "named \"org\"".into(),
            None => "named, and no custom one to default to".into(),
        };
        format!(
            "\"server\": no authorization server {asked}: the servers are {}",
            names.join(", ")
        )
    })?;
    Ok(mint(server, request))
}

/// A server's name: `org`, or a custom server's, the last segment of its
/// issuer.
fn name(server: &AuthServer) -> &str {
    if server.is_org {
        "org"
    } else {
        server.metadata_path.trim_start_matches("/oauth2/")
    }
}

/// Mints the tokens `request` asks `server` for. An access token signed
/// by the server's current key and not yet expired is remembered, as the
/// server's own are: userinfo (for a known user) and introspection know
/// it.
fn mint(server: &AuthServer, request: &TokenRequest) -> Minted {
    let clock = &server.org.clock;
    let now = clock.unix();
    let lifetime = request.expires_in.unsigned_abs();
    let (iat, exp) = if request.expires_in > 0 {
        (now, now + lifetime)
    } else {
        let exp = now.saturating_sub(lifetime);
        (exp.saturating_sub(EXPIRED_LIFETIME), exp)
    };
    let times = Times {
        iat,
        exp,
        expires: clock.now() + Duration::from_secs(exp.saturating_sub(now)),
    };
    let user = server.org.user(&request.subject);
    let grant = Grant {
        client: server
            .org
            .client(&request.client_id)
            .unwrap_or_else(|| Client::service(&request.client_id, "")),
        user,
        scopes: request.scopes.clone(),
        nonce: None,
        auth_time: iat,
        grant: None,
        refresh: Refresh::Mint,
    };
    let key = match request.key {
        Key::Current => server.keys.active(server.org.key_phase()),
        Key::First => server.keys.first(),
        Key::Unpublished => KeyName::Unpublished,
    };
    let subject = |claims: &mut Value, own: Value| {
        if grant.user.is_none() {
            claims["sub"] = own;
        }
    };
    let access_token = (request.tokens != Tokens::Id).then(|| {
        let mut claims = access_claims(server, &grant, &times);
        subject(&mut claims, json!(request.subject));
        if let Some(audience) = &request.audience {
            claims["aud"] = json!(audience);
        }
        let token = signed(key, claims, request);
        if request.key == Key::Current && request.expires_in > 0 {
            remember(server, &token.token, Kind::Access, &grant, &times);
        }
        token
    });
    let id_token = (request.tokens != Tokens::Access).then(|| {
        let at = access_token.as_ref().map(|access| access.token.as_str());
        // The server's groups as set up: the groups faults bend issued
        // tokens, not the ones a test asks for.
        let mut claims = id_claims(server, &grant, &times, at, server.groups.into());
        subject(&mut claims, json!(request.subject));
        signed(key, claims, request)
    });
    Minted {
        access_token,
        id_token,
    }
}

/// A JWT over `claims` with the request's own claims set last, signed by
/// `key` under its own `kid`.
fn signed(key: KeyName, mut claims: Value, request: &TokenRequest) -> MintedToken {
    if let Some(map) = claims.as_object_mut() {
        map.extend(request.claims.clone());
    }
    MintedToken {
        token: tokens::sign(key, tokens::kid(key), &claims),
        claims,
    }
}
