//! Which claims about a user each token carries, as Okta's do. The ID
//! token the token endpoint answers beside an access token is *thin*: its
//! base claims (made in [`grants`](crate::grants)), a few scope claims, and
//! the claims set to be always in it; the rest of the profile is in
//! userinfo. The README's claims table says the same, claim by claim.
//!
//! Okta: "Scope-Dependent Claims Missing from ID Token" and "Okta Groups or
//! Attribute Missing from Id Token" (support.okta.com): a thin ID token
//! carries `name` and `preferred_username` with `profile`, and `email` with
//! `email`, but not `given_name`, `family_name` or `email_verified`.

use crate::users::User;
use serde_json::{Map, Value, json};

/// The claims about the user in a thin ID token, besides the base claims.
pub(crate) fn id_token(user: &User, scopes: &[String]) -> Map<String, Value> {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    if has("profile") {
        claims.insert("name".into(), json!(user.name));
        claims.insert("preferred_username".into(), json!(user.email));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
    }
    claims.extend(user.id_token_claims.clone());
    claims
}

/// The claims userinfo answers (OpenID Connect Core §5.3, §5.4): `sub`
/// always; the profile and the user's profile claims with `profile`;
/// `email` and `email_verified` with `email`; and the claims set to be
/// always in the ID token.
pub(crate) fn userinfo(user: &User, scopes: &[String]) -> Map<String, Value> {
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
        let id = id_token(&carol, &all);
        let names: Vec<&str> = id.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["email", "employee_id", "name", "preferred_username"]
        );
        let info = userinfo(&carol, &all);
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
        let openid = userinfo(&carol, &scopes("openid"));
        let names: Vec<&str> = openid.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["employee_id", "sub"],
            "only sub and the always-claims"
        );
    }
}
