//! Users: the people who can log in to the mock.

use crate::tokens::sha256;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The claim names the mock sets itself: a user's own claims may not take
/// them.
const RESERVED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "jti",
    "ver",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "at_hash",
    "name",
    "preferred_username",
    "given_name",
    "family_name",
    "locale",
    "zoneinfo",
    "email",
    "email_verified",
    "cid",
    "uid",
    "scp",
    // From the user's `groups` field: a claim of that name would contradict it.
    "groups",
];

/// The group every Okta user is in.
const EVERYONE: &str = "Everyone";

/// A person who can log in. It reads from the config file's `[[users]]` and
/// from `POST /__mock/users` with these field names; only `email` and
/// `password` are required.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct User {
    /// The Okta user id, the `sub` claim (`00u…`); `None` until the user
    /// is registered, when it is made from the email ([`User::id`]). Once
    /// registered, it stays whatever the email becomes: at Okta, only
    /// `iss` + `sub` name a user (OpenID Connect Core §5.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The login name and `email` claim.
    pub email: String,
    /// The `name` claim; the email when none is given.
    #[serde(default)]
    pub name: String,
    /// The password the login form accepts.
    pub password: String,
    /// The Okta groups the user is in, besides `Everyone`, which every
    /// user is in, as in Okta.
    #[serde(default)]
    pub groups: Vec<String>,
    /// More claims about the user, in userinfo with the `profile` scope
    /// (at Okta: profile attributes, or a custom claim set to be in
    /// userinfo).
    #[serde(default)]
    pub claims: Map<String, Value>,
    /// Claims always in the ID token (and in userinfo), whatever the
    /// scopes: at Okta, a custom claim whose "Include in token type" is
    /// "ID Token, Always".
    #[serde(default)]
    pub id_token_claims: Map<String, Value>,
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
            id: None,
            email: email.into(),
            name: name.into(),
            password: password.into(),
            groups: Vec::new(),
            claims: Map::new(),
            id_token_claims: Map::new(),
        }
    }

    /// Puts the user in an Okta group.
    ///
    /// ```
    /// let carol = mock_okta::User::new("carol@example.com", "Carol", "carol-password")
    ///     .group("admins")
    ///     .group("finance");
    /// assert_eq!(carol.groups, ["admins", "finance"]);
    /// ```
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.groups.push(name.into());
        self
    }

    /// Every group the user is in, as the `groups` claim lists them:
    /// `Everyone` first.
    pub(crate) fn all_groups(&self) -> Vec<&str> {
        let mut all = vec![EVERYONE];
        for group in &self.groups {
            if !all.contains(&group.as_str()) {
                all.push(group);
            }
        }
        all
    }

    /// Adds a claim, answered by userinfo with the `profile` scope; not in
    /// the ID token, which Okta keeps thin.
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// Adds a claim that is always in the ID token, and in userinfo.
    ///
    /// ```
    /// let dan = mock_okta::User::new("dan@example.com", "Dan", "dan-password")
    ///     .id_token_claim("employee_id", serde_json::json!("E-1234"));
    /// assert_eq!(dan.id_token_claims["employee_id"], "E-1234");
    /// ```
    pub fn id_token_claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.id_token_claims.insert(name.into(), value);
        self
    }

    /// The Okta user id, the `sub` claim: the one it was given, or else a
    /// stable, Okta-looking one (`00u` and 16 hex digits) made from the
    /// email.
    pub fn id(&self) -> String {
        if let Some(id) = &self.id {
            return id.clone();
        }
        let digest = sha256(self.email.to_ascii_lowercase().as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("00u{hex}")
    }

    /// Gives the user a fixed id (its own, or the one made from its email)
    /// and, if it has none, its email as its name: the user as the mock
    /// keeps it.
    pub(crate) fn registered(mut self) -> Self {
        self.id = Some(self.id());
        if self.name.is_empty() {
            self.name = self.email.clone();
        }
        self
    }

    /// Whether `key` is the user's email (in any case) or Okta user id.
    pub(crate) fn is(&self, key: &str) -> bool {
        self.email.eq_ignore_ascii_case(key) || self.id() == key
    }

    /// Checks what the mock relies on: an email address as the login, no
    /// control characters in the email or name (they would forge log
    /// lines), no claim of its own named like one the mock sets (`sub`,
    /// `email`, …).
    ///
    /// # Errors
    /// One line naming the field, e.g. `email: "carol" is not an email address`.
    pub fn check(&self) -> Result<(), String> {
        if !self.email.contains('@') {
            return Err(format!("email: {:?} is not an email address", self.email));
        }
        if let Some(group) = self.groups.iter().find(|g| g.trim().is_empty()) {
            return Err(format!("groups: {group:?} is not a group name"));
        }
        if let Some(id) = &self.id
            && (id.is_empty() || id.contains(|c: char| c.is_whitespace() || c.is_control()))
        {
            return Err(format!(
                "id: {id:?} is not a user id: leave it out, or give letters and digits, e.g. 00u1a2b3c4d5e6f7g8h9"
            ));
        }
        let named = [("email", &self.email), ("name", &self.name)];
        for (field, value) in named
            .into_iter()
            .chain(self.groups.iter().map(|g| ("groups", g)))
        {
            if value.chars().any(char::is_control) {
                return Err(format!(
                    "{field}: holds a control character (a newline?): remove it"
                ));
            }
        }
        let own = [
            ("claims", &self.claims),
            ("id_token_claims", &self.id_token_claims),
        ];
        for (field, claims) in own {
            if let Some(name) = claims.keys().find(|name| RESERVED.contains(&name.as_str())) {
                return Err(format!(
                    "{field}.{name}: the mock sets {name} itself: name the claim otherwise"
                ));
            }
        }
        Ok(())
    }

    /// The built-in users: alice, in no group but `Everyone`, and bob, an
    /// admin (in `admins`).
    pub fn defaults() -> Vec<User> {
        vec![
            User::new("alice@example.com", "Alice Example", "alice-password"),
            User::new("bob@example.com", "Bob Example", "bob-password").group("admins"),
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
        let taken = User::new("c@example.com", "C", "p").claim("email", "x".into());
        assert_eq!(
            taken.check(),
            Err("claims.email: the mock sets email itself: name the claim otherwise".into())
        );
        let groups = User::new("c@example.com", "C", "p").claim("groups", "admins".into());
        assert_eq!(
            groups.check(),
            Err("claims.groups: the mock sets groups itself: name the claim otherwise".into())
        );
        assert_eq!(User::defaults()[0].check(), Ok(()));
    }
}
