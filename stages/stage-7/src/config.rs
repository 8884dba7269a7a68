//! Configuration: every setting the app reads, its default, and the one-line
//! error for a bad value. With nothing set, every value points at the local
//! mock (`cargo run -p mock-okta`), so a fresh clone runs as it is.

use fred::prelude::Config as RedisConfig;
use oauth2::{ClientId, ClientSecret};
use secrecy::SecretString;
use std::time::Duration;
use tower_sessions::cookie::Key;
use url::Url;

/// The defaults: the app on port 8080, and the local mock's issuer and
/// client (whose secret opens nothing but the mock).
pub const DEFAULT_APP_URL: &str = "http://localhost:8080";
pub const DEFAULT_OKTA_BASE_URL: &str = "http://localhost:8081/oauth2/default";
pub const DEFAULT_CLIENT_ID: &str = "0oa-workbook-client";
pub const DEFAULT_CLIENT_SECRET: &str = "workbook-secret-for-the-local-mock-only";

/// Every setting, checked: `APP_URL` (where browsers reach the app),
/// `OKTA_BASE_URL` (the issuer, no trailing `/`), the Okta app's client id
/// and secret, `SESSION_SECRET` (signs the session cookie, encrypts the
/// login cookies), `LISTEN_ADDR` and `REDIS_URL`. `Debug` shows no secret:
/// oauth2's `ClientSecret`, the cookie `Key` and the Redis URL (which may
/// hold a password) print redacted.
#[derive(Debug, Clone)]
pub struct Config {
    pub app_url: Url,
    pub issuer: String,
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
    pub session_key: Key,
    /// Where this instance listens (`host:port`), when several sit behind
    /// the one `APP_URL`. Default: `APP_URL`'s host and port.
    pub listen_addr: String,
    /// Where the sessions live, shared by every instance. Unset: in this
    /// process's memory.
    pub redis_url: Option<SecretString>,
    /// How long to wait for Okta, and how long a session lasts after its
    /// last request. Not settings: tests shorten them.
    pub idp_timeout: Duration,
    pub idle_limit: Duration,
}

impl Config {
    /// Reads `.env` (if there is one), then the environment.
    pub fn from_env() -> Result<Config, String> {
        if let Err(e) = dotenvy::dotenv()
            && !e.not_found()
        {
            // A parse error quotes the rest of the file, secrets and all: say where.
            let why = match e {
                dotenvy::Error::LineParse(_, at) => format!("not NAME=value at character {at}"),
                e => e.to_string(),
            };
            return Err(format!(".env cannot be read ({why}): fix it, or remove .env"));
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `var`, which returns a variable's value.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let app_url = var("APP_URL").unwrap_or_else(|| DEFAULT_APP_URL.into());
        let app_url = Url::parse(&app_url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.as_str() == format!("{}/", url.origin().ascii_serialization()))
            .ok_or(format!("APP_URL={app_url:?} is not an http(s) URL of a host alone: give scheme, host and port, e.g. APP_URL={DEFAULT_APP_URL}"))?;
        let insecure = match var("OAUTH_INSECURE_TRANSPORT").as_deref() {
            None | Some("" | "false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(format!(
                    "OAUTH_INSECURE_TRANSPORT={other:?} is neither true nor false: write true to allow a plain-http issuer (development only)"
                ));
            }
        };
        let issuer = issuer(var("OKTA_BASE_URL"), insecure)?;
        // The mock's client is the default only where the issuer is the mock.
        let from_okta_app = |name: &str, mock_value: &str| match var(name) {
            // The mock's value with a real Okta fails only at the first
            // login, with Okta's `invalid_client`: say so now.
            Some(v) if v.trim() == mock_value && !is_loopback(&issuer) => Err(format!(
                "{name} is the local mock's: copy your Okta app's from its General tab into .env"
            )),
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            None if is_loopback(&issuer) => Ok(mock_value.to_string()),
            _ => Err(format!(
                "{name} is not set: copy it from your Okta app's General tab into .env"
            )),
        };
        let client_id = ClientId::new(from_okta_app("OAUTH_CLIENT_ID", DEFAULT_CLIENT_ID)?);
        let client_secret =
            ClientSecret::new(from_okta_app("OAUTH_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)?);
        // ANCHOR: instances
        let port = app_url.port_or_known_default().unwrap_or(80);
        let listen_addr = match var("LISTEN_ADDR") {
            None => format!("{}:{port}", app_url.host_str().unwrap_or_default()),
            Some(addr) if addr.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) => {
                addr
            }
            Some(addr) => {
                return Err(format!(
                    "LISTEN_ADDR={addr:?} is not host:port: e.g. LISTEN_ADDR=127.0.0.1:8082, or remove it to listen on APP_URL's"
                ));
            }
        };
        let redis_url = match var("REDIS_URL") {
            Some(url) if RedisConfig::from_url(&url).is_ok() => Some(SecretString::from(url)),
            // Not the value itself: it may hold a password.
            Some(_) => {
                return Err("REDIS_URL is not a Redis URL: e.g. REDIS_URL=redis://127.0.0.1:6379 (rediss:// for TLS; redis-cluster:// or redis-sentinel:// for a Redis Cluster or a Sentinel set, as .env.example shows), or remove it to keep sessions in memory".into());
            }
            None => None,
        };
        let session_key = match (var("SESSION_SECRET"), &redis_url) {
            (Some(secret), _) => Key::try_from(secret.as_bytes()).map_err(|_| {
                format!("SESSION_SECRET is {} bytes, and must be at least 64: make one with `openssl rand -base64 64 | tr -d '\\n'`", secret.len())
            })?,
            // Instances that share sessions must sign their cookies alike.
            (None, Some(_)) => {
                return Err("SESSION_SECRET is not set, and REDIS_URL is: give every instance the same SESSION_SECRET (make one with `openssl rand -base64 64 | tr -d '\\n'`)".into());
            }
            (None, None) => {
                tracing::warn!("SESSION_SECRET is not set: a random key signs the cookies, so a restart logs everyone out");
                Key::generate()
            }
        };
        // ANCHOR_END: instances
        let (idp_timeout, idle_limit) = (Duration::from_secs(10), Duration::from_secs(8 * 3600));
        Ok(Config {
            app_url,
            issuer,
            client_id,
            client_secret,
            session_key,
            listen_addr,
            redis_url,
            idp_timeout,
            idle_limit,
        })
    }
}

/// The issuer of either kind of Okta authorization server: a custom one
/// (`https://{org}/oauth2/{name}`) or the org's (`https://{org}`). What
/// people paste instead (an endpoint, the discovery document, the admin
/// console's address) is refused with the value to paste.
fn issuer(value: Option<String>, insecure: bool) -> Result<String, String> {
    let value = value.unwrap_or_else(|| DEFAULT_OKTA_BASE_URL.into());
    let example = "e.g. https://dev-123456.okta.com/oauth2/default (a custom authorization server) or https://dev-123456.okta.com (the org's)";
    let url = Url::parse(&value)
        .map_err(|e| format!("OKTA_BASE_URL={value:?} is not a URL ({e}): {example}"))?;
    if url.scheme() != "https"
        && !(url.scheme() == "http" && (insecure || is_loopback(url.as_str())))
    {
        return Err(format!(
            "OKTA_BASE_URL={value:?} is not https: use https, or set OAUTH_INSECURE_TRANSPORT=true for a plain-http server (development only)"
        ));
    }
    let issuer = url.as_str().trim_end_matches('/');
    let cut = ["/oauth2/v1/", "/v1/", "/.well-known/"]
        .iter()
        .filter_map(|m| format!("{issuer}/").find(m))
        .min();
    let wanted = issuer[..cut.unwrap_or(issuer.len())].replacen("-admin.", ".", 1);
    if wanted != issuer {
        return Err(format!("OKTA_BASE_URL={value:?} is not an issuer: paste {wanted} instead"));
    }
    let path = url.path().trim_end_matches('/');
    if !(path.is_empty() || path.strip_prefix("/oauth2/").is_some_and(|name| !name.contains('/')))
        || format!("{}{path}", url.origin().ascii_serialization()) != issuer
    {
        return Err(format!("OKTA_BASE_URL={value:?} is not an Okta issuer: {example}"));
    }
    Ok(issuer.to_string())
}

fn is_loopback(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
}
