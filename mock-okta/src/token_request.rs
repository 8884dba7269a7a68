//! Tokens minted on request, without a login or a grant: what a test asks
//! for ([`TokenRequest`], from Rust or as the JSON of `POST
//! /__mock/tokens`) and what it gets ([`Minted`]). The tokens themselves
//! are made in [`grants`](crate::grants), shaped as the mock's own.

use crate::clients::DEFAULT_CLIENT_ID;
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

/// What a minted access token or ID token lives, by default: an hour, as
/// Okta's default policy says (in seconds).
const DEFAULT_LIFETIME: i64 = 3600;

/// Which authorization server mints a token, by name, as its issuer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    /// The org authorization server (issuer: the org's URL). Over HTTP,
    /// `"org"`.
    Org,
    /// A custom authorization server by its name: the last segment of its
    /// issuer `{org}/oauth2/{name}`, e.g. `default`.
    Custom(String),
}

impl Server {
    /// A custom authorization server by name, e.g. `Server::custom("default")`.
    pub fn custom(name: impl Into<String>) -> Self {
        Server::Custom(name.into())
    }
}

/// Which tokens to mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokens {
    /// An access token (the default). Over HTTP, `"access"`.
    Access,
    /// An ID token. Over HTTP, `"id"`.
    Id,
    /// Both; the ID token carries the access token's `at_hash`. Over HTTP,
    /// `"both"`.
    Both,
}

/// Which key signs the minted tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Key {
    /// The server's current signing key, which its `/v1/keys` publishes
    /// (its second key once `rotate-keys` is on), as its own tokens are
    /// signed (the default). Over HTTP, `"current"`.
    Current,
    /// A key the mock never publishes, under its own `kid`: an app that
    /// checks signatures refuses the token ("a key Okta does not
    /// publish"). Over HTTP, `"unpublished"`.
    Unpublished,
    /// The server's first key, the one that signs before any rotation,
    /// whether or not it is still published: after `key-withdrawn`, a token
    /// signed with a withdrawn key, as one forged with a leaked key would
    /// be. Over HTTP, `"first"`.
    First,
}

/// A request for tokens: for whom, from which server, with what.
/// [`MockOkta::mint`](crate::MockOkta::mint) mints them, as `POST
/// /__mock/tokens` does with the same fields in JSON.
///
/// The tokens are shaped as the mock's own (see the README's token
/// tables): an access token has `ver`, `jti` (`AT.…`), `iss`, `aud`, `iat`,
/// `exp`, `cid`, `scp` and `sub`; for a subject that is a known user's
/// email, also `uid` (the user's id) and `auth_time`. An ID token has the
/// base claims of a thin ID token, with the user's id as `sub` for a known
/// user (and the claims the scopes bring), the subject as given otherwise.
/// Faults that bend issued tokens (`access-token-expired`, `id-token-…`)
/// do not touch minted ones: the request says what it wants.
///
/// ```
/// use mock_okta::{Key, MockOkta, TokenRequest};
/// use std::time::{Duration, UNIX_EPOCH};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let okta = MockOkta::start().await?;
/// let minted = okta.mint(
///     &TokenRequest::new("alice@example.com")
///         .scope("messages:read")
///         .expired(Duration::from_secs(60))
///         .claim("tenant", serde_json::json!("acme")),
/// );
/// let access = minted.access_token.expect("an access token was asked for");
/// assert_eq!(access.claims["sub"], "alice@example.com");
/// assert!(access.claims["uid"].as_str().unwrap().starts_with("00u"));
/// assert_eq!(access.claims["aud"], "api://default");
/// assert_eq!(access.claims["tenant"], "acme");
/// let (iat, exp) = (access.claims["iat"].as_u64().unwrap(), access.claims["exp"].as_u64().unwrap());
/// let now = okta.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
/// assert_eq!(exp - iat, 3600, "an hour-long token…");
/// assert!(exp <= now - 60, "…that expired a minute ago");
///
/// let forged = okta.mint(&TokenRequest::new("svc").key(Key::Unpublished));
/// assert!(forged.access_token.is_some() && forged.id_token.is_none());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRequest {
    pub(crate) subject: String,
    pub(crate) server: Option<Server>,
    pub(crate) tokens: Tokens,
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) audience: Option<String>,
    pub(crate) expires_in: i64,
    pub(crate) claims: Map<String, Value>,
    pub(crate) key: Key,
}

impl TokenRequest {
    /// An access token for `subject`: a known user's email (the token is
    /// then that user's, with their `uid`), or anything else (a client's
    /// id, say: a service's token). By default: from the custom server
    /// that [`MockOkta::issuer`](crate::MockOkta::issuer) names, for
    /// [`DEFAULT_CLIENT_ID`], no scopes, the server's audience, an hour,
    /// no extra claims, the server's current key.
    pub fn new(subject: impl Into<String>) -> Self {
        TokenRequest {
            subject: subject.into(),
            server: None,
            tokens: Tokens::Access,
            client_id: DEFAULT_CLIENT_ID.into(),
            scopes: Vec::new(),
            audience: None,
            expires_in: DEFAULT_LIFETIME,
            claims: Map::new(),
            key: Key::Current,
        }
    }

    /// The authorization server that mints them.
    pub fn server(mut self, server: Server) -> Self {
        self.server = Some(server);
        self
    }

    /// Which tokens to mint (default [`Tokens::Access`]).
    pub fn tokens(mut self, tokens: Tokens) -> Self {
        self.tokens = tokens;
        self
    }

    /// The client they are issued to: the access token's `cid`, the ID
    /// token's `aud`. Any id; the mock need not know the client.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = id.into();
        self
    }

    /// Adds a scope to the access token's `scp` (any scope token, declared
    /// on the server or not); `profile` and `email` also bring a user's
    /// claims into the ID token.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// The access token's `aud` (default: the server's audience, e.g.
    /// `api://default`; the org's URL for the org server).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The tokens expire this long after they are issued (`exp - iat`),
    /// at most a day (the longest access-token lifetime Okta allows);
    /// whole seconds, rounded down.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// The tokens expired this long ago, on the mock's clock (at most a
    /// day): `exp` is in the past, and `iat` an hour before it.
    pub fn expired(mut self, ago: Duration) -> Self {
        self.expires_in = i64::try_from(ago.as_secs()).map_or(i64::MIN, |s| -s);
        self
    }

    /// Adds a claim to every token minted, or replaces one of the mock's
    /// (say `iss`, or `scp` as a string), set last.
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// The key that signs them (default [`Key::Current`]).
    pub fn key(mut self, key: Key) -> Self {
        self.key = key;
        self
    }

    /// The request `POST /__mock/tokens` carries: a JSON object with
    /// `subject` and, if you like, the other [`FIELDS`].
    ///
    /// # Errors
    /// One line saying what is wrong and what to send, never a parser's
    /// words, e.g. `"scopes": expected an array of strings, e.g. …`.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(bytes) else {
            return Err(expected());
        };
        let Some(Value::String(subject)) = fields.get("subject") else {
            return Err(wrong("subject"));
        };
        let mut request = TokenRequest::new(subject.clone());
        for (name, value) in &fields {
            request = request.with_field(name, value)?;
        }
        Ok(request)
    }

    /// The request with one JSON field's value.
    fn with_field(self, name: &str, value: &Value) -> Result<Self, String> {
        let text = || {
            value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong(name))
        };
        Ok(match name {
            "subject" => self,
            "server" => self.server(match text()?.as_str() {
                "org" => Server::Org,
                custom => Server::custom(custom),
            }),
            "tokens" => self.tokens(match text()?.as_str() {
                "access" => Tokens::Access,
                "id" => Tokens::Id,
                "both" => Tokens::Both,
                _ => return Err(wrong(name)),
            }),
            "client_id" => self.client_id(text()?),
            "scopes" => {
                let scopes = value.as_array().ok_or_else(|| wrong(name))?;
                scopes.iter().try_fold(self, |request, scope| {
                    let scope = scope.as_str().ok_or_else(|| wrong(name))?;
                    Ok::<_, String>(request.scope(scope))
                })?
            }
            "audience" => self.audience(text()?),
            "expires_in" => TokenRequest {
                expires_in: value.as_i64().ok_or_else(|| wrong(name))?,
                ..self
            },
            "claims" => {
                let claims = value.as_object().ok_or_else(|| wrong(name))?;
                claims
                    .iter()
                    .fold(self, |request, (n, v)| request.claim(n, v.clone()))
            }
            "key" => self.key(match text()?.as_str() {
                "current" => Key::Current,
                "unpublished" => Key::Unpublished,
                "first" => Key::First,
                _ => return Err(wrong(name)),
            }),
            _ => {
                let shown = crate::params::shorten(name);
                return Err(format!("unknown field {shown:?}: {}", expected()));
            }
        })
    }

    /// What is wrong with the request's values, if anything: a subject,
    /// client id or audience that is empty or holds a control character,
    /// a scope that is not a scope token, a lifetime beyond a day either
    /// way.
    pub(crate) fn check(&self) -> Result<(), String> {
        let named = [
            ("subject", Some(&self.subject)),
            ("client_id", Some(&self.client_id)),
            ("audience", self.audience.as_ref()),
        ];
        for (field, value) in named {
            if value.is_some_and(|v| v.is_empty() || v.chars().any(char::is_control)) {
                return Err(format!(
                    "{field:?}: empty or with a control character (a newline?): {}",
                    shape(field)
                ));
            }
        }
        for scope in &self.scopes {
            crate::scopes::check_token(scope)
                .map_err(|problem| format!("\"scopes\": {problem}"))?;
        }
        let longest = crate::faults::LONGEST_DURATION.as_secs();
        if self.expires_in.unsigned_abs() > longest {
            return Err(format!(
                "\"expires_in\": {} is more than a day either way ({longest} seconds, the longest access-token lifetime Okta allows)",
                self.expires_in
            ));
        }
        Ok(())
    }
}

/// The fields of `POST /__mock/tokens`'s JSON object, and what each takes.
pub(crate) const FIELDS: &[(&str, &str)] = &[
    (
        "subject",
        "a string: a user's email (e.g. \"alice@example.com\") or any other subject, e.g. a client id",
    ),
    (
        "server",
        "\"org\" or a custom authorization server's name, e.g. \"default\" (the default: the mock's custom server)",
    ),
    ("tokens", "\"access\" (the default), \"id\" or \"both\""),
    (
        "client_id",
        "a string, e.g. \"0oa-workbook-client\" (the default)",
    ),
    (
        "scopes",
        "an array of strings, e.g. [\"openid\", \"messages:read\"]",
    ),
    (
        "audience",
        "a string, e.g. \"api://default\" (the default: the server's)",
    ),
    (
        "expires_in",
        "an integer number of seconds, at most 86400 either way; negative for a token already expired, e.g. 3600 (the default) or -60",
    ),
    (
        "claims",
        "an object of claims added to the tokens (or replacing the mock's), e.g. {\"tenant\": \"acme\"}",
    ),
    (
        "key",
        "\"current\" (the default), \"unpublished\" or \"first\"",
    ),
];

/// What one field takes.
fn shape(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(name, _)| *name == field)
        .map_or("", |(_, shape)| shape)
}

/// The line for a field that is missing or of the wrong shape.
fn wrong(field: &str) -> String {
    format!("{field:?}: expected {}", shape(field))
}

/// The line for a body that is not a JSON object of the known fields.
fn expected() -> String {
    let optional: Vec<String> = FIELDS[1..]
        .iter()
        .map(|(name, _)| format!("{name:?}"))
        .collect();
    format!(
        "expected a JSON object with \"subject\" and, if you like, {}; e.g. {{\"subject\": \"alice@example.com\", \"scopes\": [\"messages:read\"]}}",
        optional.join(", ")
    )
}

/// The tokens minted for a [`TokenRequest`], as `POST /__mock/tokens`
/// answers them: `{"access_token": {"token": "eyJ…", "claims": {…}},
/// "id_token": {…}}`, each there when asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Minted {
    /// The access token, if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<MintedToken>,
    /// The ID token, if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<MintedToken>,
}

/// One minted JWT and its claims.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MintedToken {
    /// The JWT, RS256, compact serialization.
    pub token: String,
    /// Its claims, as signed.
    pub claims: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line a JSON body is refused with.
    fn refused(body: &[u8]) -> String {
        TokenRequest::from_json(body).expect_err("refused")
    }

    #[test]
    fn a_body_that_is_no_object_of_the_fields_is_told_what_to_send() {
        for body in [&b"not json"[..], b"[]", b"{\"subject\": 5}", b"{}"] {
            let line = refused(body);
            assert!(
                line.contains("\"subject\"") && !line.contains("line 1"),
                "{line}"
            );
        }
        let line = refused(br#"{"subject": "a", "lifetime": 5}"#);
        assert!(line.starts_with("unknown field \"lifetime\": expected a JSON object"));
        let line = refused(br#"{"subject": "a", "scopes": "openid"}"#);
        assert_eq!(line, format!("\"scopes\": expected {}", shape("scopes")));
        let line = refused(br#"{"subject": "a", "expires_in": "1h"}"#);
        assert!(
            line.starts_with("\"expires_in\": expected an integer"),
            "{line}"
        );
        let line = refused(br#"{"subject": "a", "key": "mine"}"#);
        assert!(line.contains("\"unpublished\""), "{line}");
    }

    #[test]
    fn the_json_fields_set_what_the_builder_sets() {
        let body = br#"{"subject": "alice@example.com", "server": "org", "tokens": "both",
            "client_id": "my-app", "scopes": ["openid", "email"], "audience": "api://x",
            "expires_in": -60, "claims": {"tenant": "acme"}, "key": "unpublished"}"#;
        let built = TokenRequest::new("alice@example.com")
            .server(Server::Org)
            .tokens(Tokens::Both)
            .client_id("my-app")
            .scope("openid")
            .scope("email")
            .audience("api://x")
            .expired(Duration::from_secs(60))
            .claim("tenant", serde_json::json!("acme"))
            .key(Key::Unpublished);
        assert_eq!(TokenRequest::from_json(body), Ok(built));
    }

    #[test]
    fn values_beyond_what_a_token_may_say_are_refused() {
        let day = Duration::from_secs(86_400);
        assert_eq!(TokenRequest::new("a").expired(day).check(), Ok(()));
        let too_long = TokenRequest::new("a").expires_in(day + Duration::from_secs(1));
        assert!(
            too_long
                .check()
                .expect_err("refused")
                .starts_with("\"expires_in\"")
        );
        let newline = TokenRequest::new("a\nINFO forged")
            .check()
            .expect_err("refused");
        assert!(newline.starts_with("\"subject\": empty or with a control character"));
        let spaced = TokenRequest::new("a")
            .scope("two words")
            .check()
            .expect_err("refused");
        assert!(spaced.starts_with("\"scopes\": \"two words\" is not a scope"));
    }
}
