//! Clients and users: who the mock knows, and the config file that lists them.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::path::Path;

/// The built-in client's id: what the workbook's stages use by default.
pub const DEFAULT_CLIENT_ID: &str = "0oa-workbook-client";
/// The built-in client's secret. Public on purpose: it only opens this mock.
pub const DEFAULT_CLIENT_SECRET: &str = "workbook-secret-for-the-local-mock-only";
/// The built-in service client (for `client_credentials`).
pub const DEFAULT_SERVICE_CLIENT_ID: &str = "0oa-workbook-service";

/// An application registered with the mock, as in Okta's console.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Client {
    /// The client id.
    pub id: String,
    /// The client secret; `None` for a public client (PKCE, no secret).
    #[serde(default)]
    pub secret: Option<String>,
    /// Sign-in redirect URIs, matched exactly.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Sign-out redirect URIs, matched exactly.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types the client may use.
    #[serde(default = "web_grants")]
    pub grant_types: Vec<String>,
    /// Whether `/v1/authorize` refuses a request without PKCE.
    #[serde(default)]
    pub require_pkce: bool,
}

fn web_grants() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

impl Client {
    /// A web application (authorization code + refresh token), no URIs yet.
    ///
    /// ```
    /// let client = mock_okta::Client::web("my-app", "my-secret")
    ///     .redirect_uri("http://localhost:3000/callback")
    ///     .post_logout_redirect_uri("http://localhost:3000");
    /// assert_eq!(client.redirect_uris, ["http://localhost:3000/callback"]);
    /// ```
    pub fn web(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Client {
            id: id.into(),
            secret: Some(secret.into()),
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            grant_types: web_grants(),
            require_pkce: false,
        }
    }

    /// A service application: `client_credentials` only.
    pub fn service(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Client {
            grant_types: vec!["client_credentials".into()],
            ..Client::web(id, secret)
        }
    }

    /// A public client (single-page or native app): no secret, PKCE required.
    pub fn public(id: impl Into<String>) -> Self {
        Client {
            secret: None,
            require_pkce: true,
            ..Client::web(id, "")
        }
    }

    /// Adds a sign-in redirect URI.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Adds a sign-out redirect URI.
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uris.push(uri.into());
        self
    }

    /// The built-in client, matching the workbook's stage defaults.
    pub fn workbook() -> Self {
        Client::web(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .redirect_uri("http://localhost:8080/login/okta/authorized")
            .post_logout_redirect_uri("http://localhost:8080")
    }

    pub(crate) fn allows(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }
}

/// A person who can log in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct User {
    /// The login name and `email` claim.
    pub email: String,
    /// The `name` claim.
    pub name: String,
    /// The password the login form accepts.
    pub password: String,
    /// More claims for the ID token and userinfo (e.g. `groups`).
    #[serde(default)]
    pub claims: Map<String, Value>,
}

impl User {
    /// A user with an email, a display name and a password.
    ///
    /// ```
    /// let carol = mock_okta::User::new("carol@example.com", "Carol", "carol-password")
    ///     .claim("groups", serde_json::json!(["admins"]));
    /// assert_eq!(carol.claims["groups"][0], "admins");
    /// ```
    pub fn new(
        email: impl Into<String>,
        name: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        User {
            email: email.into(),
            name: name.into(),
            password: password.into(),
            claims: Map::new(),
        }
    }

    /// Adds a claim.
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// A stable, Okta-looking user id (`00u…`), the `sub` claim.
    pub fn id(&self) -> String {
        let digest = crate::tokens::sha256(self.email.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("00u{hex}")
    }

    /// The claims these scopes release (OpenID Connect Core §5.4): `sub`
    /// always; the names and the extra claims with `profile`; `email` and
    /// `email_verified` with `email`.
    pub(crate) fn claims(&self, scopes: &[String]) -> Value {
        let has = |s: &str| scopes.iter().any(|x| x == s);
        let mut claims = json!({ "sub": self.id() });
        if has("profile") {
            let (given, family) = self.name.split_once(' ').unwrap_or((&self.name, ""));
            claims["name"] = json!(self.name);
            claims["preferred_username"] = json!(self.email);
            claims["given_name"] = json!(given);
            claims["family_name"] = json!(family);
            claims["locale"] = json!("en_US");
            claims["zoneinfo"] = json!("America/Los_Angeles");
            for (name, value) in &self.claims {
                claims[name] = value.clone();
            }
        }
        if has("email") {
            claims["email"] = json!(self.email);
            claims["email_verified"] = json!(true);
        }
        claims
    }

    /// The built-in users.
    pub fn defaults() -> Vec<User> {
        vec![
            User::new("alice@example.com", "Alice Example", "alice-password"),
            User::new("bob@example.com", "Bob Example", "bob-password"),
        ]
    }
}

/// Checks the name of a custom authorization server: the issuer is
/// `{base}/oauth2/{name}`, so it must be a path segment (letters, digits,
/// `-`, `_`), and not `v1`, where the org authorization server's endpoints
/// live (`{base}/oauth2/v1/…`).
///
/// ```
/// assert!(mock_okta::check_auth_server_name("aus1").is_ok());
/// assert_eq!(
///     mock_okta::check_auth_server_name("v1").unwrap_err(),
///     "\"v1\" is taken by the org authorization server's endpoints (/oauth2/v1/…): choose another name"
/// );
/// ```
pub fn check_auth_server_name(name: &str) -> Result<(), String> {
    if name == "v1" {
        return Err(format!(
            "{name:?} is taken by the org authorization server's endpoints (/oauth2/v1/…): choose another name"
        ));
    }
    let fits = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a name for an authorization server: use letters, digits, - and _ (e.g. default)"
        ))
    }
}

/// Checks a host name for the issuers (`localhost`, `okta.test`,
/// `127.0.0.1`, `[::1]`): a host alone, in lowercase, no scheme, port or
/// path.
///
/// # Errors
/// One line saying what is wrong, with an example.
pub fn check_host(host: &str) -> Result<(), String> {
    let url = url::Url::parse(&format!("http://{host}/")).ok();
    match url.as_ref().and_then(|u| u.host_str()) {
        // A URL lowercases its host: an issuer written otherwise would not
        // match what an app makes of it.
        Some(parsed) if parsed == host => Ok(()),
        _ => Err(format!(
            "{host:?} is not a lowercase host name alone: e.g. localhost, 127.0.0.1 (no scheme, port or path)"
        )),
    }
}

/// The config file (`--config mock-okta.toml`). Every field is optional.
///
/// ```toml
/// port = 8081
/// host = "localhost"
/// auth_server = "default"
///
/// [[clients]]
/// id = "my-app"
/// secret = "my-secret"
/// redirect_uris = ["http://localhost:3000/callback"]
/// post_logout_redirect_uris = ["http://localhost:3000"]
///
/// [[users]]
/// email = "carol@example.com"
/// name = "Carol"
/// password = "carol-password"
/// claims = { groups = ["admins"] }
/// ```
///
/// Clients and users listed in the file replace the built-in ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConfigFile {
    /// The port to listen on.
    pub port: Option<u16>,
    /// The host name in the issuers (default `localhost`).
    pub host: Option<String>,
    /// The custom authorization server's name: its issuer ends `/oauth2/{name}`.
    pub auth_server: Option<String>,
    /// Clients; replace the built-in ones when given.
    pub clients: Option<Vec<Client>>,
    /// Users; replace the built-in ones when given.
    pub users: Option<Vec<User>>,
    /// Faults on from the start, by command-line name.
    #[serde(default)]
    pub faults: Vec<String>,
}

impl ConfigFile {
    /// Reads and checks a config file. The error is one line naming the
    /// file, the field and the problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
        Self::parse(&text).map_err(|problem| format!("{}: {problem}", path.display()))
    }

    /// Parses and checks the text of a config file.
    ///
    /// ```
    /// let file = mock_okta::ConfigFile::parse("port = 9000\nfaults = [\"deny-consent\"]").unwrap();
    /// assert_eq!(file.port, Some(9000));
    ///
    /// let problem = mock_okta::ConfigFile::parse("port = \"x\"").unwrap_err();
    /// assert!(problem.starts_with("line 1 (port = \"x\"): invalid type"));
    /// ```
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let message = e.message().replace('\n', " ");
            let Some(span) = e.span() else { return message };
            // The line the problem is on, with its text: that names the field.
            let start = span.start.min(text.len());
            let number = text[..start].matches('\n').count() + 1;
            let line = text.lines().nth(number - 1).unwrap_or("").trim();
            format!("line {number} ({line}): {message}")
        })?;
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<(), String> {
        if let Some(name) = &self.auth_server {
            check_auth_server_name(name).map_err(|problem| format!("auth_server: {problem}"))?;
        }
        for (i, client) in self.clients.iter().flatten().enumerate() {
            if client.id.is_empty() {
                return Err(format!("clients[{i}].id: must not be empty"));
            }
            let uris = [
                ("redirect_uris", &client.redirect_uris),
                (
                    "post_logout_redirect_uris",
                    &client.post_logout_redirect_uris,
                ),
            ];
            for (field, list) in uris {
                for (j, uri) in list.iter().enumerate() {
                    url::Url::parse(uri).map_err(|e| {
                        format!("clients[{i}].{field}[{j}]: {uri:?} is not an absolute URL ({e})")
                    })?;
                }
            }
            for grant in &client.grant_types {
                if !["authorization_code", "refresh_token", "client_credentials"]
                    .contains(&grant.as_str())
                {
                    return Err(format!(
                        "clients[{i}].grant_types: {grant:?} is not one of authorization_code, refresh_token, client_credentials"
                    ));
                }
            }
        }
        for (i, user) in self.users.iter().flatten().enumerate() {
            if !user.email.contains('@') {
                return Err(format!(
                    "users[{i}].email: {:?} is not an email address",
                    user.email
                ));
            }
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault
                .parse::<crate::Fault>()
                .map_err(|problem| format!("faults[{i}]: {problem}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_a_lowercase_name_or_an_address_alone() {
        for host in ["localhost", "okta.test", "127.0.0.1", "[::1]"] {
            assert_eq!(check_host(host), Ok(()), "{host}");
        }
        for host in [
            "",
            "okta.test:9000",
            "okta.test/x",
            "http://okta.test",
            "a b",
            "me@okta.test",
            "LocalHost",
        ] {
            assert!(check_host(host).is_err(), "{host}");
        }
    }

    #[test]
    fn a_full_file_parses() {
        let file = ConfigFile::parse(
            r#"
            port = 9000
            faults = ["token-500"]
            [[clients]]
            id = "app"
            secret = "s"
            redirect_uris = ["http://localhost:3000/cb"]
            [[users]]
            email = "c@example.com"
            name = "C"
            password = "p"
            claims = { groups = ["x"] }
            "#,
        )
        .expect("a valid file");
        assert_eq!(file.port, Some(9000));
        let clients = file.clients.expect("clients");
        assert_eq!(clients[0].grant_types, web_grants());
        assert_eq!(file.users.expect("users")[0].claims["groups"][0], "x");
    }

    #[test]
    fn problems_name_the_field_and_line() {
        let cases = [
            ("port = \"x\"", "line 1 (port = \"x\"): invalid type"),
            ("[[clients]]\nsecret = \"s\"", "missing field `id`"),
            (
                "[[clients]]\nid = \"a\"\nredirect_uris = [\"nope\"]",
                "clients[0].redirect_uris[0]",
            ),
            (
                "[[users]]\nemail = \"x\"\nname = \"n\"\npassword = \"p\"",
                "users[0].email",
            ),
            ("colour = 1", "unknown field `colour`"),
            ("faults = [\"nope\"]", "faults[0]: unknown fault"),
            (
                "auth_server = \"a/b\"",
                "auth_server: \"a/b\" is not a name",
            ),
            ("auth_server = \"v1\"", "auth_server: \"v1\" is taken"),
        ];
        for (text, expected) in cases {
            let problem = ConfigFile::parse(text).expect_err(text);
            assert!(problem.contains(expected), "{text:?} gave {problem:?}");
            assert!(!problem.contains('\n'), "{problem:?}");
        }
    }
}
