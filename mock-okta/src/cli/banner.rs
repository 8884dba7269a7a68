//! The start-up banner: what a learner needs to point an app at the mock,
//! never a whole secret.

use mock_okta::{DEFAULT_CLIENT_ID, MockOkta};

/// The issuer the workbook's stages use when nothing is set.
const WORKBOOK_ISSUER: &str = "http://localhost:8081/oauth2/default";
use std::path::Path;

/// What a learner needs to point a stage at this mock; `trust` is the
/// certificate file a client trusts, under https.
pub(crate) fn print_banner(okta: &MockOkta, trust: Option<&Path>) {
    let custom = okta.issuer();
    let org = okta.org_issuer();
    println!("mock-okta is running: an offline stand-in for an Okta org. Ctrl-C stops it.\n");
    for name in okta.custom_server_names() {
        let issuer = okta.issuer_of(name).unwrap_or_default();
        println!("  custom authorization server {name:?}");
        println!("    issuer (OKTA_BASE_URL)  {issuer}");
        println!("    discovery               {issuer}/.well-known/openid-configuration");
        let audience = okta.audience_of(name).unwrap_or_default();
        println!("    audience (API_AUDIENCE) {audience}");
    }
    println!("  org authorization server");
    println!("    issuer (OKTA_BASE_URL)  {org}");
    println!("    discovery               {org}/.well-known/openid-configuration\n");
    println!(
        "  listening on {}  (health: {org}/__mock/health)",
        okta.addr()
    );
    if let Some(file) = trust {
        let file = file.display();
        println!("  https: trust the certificate in {file}");
        println!("    (curl --cacert {file}; Python cafile=…; Node NODE_EXTRA_CA_CERTS={file})");
    }
    println!();
    for client in okta.clients() {
        let secret = client
            .secret
            .as_deref()
            .map(mask)
            .unwrap_or_else(|| "(public client)".into());
        println!("  client {}  secret {secret}", client.id);
        for uri in &client.redirect_uris {
            println!("    login redirect URI   {uri}");
        }
        for uri in &client.post_logout_redirect_uris {
            println!("    logout redirect URI  {uri}");
        }
    }
    println!("\n  users (username / password):");
    for user in okta.users() {
        let groups = match user.groups.join(", ") {
            groups if groups.is_empty() => String::new(),
            groups => format!("  (groups: {groups})"),
        };
        println!("    {} / {}{groups}", user.email, user.password);
    }
    let faults = okta.faults();
    if !faults.is_empty() {
        let names: Vec<String> = faults.iter().map(ToString::to_string).collect();
        println!("\n  faults on: {}", names.join(", "));
    }
    if let Some(control) = okta.control_url() {
        println!("\n  control API  {control}/faults, /users, /clients, /requests, /clock, /tokens");
        println!("               (see the README; --no-control-api turns it off)");
    }
    println!("\n  {}\n", advice(okta, custom));
}

/// What to do next, for the configuration it runs with: the workbook's
/// stages work against it as they are only with its client and issuer.
fn advice(okta: &MockOkta, custom: &str) -> String {
    let workbook = okta.clients().iter().any(|c| c.id == DEFAULT_CLIENT_ID);
    match (workbook, custom == WORKBOOK_ISSUER) {
        (true, true) => format!(
            "The workbook's stages use these values by default: run `cargo run -p stage-4`.\n  In .env, they are OKTA_BASE_URL={custom}\n  and OAUTH_CLIENT_ID={DEFAULT_CLIENT_ID} (see .env.example)."
        ),
        (true, false) => format!(
            "For the workbook's stages, set OKTA_BASE_URL={custom} in .env\n  (the client is their default, {DEFAULT_CLIENT_ID}; see .env.example)."
        ),
        (false, _) => format!(
            "Point your app at the issuer (OKTA_BASE_URL={custom}) with a client above;\n  see .env.example for the workbook's settings."
        ),
    }
}

/// A secret as `****` plus its last four characters, which tell secrets
/// apart; a secret of fewer than 12 characters shows none (four would be
/// too much of it).
fn mask(secret: &str) -> String {
    let count = secret.chars().count();
    match count {
        0..12 => "****".into(),
        _ => format!("****{}", secret.chars().skip(count - 4).collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_shows_its_last_four_characters_only_when_they_are_a_small_part() {
        assert_eq!(mask("workbook-secret-for-the-local-mock-only"), "****only");
        assert_eq!(mask("s3cret"), "****");
        assert_eq!(mask("abcd"), "****");
    }
}
