//! Clients: the applications registered with the mock, as in Okta's console.

use serde::{Deserialize, Serialize};

/// The built-in client's id: what the workbook's stages use by default.
pub const DEFAULT_CLIENT_ID: &str = "0oa-workbook-client";
/// The built-in client's secret. Public on purpose: it only opens this mock.
pub const DEFAULT_CLIENT_SECRET: &str = "workbook-secret-for-the-local-mock-only";
/// The built-in service client (for `client_credentials`).
pub const DEFAULT_SERVICE_CLIENT_ID: &str = "0oa-workbook-service";

/// The grant types a client may be registered for.
pub(crate) const GRANT_TYPES: [&str; 3] =
    ["authorization_code", "refresh_token", "client_credentials"];

/// An application registered with the mock, as in Okta's console. It reads
/// from the config file's `[[clients]]` and from `POST /__mock/clients`
/// with these field names; there, a client without a `secret` is public
/// and must use PKCE unless it says `"require_pkce": false` (RFC 9700
/// §2.1.1; Okta requires PKCE of public clients).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, from = "ClientFields")]
#[non_exhaustive]
pub struct Client {
    /// The client id.
    pub id: String,
    /// The client secret; `None` for a public client (PKCE, no secret).
    pub secret: Option<String>,
    /// Sign-in redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// Sign-out redirect URIs, matched exactly.
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types the client may use.
    pub grant_types: Vec<String>,
    /// Whether `/v1/authorize` refuses a request without PKCE.
    pub require_pkce: bool,
}

/// A [`Client`] as JSON or TOML gives it: `require_pkce` unset means "if
/// it is public".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFields {
    id: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    #[serde(default = "web_grants")]
    grant_types: Vec<String>,
    require_pkce: Option<bool>,
}

impl From<ClientFields> for Client {
    fn from(fields: ClientFields) -> Client {
        Client {
            require_pkce: fields.require_pkce.unwrap_or(fields.secret.is_none()),
            id: fields.id,
            secret: fields.secret,
            redirect_uris: fields.redirect_uris,
            post_logout_redirect_uris: fields.post_logout_redirect_uris,
            grant_types: fields.grant_types,
        }
    }
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

    /// Checks what the mock relies on: an id, known grant types, no
    /// control characters (they would forge log lines), and redirect URIs
    /// (sign-in and sign-out) that are absolute, have no fragment (RFC 6749
    /// §3.1.2; Okta refuses one) and no scheme that runs or reads in the
    /// browser (`javascript:`, `data:`, `vbscript:`, `file:`): http, https
    /// or an app's own scheme, as a native app registers
    /// (`com.example.app:/callback`, RFC 8252 §7.1).
    ///
    /// ```
    /// use mock_okta::Client;
    /// let native = Client::public("my-app").redirect_uri("com.example.app:/callback");
    /// assert_eq!(native.check(), Ok(()));
    /// let fragment = Client::public("my-app").redirect_uri("http://localhost:3000/cb#done");
    /// assert!(fragment.check().unwrap_err().starts_with("redirect_uris[0]: \"http://localhost:3000/cb#done\" has a fragment"));
    /// ```
    ///
    /// # Errors
    /// One line naming the field, e.g. `redirect_uris[0]: "cb" is not an
    /// absolute URL (relative URL without a base)`.
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty() {
            return Err("id: must not be empty".into());
        }
        if self.id.chars().any(char::is_control) {
            return Err("id: holds a control character (a newline?): remove it".into());
        }
        let uris = [
            ("redirect_uris", &self.redirect_uris),
            ("post_logout_redirect_uris", &self.post_logout_redirect_uris),
        ];
        for (field, list) in uris {
            for (i, uri) in list.iter().enumerate() {
                check_redirect_uri(uri).map_err(|problem| format!("{field}[{i}]: {problem}"))?;
            }
        }
        for grant in &self.grant_types {
            if !GRANT_TYPES.contains(&grant.as_str()) {
                return Err(format!(
                    "grant_types: {grant:?} is not one of {}",
                    GRANT_TYPES.join(", ")
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn allows(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }
}

/// Schemes a redirect URI may not have: a browser runs them
/// (`javascript:`, `vbscript:`), or shows or reads what they hold in
/// place of a page (`data:`, `file:`), with the code in the query.
const REFUSED_SCHEMES: [&str; 4] = ["javascript", "data", "vbscript", "file"];

/// Checks one redirect URI (sign-in or sign-out): see [`Client::check`].
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URL ({e})"))?;
    // A URL lowercases its scheme: `JavaScript:` is refused too.
    let scheme = url.scheme();
    if REFUSED_SCHEMES.contains(&scheme) {
        return Err(format!(
            "{uri:?}: a redirect URI may not use the {scheme}: scheme (the browser would run or read it): use http, https or an app's own scheme, e.g. com.example.app:/callback"
        ));
    }
    if let Some(fragment) = url.fragment() {
        return Err(format!(
            "{uri:?} has a fragment (#{fragment}): a redirect URI has none (RFC 6749 §3.1.2; Okta refuses one): remove it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_names_the_field_at_fault() {
        let cases = [
            (Client::web("", "s"), "id: must not be empty"),
            (Client::web("a\nb", "s"), "id: holds a control character"),
            (
                Client::web("app", "s").redirect_uri("cb"),
                "redirect_uris[0]: \"cb\" is not an absolute URL",
            ),
            (
                Client::web("app", "s").post_logout_redirect_uri("/bye"),
                "post_logout_redirect_uris[0]",
            ),
            (
                Client::workbook().redirect_uri("javascript:alert(document.cookie)"),
                "redirect_uris[1]: \"javascript:alert(document.cookie)\": a redirect URI may not use the javascript: scheme",
            ),
            (
                Client::workbook().redirect_uri("JavaScript:alert(1)"),
                "redirect_uris[1]: \"JavaScript:alert(1)\": a redirect URI may not use the javascript: scheme",
            ),
            (
                Client::workbook().redirect_uri("data:text/html,<script>alert(1)</script>"),
                "redirect_uris[1]: \"data:text/html,<script>alert(1)</script>\": a redirect URI may not use the data: scheme",
            ),
            (
                Client::workbook().redirect_uri("vbscript:msgbox(1)"),
                "redirect_uris[1]: \"vbscript:msgbox(1)\": a redirect URI may not use the vbscript: scheme",
            ),
            (
                Client::workbook().post_logout_redirect_uri("file:///etc/passwd"),
                "post_logout_redirect_uris[1]: \"file:///etc/passwd\": a redirect URI may not use the file: scheme",
            ),
            (
                Client::workbook().redirect_uri("http://localhost:3000/cb#x"),
                "redirect_uris[1]: \"http://localhost:3000/cb#x\" has a fragment (#x): a redirect URI has none (RFC 6749 §3.1.2",
            ),
            (
                Client::workbook().post_logout_redirect_uri("http://localhost:3000/#"),
                "post_logout_redirect_uris[1]: \"http://localhost:3000/#\" has a fragment",
            ),
            (
                Client {
                    grant_types: vec!["password".into()],
                    ..Client::workbook()
                },
                "grant_types: \"password\" is not one of authorization_code, refresh_token, client_credentials",
            ),
        ];
        for (client, expected) in cases {
            let problem = client.check().expect_err(expected);
            assert!(problem.starts_with(expected), "{problem}");
        }
        assert_eq!(Client::workbook().check(), Ok(()));
    }

    #[test]
    fn http_https_and_an_apps_own_scheme_are_redirect_uris() {
        let client = Client::public("native")
            .redirect_uri("com.example.app:/callback")
            .redirect_uri("https://app.example.com/callback")
            .redirect_uri("http://127.0.0.1:49152/callback")
            .post_logout_redirect_uri("com.example.app:/logout");
        assert_eq!(client.check(), Ok(()));
    }
}
