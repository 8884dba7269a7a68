//! Faults on demand: the ways an Okta login goes wrong, as data.
//!
//! Switch one on from a test with [`MockOkta::set_fault`](crate::MockOkta::set_fault)
//! or from the command line with `--fault NAME` (repeatable). Each variant
//! says where it bites and what a well-behaved app does about it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One way for the mock to misbehave. Several can be on at once. Each has a
/// command-line name ([`FAULT_NAMES`]), which it parses from and prints as:
///
/// ```
/// use mock_okta::Fault;
/// use std::time::Duration;
///
/// let fault: Fault = "token-slow=30s".parse().unwrap();
/// assert_eq!(fault, Fault::TokenSlow(Duration::from_secs(30)));
/// assert_eq!(Fault::UserNotAssigned.to_string(), "user-not-assigned");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The user presses "Deny" whatever they click: the authorize step
    /// redirects back with `error=access_denied`.
    /// *An app shows a page that says so and offers a retry; it never loops
    /// back into the login.*
    DenyConsent,
    /// Okta's "User is not assigned to the client application.": the
    /// authorize step redirects back with `error=access_denied` and that
    /// description. *An app tells the user to ask an admin to assign them.*
    UserNotAssigned,
    /// `/v1/token` answers `400 invalid_grant`.
    /// *An app shows an error page (and may offer a fresh login).*
    TokenInvalidGrant,
    /// `/v1/token` answers `500` with an Okta-shaped error body.
    /// *An app shows a 502 page: the IdP failed, not the app.*
    Token500,
    /// `/v1/token` answers `503 temporarily_unavailable`.
    /// *An app shows a 502 page and suggests trying again later.*
    Token503,
    /// `/v1/token` waits this long before answering.
    /// *An app gives up after its own, shorter, timeout with a 504 page.*
    TokenSlow(Duration),
    /// `/v1/token` answers `200` with a body that is not JSON.
    /// *An app shows a 502 page; it does not panic.*
    TokenMalformedJson,
    /// Access tokens live this long instead of an hour.
    /// *An app treats an expired token as logged out.*
    AccessTokenLifetime(Duration),
    /// `/v1/userinfo` answers `401 invalid_token` to every token.
    /// *An app shows an error page, or logs the user out.*
    UserinfoUnauthorized,
    /// ID tokens name another issuer (`iss`). *An app rejects the token.*
    IdTokenWrongIssuer,
    /// ID tokens name another audience (`aud`). *An app rejects the token.*
    IdTokenWrongAudience,
    /// ID tokens have no `aud`. *An app rejects the token.*
    IdTokenMissingAudience,
    /// ID tokens have no `sub`. *An app rejects the token.*
    IdTokenMissingSubject,
    /// ID tokens have no `iat`. *An app rejects the token.*
    IdTokenMissingIssuedAt,
    /// ID tokens carry a `nonce` other than the one sent.
    /// *An app rejects the token (a replay).*
    IdTokenWrongNonce,
    /// ID tokens are signed with a key that `/v1/keys` does not publish,
    /// under a published `kid`. *An app rejects the token.*
    IdTokenBadSignature,
    /// ID tokens are unsigned (`alg: none`). *An app rejects the token.*
    IdTokenAlgNone,
    /// ID tokens expired an hour ago. *An app rejects the token.*
    IdTokenExpired,
    /// ID tokens name a `kid` that `/v1/keys` does not publish.
    /// *An app refreshes its key set once, then rejects the token.*
    IdTokenUnknownKid,
    /// Signing keys rotate: tokens are signed with a new key, and
    /// `/v1/keys` publishes it beside the old one.
    /// *An app that cached the key set fetches it again.*
    RotateKeys,
}

/// Every fault's command-line name, with a line of help.
pub const FAULT_NAMES: &[(&str, &str)] = &[
    (
        "deny-consent",
        "the login always ends in error=access_denied",
    ),
    (
        "user-not-assigned",
        "error=access_denied: \"User is not assigned to the client application.\"",
    ),
    ("token-invalid-grant", "/v1/token answers 400 invalid_grant"),
    ("token-500", "/v1/token answers 500"),
    ("token-503", "/v1/token answers 503 temporarily_unavailable"),
    (
        "token-slow=DURATION",
        "/v1/token waits DURATION (e.g. 30s, 500ms) before answering",
    ),
    (
        "token-malformed-json",
        "/v1/token answers 200 with a body that is not JSON",
    ),
    (
        "access-token-lifetime=DURATION",
        "access tokens expire after DURATION (e.g. 30s)",
    ),
    ("userinfo-401", "/v1/userinfo rejects every token"),
    ("id-token-wrong-iss", "ID tokens name another issuer"),
    ("id-token-wrong-aud", "ID tokens name another audience"),
    ("id-token-missing-aud", "ID tokens have no aud"),
    ("id-token-missing-sub", "ID tokens have no sub"),
    ("id-token-missing-iat", "ID tokens have no iat"),
    ("id-token-wrong-nonce", "ID tokens carry another nonce"),
    (
        "id-token-bad-signature",
        "ID tokens are signed with an unpublished key",
    ),
    ("id-token-alg-none", "ID tokens are unsigned (alg: none)"),
    ("id-token-expired", "ID tokens expired an hour ago"),
    (
        "id-token-unknown-kid",
        "ID tokens name a kid that /v1/keys does not publish",
    ),
    (
        "rotate-keys",
        "sign with a new key, published beside the old one",
    ),
];

impl Fault {
    /// Whether two faults are the same kind (say, two `TokenSlow`s with
    /// different delays): switching one on replaces the other.
    pub(crate) fn same_kind(&self, other: &Fault) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Fault::DenyConsent => "deny-consent",
            Fault::UserNotAssigned => "user-not-assigned",
            Fault::TokenInvalidGrant => "token-invalid-grant",
            Fault::Token500 => "token-500",
            Fault::Token503 => "token-503",
            Fault::TokenSlow(d) => return write!(f, "token-slow={}ms", d.as_millis()),
            Fault::TokenMalformedJson => "token-malformed-json",
            Fault::AccessTokenLifetime(d) => {
                return write!(f, "access-token-lifetime={}ms", d.as_millis());
            }
            Fault::UserinfoUnauthorized => "userinfo-401",
            Fault::IdTokenWrongIssuer => "id-token-wrong-iss",
            Fault::IdTokenWrongAudience => "id-token-wrong-aud",
            Fault::IdTokenMissingAudience => "id-token-missing-aud",
            Fault::IdTokenMissingSubject => "id-token-missing-sub",
            Fault::IdTokenMissingIssuedAt => "id-token-missing-iat",
            Fault::IdTokenWrongNonce => "id-token-wrong-nonce",
            Fault::IdTokenBadSignature => "id-token-bad-signature",
            Fault::IdTokenAlgNone => "id-token-alg-none",
            Fault::IdTokenExpired => "id-token-expired",
            Fault::IdTokenUnknownKid => "id-token-unknown-kid",
            Fault::RotateKeys => "rotate-keys",
        };
        f.write_str(name)
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let duration = || -> Result<Duration, String> {
            let value =
                value.ok_or_else(|| format!("fault {name} needs a duration, e.g. {name}=30s"))?;
            parse_duration(value).ok_or_else(|| {
                format!("fault {name}: {value:?} is not a duration: write e.g. 30s, 500ms or 2m")
            })
        };
        let fault = match name {
            "token-slow" => Fault::TokenSlow(duration()?),
            "access-token-lifetime" => Fault::AccessTokenLifetime(duration()?),
            _ if value.is_some() => return Err(format!("fault {name} takes no value")),
            "deny-consent" => Fault::DenyConsent,
            "user-not-assigned" => Fault::UserNotAssigned,
            "token-invalid-grant" => Fault::TokenInvalidGrant,
            "token-500" => Fault::Token500,
            "token-503" => Fault::Token503,
            "token-malformed-json" => Fault::TokenMalformedJson,
            "userinfo-401" => Fault::UserinfoUnauthorized,
            "id-token-wrong-iss" => Fault::IdTokenWrongIssuer,
            "id-token-wrong-aud" => Fault::IdTokenWrongAudience,
            "id-token-missing-aud" => Fault::IdTokenMissingAudience,
            "id-token-missing-sub" => Fault::IdTokenMissingSubject,
            "id-token-missing-iat" => Fault::IdTokenMissingIssuedAt,
            "id-token-wrong-nonce" => Fault::IdTokenWrongNonce,
            "id-token-bad-signature" => Fault::IdTokenBadSignature,
            "id-token-alg-none" => Fault::IdTokenAlgNone,
            "id-token-expired" => Fault::IdTokenExpired,
            "id-token-unknown-kid" => Fault::IdTokenUnknownKid,
            "rotate-keys" => Fault::RotateKeys,
            _ => return Err(format!("unknown fault {name:?}: see --help for the list")),
        };
        Ok(fault)
    }
}

/// `30s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "" | "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number.checked_mul(60)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_parses_and_prints_back() {
        for (name, _) in FAULT_NAMES {
            let text = name.replace("DURATION", "1500ms");
            let fault: Fault = text.parse().expect(name);
            assert_eq!(fault.to_string(), text);
        }
    }

    #[test]
    fn bad_names_and_values_say_what_is_wrong() {
        assert!(
            "nope"
                .parse::<Fault>()
                .expect_err("an error")
                .contains("unknown fault")
        );
        assert!(
            "token-slow"
                .parse::<Fault>()
                .expect_err("an error")
                .contains("needs a duration")
        );
        assert!(
            "token-slow=soon"
                .parse::<Fault>()
                .expect_err("an error")
                .contains("not a duration")
        );
        assert!(
            "token-500=1"
                .parse::<Fault>()
                .expect_err("an error")
                .contains("takes no value")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_duration("1h"), None);
    }
}
