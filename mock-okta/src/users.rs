//! Users: the people who can log in to the mock.

use crate::tokens::sha256;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A person who can log in. It reads from the config file's `[[users]]` and
/// from `POST /__mock/users` with these field names.
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
    /// More claims for the ID token and userinfo.
    #[serde(default)]
    pub claims: Map<String, Value>,
}

impl User {
    /// A user with an email, a display name and a password.
    ///
    /// ```
    /// let carol = mock_okta::User::new("carol@example.com", "Carol", "carol-password")
    ///     .claim("department", serde_json::json!("Finance"));
    /// assert_eq!(carol.claims["department"], "Finance");
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
        let digest = sha256(self.email.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("00u{hex}")
    }

    /// Checks what the mock relies on: an email address as the login, no
    /// control characters in the email or name (they would forge log lines).
    ///
    /// # Errors
    /// One line naming the field, e.g. `email: "carol" is not an email address`.
    pub fn check(&self) -> Result<(), String> {
        if !self.email.contains('@') {
            return Err(format!("email: {:?} is not an email address", self.email));
        }
        for (field, value) in [("email", &self.email), ("name", &self.name)] {
            if value.chars().any(char::is_control) {
                return Err(format!(
                    "{field}: holds a control character (a newline?): remove it"
                ));
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_names_the_field_at_fault() {
        let bad = User::new("carol", "Carol", "p").check();
        assert_eq!(bad, Err("email: \"carol\" is not an email address".into()));
        let forged = User::new("c@example.com", "Carol\nINFO forged", "p").check();
        assert_eq!(
            forged,
            Err("name: holds a control character (a newline?): remove it".into())
        );
        assert_eq!(User::defaults()[0].check(), Ok(()));
    }
}
