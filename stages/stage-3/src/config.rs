//! Configuration: every setting the app reads, its default, and the one-line
//! error for a bad value. The Rust counterpart of the tutorial's `config.py`.
//!
//! With nothing set, every value points at the local mock (`cargo run -p
//! mock-okta`), so a fresh clone runs as it is.

use std::fmt;
use std::time::Duration;
use tower_sessions::cookie::Key;
use url::Url;

// ANCHOR: defaults
/// Where the app is reached.
pub const DEFAULT_APP_URL: &str = "http://localhost:8080";
/// The local mock's issuer.
pub const DEFAULT_OKTA_BASE_URL: &str = "http://localhost:8081/oauth2/default";
/// The local mock's built-in client.
pub const DEFAULT_CLIENT_ID: &str = "0oa-workbook-client";
/// The local mock's built-in secret: it opens nothing but the mock.
pub const DEFAULT_CLIENT_SECRET: &str = "workbook-secret-for-the-local-mock-only";
// ANCHOR_END: defaults

/// Every setting of the app, checked.
#[derive(Clone)]
pub struct Config {
    /// Where the app is reached (`APP_URL`); it listens on this host and port.
    pub app_url: Url,
    /// The authorization server's issuer (`OKTA_BASE_URL`), no trailing `/`.
    pub issuer: String,
    /// `OAUTH_CLIENT_ID`.
    pub client_id: String,
    /// `OAUTH_CLIENT_SECRET`.
    pub client_secret: String,
    /// Signs the session cookie (`SESSION_SECRET`).
    pub session_key: Key,
    /// Whether `session_key` was made up at start because none was set.
    pub session_key_generated: bool,
    /// How long to wait for Okta before giving up. Not a setting: tests
    /// shorten it.
    pub idp_timeout: Duration,
}

/// A bad setting: one line that names the variable and says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn bad(message: String) -> ConfigError {
    ConfigError(message)
}

// ANCHOR: from_env
impl Config {
    /// Reads `.env` (if there is one), then the environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => {
                return Err(bad(format!(
                    ".env cannot be read ({e}): fix that line, or remove .env to use the defaults"
                )));
            }
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `var`, which returns a variable's value.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let app_url = app_url(var("APP_URL"))?;
        let insecure = insecure_transport(var("OAUTH_INSECURE_TRANSPORT"))?;
        let issuer = issuer(var("OKTA_BASE_URL"), insecure)?;
        let points_at_mock = is_loopback(&Url::parse(&issuer).expect("checked by issuer()"));
        let client_id = client_value(
            "OAUTH_CLIENT_ID",
            var("OAUTH_CLIENT_ID"),
            DEFAULT_CLIENT_ID,
            points_at_mock,
        )?;
        let client_secret = client_value(
            "OAUTH_CLIENT_SECRET",
            var("OAUTH_CLIENT_SECRET"),
            DEFAULT_CLIENT_SECRET,
            points_at_mock,
        )?;
        let (session_key, session_key_generated) = session_key(var("SESSION_SECRET"))?;
        Ok(Config {
            app_url,
            issuer,
            client_id,
            client_secret,
            session_key,
            session_key_generated,
            idp_timeout: Duration::from_secs(10),
        })
    }
}
// ANCHOR_END: from_env

impl Config {
    /// Where Okta sends the browser back after a login.
    pub fn redirect_uri(&self) -> String {
        format!(
            "{}/login/okta/authorized",
            self.app_url.as_str().trim_end_matches('/')
        )
    }

    /// One of the issuer's endpoints, e.g. `endpoint("token")`.
    pub fn endpoint(&self, name: &str) -> String {
        format!("{}/v1/{name}", self.issuer)
    }

    /// The `host:port` to listen on, from `APP_URL`.
    pub fn listen_addr(&self) -> String {
        let host = match self.app_url.host() {
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
            Some(host) => host.to_string(),
            None => unreachable!("app_url() refuses a URL with no host"),
        };
        let port = self
            .app_url
            .port_or_known_default()
            .expect("http and https have a default port");
        format!("{host}:{port}")
    }
}

/// Never prints a secret: the client secret shows its last 4 characters.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail: String = self
            .client_secret
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        f.debug_struct("Config")
            .field("app_url", &self.app_url.as_str())
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &format!("****{tail}"))
            .field("session_key", &"****")
            .field("idp_timeout", &self.idp_timeout)
            .finish()
    }
}

fn app_url(value: Option<String>) -> Result<Url, ConfigError> {
    let value = value.unwrap_or_else(|| DEFAULT_APP_URL.into());
    let fix = format!("set it to an http(s) URL with a host, e.g. APP_URL={DEFAULT_APP_URL}");
    let url = Url::parse(&value)
        .map_err(|e| bad(format!("APP_URL={value:?} is not a URL ({e}): {fix}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(format!(
            "APP_URL={value:?} is not an http(s) URL with a host: {fix}"
        )));
    }
    if url.path() != "/" || url.query().is_some() {
        return Err(bad(format!(
            "APP_URL={value:?} has a path: give only scheme, host and port, e.g. APP_URL={DEFAULT_APP_URL}"
        )));
    }
    Ok(url)
}

// ANCHOR: insecure_transport
/// `true` or `false`; anything else is a mistake. (oauthlib, which the Flask
/// tutorial uses, turns the check off for *any* value, even `false`.)
fn insecure_transport(value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(bad(format!(
            "OAUTH_INSECURE_TRANSPORT={other:?} is neither true nor false: write true to allow a plain-http issuer (development only), or remove the line"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(host)) => host == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
// ANCHOR_END: insecure_transport

fn issuer(value: Option<String>, insecure: bool) -> Result<String, ConfigError> {
    let value = value.unwrap_or_else(|| DEFAULT_OKTA_BASE_URL.into());
    let example = "e.g. OKTA_BASE_URL=https://dev-123456.okta.com/oauth2/default";
    let url = Url::parse(value.trim())
        .map_err(|e| bad(format!("OKTA_BASE_URL={value:?} is not a URL ({e}): give your authorization server's issuer, {example}")))?;
    let issuer = url.as_str().trim_end_matches('/').to_string();
    if url.host().is_none() {
        return Err(bad(format!(
            "OKTA_BASE_URL={value:?} has no host: {example}"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) || insecure => {}
        "http" => {
            return Err(bad(format!(
                "OKTA_BASE_URL={value:?} is plain http: use https, or set OAUTH_INSECURE_TRANSPORT=true (development only)"
            )));
        }
        _ => {
            return Err(bad(format!(
                "OKTA_BASE_URL={value:?} is not http(s): {example}"
            )));
        }
    }
    if issuer.ends_with("/v1") {
        return Err(bad(format!(
            "OKTA_BASE_URL={value:?} ends in /v1: give the issuer without it, {example} (the app adds /v1/authorize and the rest)"
        )));
    }
    if url.path() == "/" {
        return Err(bad(format!(
            "OKTA_BASE_URL={value:?} is an org URL, not an authorization server's issuer: {example} (Security > API in the Okta admin console lists it)"
        )));
    }
    Ok(issuer)
}

/// A client id or secret: its value, or the mock's when the issuer is the
/// local mock. Pointing at a real Okta org without one is a mistake.
fn client_value(
    name: &str,
    value: Option<String>,
    mock_value: &str,
    points_at_mock: bool,
) -> Result<String, ConfigError> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if v.is_empty() => Err(bad(format!(
            "{name} is empty: copy it from your Okta app's General tab, or remove the line to use the local mock's"
        ))),
        Some(v) => Ok(v),
        None if points_at_mock => Ok(mock_value.to_string()),
        None => Err(bad(format!(
            "{name} is not set, and OKTA_BASE_URL is not the local mock: copy it from your Okta app's General tab into .env"
        ))),
    }
}

// ANCHOR: session_key
/// The key that signs the session cookie: at least 64 bytes. Without one, a
/// random key, so that a learner's first run works (a restart then logs
/// everyone out).
fn session_key(value: Option<String>) -> Result<(Key, bool), ConfigError> {
    match value {
        None => Ok((Key::generate(), true)),
        Some(secret) => match Key::try_from(secret.as_bytes()) {
            Ok(key) => Ok((key, false)),
            Err(_) => Err(bad(format!(
                "SESSION_SECRET is {} bytes, and must be at least 64: make one with `openssl rand -base64 64`",
                secret.len()
            ))),
        },
    }
}
// ANCHOR_END: session_key

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    fn problem(vars: &[(&str, &str)]) -> String {
        let error = config(vars).expect_err("a bad value").0;
        assert!(!error.contains('\n'), "{error}");
        error
    }

    #[test]
    fn nothing_set_means_the_local_mock() {
        let config = config(&[]).expect("the defaults are valid");
        assert_eq!(config.app_url.as_str(), "http://localhost:8080/");
        assert_eq!(config.issuer, DEFAULT_OKTA_BASE_URL);
        assert_eq!(config.client_id, DEFAULT_CLIENT_ID);
        assert_eq!(
            config.redirect_uri(),
            "http://localhost:8080/login/okta/authorized"
        );
        assert_eq!(
            config.endpoint("token"),
            "http://localhost:8081/oauth2/default/v1/token"
        );
        assert_eq!(config.listen_addr(), "localhost:8080");
        assert!(config.session_key_generated);
    }

    #[test]
    fn a_real_org_needs_https_and_its_own_client() {
        let org = [
            (
                "OKTA_BASE_URL",
                "https://dev-123456.okta.com/oauth2/default/",
            ),
            ("OAUTH_CLIENT_ID", "0oa1"),
            ("OAUTH_CLIENT_SECRET", "s"),
        ];
        assert_eq!(
            config(&org).expect("valid").issuer,
            "https://dev-123456.okta.com/oauth2/default"
        );
        assert!(problem(&org[..1]).starts_with("OAUTH_CLIENT_ID is not set"));
        assert!(
            problem(&[("OKTA_BASE_URL", "http://okta.internal/oauth2/default")])
                .contains("OAUTH_INSECURE_TRANSPORT=true")
        );
        let insecure = [
            ("OKTA_BASE_URL", "http://okta.internal/oauth2/default"),
            ("OAUTH_INSECURE_TRANSPORT", "true"),
            ("OAUTH_CLIENT_ID", "a"),
            ("OAUTH_CLIENT_SECRET", "b"),
        ];
        assert!(config(&insecure).is_ok());
    }

    #[test]
    fn every_bad_value_names_its_variable_and_the_fix() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("APP_URL", "localhost:8080")],
                "APP_URL=\"localhost:8080\"",
            ),
            (&[("APP_URL", "http://localhost:8080/app")], "has a path"),
            (
                &[("OKTA_BASE_URL", "dev-123.okta.com")],
                "OKTA_BASE_URL=\"dev-123.okta.com\" is not a URL",
            ),
            (
                &[("OKTA_BASE_URL", "https://dev-1.okta.com/oauth2/default/v1")],
                "ends in /v1",
            ),
            (
                &[("OKTA_BASE_URL", "https://dev-1.okta.com")],
                "is an org URL",
            ),
            (
                &[("OAUTH_INSECURE_TRANSPORT", "yes")],
                "neither true nor false",
            ),
            (
                &[("OAUTH_CLIENT_SECRET", "")],
                "OAUTH_CLIENT_SECRET is empty",
            ),
            (&[("SESSION_SECRET", "short")], "SESSION_SECRET is 5 bytes"),
        ];
        for (vars, expected) in cases {
            let error = problem(vars);
            assert!(error.contains(expected), "{vars:?}: {error}");
        }
    }

    #[test]
    fn a_long_session_secret_is_used() {
        let secret = "x".repeat(64);
        assert!(
            !config(&[("SESSION_SECRET", &secret)])
                .expect("valid")
                .session_key_generated
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let config = config(&[]).expect("valid");
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(DEFAULT_CLIENT_SECRET) && shown.contains("****only"),
            "{shown}"
        );
    }
}
