//! The scopes an authorization server knows, and Okta's words for one it
//! does not.
//!
//! Both servers know OpenID Connect's scopes and `offline_access`. The org
//! authorization server also knows `groups`, and no custom scope ("Custom
//! scopes are not allowed for this request"). A custom authorization server
//! knows the scopes its admin declared (here `messages:read` by default),
//! and no `groups` scope unless declared ("One or more scopes are not
//! configured for the authorization server resource."). Sources: Okta's
//! support articles of those titles.

use std::sync::RwLock;

/// The scopes of OpenID Connect Core §5.4, and `offline_access` (§11).
pub(crate) const OIDC_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
];

/// The custom scope the default custom authorization server declares.
pub(crate) const DEFAULT_CUSTOM_SCOPE: &str = "messages:read";

/// Checks a scope an admin declares: a scope token of RFC 6749 §3.3
/// (printable ASCII, no space, `"` or `\\`), not one OpenID Connect
/// already defines.
///
/// # Errors
/// One line saying what is wrong, with an example.
pub(crate) fn check(scope: &str) -> Result<(), String> {
    check_token(scope)?;
    if OIDC_SCOPES.contains(&scope) {
        return Err(format!(
            "{scope:?} is an OpenID Connect scope, known already"
        ));
    }
    Ok(())
}

/// Checks a scope token of RFC 6749 §3.3: printable ASCII, no space, `"`
/// or `\\`.
///
/// # Errors
/// One line saying what is wrong, with an example.
pub(crate) fn check_token(scope: &str) -> Result<(), String> {
    let token = !scope.is_empty()
        && scope
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    if token {
        Ok(())
    } else {
        Err(format!(
            "{scope:?} is not a scope: printable ASCII without spaces, e.g. messages:read"
        ))
    }
}

/// The scopes of one authorization server.
#[derive(Debug)]
pub(crate) enum Scopes {
    /// The org authorization server's: OpenID Connect's and `groups`.
    Org,
    /// A custom authorization server's: OpenID Connect's and those its
    /// admin declared, at start or since.
    Custom(Declared),
}

/// The custom scopes declared on a custom authorization server: those it
/// started with, and those declared while it runs (over the control API).
#[derive(Debug)]
pub(crate) struct Declared {
    start: Vec<String>,
    now: RwLock<Vec<String>>,
}

impl Declared {
    pub(crate) fn new(scopes: Vec<String>) -> Self {
        Declared {
            now: RwLock::new(scopes.clone()),
            start: scopes,
        }
    }

    /// The scopes declared now, in the order they were.
    pub(crate) fn list(&self) -> Vec<String> {
        self.now.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Declares a scope ([`check`]ed): whether it is new.
    ///
    /// # Errors
    /// One line saying why it is not a scope.
    pub(crate) fn declare(&self, scope: &str) -> Result<bool, String> {
        check(scope)?;
        let mut now = self.now.write().unwrap_or_else(|p| p.into_inner());
        if now.iter().any(|s| s == scope) {
            return Ok(false);
        }
        now.push(scope.to_string());
        Ok(true)
    }

    /// Withdraws a scope: whether it was declared.
    pub(crate) fn withdraw(&self, scope: &str) -> bool {
        let mut now = self.now.write().unwrap_or_else(|p| p.into_inner());
        let before = now.len();
        now.retain(|s| s != scope);
        now.len() < before
    }

    /// Back to the scopes it started with.
    pub(crate) fn reset(&self) {
        *self.now.write().unwrap_or_else(|p| p.into_inner()) = self.start.clone();
    }
}

impl Scopes {
    /// The custom scopes declared (none for the org server).
    pub(crate) fn declared(&self) -> Vec<String> {
        match self {
            Scopes::Org => Vec::new(),
            Scopes::Custom(declared) => declared.list(),
        }
    }

    /// Every scope the server knows, as its discovery documents list them;
    /// with `groups`, a custom server declares the `groups` scope too (its
    /// groups claim is included with that scope only). The org server
    /// always knows `groups`.
    pub(crate) fn supported(&self, groups: bool) -> Vec<String> {
        let own = match self {
            Scopes::Org => vec!["groups".to_string()],
            Scopes::Custom(declared) => {
                let mut own = declared.list();
                if groups && !own.iter().any(|s| s == "groups") {
                    own.push("groups".to_string());
                }
                own
            }
        };
        OIDC_SCOPES
            .iter()
            .map(|s| s.to_string())
            .chain(own)
            .collect()
    }

    /// Whether `scope` is one a custom server's admin declared: what
    /// `client_credentials` may ask for.
    pub(crate) fn is_custom(&self, scope: &str) -> bool {
        self.declared().iter().any(|s| s == scope)
    }

    /// Okta's `error_description` for the first scope of `asked` the
    /// server does not know, if there is one; `groups` as for
    /// [`supported`](Scopes::supported).
    pub(crate) fn unknown(&self, asked: &[String], groups: bool) -> Option<&'static str> {
        let known = self.supported(groups);
        asked
            .iter()
            .any(|scope| !known.contains(scope))
            .then_some(match self {
                Scopes::Org => "Custom scopes are not allowed for this request.",
                Scopes::Custom(_) => {
                    "One or more scopes are not configured for the authorization server resource."
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(String::from).collect()
    }

    #[test]
    fn each_server_knows_its_own_scopes() {
        let org = Scopes::Org;
        let custom = Scopes::Custom(Declared::new(vec![DEFAULT_CUSTOM_SCOPE.into()]));
        let standard = words("openid profile email address phone offline_access");
        assert_eq!(org.unknown(&standard, false), None);
        assert_eq!(custom.unknown(&standard, false), None);
        assert_eq!(org.unknown(&words("openid groups"), false), None);
        assert_eq!(
            custom.unknown(&words("openid groups"), false),
            Some("One or more scopes are not configured for the authorization server resource.")
        );
        assert_eq!(
            custom.unknown(&words("openid groups"), true),
            None,
            "declared with a claim that needs it"
        );
        assert_eq!(
            custom.supported(true),
            words("openid profile email address phone offline_access messages:read groups")
        );
        assert_eq!(custom.unknown(&words("openid messages:read"), false), None);
        assert_eq!(
            org.unknown(&words("openid messages:read"), false),
            Some("Custom scopes are not allowed for this request.")
        );
        assert!(custom.is_custom("messages:read") && !custom.is_custom("openid"));
        assert!(!org.is_custom("groups"));
    }

    #[test]
    fn a_scope_declared_while_running_is_known_until_withdrawn_or_reset() {
        let Scopes::Custom(declared) = Scopes::Custom(Declared::new(vec!["a:read".into()])) else {
            unreachable!()
        };
        assert_eq!(declared.declare("a:write"), Ok(true));
        assert_eq!(declared.declare("a:write"), Ok(false), "once");
        assert!(declared.declare("openid").is_err());
        assert_eq!(declared.list(), ["a:read", "a:write"]);
        assert!(declared.withdraw("a:read") && !declared.withdraw("a:read"));
        declared.reset();
        assert_eq!(declared.list(), ["a:read"]);
    }

    #[test]
    fn a_declared_scope_is_a_scope_token_of_its_own() {
        assert_eq!(check("messages:read"), Ok(()));
        assert_eq!(check("groups"), Ok(()));
        for bad in ["", "a b", "a\"b", "é"] {
            assert!(
                check(bad).expect_err(bad).contains("is not a scope"),
                "{bad}"
            );
        }
        assert!(
            check("openid")
                .expect_err("openid")
                .contains("known already")
        );
    }
}
