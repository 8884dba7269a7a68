//! Which claims about a user each token carries, as Okta's do. The ID
//! token the token endpoint answers beside an access token is *thin*: its
//! base claims (made in [`grants`](crate::grants)), a few scope claims, and
//! the claims set to be always in it; the rest of the profile is in
//! userinfo. The README's claims table says the same, claim by claim.
//!
//! Okta: "Scope-Dependent Claims Missing from ID Token" and "Okta Groups or
//! Attribute Missing from Id Token" (support.okta.com): a thin ID token
//! carries `name` and `preferred_username` with `profile`, and `email` with
//! `email`, but not `given_name`, `family_name`, `email_verified` or the
//! org server's groups. Okta's guides "Add a Groups claim for the Org
//! Authorization Server" and "… for a Custom Authorization Server": the
//! org server answers `groups` for the `groups` scope, filtered by the
//! app's groups claim filter; a custom server has no `groups` scope, but
//! an admin adds a `groups` claim ("Matches regex .*", in the ID token),
//! or includes it only with a `groups` scope it declares. A claim lists
//! at most 100 groups: its group functions take a limit of 1 to 100
//! ("Limitations of Group Functions - Dynamic Allowlists").

use crate::users::User;
use serde_json::{Map, Value, json};

/// Where an authorization server puts the user's groups: Okta's `groups`
/// claim, with every group the user is in ("Matches regex .*"), the
/// built-in `Everyone` first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Groups {
    /// The org server: with the `groups` scope, in userinfo (a thin ID
    /// token lacks them).
    Scope,
    /// A custom server with a `groups` claim its admin added, "ID Token,
    /// Always": in every ID token, and in userinfo.
    Claim,
    /// A custom server whose `groups` claim is included with the `groups`
    /// scope only (its "Include in" is that scope): then in the ID token,
    /// and in userinfo.
    ClaimWithScope,
    /// A custom server without such a claim: nowhere.
    Off,
}

/// How a server answers a user's groups for one request: where
/// ([`Groups`]), at most how many (a claim whose expression has a limit;
/// `None`: every group), and in what shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GroupsClaim {
    pub place: Groups,
    pub limit: Option<usize>,
    pub shape: Shape,
}

/// The JSON shape of a `groups` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A list of names: Okta's.
    List,
    /// One name, a string: a claim of type String.
    One,
    /// A list of `{"name": …}` objects: not Okta's.
    Objects,
}

impl From<Groups> for GroupsClaim {
    /// Every group, where `place` puts them, as a list.
    fn from(place: Groups) -> Self {
        GroupsClaim {
            place,
            limit: None,
            shape: Shape::List,
        }
    }
}

impl GroupsClaim {
    /// Whether the groups are answered for these scopes, in the ID token or
    /// in userinfo.
    pub(crate) fn answered(&self, scopes: &[String]) -> bool {
        let has_groups = scopes.iter().any(|s| s == "groups");
        match self.place {
            Groups::Scope | Groups::ClaimWithScope => has_groups,
            Groups::Claim => true,
            Groups::Off => false,
        }
    }

    /// Whether the (thin) ID token carries them for these scopes: a custom
    /// server's claim does; the org server keeps them for userinfo.
    fn in_id_token(&self, scopes: &[String]) -> bool {
        self.place != Groups::Scope && self.answered(scopes)
    }

    /// The claim's value: the user's groups, `Everyone` first, cut to the
    /// limit.
    fn value(&self, user: &User) -> Value {
        let mut groups = user.all_groups();
        if let Some(limit) = self.limit {
            groups.truncate(limit);
        }
        match self.shape {
            Shape::List => json!(groups),
            Shape::One => json!(groups.get(1).or(groups.first())),
            Shape::Objects => json!(
                groups
                    .iter()
                    .map(|name| json!({ "name": name }))
                    .collect::<Vec<_>>()
            ),
        }
    }
}

/// The claims about the user in a thin ID token, besides the base claims.
pub(crate) fn id_token(user: &User, scopes: &[String], groups: GroupsClaim) -> Map<String, Value> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    if has("profile") {
        claims.insert("name".into(), json!(user.name));
        claims.insert("preferred_username".into(), json!(user.email));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
    }
    if groups.in_id_token(scopes) {
        claims.insert("groups".into(), groups.value(user));
    }
    claims.extend(user.id_token_claims.clone());
    claims
}

/// The claims userinfo answers (OpenID Connect Core §5.3, §5.4): `sub`
/// always; the profile and the user's profile claims with `profile`;
/// `email` and `email_verified` with `email`; the groups where the server
/// answers them; and the claims set to be always in the ID token.
pub(crate) fn userinfo(user: &User, scopes: &[String], groups: GroupsClaim) -> Map<String, Value> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id()));
    if has("profile") {
        let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
        claims.insert("name".into(), json!(user.name));
        claims.insert("preferred_username".into(), json!(user.email));
        claims.insert("given_name".into(), json!(given));
        claims.insert("family_name".into(), json!(family));
        claims.insert("locale".into(), json!("en_US"));
        claims.insert("zoneinfo".into(), json!("America/Los_Angeles"));
        claims.extend(user.claims.clone());
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(true));
    }
    if groups.answered(scopes) {
        claims.insert("groups".into(), groups.value(user));
    }
    claims.extend(user.id_token_claims.clone());
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(words: &str) -> Vec<String> {
        words.split(' ').map(String::from).collect()
    }

    #[test]
    fn the_id_token_is_thin_and_userinfo_has_the_rest() {
        let carol = User::new("carol@example.com", "Carol Example", "p")
            .claim("department", json!("Finance"))
            .id_token_claim("employee_id", json!("E-7"));
        let all = scopes("openid profile email");
        let id = id_token(&carol, &all, Groups::Off.into());
        let names: Vec<&str> = id.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["email", "employee_id", "name", "preferred_username"]
        );
        let info = userinfo(&carol, &all, Groups::Off.into());
        for claim in [
            "sub",
            "name",
            "given_name",
            "family_name",
            "locale",
            "zoneinfo",
            "email",
            "email_verified",
            "department",
            "employee_id",
        ] {
            assert!(info.contains_key(claim), "userinfo lacks {claim}");
        }
        let openid = userinfo(&carol, &scopes("openid"), Groups::Off.into());
        let names: Vec<&str> = openid.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["employee_id", "sub"],
            "only sub and the always-claims"
        );
    }

    #[test]
    fn groups_are_where_each_kind_of_server_puts_them() {
        let bob = User::new("bob@example.com", "Bob", "p").group("admins");
        let everyone_and_admins = json!(["Everyone", "admins"]);
        let openid = scopes("openid");
        let with_groups = scopes("openid groups");
        // The org server: the groups scope, userinfo only.
        assert!(!id_token(&bob, &with_groups, Groups::Scope.into()).contains_key("groups"));
        assert!(!userinfo(&bob, &openid, Groups::Scope.into()).contains_key("groups"));
        assert_eq!(
            userinfo(&bob, &with_groups, Groups::Scope.into())["groups"],
            everyone_and_admins
        );
        // A custom server with the claim: always, in both.
        assert_eq!(
            id_token(&bob, &openid, Groups::Claim.into())["groups"],
            everyone_and_admins
        );
        assert_eq!(
            userinfo(&bob, &openid, Groups::Claim.into())["groups"],
            everyone_and_admins
        );
        // Without it: nowhere.
        assert!(!id_token(&bob, &openid, Groups::Off.into()).contains_key("groups"));
        assert!(!userinfo(&bob, &openid, Groups::Off.into()).contains_key("groups"));
        // A claim included with the groups scope only: with it, in both.
        let with_scope = Groups::ClaimWithScope.into();
        assert!(!id_token(&bob, &openid, with_scope).contains_key("groups"));
        assert!(!userinfo(&bob, &openid, with_scope).contains_key("groups"));
        assert_eq!(
            id_token(&bob, &with_groups, with_scope)["groups"],
            everyone_and_admins
        );
        assert_eq!(
            userinfo(&bob, &with_groups, with_scope)["groups"],
            everyone_and_admins
        );
    }

    #[test]
    fn a_claim_of_another_shape_is_one_string_or_a_list_of_objects() {
        let bob = User::new("bob@example.com", "Bob", "p").group("admins");
        let openid = scopes("openid");
        let shaped = |shape| GroupsClaim {
            shape,
            ..Groups::Claim.into()
        };
        assert_eq!(
            id_token(&bob, &openid, shaped(Shape::One))["groups"],
            json!("admins")
        );
        assert_eq!(
            id_token(&bob, &openid, shaped(Shape::Objects))["groups"],
            json!([{ "name": "Everyone" }, { "name": "admins" }])
        );
    }

    #[test]
    fn a_limit_cuts_the_list_keeping_everyone_first() {
        let carol = User::new("carol@example.com", "Carol", "p")
            .group("a")
            .group("b");
        let cut = GroupsClaim {
            place: Groups::Claim,
            limit: Some(2),
            shape: Shape::List,
        };
        let openid = scopes("openid");
        assert_eq!(
            id_token(&carol, &openid, cut)["groups"],
            json!(["Everyone", "a"])
        );
        assert_eq!(
            userinfo(&carol, &openid, cut)["groups"],
            json!(["Everyone", "a"])
        );
    }
}
