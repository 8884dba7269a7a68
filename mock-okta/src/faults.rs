//! Faults on demand: the ways an Okta login goes wrong, as data.
//!
//! Switch one on from a test with [`MockOkta::set_fault`](crate::MockOkta::set_fault)
//! or from the command line with `--fault NAME` (repeatable). Each variant
//! says where it bites and what a well-behaved app does about it. Faults
//! bite on every authorization server of the org.
//!
//! [`FAULTS`] is the one table of faults: their command-line names, their
//! help lines, parsing ([`FromStr`]) and printing ([`Display`](fmt::Display))
//! all come from it.

use crate::clock::parse_span;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One way for the mock to misbehave. Several can be on at once. Each has a
/// command-line name (its row in [`FAULTS`]), which it parses from and
/// prints as:
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
    /// The `email` scope is not granted (a consent or access-policy rule
    /// left it out): the token response's `scope` lacks it, and neither the
    /// ID token nor `/v1/userinfo` carries `email` or `email_verified`.
    /// *An app does not assume an email: it says the email was not shared
    /// (or uses `sub`), and never panics.*
    EmailNotGranted,
    /// `/v1/token` answers `400 invalid_grant`.
    /// *An app shows an error page (and may offer a fresh login).*
    TokenInvalidGrant,
    /// `/v1/token` answers `500` with an Okta-shaped error body.
    /// *An app shows a 502 page: the IdP failed, not the app.*
    Token500,
    /// `/v1/token` answers `503 temporarily_unavailable`.
    /// *An app shows a 502 page and suggests trying again later.*
    Token503,
    /// `/v1/token` answers `429 Too Many Requests`, as Okta does past a rate
    /// limit: `Retry-After` (this long, in whole seconds, at least 1),
    /// `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining: 0` and
    /// `X-Rate-Limit-Reset` (the Unix time the window resets), and Okta's
    /// error body, `{"errorCode": "E0000047", "errorSummary": "API call
    /// exceeded rate limit due to too many requests.", …}` (Okta's "Rate
    /// limits" and "Error codes" references).
    /// *An app waits `Retry-After` before it asks again, keeps a login
    /// whose access token is still good, and says Okta is busy.*
    Token429(Duration),
    /// `/v1/token` waits this long before answering.
    /// *An app gives up after its own, shorter, timeout with a 504 page.*
    TokenSlow(Duration),
    /// `/v1/token` answers `200` with a body that is not JSON.
    /// *An app shows a 502 page; it does not panic.*
    TokenMalformedJson,
    /// `/v1/token` answers `302 Found` to Okta's sign-in page
    /// (`{org}/login/login.htm`), as a proxy or a mistyped base URL does.
    /// *An app does not follow it (the mock records whether it did): an
    /// OAuth client sends its code and credentials to the token endpoint
    /// only. It shows a 502 page.*
    TokenRedirect,
    /// `/v1/token` does its work (the code is spent, the tokens issued),
    /// then sends `200`, its headers and the first bytes of the JSON, and
    /// closes the connection. *An app shows a 502 page; it does not retry
    /// with the same code: that is `invalid_grant`, and it revokes the
    /// tokens of the first answer.*
    TokenConnectionClosed,
    /// `/v1/token` answers a refresh grant without a `refresh_token`, as
    /// servers that do not rotate refresh tokens do; the one the app holds
    /// stays valid. *An app keeps the refresh token it has (RFC 6749 §6: a
    /// new one is optional) and uses it for the next refresh.* (With
    /// [`Fault::RefreshTokenRotation`] on, a new one is always sent.)
    RefreshTokenNotSent,
    /// Refresh tokens rotate, as Okta's do when an app's refresh token
    /// behavior is "Rotate token after every use": every refresh answers a
    /// new refresh token (expiring when the old one would have). The old
    /// one still works for this grace period (Okta: 0 to 60 s; default 0
    /// here), answering the same new one; after it, presenting the old one
    /// is `invalid_grant` and revokes every token of that grant, refresh
    /// and access tokens alike (Okta's refresh token reuse detection).
    /// *An app sends one refresh at a time per login, across tabs and
    /// instances, keeps the new refresh token at once, and survives a lost
    /// answer within the grace period.*
    RefreshTokenRotation(Duration),
    /// Access tokens live this long instead of an hour.
    /// *An app treats an expired token as logged out.*
    AccessTokenLifetime(Duration),
    /// A sign-in to the mock itself (its login cookie, Okta's global
    /// session) lasts this long instead of two hours: after it, the next
    /// authorize shows the login page again. It holds for sign-ins while it
    /// is on. *An app's own session and Okta's end apart; a login that
    /// ends in the app goes back to Okta, and is asked for a password only
    /// once Okta's session has ended too.*
    SessionLifetime(Duration),
    /// Access tokens expired an hour ago (`iat` two hours back, `exp` one),
    /// as a token kept too long, or replayed, is. The token endpoint's
    /// `expires_in` still says an hour. *An API that takes access tokens
    /// refuses it: `401`, `WWW-Authenticate: Bearer error="invalid_token"`.*
    AccessTokenExpired,
    /// `/v1/userinfo` answers `401` with `WWW-Authenticate: Bearer
    /// error="invalid_token"` to every token.
    /// *An app shows an error page, or logs the user out.*
    UserinfoUnauthorized,
    /// `/v1/userinfo` answers `403` with `WWW-Authenticate: Bearer
    /// error="insufficient_scope"` to every token (RFC 6750 §3.1).
    /// *An app says it lacks a permission and who can grant it (an Okta
    /// admin), not "try again".*
    UserinfoInsufficientScope,
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
    /// ID tokens carry no `email` or `email_verified`; `/v1/userinfo` still
    /// does, as a server that keeps the scopes' claims for userinfo does
    /// (OpenID Connect Core §5.4). *An app asks userinfo, once, and checks
    /// that its `sub` is the ID token's.*
    IdTokenWithoutEmail,
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
    /// The next signing key is published beside the current one, which
    /// still signs: Okta publishes a key weeks before it signs with it.
    /// *An app that re-reads the keys on schedule has it before it is
    /// used.*
    NextKeyPublished,
    /// The first signing key is withdrawn, as in an emergency rotation:
    /// `/v1/keys` publishes only the second, which signs. *An app that
    /// re-reads the keys on schedule stops taking tokens signed with the
    /// first within the keys' `max-age`.*
    KeyWithdrawn,
    /// `/v1/keys` says `Cache-Control: max-age` this long (the default is a
    /// day); zero says `no-cache`, as Okta does before it rotates keys.
    /// *An app keeps the keys that long, and reads them again then.*
    KeysMaxAge(Duration),
    /// The discovery documents name the issuer under another origin, as
    /// after Okta switches on a custom domain (e.g.
    /// `https://login.example.com`): `{origin}/oauth2/default` for the
    /// custom server, `{origin}` for the org server. Endpoints and tokens
    /// stay as they were. *An app refuses the document (OpenID Connect
    /// Discovery §4.3: the issuer must be the one it asked) and says which
    /// `OKTA_BASE_URL` to set; it does not retry forever.*
    CustomDomainIssuer(String),
    // Issue #26, second round: production promises.
    /// `/v1/token` does its work (a code spent, the tokens issued and
    /// stored, a refresh token's rotation done), then waits this long
    /// before it answers, unlike [`Fault::TokenSlow`], which waits before
    /// the work. An app whose request times out has lost its old refresh
    /// token all the same when rotation is on: the race apps must survive.
    /// *An app does not present the old refresh token again past the grace
    /// period as if nothing happened: it retries within the grace period
    /// (Okta answers the same new token), or ends the login cleanly.*
    TokenSlowAfterIssue(Duration),
    /// No `groups` claim anywhere, on any server (not in ID tokens, not in
    /// userinfo, not even with the org server's `groups` scope), as from an
    /// Okta org whose admin never set one up. *An app that needs groups
    /// says the claim is missing and what the admin must add; it does not
    /// take the user for a member of no group and carry on.*
    GroupsClaimMissing,
    /// A custom server's `groups` claim is included only when the `groups`
    /// scope is asked for, as when an admin sets the claim's "Include in"
    /// to the `groups` scope; the server declares that scope (in its
    /// discovery document's `scopes_supported`), so an app sees it and
    /// asks for it. *An app asks for the `groups` scope when the server
    /// offers it.*
    GroupsClaimNeedsScope,
    /// The `groups` claim lists at most this many groups (`Everyone`
    /// first, then the user's own, in order): a claim whose expression has
    /// a limit, as Okta's group functions take one of 1 to 100
    /// (`Groups.startsWith("OKTA", "", 100)`; Okta's support article
    /// "Limitations of Group Functions - Dynamic Allowlists"). *An app
    /// does not take a group missing from a long list as a group the user
    /// is not in: it asks Okta's API, or its admin narrows the claim.*
    GroupsLimit(usize),
    /// A token request for a user in more than this many groups is refused
    /// where the `groups` claim would carry them: `400 invalid_request`,
    /// "The groups claim matched too many groups and must be configured to
    /// match fewer groups.", the words of Okta's support article of that
    /// title (Okta's limit is 100 groups; its token endpoint answers `400`,
    /// as okta-auth-js issue #1031 reports). *An app shows a page for its
    /// admin (the claim must match fewer groups); it does not retry.*
    GroupsLimitRefuse(usize),
    /// The `groups` claim is one string, not a list: the user's first
    /// group besides `Everyone` (or `Everyone`), as a custom claim of type
    /// String with a group expression sends it. *An app reads it as that
    /// one group.*
    GroupsClaimString,
    /// The `groups` claim is a list of objects (`{"name": "admins"}`), a
    /// shape Okta's claims do not have but a mistyped expression or
    /// another IdP may send. *An app ignores the claim, warns, and goes
    /// on with the login.*
    GroupsClaimObjects,
}

/// One row of [`FAULTS`]: how a fault is written on the command line.
#[derive(Debug, Clone)]
pub struct FaultSpec {
    /// The name, e.g. `token-slow`.
    pub name: &'static str,
    /// One line of help for `--help`.
    pub help: &'static str,
    make: Make,
}

#[derive(Debug, Clone)]
enum Make {
    /// A fault that takes no value: `NAME`.
    Plain(Fault),
    /// A fault that takes a duration up to `longest`: `NAME=DURATION`, or,
    /// with a default, `NAME[=VALUE]`.
    Timed {
        make: fn(Duration) -> Fault,
        value: &'static str,
        default: Option<Duration>,
        longest: Duration,
    },
    /// A fault that takes an origin, with a default: `NAME[=ORIGIN]`.
    Origin {
        make: fn(String) -> Fault,
        default: &'static str,
    },
    /// A fault that takes a number from 1 to `most`, with a default:
    /// `NAME[=N]`.
    Count {
        make: fn(usize) -> Fault,
        default: usize,
        most: usize,
    },
}

impl FaultSpec {
    const fn plain(name: &'static str, fault: Fault, help: &'static str) -> Self {
        FaultSpec {
            name,
            help,
            make: Make::Plain(fault),
        }
    }

    /// `NAME=DURATION`, at most a day.
    const fn timed(name: &'static str, fault: fn(Duration) -> Fault, help: &'static str) -> Self {
        FaultSpec {
            name,
            help,
            make: Make::Timed {
                make: fault,
                value: "DURATION",
                default: None,
                longest: LONGEST_DURATION,
            },
        }
    }

    /// `NAME[=VALUE]`: a duration up to `longest`, `default` when none is given.
    const fn timed_or(
        name: &'static str,
        fault: fn(Duration) -> Fault,
        (value, default, longest): (&'static str, Duration, Duration),
        help: &'static str,
    ) -> Self {
        FaultSpec {
            name,
            help,
            make: Make::Timed {
                make: fault,
                value,
                default: Some(default),
                longest,
            },
        }
    }

    /// `NAME[=N]`: a number of groups from 1 to Okta's limit (100), Okta's
    /// limit when none is given.
    const fn groups(name: &'static str, fault: fn(usize) -> Fault, help: &'static str) -> Self {
        FaultSpec {
            name,
            help,
            make: Make::Count {
                make: fault,
                default: GROUPS_LIMIT,
                most: GROUPS_LIMIT,
            },
        }
    }

    /// How to write it: `deny-consent`, `token-slow=DURATION`,
    /// `refresh-token-rotation[=GRACE]` or `groups-limit[=N]`.
    pub fn usage(&self) -> String {
        match &self.make {
            Make::Plain(_) => self.name.to_string(),
            Make::Timed {
                value,
                default: None,
                ..
            } => format!("{}={value}", self.name),
            Make::Timed { value, .. } => format!("{}[={value}]", self.name),
            Make::Origin { .. } => format!("{}[=ORIGIN]", self.name),
            Make::Count { .. } => format!("{}[=N]", self.name),
        }
    }

    /// The fault of this row: `duration` for the rows that take a
    /// duration, the default for the rows that take an origin or a number.
    pub fn fault(&self, duration: Duration) -> Fault {
        match &self.make {
            Make::Plain(fault) => fault.clone(),
            Make::Timed { make, .. } => make(duration),
            Make::Origin { make, default } => make((*default).to_string()),
            Make::Count { make, default, .. } => make(*default),
        }
    }

    /// The fault this row makes of `value` (`None` when the name came
    /// alone), or the one line that says what to write instead.
    fn parse(&self, value: Option<&str>) -> Result<Fault, String> {
        let name = self.name;
        match (&self.make, value) {
            (Make::Plain(fault), None) => Ok(fault.clone()),
            (Make::Plain(_), Some(_)) => Err(format!("fault {name} takes no value")),
            (Make::Timed { make, default, .. }, None) => default
                .map(make)
                .ok_or_else(|| format!("fault {name} needs a duration, e.g. {name}=30s")),
            (Make::Timed { make, longest, .. }, Some(value)) => {
                parse_span(value, *longest).map(make).ok_or_else(|| {
                    let most = match *longest {
                        LONGEST_DURATION => "a day".to_string(),
                        other => format!("{}s", other.as_secs()),
                    };
                    format!(
                        "fault {name}: {value:?} is not a duration of at most {most}: write e.g. 30s, 500ms or 2m"
                    )
                })
            }
            (Make::Count { make, default, .. }, None) => Ok(make(*default)),
            (Make::Count { make, most, .. }, Some(value)) => value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=*most).contains(n))
                .map(make)
                .ok_or_else(|| {
                    format!("fault {name}: {value:?} is not a number from 1 to {most}: write e.g. {name}=3")
                }),
            (Make::Origin { make, default }, None) => Ok(make((*default).to_string())),
            (Make::Origin { make, .. }, Some(value)) => origin(value)
                .map(make)
                .ok_or_else(|| {
                    format!("fault {name}: {value:?} is not an origin: write e.g. {name}=https://login.example.com")
                }),
        }
    }
}

/// `value` if it is an http(s) origin: a scheme and a host, no path.
fn origin(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    let origin = url.origin().ascii_serialization();
    let alone = matches!(url.scheme(), "http" | "https")
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty();
    (alone && value.trim_end_matches('/') == origin).then_some(origin)
}

/// The longest grace period of a rotated refresh token: Okta's.
const LONGEST_GRACE: Duration = Duration::from_secs(60);

/// The most groups Okta's `groups` claim lists: its group functions take a
/// limit of 1 to 100, and a claim that matches more is an error (Okta's
/// support articles "Limitations of Group Functions - Dynamic Allowlists"
/// and "The groups claim matched too many groups…").
const GROUPS_LIMIT: usize = 100;

/// Every fault, once: its command-line name and its help line. Parsing,
/// printing and `--help` all read this table.
pub const FAULTS: &[FaultSpec] = &[
    FaultSpec::plain(
        "deny-consent",
        Fault::DenyConsent,
        "the login always ends in error=access_denied",
    ),
    FaultSpec::plain(
        "user-not-assigned",
        Fault::UserNotAssigned,
        "error=access_denied: \"User is not assigned to the client application.\"",
    ),
    FaultSpec::plain(
        "email-not-granted",
        Fault::EmailNotGranted,
        "the email scope is not granted: no email in tokens or /v1/userinfo",
    ),
    FaultSpec::plain(
        "token-invalid-grant",
        Fault::TokenInvalidGrant,
        "/v1/token answers 400 invalid_grant",
    ),
    FaultSpec::plain("token-500", Fault::Token500, "/v1/token answers 500"),
    FaultSpec::plain(
        "token-503",
        Fault::Token503,
        "/v1/token answers 503 temporarily_unavailable",
    ),
    FaultSpec::timed_or(
        "token-429",
        Fault::Token429,
        ("RETRY_AFTER", Duration::from_secs(60), LONGEST_DURATION),
        "/v1/token answers 429 E0000047, Retry-After (default 60s) and Okta's X-Rate-Limit-* headers",
    ),
    FaultSpec::timed(
        "token-slow",
        Fault::TokenSlow,
        "/v1/token waits DURATION (e.g. 30s, 500ms) before answering",
    ),
    FaultSpec::plain(
        "token-malformed-json",
        Fault::TokenMalformedJson,
        "/v1/token answers 200 with a body that is not JSON",
    ),
    FaultSpec::plain(
        "token-redirect",
        Fault::TokenRedirect,
        "/v1/token answers 302 to Okta's sign-in page",
    ),
    FaultSpec::plain(
        "token-connection-closed",
        Fault::TokenConnectionClosed,
        "/v1/token issues tokens, then closes the connection mid-answer",
    ),
    FaultSpec::plain(
        "refresh-token-not-sent",
        Fault::RefreshTokenNotSent,
        "/v1/token answers a refresh without a new refresh_token (the old one stays valid)",
    ),
    FaultSpec::timed_or(
        "refresh-token-rotation",
        Fault::RefreshTokenRotation,
        ("GRACE", Duration::ZERO, LONGEST_GRACE),
        "every refresh answers a new refresh token; the old one works GRACE more (default 0s, at most 60s), then revokes the grant",
    ),
    FaultSpec::timed(
        "access-token-lifetime",
        Fault::AccessTokenLifetime,
        "access tokens expire after DURATION (e.g. 30s)",
    ),
    FaultSpec::timed(
        "session-lifetime",
        Fault::SessionLifetime,
        "a sign-in to the mock (Okta's session) lasts DURATION, not 2 hours: then the login page shows again",
    ),
    FaultSpec::plain(
        "access-token-expired",
        Fault::AccessTokenExpired,
        "access tokens expired an hour ago (for an API's checks)",
    ),
    FaultSpec::plain(
        "userinfo-401",
        Fault::UserinfoUnauthorized,
        "/v1/userinfo answers 401 invalid_token to every token",
    ),
    FaultSpec::plain(
        "userinfo-403",
        Fault::UserinfoInsufficientScope,
        "/v1/userinfo answers 403 insufficient_scope to every token",
    ),
    FaultSpec::plain(
        "id-token-wrong-iss",
        Fault::IdTokenWrongIssuer,
        "ID tokens name another issuer",
    ),
    FaultSpec::plain(
        "id-token-wrong-aud",
        Fault::IdTokenWrongAudience,
        "ID tokens name another audience",
    ),
    FaultSpec::plain(
        "id-token-missing-aud",
        Fault::IdTokenMissingAudience,
        "ID tokens have no aud",
    ),
    FaultSpec::plain(
        "id-token-missing-sub",
        Fault::IdTokenMissingSubject,
        "ID tokens have no sub",
    ),
    FaultSpec::plain(
        "id-token-missing-iat",
        Fault::IdTokenMissingIssuedAt,
        "ID tokens have no iat",
    ),
    FaultSpec::plain(
        "id-token-without-email",
        Fault::IdTokenWithoutEmail,
        "ID tokens carry no email (/v1/userinfo still does)",
    ),
    FaultSpec::plain(
        "id-token-wrong-nonce",
        Fault::IdTokenWrongNonce,
        "ID tokens carry another nonce",
    ),
    FaultSpec::plain(
        "id-token-bad-signature",
        Fault::IdTokenBadSignature,
        "ID tokens are signed with an unpublished key",
    ),
    FaultSpec::plain(
        "id-token-alg-none",
        Fault::IdTokenAlgNone,
        "ID tokens are unsigned (alg: none)",
    ),
    FaultSpec::plain(
        "id-token-expired",
        Fault::IdTokenExpired,
        "ID tokens expired an hour ago",
    ),
    FaultSpec::plain(
        "id-token-unknown-kid",
        Fault::IdTokenUnknownKid,
        "ID tokens name a kid that /v1/keys does not publish",
    ),
    FaultSpec::plain(
        "rotate-keys",
        Fault::RotateKeys,
        "sign with a new key, published beside the old one",
    ),
    FaultSpec::plain(
        "next-key-published",
        Fault::NextKeyPublished,
        "publish the next signing key beside the current one, which still signs",
    ),
    FaultSpec::plain(
        "key-withdrawn",
        Fault::KeyWithdrawn,
        "withdraw the first signing key: /v1/keys publishes the second only, which signs",
    ),
    FaultSpec::timed(
        "keys-max-age",
        Fault::KeysMaxAge,
        "/v1/keys says Cache-Control: max-age=DURATION (default a day; 0s: no-cache)",
    ),
    FaultSpec {
        name: "custom-domain-issuer",
        help: "discovery names the issuer under ORIGIN (default https://login.example.com), as after Okta switches on a custom domain",
        make: Make::Origin {
            make: Fault::CustomDomainIssuer,
            default: "https://login.example.com",
        },
    },
    // Issue #26, second round: production promises.
    FaultSpec::timed(
        "token-slow-after-issue",
        Fault::TokenSlowAfterIssue,
        "/v1/token issues the tokens (a rotation done), then waits DURATION before answering",
    ),
    FaultSpec::plain(
        "groups-claim-missing",
        Fault::GroupsClaimMissing,
        "no groups claim anywhere, as from an org whose admin set none up",
    ),
    FaultSpec::plain(
        "groups-claim-needs-scope",
        Fault::GroupsClaimNeedsScope,
        "a custom server's groups claim only with the groups scope, which it then declares",
    ),
    FaultSpec::groups(
        "groups-limit",
        Fault::GroupsLimit,
        "the groups claim lists at most N groups (default 100, Okta's limit)",
    ),
    FaultSpec::groups(
        "groups-limit-refuse",
        Fault::GroupsLimitRefuse,
        "a token request for a user in more than N groups (default 100) is 400 invalid_request",
    ),
    FaultSpec::plain(
        "groups-claim-string",
        Fault::GroupsClaimString,
        "the groups claim is one string: the user's first group besides Everyone",
    ),
    FaultSpec::plain(
        "groups-claim-objects",
        Fault::GroupsClaimObjects,
        "the groups claim is a list of objects, {\"name\": …}, not of strings",
    ),
];

impl Fault {
    /// Whether two faults are the same kind (say, two `TokenSlow`s with
    /// different delays): switching one on replaces the other.
    pub(crate) fn same_kind(&self, other: &Fault) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// This fault's row in [`FAULTS`].
    pub fn spec(&self) -> &'static FaultSpec {
        FAULTS
            .iter()
            .find(|spec| spec.fault(Duration::ZERO).same_kind(self))
            .expect("every fault has a row in FAULTS")
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().name)?;
        match self {
            Fault::TokenSlow(d)
            | Fault::TokenSlowAfterIssue(d)
            | Fault::AccessTokenLifetime(d)
            | Fault::SessionLifetime(d)
            | Fault::Token429(d)
            | Fault::RefreshTokenRotation(d)
            | Fault::KeysMaxAge(d) => write!(f, "={}ms", d.as_millis()),
            Fault::CustomDomainIssuer(origin) => write!(f, "={origin}"),
            Fault::GroupsLimit(n) | Fault::GroupsLimitRefuse(n) => write!(f, "={n}"),
            _ => Ok(()),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    /// `NAME` or `NAME=VALUE`, as in [`FAULTS`]; the error is one line
    /// that says what to write instead.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        FAULTS
            .iter()
            .find(|spec| spec.name == name)
            .ok_or_else(|| format!("unknown fault {name:?}: see --help for the list"))?
            .parse(value)
    }
}

/// `500ms`, `30s`, `2m`, `1h`, `1d` or a bare number of seconds, up to
/// [`LONGEST_DURATION`]; anything else is `None`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse_span(text, LONGEST_DURATION)
}

/// The longest duration a fault takes: a day, the longest access token
/// lifetime Okta allows (an access policy rule's "Access token lifetime"
/// ranges from 5 minutes to 1 day).
pub const LONGEST_DURATION: Duration = Duration::from_secs(24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    /// The usage with its value written in: `token-slow=1500ms`.
    fn example(spec: &FaultSpec) -> String {
        let usage = spec.usage();
        match usage.split_once(['=', '[']) {
            Some((name, "=ORIGIN]")) => format!("{name}=https://login.example.com"),
            Some((name, "=N]")) => format!("{name}=7"),
            Some((name, _)) => format!("{name}=1500ms"),
            None => usage,
        }
    }

    #[test]
    fn every_row_parses_from_its_usage_and_prints_back() {
        for spec in FAULTS {
            let text = example(spec);
            let fault: Fault = text.parse().expect(spec.name);
            assert_eq!(fault.to_string(), text);
            assert_eq!(fault.spec().name, spec.name);
            if spec.usage().contains("[=") {
                let alone: Fault = spec.name.parse().expect("a default value");
                assert!(alone.same_kind(&fault), "{}", spec.name);
            }
        }
    }

    #[test]
    fn optional_values_have_oktas_defaults_and_limits() {
        let parse = |text: &str| text.parse::<Fault>();
        assert_eq!(
            parse("refresh-token-rotation"),
            Ok(Fault::RefreshTokenRotation(Duration::ZERO))
        );
        assert_eq!(
            parse("refresh-token-rotation=61s"),
            Err("fault refresh-token-rotation: \"61s\" is not a duration of at most 60s: write e.g. 30s, 500ms or 2m".into())
        );
        assert_eq!(
            parse("token-429"),
            Ok(Fault::Token429(Duration::from_secs(60)))
        );
        assert_eq!(parse("groups-limit"), Ok(Fault::GroupsLimit(100)));
        assert_eq!(
            parse("groups-limit-refuse=3"),
            Ok(Fault::GroupsLimitRefuse(3))
        );
        for bad in ["0", "101", "-1", "ten"] {
            assert_eq!(
                parse(&format!("groups-limit={bad}")),
                Err(format!(
                    "fault groups-limit: {bad:?} is not a number from 1 to 100: write e.g. groups-limit=3"
                ))
            );
        }
        assert_eq!(
            parse("custom-domain-issuer"),
            Ok(Fault::CustomDomainIssuer(
                "https://login.example.com".into()
            ))
        );
        assert_eq!(
            parse("custom-domain-issuer=https://id.example.org/"),
            Ok(Fault::CustomDomainIssuer("https://id.example.org".into()))
        );
        for bad in [
            "login.example.com",
            "https://login.example.com/oauth2/default",
            "ftp://x.example",
        ] {
            let problem = parse(&format!("custom-domain-issuer={bad}")).expect_err(bad);
            assert!(
                problem.ends_with(
                    "is not an origin: write e.g. custom-domain-issuer=https://login.example.com"
                ),
                "{problem}"
            );
        }
    }

    #[test]
    fn no_two_rows_share_a_name_or_a_fault() {
        for (i, a) in FAULTS.iter().enumerate() {
            for b in &FAULTS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert!(
                    !a.fault(Duration::ZERO).same_kind(&b.fault(Duration::ZERO)),
                    "{} and {} are the same fault",
                    a.name,
                    b.name
                );
            }
        }
    }

    #[test]
    fn the_readme_documents_every_fault() {
        let readme = include_str!("../README.md");
        for spec in FAULTS {
            let name = format!("`{}`", spec.usage());
            assert!(readme.contains(&name), "README.md lacks {name}");
        }
    }

    #[test]
    fn bad_names_and_values_say_what_is_wrong() {
        let cases = [
            ("nope", "unknown fault \"nope\": see --help for the list"),
            (
                "token-slow",
                "fault token-slow needs a duration, e.g. token-slow=30s",
            ),
            (
                "token-slow=soon",
                "fault token-slow: \"soon\" is not a duration of at most a day: write e.g. 30s, 500ms or 2m",
            ),
            ("token-500=1", "fault token-500 takes no value"),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Fault>().expect_err(text), expected);
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1440m"), Some(LONGEST_DURATION));
        // Longer than Okta allows, and an overflow waiting to happen.
        assert_eq!(parse_duration("1441m"), None);
        assert_eq!(parse_duration("18446744073709551615"), None);
        assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2d"), None);
    }
}
