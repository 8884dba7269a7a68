//! The config file (`--config mock-okta.toml`): the flags' settings, and
//! the clients and users, in TOML. Read and checked at start; a mistake is
//! one line naming the file, the line or field, and the problem.

use mock_okta::{Client, CustomServer, Fault, User, check_auth_server_name, check_host};
use serde::Deserialize;
use std::path::Path;

/// What a config file holds. Every field is optional.
///
/// ```toml
/// port = 8081
/// host = "localhost"
/// auth_server = "default"
///
/// [[auth_servers]]          # one more custom authorization server
/// name = "orders"
/// audience = "api://orders" # the default: api://NAME
/// scopes = ["orders:read"]  # the default: none
/// groups_claim = false      # the default: true
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
/// groups = ["admins"]
/// ```
///
/// Clients and users listed in the file replace the built-in ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// The port to listen on.
    pub(crate) port: Option<u16>,
    /// The host name in the issuers (default `localhost`), or the origin
    /// of a proxy in front of the mock (`https://login.example.com`).
    pub(crate) host: Option<String>,
    /// The custom authorization server's name: its issuer ends `/oauth2/{name}`.
    pub(crate) auth_server: Option<String>,
    /// The `aud` of the custom authorization server's access tokens.
    pub(crate) audience: Option<String>,
    /// Custom scopes declared on the custom authorization server, beside
    /// `messages:read`.
    #[serde(default)]
    pub(crate) scopes: Vec<String>,
    /// Whether the custom authorization server has a `groups` claim
    /// (default: true).
    pub(crate) groups_claim: Option<bool>,
    /// More custom authorization servers, beside the first.
    #[serde(default)]
    pub(crate) auth_servers: Vec<ServerInFile>,
    /// Whether the control API is served under `/__mock/` (default: true).
    pub(crate) control_api: Option<bool>,
    /// Clients; replace the built-in ones when given.
    pub(crate) clients: Option<Vec<Client>>,
    /// Users; replace the built-in ones when given.
    pub(crate) users: Option<Vec<User>>,
    /// Faults on from the start, by command-line name.
    #[serde(default)]
    pub(crate) faults: Vec<String>,
}

/// One more custom authorization server, as the file gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerInFile {
    name: String,
    audience: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    groups_claim: Option<bool>,
}

impl From<ServerInFile> for CustomServer {
    fn from(file: ServerInFile) -> CustomServer {
        let server = CustomServer::new(file.name);
        let server = match file.audience {
            Some(audience) => server.audience(audience),
            None => server,
        };
        let server = file.scopes.into_iter().fold(server, CustomServer::scope);
        server.groups_claim(file.groups_claim.unwrap_or(true))
    }
}

impl ConfigFile {
    /// Reads and checks a config file. The error is one line naming the
    /// file, the field and the problem.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
        Self::parse(&text).map_err(|problem| format!("{}: {problem}", path.display()))
    }

    /// Parses and checks the text of a config file.
    ///
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
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
        if let Some(host) = &self.host {
            check_host(host).map_err(|problem| format!("host: {problem}"))?;
        }
        for (i, server) in self.auth_servers.iter().enumerate() {
            check_auth_server_name(&server.name)
                .map_err(|problem| format!("auth_servers[{i}].name: {problem}"))?;
        }
        for (i, client) in self.clients.iter().flatten().enumerate() {
            client
                .check()
                .map_err(|problem| format!("clients[{i}].{problem}"))?;
        }
        for (i, user) in self.users.iter().flatten().enumerate() {
            user.check()
                .map_err(|problem| format!("users[{i}].{problem}"))?;
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault
                .parse::<Fault>()
                .map_err(|problem| format!("faults[{i}]: {problem}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_custom_servers_take_their_defaults_and_a_bad_name_is_one_line() {
        let file = ConfigFile::parse(
            "[[auth_servers]]\nname = \"orders\"\nscopes = [\"orders:read\"]\n\n[[auth_servers]]\nname = \"billing\"\naudience = \"api://bills\"\ngroups_claim = false\n",
        )
        .expect("parses");
        let servers: Vec<CustomServer> = file.auth_servers.into_iter().map(Into::into).collect();
        assert_eq!(
            servers,
            [
                CustomServer::new("orders").scope("orders:read"),
                CustomServer::new("billing")
                    .audience("api://bills")
                    .groups_claim(false),
            ]
        );
        let bad = ConfigFile::parse("[[auth_servers]]\nname = \"v1\"\n").expect_err("v1");
        assert!(
            bad.starts_with("auth_servers[0].name: \"v1\" is taken"),
            "{bad}"
        );
    }

    #[test]
    fn a_client_without_a_secret_must_use_pkce_unless_it_says_not() {
        let file = ConfigFile::parse(
            "[[clients]]\nid = \"spa\"\n\n[[clients]]\nid = \"lax\"\nrequire_pkce = false\n\n[[clients]]\nid = \"web\"\nsecret = \"s\"\n",
        )
        .expect("parses");
        let pkce: Vec<bool> = file
            .clients
            .iter()
            .flatten()
            .map(|c| c.require_pkce)
            .collect();
        assert_eq!(pkce, [true, false, false]);
    }

    #[test]
    fn a_full_file_parses() {
        let file = ConfigFile::parse(
            r#"
            port = 9000
            control_api = false
            faults = ["token-500"]
            [[clients]]
            id = "app"
            secret = "s"
            redirect_uris = ["http://localhost:3000/cb"]
            [[users]]
            email = "c@example.com"
            name = "C"
            password = "p"
            groups = ["x"]
            "#,
        )
        .expect("a valid file");
        assert_eq!(file.port, Some(9000));
        assert_eq!(file.control_api, Some(false));
        let clients = file.clients.expect("clients");
        assert_eq!(
            clients[0].grant_types,
            ["authorization_code", "refresh_token"]
        );
        assert_eq!(file.users.expect("users")[0].groups, ["x"]);
    }

    #[test]
    fn a_user_needs_no_name_as_on_the_command_line_and_over_http() {
        let file = ConfigFile::parse("[[users]]\nemail = \"d@example.com\"\npassword = \"p\"")
            .expect("a valid file");
        let user = file.users.expect("users").remove(0);
        assert_eq!(
            user.name, "",
            "until registered, when the email is its name"
        );
        assert_eq!(user.check(), Ok(()));
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
