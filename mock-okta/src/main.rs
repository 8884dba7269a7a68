//! `mock-okta`: serve an offline Okta org: its org authorization server and
//! a custom authorization server.
//!
//! ```text
//! cargo run -p mock-okta                       # http://localhost:8081 and …/oauth2/default
//! cargo run -p mock-okta -- --fault deny-consent --fault token-slow=15s
//! cargo run -p mock-okta -- --client id=my-app --client secret=s3cret \
//!     --client redirect-uri=http://localhost:3000/callback
//! cargo run -p mock-okta -- --config mock-okta.toml
//! ```

use clap::Parser;
use mock_okta::{
    Client, ConfigFile, FAULTS, Fault, MockOkta, User, check_auth_server_name, check_host,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// An offline mock of an Okta org, for learning and testing logins without
/// an Okta account. It serves both of the org's authorization servers: the
/// org authorization server (issuer http://HOST:PORT, endpoints
/// /oauth2/v1/…) and a custom one (issuer http://HOST:PORT/oauth2/AUTH_SERVER,
/// endpoints /oauth2/AUTH_SERVER/v1/…).
#[derive(Debug, Parser)]
#[command(name = "mock-okta", version, after_help = fault_help())]
struct Args {
    /// Port to listen on (on 127.0.0.1); the org's URL, and the org
    /// authorization server's issuer, is http://HOST:PORT.
    #[arg(long)]
    port: Option<u16>,

    /// Host name in the issuers, e.g. when the mock is reached through a
    /// name other than localhost. It still listens on 127.0.0.1.
    #[arg(long)]
    host: Option<String>,

    /// Name of the custom authorization server: its issuer is
    /// http://HOST:PORT/oauth2/AUTH_SERVER (default: default). Letters,
    /// digits, - and _; not v1.
    #[arg(long)]
    auth_server: Option<String>,

    /// A TOML file with port, host, auth_server, clients, users and faults.
    /// Its clients and users replace the built-in ones; see the crate README.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Register a web client, one field per --client (repeatable):
    /// id=ID starts a client; then secret=SECRET, redirect-uri=URI
    /// (repeatable) and post-logout-redirect-uri=URI (repeatable; default:
    /// the first redirect URI's origin). Only the first = splits, so a value
    /// may hold any character. Without secret=, the client is public and
    /// must use PKCE.
    #[arg(long = "client", value_name = "FIELD=VALUE")]
    clients: Vec<String>,

    /// Add a user, one field per --user (repeatable): email=EMAIL starts a
    /// user; then password=PASSWORD and name=NAME (default: the email).
    #[arg(long = "user", value_name = "FIELD=VALUE")]
    users: Vec<String>,

    /// Switch a fault on from the start (repeatable); the list is below.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,
}

fn fault_help() -> String {
    let mut help = String::from("Faults (--fault NAME, on both authorization servers):\n");
    for spec in FAULTS {
        help.push_str(&format!("  {:<32} {}\n", spec.usage(), spec.help));
    }
    help
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let file = match &args.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let port = args.port.or(file.port).unwrap_or(8081);
    let host = args
        .host
        .or(file.host)
        .unwrap_or_else(|| "localhost".into());
    check_host(&host)
        .map_err(|problem| format!("--host (or host in the config file): {problem}"))?;
    let mut builder = MockOkta::builder().port(port).host(host);
    if let Some(name) = &args.auth_server {
        check_auth_server_name(name).map_err(|problem| format!("--auth-server: {problem}"))?;
    }
    if let Some(name) = args.auth_server.or(file.auth_server) {
        builder = builder.auth_server(name);
    }
    if let Some(clients) = file.clients {
        builder = builder.clients(clients);
    }
    if let Some(users) = file.users {
        builder = builder.users(users);
    }
    for client in parse_clients(&args.clients)? {
        builder = builder.client(client);
    }
    for user in parse_users(&args.users)? {
        builder = builder.user(user);
    }
    for name in file.faults.iter().chain(&args.faults) {
        builder = builder.fault(name.parse::<Fault>()?);
    }
    let okta = builder.start().await.map_err(|e| {
        format!(
            "cannot listen on 127.0.0.1:{port} ({e}): stop whatever uses that port, or pass --port"
        )
    })?;
    print_banner(&okta);
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}

/// The fields of the records a repeated `--FLAG FIELD=VALUE` describes, in
/// order: each occurrence of `first` starts a record. Only the first `=`
/// splits, so a value may hold `=`, `:` or `,`.
fn records<'a>(
    flag: &str,
    fields: &[&str],
    occurrences: &'a [String],
) -> Result<Vec<Vec<(&'a str, &'a str)>>, String> {
    let first = fields[0];
    let mut records: Vec<Vec<(&str, &str)>> = Vec::new();
    for occurrence in occurrences {
        // An error never repeats a secret.
        let shown = match occurrence.split_once('=') {
            Some(("secret", _)) => "secret=…".to_string(),
            _ => occurrence.to_string(),
        };
        let Some((field, value)) = occurrence.split_once('=') else {
            return Err(format!(
                "--{flag} {shown:?}: write one FIELD=VALUE per --{flag}, starting with --{flag} {first}=…; see --help"
            ));
        };
        if !fields.contains(&field) {
            return Err(format!(
                "--{flag} {shown:?}: unknown field {field:?}; the fields are {}",
                fields.join(", ")
            ));
        }
        if value.is_empty() {
            return Err(format!("--{flag} {shown:?}: {field} is empty"));
        }
        if value.chars().any(char::is_control) {
            return Err(format!(
                "--{flag} {field}=…: the value holds a control character (a newline?): remove it"
            ));
        }
        if field == first && records.iter().any(|r| r[0].1 == value) {
            return Err(format!(
                "--{flag} {shown:?}: given twice: give each {first} once"
            ));
        }
        if field == first {
            records.push(vec![(field, value)]);
        } else if let Some(record) = records.last_mut() {
            record.push((field, value));
        } else {
            return Err(format!(
                "--{flag} {shown:?}: each {flag} starts with --{flag} {first}=…"
            ));
        }
    }
    Ok(records)
}

/// The one value of a field a record may give once.
fn single<'a>(
    flag: &str,
    record: &[(&str, &'a str)],
    field: &str,
) -> Result<Option<&'a str>, String> {
    let mut values = record.iter().filter(|(f, _)| *f == field).map(|(_, v)| *v);
    let value = values.next();
    if values.next().is_some() {
        return Err(format!(
            "--{flag} {}={}: {field}= is given twice",
            record[0].0, record[0].1
        ));
    }
    Ok(value)
}

fn parse_clients(occurrences: &[String]) -> Result<Vec<Client>, String> {
    const FIELDS: &[&str] = &["id", "secret", "redirect-uri", "post-logout-redirect-uri"];
    let mut clients = Vec::new();
    for record in records("client", FIELDS, occurrences)? {
        let id = record[0].1;
        let mut client = match single("client", &record, "secret")? {
            Some(secret) => Client::web(id, secret),
            None => Client::public(id),
        };
        let uris = record.iter().filter(|(field, _)| field.ends_with("uri"));
        for &(field, uri) in uris {
            url::Url::parse(uri).map_err(|e| {
                format!("--client {field}={uri}: not an absolute URL ({e}), e.g. http://localhost:3000/callback")
            })?;
            client = if field == "redirect-uri" {
                client.redirect_uri(uri)
            } else {
                client.post_logout_redirect_uri(uri)
            };
        }
        let Some(first) = client.redirect_uris.first() else {
            return Err(format!(
                "--client id={id}: it has no redirect-uri: add --client redirect-uri=URI after it"
            ));
        };
        if client.post_logout_redirect_uris.is_empty() {
            let origin = url::Url::parse(first)
                .expect("checked above")
                .origin()
                .ascii_serialization();
            client = client.post_logout_redirect_uri(origin);
        }
        clients.push(client);
    }
    Ok(clients)
}

fn parse_users(occurrences: &[String]) -> Result<Vec<User>, String> {
    const FIELDS: &[&str] = &["email", "password", "name"];
    let mut users = Vec::new();
    for record in records("user", FIELDS, occurrences)? {
        let email = record[0].1;
        if !email.contains('@') {
            return Err(format!("--user email={email}: not an email address"));
        }
        let Some(password) = single("user", &record, "password")? else {
            return Err(format!(
                "--user email={email}: it has no password: add --user password=PASSWORD after it"
            ));
        };
        let name = single("user", &record, "name")?.unwrap_or(email);
        users.push(User::new(email, name, password));
    }
    Ok(users)
}

/// What a learner needs to point a stage at this mock.
fn print_banner(okta: &MockOkta) {
    let custom = okta.issuer();
    let org = okta.org_issuer();
    let name = custom.rsplit('/').next().unwrap_or_default();
    println!("mock-okta is running: an offline stand-in for an Okta org. Ctrl-C stops it.\n");
    println!("  custom authorization server {name:?}");
    println!("    issuer (OKTA_BASE_URL)  {custom}");
    println!("    discovery               {custom}/.well-known/openid-configuration");
    println!("  org authorization server");
    println!("    issuer (OKTA_BASE_URL)  {org}");
    println!("    discovery               {org}/.well-known/openid-configuration\n");
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
        println!("    {} / {}", user.email, user.password);
    }
    let faults = okta.faults();
    if !faults.is_empty() {
        let names: Vec<String> = faults.iter().map(ToString::to_string).collect();
        println!("\n  faults on: {}", names.join(", "));
    }
    println!("\n  The workbook's stages use these values by default: run `cargo run -p stage-4`.");
    println!("  In .env, they are OKTA_BASE_URL={custom}");
    println!(
        "  and OAUTH_CLIENT_ID={} (see .env.example).\n",
        mock_okta::DEFAULT_CLIENT_ID
    );
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

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_client_value_may_hold_colons_commas_and_equals() {
        let clients = parse_clients(&strings(&[
            "id=app",
            "secret=se:cr,et=",
            "redirect-uri=http://localhost:3000/cb?a=1,2",
            "id=spa",
            "redirect-uri=http://localhost:4000/cb",
            "post-logout-redirect-uri=http://localhost:4000/bye",
        ]))
        .expect("two clients");
        assert_eq!(clients[0].secret.as_deref(), Some("se:cr,et="));
        assert_eq!(clients[0].redirect_uris, ["http://localhost:3000/cb?a=1,2"]);
        assert_eq!(
            clients[0].post_logout_redirect_uris,
            ["http://localhost:3000"]
        );
        assert_eq!(
            (clients[1].id.as_str(), clients[1].secret.as_deref()),
            ("spa", None)
        );
        assert_eq!(
            clients[1].post_logout_redirect_uris,
            ["http://localhost:4000/bye"]
        );
    }

    #[test]
    fn a_client_flag_that_could_be_misread_is_refused_with_one_line() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["app:se:cret:http://localhost:3000/cb"],
                "--client \"app:se:cret:http://localhost:3000/cb\": write one FIELD=VALUE per --client",
            ),
            (
                &["secret=s"],
                "--client \"secret=…\": each client starts with --client id=…",
            ),
            (
                &["id=app", "colour=blue"],
                "unknown field \"colour\"; the fields are id, secret, redirect-uri, post-logout-redirect-uri",
            ),
            (
                &["id=app", "secret=a", "secret=b", "redirect-uri=http://x/cb"],
                "--client id=app: secret= is given twice",
            ),
            (
                &["id=app", "redirect-uri=cb"],
                "--client redirect-uri=cb: not an absolute URL",
            ),
            (
                &["id=app", "secret=s"],
                "--client id=app: it has no redirect-uri",
            ),
        ];
        for (flags, expected) in cases {
            let problem = parse_clients(&strings(flags)).expect_err(expected);
            assert!(problem.contains(expected), "{flags:?} gave {problem:?}");
            assert!(!problem.contains('\n'));
        }
    }

    #[test]
    fn users_are_read_field_by_field() {
        let users = parse_users(&strings(&[
            "email=carol@example.com",
            "password=pa:ss=word",
            "name=Carol Example",
            "email=dan@example.com",
            "password=p",
        ]))
        .expect("two users");
        assert_eq!(
            (users[0].password.as_str(), users[0].name.as_str()),
            ("pa:ss=word", "Carol Example")
        );
        assert_eq!(users[1].name, "dan@example.com");
        for (flags, expected) in [
            (
                &["carol@example.com:pw"][..],
                "write one FIELD=VALUE per --user",
            ),
            (
                &["email=carol"][..],
                "--user email=carol: not an email address",
            ),
            (&["email=c@example.com"][..], "it has no password"),
        ] {
            let problem = parse_users(&strings(flags)).expect_err(expected);
            assert!(problem.contains(expected), "{flags:?} gave {problem:?}");
        }
    }
}
