//! What a request carries, parsed strictly: query and form parameters
//! (RFC 6749 §3.1: a parameter must not be sent twice; a value that is not
//! UTF-8 is a bad request; both are `invalid_request`, never a panic), and
//! the `Authorization`, `Content-Type` and `Cookie` headers, whose schemes
//! and media types are compared without regard to case (RFC 9110).

use crate::error::OAuthError;
use axum::http::{HeaderMap, header};
use base64::Engine;
use percent_encoding::percent_decode;

/// Parameters of one request, each name at most once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` bytes (a query or a body).
    pub(crate) fn parse(raw: &[u8]) -> Result<Self, OAuthError> {
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in pairs(raw) {
            let (Ok(name), Ok(value)) = (String::from_utf8(name), String::from_utf8(value)) else {
                return Err(OAuthError::invalid_request(
                    "A parameter is not valid UTF-8.",
                ));
            };
            if params.iter().any(|(n, _)| *n == name) {
                return Err(OAuthError::invalid_request(format!(
                    "The '{}' parameter was sent more than once.",
                    shorten(&name)
                )));
            }
            params.push((name, value));
        }
        Ok(Params(params))
    }

    /// A parameter's value; an empty value counts as absent, as in Okta.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required parameter, or Okta's error for its absence.
    pub(crate) fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("The '{name}' parameter is missing or empty."))
        })
    }

    /// A space-separated parameter (like `scope`) as its words.
    pub(crate) fn words(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or("")
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The media type of a form body.
const FORM: &str = "application/x-www-form-urlencoded";

/// Parses a form body, or answers Okta's error for it.
pub(crate) fn form(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    if !is_form(headers) {
        return Err(OAuthError::invalid_request(
            "The request must be application/x-www-form-urlencoded.",
        ));
    }
    Params::parse(body)
}

/// The credentials of the `Authorization` header when its scheme is
/// `scheme`: a scheme is compared without regard to case (RFC 9110 §11.1:
/// `basic` and `BASIC` are `Basic`), and one or more spaces follow it
/// (§11.4).
fn credentials<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (given, credentials) = value.split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
}

/// The id and secret of an `Authorization: Basic` header, if well-formed
/// (RFC 6749 §2.3.1: both parts are form-urlencoded before encoding).
pub(crate) fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = credentials(headers, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        Params::parse(format!("x={s}").as_bytes())
            .ok()?
            .get("x")
            .map(str::to_string)
    };
    Some((
        unescape(id).unwrap_or_default(),
        unescape(secret).unwrap_or_default(),
    ))
}

/// The token of an `Authorization: Bearer` header (RFC 6750 §2.1).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    credentials(headers, "Bearer")
}

/// The value of one cookie of the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Whether a request's body is `application/x-www-form-urlencoded`: its
/// type and subtype compared without regard to case, parameters let
/// through (RFC 9110 §8.3.1: `Application/X-WWW-Form-Urlencoded;
/// charset=UTF-8` is one), and nothing else (`…-urlencodedX` is not).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let media_type = v.split(';').next().unwrap_or_default();
            media_type.trim().eq_ignore_ascii_case(FORM)
        })
}

/// Whether `value` may be a PKCE verifier or challenge: 43 to 128
/// unreserved characters (RFC 7636 §4.1).
pub(crate) fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// A name as it may appear in an error message: bounded and printable.
pub(crate) fn shorten(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Raw name/value byte pairs, `+` as space, percent-decoded.
fn pairs(raw: &[u8]) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    raw.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            (decode(name), decode(value))
        })
}

fn decode(part: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = part
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_decode(&spaced).collect()
}

/// All pairs, lossily decoded: for recording what was sent, whatever it was.
pub(crate) fn pairs_lossy(raw: &[u8]) -> Vec<(String, String)> {
    pairs(raw)
        .map(|(n, v)| {
            (
                String::from_utf8_lossy(&n).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes() {
        let p = Params::parse(b"a=1&b=x+y%21&c=&d").expect("valid");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("x y!"));
        assert_eq!(p.get("c"), None);
        assert_eq!(p.get("d"), None);
    }

    #[test]
    fn duplicates_and_bad_utf8_are_invalid_requests() {
        let dup = Params::parse(b"a=1&a=2").expect_err("duplicate");
        assert!(
            dup.description
                .contains("'a' parameter was sent more than once")
        );
        let bad = Params::parse(b"a=%ff").expect_err("not UTF-8");
        assert_eq!(bad.error, "invalid_request");
    }

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().expect("a header value"));
        headers
    }

    #[test]
    fn a_form_is_its_media_type_in_any_case_with_parameters_and_nothing_longer() {
        for form in [
            "application/x-www-form-urlencoded",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
            "application/x-www-form-urlencoded ;charset=utf-8",
        ] {
            assert!(is_form(&with(header::CONTENT_TYPE, form)), "{form}");
        }
        for other in [
            "application/x-www-form-urlencodedX",
            "application/x-www-form-urlencoded-x; charset=UTF-8",
            "application/json",
            "",
        ] {
            assert!(!is_form(&with(header::CONTENT_TYPE, other)), "{other}");
        }
        assert!(!is_form(&HeaderMap::new()));
    }

    #[test]
    fn an_authorization_scheme_is_compared_without_regard_to_case() {
        // "app:s3cret" in base64.
        for basic in [
            "Basic YXBwOnMzY3JldA==",
            "basic YXBwOnMzY3JldA==",
            "BASIC  YXBwOnMzY3JldA==",
        ] {
            let (id, secret) = basic_auth(&with(header::AUTHORIZATION, basic)).expect(basic);
            assert_eq!((id.as_str(), secret.as_str()), ("app", "s3cret"));
        }
        for bearer_header in ["Bearer abc", "bearer abc", "BEARER abc"] {
            assert_eq!(
                bearer(&with(header::AUTHORIZATION, bearer_header)),
                Some("abc")
            );
        }
        assert_eq!(bearer(&with(header::AUTHORIZATION, "Bearerabc")), None);
        assert_eq!(bearer(&with(header::AUTHORIZATION, "Basic abc")), None);
        assert_eq!(
            basic_auth(&with(header::AUTHORIZATION, "Bearer YXBwOnMzY3JldA==")),
            None
        );
    }
}
